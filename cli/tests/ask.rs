//! The commands that ask the cluster, against two real Socket.IO servers and real clients:
//! server-count, fetch-sockets (filters, socket data), all-rooms, emit-with-ack (an acking
//! and a silent client: exit 11 with what arrived), server-side-emit-with-ack, and a bad
//! --timeout refused before connecting.

mod common;

use common::*;

#[test]
fn asking_the_cluster_from_the_shell() {
    let h = Harness::start(&["--servers", "2", "--server-acks", "ask_me"]);
    let a = h.client_with(
        "cli-a",
        0,
        "/",
        json!(["vip"]),
        Some(json!({"user": 42})),
        Some(json!("yes")),
    );
    h.client_with("cli-b", 1, "/", json!(["vip"]), None, None);
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let url = h.redis_url.as_str();

    assert_eq!(ok(url, &["server-count"]).stdout.trim(), "2");
    assert_eq!(
        ok(url, &["server-count", "--of", "/nobody"]).stdout.trim(),
        "0"
    );

    let found = ok(
        url,
        &[
            "--json",
            "fetch-sockets",
            "--to",
            "vip",
            "--except",
            "nobody",
        ],
    )
    .json();
    assert_eq!(found["servers_missing"], 0, "{found}");
    let sockets = found["sockets"].as_array().unwrap();
    let of_a = sockets.iter().find(|s| s["id"] == a.as_str()).expect("a");
    assert_eq!((sockets.len(), &of_a["data"]), (2, &json!({"user": 42})));

    let rooms = ok(url, &["all-rooms"]);
    let rooms: Json = serde_json::from_str(&rooms.stdout).unwrap();
    assert!(
        rooms["rooms"].as_array().unwrap().contains(&json!("vip")),
        "{rooms}"
    );

    // One client answers, the other never does: exit 11, with what arrived.
    let partial = run(&[
        "--url",
        url,
        "--json",
        "emit-with-ack",
        "question",
        "--to",
        "vip",
        "--timeout",
        "1.5",
    ]);
    assert_eq!(partial.code, 11, "{partial:?}");
    let acks = partial.json();
    assert_eq!(
        (
            &acks["responses"],
            &acks["clients_targeted"],
            &acks["clients_missing"],
            &acks["complete"]
        ),
        (&json!(["yes"]), &json!(2), &json!(1), &json!(false)),
        "{acks}"
    );

    let handlers = ok(url, &["--json", "server-side-emit-with-ack", "ask_me", "1"]).json();
    assert_eq!(handlers["servers_answered"], 2, "{handlers}");

    let bad = run(&[
        "--url",
        "redis://127.0.0.1:1",
        "fetch-sockets",
        "--timeout",
        "0",
    ]);
    assert_eq!(bad.code, 2, "refused before connecting: {bad:?}");
    assert!(bad.stderr.contains("--timeout"), "{bad:?}");
}
