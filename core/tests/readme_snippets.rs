//! The Rust blocks of the project's README.md and of core/README.md are the files of
//! `tests/readme/` (marked `<!-- example: ... -->`, checked here word for word); each file is
//! compiled into this test and run against real Socket.IO servers, observing delivery at real
//! socket.io clients (CONTRIBUTING.md, "Code blocks are tested").

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use interop_harness::{Harness, Json, bytes_json, json, repo_root};

// Each example in a module of its own (their `use` lines would clash), with the entry points
// the tests call: the examples' own items are private to their module.
mod quickstart {
    include!("readme/quickstart.rs");
    pub(super) fn run() -> socketio_emitter::Result<()> {
        main()
    }
}
mod connect {
    include!("readme/connect.rs");
    pub(super) async fn run(url: &str) -> socketio_emitter::Result<u64> {
        notify(url).await
    }
}
mod auto {
    include!("readme/auto.rs");
    pub(super) async fn run(url: &str) -> socketio_emitter::Result<u64> {
        emit_with_auto(url).await
    }
}
mod ask {
    include!("readme/ask.rs");
    pub(super) async fn run(url: &str) -> socketio_emitter::Result<(bool, u64)> {
        ask(url).await
    }
}
mod stacks {
    include!("readme/stacks.rs");
    pub(super) async fn run_streams(url: &str) -> socketio_emitter::Result<u64> {
        streams(url).await
    }
    pub(super) fn run_legacy(url: &str) -> socketio_emitter::Result<()> {
        legacy(url)
    }
    pub(super) fn config_0_2(url: &str) -> EmitterConfig {
        streams_0_2(url)
    }
}

/// The block of `doc` under `<!-- example: file -->`, as the example files are compared.
fn block_of(doc: &Path, file: &str) -> String {
    let text = std::fs::read_to_string(doc).unwrap();
    let marker = format!("<!-- example: {file} -->\n```rust\n");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("{} has no {marker}", doc.display()))
        + marker.len();
    let end = start + text[start..].find("\n```\n").expect("the block ends");
    text[start..end].to_owned()
}

#[test]
fn the_readme_blocks_are_these_files() {
    let root = repo_root();
    for (doc, file, path) in [
        (
            "README.md",
            "core/tests/readme/quickstart.rs",
            "core/tests/readme/quickstart.rs",
        ),
        (
            "core/README.md",
            "tests/readme/connect.rs",
            "core/tests/readme/connect.rs",
        ),
        (
            "core/README.md",
            "tests/readme/stacks.rs",
            "core/tests/readme/stacks.rs",
        ),
        (
            "core/README.md",
            "tests/readme/auto.rs",
            "core/tests/readme/auto.rs",
        ),
        (
            "core/README.md",
            "tests/readme/ask.rs",
            "core/tests/readme/ask.rs",
        ),
    ] {
        let code = std::fs::read_to_string(root.join(path)).unwrap();
        assert_eq!(
            block_of(&root.join(doc), file),
            code.trim_end(),
            "{doc}: the block of {file} drifted"
        );
    }
}

/// Two servers on the classic adapter, shared by the tests of this file (each in its own
/// namespaces), recording the serverSideEmit the quick start sends.
fn classic() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::start(&["--servers", "2", "--server-events", "refresh-cache"]))
}

fn clients(h: &Harness, nsp: &str, list: &[(&str, usize, Json)]) {
    for (name, server, rooms) in list {
        h.client(name, *server, nsp, rooms.clone());
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Run by `the_projects_quick_start_delivers` in a process of its own, whose `REDIS_URL` names
/// the harness's Redis: the example reads it, and a test must not change its own environment.
#[test]
#[ignore = "run by the_projects_quick_start_delivers"]
fn quick_start_main() {
    quickstart::run().expect("the quick start's main");
}

#[test]
fn the_projects_quick_start_delivers() {
    let h = classic();
    clients(
        h,
        "/",
        &[
            ("qs-room1", 0, json!(["room1"])),
            ("qs-banned", 1, json!(["banned"])),
        ],
    );
    clients(
        h,
        "/admin",
        &[
            ("qs-admin", 1, json!(["room1"])),
            ("qs-muted", 0, json!(["room1", "muted"])),
        ],
    );

    let run = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "quick_start_main",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("REDIS_URL", &h.redis_url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        stdout.contains("2 Socket.IO server(s) received it"),
        "{stdout}"
    );

    h.flush();
    let room1 = h.events("qs-room1");
    assert_eq!(
        room1[0],
        ("news".to_owned(), vec![json!("hello"), json!(42)])
    );
    let ticks: Vec<Json> = room1[1..]
        .iter()
        .map(|(e, args)| json!([e, args[0]]))
        .collect();
    let want: Vec<Json> = (0..1000).map(|i| json!(["tick", i])).collect();
    assert_eq!(ticks, want, "the queued ticks, in order");

    let admin: Vec<String> = h
        .event_names("qs-admin")
        .into_iter()
        .filter(|e| e != "ping")
        .collect();
    assert_eq!(
        admin,
        ["file"],
        "ping is volatile: it may be dropped, never doubled"
    );
    let file = h
        .events("qs-admin")
        .into_iter()
        .find(|(e, _)| e == "file")
        .unwrap();
    assert_eq!(file.1, vec![bytes_json(&[1, 2, 3])]);
    assert!(h.events("qs-muted").is_empty(), "except(\"muted\")");

    let observed = h.observed();
    let gone: Vec<&Json> = observed
        .iter()
        .filter(|l| l["type"] == "disconnect")
        .map(|l| &l["client"])
        .collect();
    assert_eq!(
        gone,
        [&json!("qs-banned")],
        "only the sockets of room banned"
    );
    let mut servers: Vec<i64> = observed
        .iter()
        .filter(|l| l["type"] == "server_event" && l["event"] == "refresh-cache")
        .map(|l| l["server"].as_i64().unwrap())
        .collect();
    servers.sort();
    assert_eq!(servers, [0, 1], "serverSideEmit reaches both servers");

    // sockets_join: room1's socket is in room2 now.
    runtime().block_on(async {
        let io = socketio_emitter::Emitter::connect(&h.redis_url)
            .await
            .unwrap();
        io.to("room2").emit("in-room2", &[]).await.unwrap();
        io.close().await.unwrap();
    });
    h.flush();
    assert_eq!(h.event_names("qs-room1").last().unwrap(), "in-room2");
}

#[test]
fn the_core_readme_blocks_deliver() {
    let h = classic();
    clients(
        h,
        "/chat",
        &[
            ("c-room1", 0, json!(["room1"])),
            ("c-muted", 1, json!(["room1", "muted"])),
        ],
    );
    let servers = runtime().block_on(connect::run(&h.redis_url)).unwrap();
    assert_eq!(servers, 2);
    h.flush();
    assert_eq!(
        h.events("c-room1"),
        [("message".to_owned(), vec![json!("hi")])]
    );
    assert!(h.events("c-muted").is_empty());

    // The legacy stack refuses except-by-room before publishing; the 0.2 config is valid.
    stacks::run_legacy(&h.redis_url).unwrap();
    socketio_emitter::blocking::Emitter::with_config(stacks::config_0_2(&h.redis_url))
        .unwrap()
        .close()
        .unwrap();
}

#[test]
fn the_core_readme_streams_block_delivers() {
    let h = Harness::start(&["--servers", "2", "--adapter", "streams"]);
    clients(
        &h,
        "/",
        &[
            ("st-room1", 0, json!(["room1"])),
            ("st-other", 1, json!([])),
        ],
    );
    let servers = runtime()
        .block_on(stacks::run_streams(&h.redis_url))
        .unwrap();
    assert_eq!(servers, 2, "both servers read the namespace");
    h.flush();
    let got: Vec<(String, Vec<Json>)> = h.events("st-room1");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "chat");
    assert_eq!(got[0].1[0], json!("hi"));
    assert!(h.events("st-other").is_empty());
}

#[test]
fn the_auto_example_finds_sharded_servers_and_delivers() {
    let h = Harness::start(&["--servers", "2", "--adapter", "sharded"]);
    clients(
        &h,
        "/",
        &[("auto-a", 0, json!([])), ("auto-b", 1, json!([]))],
    );
    let servers = runtime()
        .block_on(auto::run(&h.redis_url))
        .expect("the auto example");
    assert_eq!(servers, 2);
    h.flush();
    assert_eq!(h.event_names("auto-a"), vec!["hello".to_owned()]);
    assert_eq!(h.event_names("auto-b"), vec!["hello".to_owned()]);
}

#[test]
fn the_ask_example_finds_the_user_and_their_acknowledgement() {
    let h = Harness::start(&["--servers", "2"]);
    h.client_with(
        "ask-user42",
        1,
        "/",
        json!(["user:42"]),
        Some(json!({"name": "Ada"})),
        Some(json!("ok")),
    );
    h.client("ask-other", 0, "/", json!([]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let (online, acks) = runtime().block_on(ask::run(&h.redis_url)).unwrap();
    assert_eq!((online, acks), (true, 1), "{}", h.logs());
    assert!(
        h.wait_until(std::time::Duration::from_secs(10), |lines| lines
            .iter()
            .any(|l| l["client"] == "ask-user42" && l["event"] == "confirm")),
        "the user's client got the event: {}",
        h.logs()
    );
}
