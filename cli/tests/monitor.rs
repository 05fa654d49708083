//! `socketio-emit monitor` against real servers: it must show, decoded, what the official
//! Node emitter, a Socket.IO server and our own emitter publish, for every adapter.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::*;

/// A running monitor, killed when dropped.
struct Monitor {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Monitor {
    /// Starts `monitor` with `args` and waits for its "ready" line.
    fn start(url: &str, args: &[&str]) -> Monitor {
        let mut all = vec!["--url", url];
        all.extend_from_slice(args);
        Monitor::start_without_url(&all)
    }

    /// As [`Monitor::start`], with every connection option in `args`.
    fn start_without_url(args: &[&str]) -> Monitor {
        let mut child = command()
            .arg("monitor")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the monitor");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut m = Monitor {
            child,
            lines,
            seen: Vec::new(),
        };
        let ready = m.wait_for(|l| l.starts_with("ready: ") || l.contains(r#""op":"ready""#));
        assert!(!ready.is_empty());
        m
    }

    /// The first line (not yet returned) that satisfies `pred`; fails after 30 s.
    fn wait_for(&mut self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(i) = self.seen.iter().position(|l| pred(l)) {
                return self.seen.remove(i);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(_) => panic!("no such monitor line; it printed {:?}", self.seen),
            }
        }
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn classic_shows_official_emitter_server_and_ours() {
    let h = Harness::start(&["--servers", "1"]);
    clients(&h, "/", &[("mc-1", 0, json!(["room1"]))]);
    let mut m = Monitor::start(&h.redis_url, &["--adapter", "classic"]);

    h.request(json!({"cmd": "official", "to": ["room1"], "event": "chat",
        "args": [{"text": "hi"}, {"$bytes": "89504e470d0a"}]}));
    let line = m.wait_for(|l| l.contains(" chat("));
    assert_eq!(
        line,
        r#"PUBLISH socket.io#/#room1#  broadcast nsp=/ rooms=[room1] chat({"text":"hi"}, "<bytes 6: 89504e47…>") from=emitter"#
    );

    h.request(json!({"cmd": "official", "op": "serverSideEmit", "event": "reload", "args": [1]}));
    let line = m.wait_for(|l| l.contains(" reload("));
    assert_eq!(
        line,
        "PUBLISH socket.io-request#/#  serverSideEmit nsp=/ reload(1) from=emitter"
    );

    h.request(json!({"cmd": "server_emit", "server": 0, "except": ["banned"], "event": "news", "args": ["x"]}));
    let line = m.wait_for(|l| l.contains(r#" news("x")"#));
    assert!(
        line.starts_with("PUBLISH socket.io#/#  broadcast nsp=/ except=[banned]"),
        "{line}"
    );
    assert!(
        !line.ends_with("from=emitter"),
        "a server's own uid: {line}"
    );

    ok(
        &h.redis_url,
        &["emit", "tick", "7", "--to", "a", "--to", "b", "--volatile"],
    );
    let line = m.wait_for(|l| l.contains(" tick("));
    assert_eq!(
        line,
        r#"PUBLISH socket.io#/#  broadcast nsp=/ rooms=[a,b] flags={"volatile":true} tick(7) from=emitter"#
    );

    ok(
        &h.redis_url,
        &["sockets-join", "vip", "--of", "/", "--to", "room1"],
    );
    let line = m.wait_for(|l| l.contains("socketsJoin"));
    assert_eq!(
        line,
        r#"PUBLISH socket.io-request#/#  socketsJoin nsp=/ rooms=[room1] join=["vip"]"#
    );
}

#[test]
fn json_lines_and_namespace_filter() {
    let h = Harness::start(&["--servers", "1"]);
    clients(&h, "/admin", &[("mj-1", 0, json!([]))]);
    let mut m = Monitor::start(&h.redis_url, &["--json", "--of", "/admin"]);

    ok(&h.redis_url, &["emit", "skipped", "--of", "/"]);
    ok(
        &h.redis_url,
        &[
            "emit",
            "shown",
            "true",
            "--of",
            "/admin",
            "--compress",
            "false",
        ],
    );
    let line = m.wait_for(|l| l.contains("\"event\""));
    let v: Json = serde_json::from_str(&line).unwrap();
    assert_eq!(
        v,
        json!({"via": "PUBLISH socket.io#/admin#", "op": "broadcast", "nsp": "/admin",
            "uid": "emitter", "flags": {"compress": false}, "event": "shown", "args": [true]})
    );
}

#[test]
fn sharded_shows_server_and_ours() {
    let h = Harness::start(&["--servers", "1", "--adapter", "sharded"]);
    clients(&h, "/", &[("ms-1", 0, json!(["room1"]))]);
    let mut m = Monitor::start(&h.redis_url, &["--adapter", "sharded"]);

    h.request(json!({"cmd": "server_emit", "server": 0, "event": "srv", "args": [{"n": 1}]}));
    let line = m.wait_for(|l| l.contains(" srv("));
    assert!(
        line.starts_with(r#"SPUBLISH socket.io#/#  broadcast nsp=/ srv({"n":1}) from="#),
        "{line}"
    );

    ok(
        &h.redis_url,
        &["--adapter", "sharded", "emit", "ours", "--to", "room1"],
    );
    let line = m.wait_for(|l| l.contains(" ours("));
    assert_eq!(
        line,
        "SPUBLISH socket.io#/#room1#  broadcast nsp=/ rooms=[room1] ours() from=emitter"
    );

    ok(
        &h.redis_url,
        &[
            "--adapter",
            "sharded",
            "sockets-leave",
            "old",
            "--except",
            "x",
        ],
    );
    let line = m.wait_for(|l| l.contains("socketsLeave"));
    assert_eq!(
        line,
        r#"SPUBLISH socket.io#/#  socketsLeave nsp=/ except=[x] leave=["old"] from=emitter"#
    );
}

#[test]
fn streams_shows_server_and_ours() {
    let h = Harness::start(&["--servers", "1", "--adapter", "streams"]);
    clients(&h, "/", &[("mt-1", 0, json!([]))]);
    let mut m = Monitor::start(&h.redis_url, &["--adapter", "streams"]);

    h.request(json!({"cmd": "server_emit", "server": 0, "event": "srv", "args": ["a"]}));
    let line = m.wait_for(|l| l.contains(" srv("));
    assert!(line.starts_with("XADD socket.io "), "{line}");
    assert!(
        line.contains(r#"  broadcast nsp=/ srv("a") from="#),
        "{line}"
    );

    let png = std::env::temp_dir().join(format!("monitor-png-{}", std::process::id()));
    std::fs::write(&png, b"\x89PNG\r\n").unwrap();
    let at = format!("@{}", png.display());
    ok(&h.redis_url, &["--adapter", "streams", "emit", "ours", &at]);
    std::fs::remove_file(&png).unwrap();
    let line = m.wait_for(|l| l.contains(" ours("));
    assert!(
        line.ends_with(r#"  broadcast nsp=/ ours("<bytes 6: 89504e47…>") from=emitter"#),
        "{line}"
    );

    ok(
        &h.redis_url,
        &["--adapter", "streams", "server-side-emit", "ping", "1"],
    );
    let line = m.wait_for(|l| l.contains(" ping("));
    assert_eq!(
        line,
        "PUBLISH socket.io#/#  serverSideEmit nsp=/ ping(1) from=emitter"
    );
}

#[test]
fn unreachable_redis_is_a_connection_error() {
    let r = run(&["--url", "redis://u:s3cret@127.0.0.1:1", "monitor"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("[CONNECTION]"), "{r:?}");
    assert!(!r.all_output().contains("s3cret"), "{r:?}");
}

#[test]
fn legacy_socket_io_redis_5_broadcasts_are_decoded() {
    let h = Harness::start(&["--servers", "1", "--stack", "socket.io-redis-5"]);
    let mut m = Monitor::start(&h.redis_url, &["--adapter", "classic"]);

    h.request(
        json!({"cmd": "server_emit", "server": 0, "to": ["r1"], "event": "old", "args": [1]}),
    );
    let line = m.wait_for(|l| l.contains(" old("));
    assert!(
        line.starts_with("PUBLISH socket.io#/#r1#  broadcast nsp=/ rooms=[r1] old(1) from="),
        "{line}"
    );

    ok(
        &h.redis_url,
        &[
            "--compat",
            "socket.io-redis-5",
            "emit",
            "ours",
            "--to",
            "r1",
        ],
    );
    let line = m.wait_for(|l| l.contains(" ours("));
    assert_eq!(
        line,
        "PUBLISH socket.io#/#r1#  broadcast nsp=/ rooms=[r1] ours() from=emitter"
    );
}

#[test]
fn cluster_sharded_messages_are_heard_on_every_master() {
    let h = Harness::start(&[
        "--servers",
        "2",
        "--adapter",
        "sharded",
        "--topology",
        "cluster",
    ]);
    clients(&h, "/", &[("mcl-1", 0, json!(["room1"]))]);
    let seed = h.redis_nodes()[0].clone();
    let mut m = Monitor::start_without_url(&["--cluster-node", &seed, "--adapter", "sharded"]);

    h.request(json!({"cmd": "server_emit", "server": 1, "event": "srv", "args": [2]}));
    let line = m.wait_for(|l| l.contains(" srv("));
    assert!(
        line.starts_with("SPUBLISH socket.io#/#  broadcast nsp=/ srv(2) from="),
        "{line}"
    );

    ok_without_url(&[
        "--cluster-node",
        &seed,
        "--adapter",
        "sharded",
        "emit",
        "ours",
        "--to",
        "room1",
    ]);
    let line = m.wait_for(|l| l.contains(" ours("));
    assert_eq!(
        line,
        "SPUBLISH socket.io#/#room1#  broadcast nsp=/ rooms=[room1] ours() from=emitter"
    );
}

#[test]
fn sentinel_master_is_followed() {
    let h = Harness::start(&["--servers", "1", "--topology", "sentinel"]);
    let sentinel = h.sentinel_urls()[0].clone();
    let master = h.ready["sentinel_master"].as_str().unwrap().to_owned();
    let mut m = Monitor::start_without_url(&[
        "--sentinel-master",
        &master,
        "--sentinel-node",
        &sentinel,
        "--adapter",
        "classic",
    ]);
    h.request(json!({"cmd": "server_emit", "server": 0, "event": "srv", "args": [3]}));
    let line = m.wait_for(|l| l.contains(" srv("));
    assert!(
        line.starts_with("PUBLISH socket.io#/#  broadcast nsp=/ srv(3) from="),
        "{line}"
    );
}

fn ok_without_url(args: &[&str]) {
    let r = run(args);
    assert_eq!(r.code, 0, "socketio-emit {args:?} failed: {r:?}");
}
