//! `socketio-emit doctor` against every adapter and topology the harness starts, and one
//! test per mistake, asserting the explanation it prints.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;

fn doctor(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["doctor", url];
    all.extend_from_slice(args);
    run(&all)
}

fn assert_has(r: &Run, text: &str) {
    assert!(
        r.stdout.contains(text),
        "expected {text:?} in:\n{}",
        r.all_output()
    );
}

#[test]
fn classic_servers_are_found_and_reached() {
    let h = Harness::start(&["--servers", "2"]);
    let r = doctor(&h.redis_url, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("Redis 7."), "{r:?}");
    assert_has(&r, "(standalone)");
    assert_has(
        &r,
        r#"key "socket.io", namespace "/": 2 server(s), classic adapter"#,
    );
    assert_has(
        &r,
        "Pub/Sub output buffer: Redis disconnects a server whose unread messages pass 32 MiB (or 8 MiB for 60 s).",
    );
    assert_has(&r, "WARNING: a burst of large emits");
    assert_has(&r, r#"ACL: connected as "default""#);
    assert_has(&r, "  PUBLISH socket.io#/# x: allowed");
    assert_has(&r, "  PUBSUB NUMSUB socket.io-request#/#: allowed");
    assert_has(
        &r,
        r#"  OK: An emit to namespace "/" under the key "socket.io" with the classic adapter reaches 2 server(s)."#,
    );
}

#[test]
fn wrong_key_lists_the_keys_in_use() {
    let h = Harness::start(&["--servers", "1", "--key", "chat"]);
    let r = doctor(&h.redis_url, &["--key", "socket.io"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_has(
        &r,
        r#"PROBLEM: No server uses the key "socket.io". The keys in use are: "chat"."#,
    );
}

#[test]
fn wrong_namespace_lists_the_namespaces_with_servers() {
    let h = Harness::start(&["--servers", "1"]);
    clients(&h, "/admin", &[("dn-1", 0, json!([]))]);
    let r = doctor(&h.redis_url, &["--of", "/chat"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_has(
        &r,
        r#"PROBLEM: No server has the namespace "/chat" under the key "socket.io". Namespaces with servers: "/", "/admin"."#,
    );
}

#[test]
fn adapter_mismatch_names_both_adapters() {
    let h = Harness::start(&["--servers", "2", "--adapter", "sharded"]);
    let r = doctor(&h.redis_url, &[]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_has(
        &r,
        r#"key "socket.io", namespace "/": 2 server(s), sharded adapter"#,
    );
    assert_has(
        &r,
        r#"use the sharded adapter, but you configured classic (the default): each adapter has its own delivery path, so nothing arrives. Pass --adapter sharded."#,
    );
    let r = doctor(&h.redis_url, &["--adapter", "sharded"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(&r, "  SPUBLISH socket.io#/# x: allowed");
    assert_has(&r, "with the sharded adapter reaches 2 server(s).");
    // auto takes the adapter the servers use, as the library does.
    let r = doctor(&h.redis_url, &["--adapter", "auto"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(&r, "with the sharded adapter reaches 2 server(s).");
}

#[test]
fn streams_03_and_02_are_told_apart() {
    let h = Harness::start(&["--servers", "2", "--adapter", "streams"]);
    let r = doctor(&h.redis_url, &["--adapter", "streams"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(
        &r,
        r#"key "socket.io", namespace "/": 2 server(s), streams adapter"#,
    );
    assert_has(&r, "  XADD socket.io * uid emitter: allowed");

    let h = Harness::start(&[
        "--servers",
        "1",
        "--adapter",
        "streams",
        "--streams-version",
        "0.2",
    ]);
    let r = doctor(&h.redis_url, &["--adapter", "streams", "--json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v = r.json();
    let group = &v["servers"][0];
    assert_eq!(v["servers"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        (
            &group["key"],
            &group["nsp"],
            &group["adapter"],
            &group["servers"]
        ),
        (
            &json!("socket.io"),
            &json!("/"),
            &json!("streams 0.2"),
            &json!(1)
        )
    );
    assert!(
        group["evidence"][0]
            .as_str()
            .unwrap()
            .contains("heartbeats"),
        "{v}"
    );
    assert_eq!(v["target"]["problem"], "ok");
}

#[test]
fn json_says_the_same() {
    let h = Harness::start(&["--servers", "1"]);
    let r = doctor(&h.redis_url, &["--json", "--of", "/none"]);
    assert_eq!(r.code, 8, "{r:?}");
    let v = r.json();
    assert_eq!(v["redis"]["topology"], "standalone");
    assert_eq!(v["target"]["problem"], "wrong_namespace");
    assert_eq!(v["target"]["servers"], 0);
    assert_eq!(v["pubsub_output_buffer"]["hard_bytes"], 33554432);
    assert_eq!(v["acl"]["user"], "default");
}

#[test]
fn cluster_masters_are_listed_and_counted() {
    let h = Harness::start(&["--servers", "2", "--topology", "cluster"]);
    let r = run(&["doctor", "--cluster-node", &h.redis_nodes()[0]]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(&r, "(cluster)");
    assert_eq!(r.stdout.matches("  master ").count(), 3, "{r:?}");
    assert_has(
        &r,
        r#"key "socket.io", namespace "/": 2 server(s), classic adapter"#,
    );
}

#[test]
fn sentinel_masters_are_surveyed() {
    let h = Harness::start(&["--servers", "2", "--topology", "sentinel"]);
    let r = doctor(&h.sentinel_urls()[0], &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(&r, "(sentinel)");
    let master = h.ready["sentinel_master"].as_str().unwrap();
    assert_has(&r, &format!("  master {master} 127.0.0.1:"));
    assert_has(
        &r,
        r#"key "socket.io", namespace "/": 2 server(s), classic adapter"#,
    );
}

#[test]
fn tls_and_acl_user_without_leaking_the_password() {
    let h = Harness::start(&[
        "--servers",
        "1",
        "--redis-user",
        "alice",
        "--redis-password",
        "s3cr3t-pw",
        "--redis-tls",
    ]);
    let ca = h.ready["redis_ca_file"].as_str().unwrap();
    let r = doctor(&h.redis_url, &["--tls-ca", ca]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(&r, r#"ACL: connected as "alice""#);
    assert_has(&r, "  PUBLISH socket.io-request#/# x: allowed");
    assert!(!r.all_output().contains("s3cr3t-pw"), "{r:?}");

    let wrong = h.redis_url.replace("s3cr3t-pw", "wrong-pw");
    let r = doctor(&wrong, &["--tls-ca", ca]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(!r.all_output().contains("wrong-pw"), "{r:?}");
}

/// A bare redis-server, stopped when dropped.
struct BareRedis {
    child: Child,
    dir: std::path::PathBuf,
}

impl BareRedis {
    fn start() -> (BareRedis, String) {
        let dir = std::env::temp_dir().join(format!("doctor-bare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A port the system just handed out; redis-server takes it over.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child =
            Command::new(std::env::var("REDIS_SERVER").unwrap_or("redis-server".into()))
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .arg("--dir")
                .arg(&dir)
                .stdout(Stdio::piped())
                .spawn()
                .expect("start redis-server");
        let out = BufReader::new(child.stdout.take().unwrap());
        let ready = out
            .lines()
            .map_while(Result::ok)
            .any(|l| l.to_lowercase().contains("ready to accept connections"));
        assert!(ready, "redis-server started");
        (
            BareRedis { child, dir },
            format!("redis://127.0.0.1:{port}"),
        )
    }
}

impl Drop for BareRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn no_server_at_all() {
    let (_redis, url) = BareRedis::start();
    let r = doctor(&url, &[]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_has(&r, "Socket.IO servers: none found");
    assert_has(&r, "PROBLEM: No Socket.IO server listens on this Redis");
}

#[test]
fn sharded_room_without_members_is_explained() {
    let h = Harness::start(&["--servers", "2", "--adapter", "sharded"]);
    clients(&h, "/", &[("dr-1", 0, json!(["room1"]))]);
    let r = doctor(&h.redis_url, &["--adapter", "sharded", "--to", "room1"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = doctor(&h.redis_url, &["--adapter", "sharded", "--to", "empty"]);
    assert_eq!(r.code, 8, "{r:?}");
    assert_has(
        &r,
        r#"PROBLEM: No server listens on "socket.io#/#empty#", the channel of room "empty"."#,
    );
}

#[test]
fn forbidden_config_and_acl_dryrun_are_tolerated() {
    let h = Harness::start(&["--servers", "1"]);
    let setup = Command::new(std::env::var("REDIS_CLI").unwrap_or("redis-cli".into()))
        .args([
            "-u",
            &h.redis_url,
            "ACL",
            "SETUSER",
            "limited",
            "on",
            ">limited-pw",
        ])
        .args(["~*", "&*", "+@all", "-config", "-acl|dryrun"])
        .output()
        .expect("run redis-cli");
    assert_eq!(
        String::from_utf8_lossy(&setup.stdout).trim(),
        "OK",
        "{setup:?}"
    );
    let url = h
        .redis_url
        .replace("redis://", "redis://limited:limited-pw@");
    let r = doctor(&url, &[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_has(
        &r,
        "Pub/Sub output buffer: unknown, CONFIG GET was refused or failed",
    );
    assert_has(&r, r#"ACL: connected as "limited""#);
    assert_has(&r, "  PUBLISH socket.io#/# x: cannot check");
    assert!(!r.all_output().contains("limited-pw"), "{r:?}");
}
