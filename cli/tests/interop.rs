//! The `socketio-emit` binary against a real Redis and two real Socket.IO 4.8 servers
//! (`@socket.io/redis-adapter` 8.3.0), with delivery observed at real clients.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::*;

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::start(&["--servers", "2"]))
}

fn url() -> &'static str {
    &harness().redis_url
}

#[test]
fn emit_json_arguments_to_a_room_except_another() {
    let h = harness();
    clients(
        h,
        "/cli-emit",
        &[
            ("ce-in", 0, json!(["r1"])),
            ("ce-in2", 1, json!(["r2"])),
            ("ce-muted", 1, json!(["r1", "muted"])),
            ("ce-out", 0, json!(["other"])),
        ],
    );
    let r = ok(
        url(),
        &[
            "emit",
            "chat",
            r#"{"text":"hi","n":[1,2.5,null]}"#,
            "42",
            r#""a string""#,
            "true",
            "--of",
            "/cli-emit",
            "--to",
            "r1",
            "--in",
            "r2",
            "--except",
            "muted",
            "--compress",
            "false",
        ],
    );
    assert_eq!(r.stdout.trim(), "2", "both servers received it: {r:?}");
    assert_eq!(
        received(h, &["ce-in", "ce-in2", "ce-muted", "ce-out"]),
        vec![names(&["chat"]), names(&["chat"]), vec![], vec![]]
    );
    let (event, args) = &h.events("ce-in")[0];
    assert_eq!(event, "chat");
    assert_eq!(
        args,
        &vec![
            json!({"text": "hi", "n": [1, 2.5, null]}),
            json!(42),
            json!("a string"),
            json!(true)
        ]
    );
}

#[test]
fn binary_from_files_arrives_as_bytes() {
    let h = harness();
    clients(h, "/cli-bin", &[("cb-a", 0, json!([]))]);
    let dir = std::env::temp_dir().join(format!("socketio-emit-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("a.png");
    let other = dir.join("b.bin");
    std::fs::write(&png, [0x89, b'P', b'N', b'G', 0, 0xff]).unwrap();
    std::fs::write(&other, [1, 2, 3]).unwrap();
    let at_png = format!("@{}", png.display());
    ok(
        url(),
        &[
            "emit",
            "file",
            "--of",
            "/cli-bin",
            r#""name""#,
            &at_png,
            "--bin-file",
            other.to_str().unwrap(),
        ],
    );
    h.flush();
    let (event, args) = &h.events("cb-a")[0];
    assert_eq!(event, "file");
    assert_eq!(
        args,
        &vec![
            json!("name"),
            bytes_json(&[0x89, b'P', b'N', b'G', 0, 0xff]),
            bytes_json(&[1, 2, 3])
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn string_flag_takes_words_as_strings_and_volatile_is_accepted() {
    let h = harness();
    clients(h, "/cli-str", &[("cs-a", 1, json!([]))]);
    ok(
        url(),
        &[
            "emit",
            "-s",
            "words",
            "hello",
            "{not json}",
            "--of",
            "/cli-str",
        ],
    );
    ok(url(), &["emit", "v", "--volatile", "--of", "/cli-str"]);
    h.flush();
    let events = h.events("cs-a");
    assert_eq!(events[0].0, "words");
    assert_eq!(events[0].1, vec![json!("hello"), json!("{not json}")]);
    // A volatile packet may be dropped by a busy transport: only its shape is checked.
    assert!(events.len() <= 2 && events.iter().skip(1).all(|(e, _)| e == "v"));
}

#[test]
fn a_plain_word_is_a_usage_error_naming_the_fixes() {
    let r = run(&["--url", url(), "emit", "chat", "hello"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("argument 1 is not a JSON value"), "{r:?}");
    assert!(r.stderr.contains("--string"), "{r:?}");
    assert!(r.stdout.is_empty());
}

#[test]
fn join_leave_and_disconnect() {
    let h = harness();
    clients(
        h,
        "/cli-rooms",
        &[
            ("cr-old", 0, json!(["old"])),
            ("cr-keep", 1, json!(["old", "keep"])),
            ("cr-none", 1, json!([])),
        ],
    );
    ok(
        url(),
        &[
            "sockets-join",
            "new",
            "newer",
            "--of",
            "/cli-rooms",
            "--to",
            "old",
        ],
    );
    ok(
        url(),
        &["emit", "in-new", "--of", "/cli-rooms", "--to", "newer"],
    );
    ok(
        url(),
        &[
            "sockets-leave",
            "old",
            "--of",
            "/cli-rooms",
            "--except",
            "keep",
        ],
    );
    ok(
        url(),
        &["emit", "in-old", "--of", "/cli-rooms", "--to", "old"],
    );
    assert_eq!(
        received(h, &["cr-old", "cr-keep", "cr-none"]),
        vec![names(&["in-new"]), names(&["in-new", "in-old"]), vec![]]
    );
    ok(
        url(),
        &[
            "disconnect-sockets",
            "--close",
            "--of",
            "/cli-rooms",
            "--to",
            "keep",
        ],
    );
    assert!(
        h.wait_until(Duration::from_secs(10), |obs| obs
            .iter()
            .any(|m| m["type"] == "disconnect" && m["client"] == "cr-keep")),
        "cr-keep was disconnected"
    );
    ok(url(), &["emit", "after", "--of", "/cli-rooms"]);
    assert_eq!(
        received(h, &["cr-old", "cr-none"]),
        vec![names(&["in-new", "after"]), names(&["after"])]
    );
}

#[test]
fn server_side_emit_reaches_both_servers() {
    let h = harness();
    clients(h, "/cli-sse", &[("cse-a", 0, json!([]))]);
    let r = ok(
        url(),
        &[
            "server-side-emit",
            "--json",
            "--of",
            "/cli-sse",
            "server_event",
            r#""p""#,
            "7",
        ],
    );
    assert_eq!(r.json(), json!({"ok": true, "servers": 2}));
    h.flush();
    let mut servers: Vec<u64> = h
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "server_event" && m["nsp"] == "/cli-sse")
        .inspect(|m| assert_eq!(m["args"], json!(["p", 7])))
        .filter_map(|m| m["server"].as_u64())
        .collect();
    servers.sort_unstable();
    assert_eq!(servers, [0, 1]);
}

#[test]
fn json_output_and_require_receivers() {
    harness();
    let r = ok(url(), &["--json", "emit", "x", "--of", "/cli-nobody"]);
    assert_eq!(r.json(), json!({"ok": true, "servers": 0}));
    let r = run(&[
        "--url",
        url(),
        "--json",
        "--require-receivers",
        "emit",
        "x",
        "--of",
        "/cli-nobody",
    ]);
    assert_eq!(r.code, 8, "{r:?}");
    let j = r.json();
    assert_eq!(j["ok"], false);
    assert_eq!(j["code"], "NO_SUBSCRIBERS");
    assert!(
        j["message"]
            .as_str()
            .unwrap()
            .contains("no Socket.IO server")
    );
    // Human output: the count on stdout, a warning on stderr.
    let r = ok(url(), &["emit", "x", "--of", "/cli-nobody"]);
    assert_eq!(r.stdout.trim(), "0");
    assert!(
        r.stderr.contains("no Socket.IO server received it"),
        "{r:?}"
    );
}

#[test]
fn reserved_event_exits_3() {
    let r = run(&["--url", url(), "--json", "emit", "disconnect"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(r.json()["code"], "RESERVED_EVENT");
}

#[test]
fn redis_url_from_the_environment() {
    let h = harness();
    clients(h, "/cli-env", &[("cv-a", 0, json!([]))]);
    let r = output(
        command()
            .env("REDIS_URL", url())
            .args(["emit", "env", "--of", "/cli-env"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(received(h, &["cv-a"]), vec![names(&["env"])]);
}
