//! The adapter and topology options of `socketio-emit` (`--adapter`, `--subscription-mode`,
//! `--stream-*`, `--streams-version`, `--cluster-node`, `--sentinel-*`), each against real
//! servers of that kind, with delivery observed at real clients.

mod common;

use common::*;

/// Emits `event` (a JSON object argument and a file's bytes) to `room` of `nsp` with `options`,
/// and asserts that only the client in that room received it, as sent.
fn delivers(h: &Harness, nsp: &str, options: &[&str]) {
    let (inside, outside) = (format!("{nsp}-in"), format!("{nsp}-out"));
    clients(
        h,
        nsp,
        &[(&inside, 0, json!(["room1"])), (&outside, 1, json!([]))],
    );
    let file = std::env::temp_dir().join(format!(
        "sioe-cli-{}{}",
        std::process::id(),
        nsp.replace('/', "-")
    ));
    std::fs::write(&file, [0x89, b'P', b'N', b'G']).unwrap();
    let bytes_arg = format!("@{}", file.display());
    let mut args = vec![
        "emit",
        "hello",
        r#"{"n":1}"#,
        &bytes_arg,
        "--of",
        nsp,
        "--to",
        "room1",
    ];
    args.extend_from_slice(options);
    let r = run(&args);
    std::fs::remove_file(&file).ok();
    assert_eq!(r.code, 0, "socketio-emit {args:?}: {r:?}\n{}", h.logs());
    assert_eq!(
        received(h, &[&inside, &outside]),
        vec![names(&["hello"]), vec![]],
        "{r:?}"
    );
    assert_eq!(
        h.events(&inside)[0].1,
        vec![json!({"n": 1}), bytes_json(b"\x89PNG")]
    );
}

#[test]
fn sharded_in_each_subscription_mode() {
    for mode in ["static", "dynamic", "dynamic-private"] {
        let h = Harness::start(&[
            "--servers",
            "2",
            "--adapter",
            "sharded",
            "--subscription-mode",
            mode,
        ]);
        let nsp = format!("/sharded-{mode}");
        delivers(
            &h,
            &nsp,
            &[
                "--url",
                &h.redis_url,
                "--adapter",
                "sharded",
                "--subscription-mode",
                mode,
            ],
        );
    }
}

#[test]
fn streams_with_a_custom_stream_name_and_count() {
    let h = Harness::start(&[
        "--servers",
        "2",
        "--adapter",
        "streams",
        "--stream-name",
        "events",
        "--stream-count",
        "3",
        "--max-len",
        "500",
    ]);
    let options = [
        "--url",
        &h.redis_url,
        "--adapter",
        "streams",
        "--stream-name",
        "events",
        "--stream-count",
        "3",
        "--max-len",
        "500",
    ];
    // Java's hashCode % 3 puts `/news`, `/chat` and `/orders` on streams 0, 1 and 2: each must
    // land on the one its servers read.
    for nsp in ["/news", "/chat", "/orders"] {
        delivers(&h, nsp, &options);
    }
}

#[test]
fn streams_0_2() {
    let h = Harness::start(&[
        "--servers",
        "2",
        "--adapter",
        "streams",
        "--streams-version",
        "0.2",
    ]);
    delivers(
        &h,
        "/streams-old",
        &[
            "--url",
            &h.redis_url,
            "--adapter",
            "streams",
            "--streams-version",
            "0.2.3",
        ],
    );
}

#[test]
fn redis_cluster_through_its_seed_nodes() {
    let h = Harness::start(&[
        "--servers",
        "2",
        "--topology",
        "cluster",
        "--adapter",
        "sharded",
    ]);
    let nodes = h.redis_nodes();
    let mut options = vec!["--adapter", "sharded"];
    for node in &nodes[..2] {
        options.extend(["--cluster-node", node]);
    }
    delivers(&h, "/on-cluster", &options);
}

#[test]
fn sentinel_finds_the_master() {
    let h = Harness::start(&["--servers", "2", "--topology", "sentinel"]);
    let master = h.ready["sentinel_master"]
        .as_str()
        .expect("sentinel_master")
        .to_owned();
    let sentinels = h.sentinel_urls();
    let mut options = vec!["--sentinel-master", master.as_str()];
    for s in &sentinels {
        options.extend(["--sentinel-node", s]);
    }
    delivers(&h, "/via-sentinel", &options);
}

#[test]
fn auto_finds_the_servers_adapter_or_says_what_it_saw() {
    let h = Harness::start(&["--servers", "2", "--adapter", "sharded"]);
    delivers(&h, "/auto", &["--url", &h.redis_url, "--adapter", "auto"]);
    // A key no server uses: exit 10 (DETECTION_FAILED), with what auto found instead.
    let r = run(&[
        "--url",
        &h.redis_url,
        "--adapter",
        "auto",
        "--key",
        "nobody",
        "--json",
        "emit",
        "ev",
    ]);
    assert_eq!(r.code, 10, "{r:?}");
    assert_eq!(r.json()["code"], "DETECTION_FAILED", "{r:?}");
    assert!(
        r.json()["message"].as_str().unwrap().contains("socket.io"),
        "{r:?}"
    );
}
