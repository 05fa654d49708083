//! The crate's helpers for cluster requests (issue 14) against real servers: socket data,
//! acknowledging clients and server handlers, `server_query` and `kill_server`.

use interop_harness::{Harness, json};

#[test]
fn requests_helpers_against_the_classic_adapter() {
    let h = Harness::start(&[
        "--servers",
        "3",
        "--server-events",
        "ack_me,no_ack",
        "--server-acks",
        "ack_me",
    ]);
    let a0 = h.client_with(
        "a0",
        0,
        "/",
        json!(["r1"]),
        Some(json!({"user": 42})),
        Some(json!("a0 says yes")),
    );
    h.client_with("b1", 1, "/", json!([]), None, None);
    h.client("c2", 2, "/", json!([]));

    let found = h.server_query(1, json!({"op": "fetchSockets", "to": "r1"}));
    assert_eq!(
        found["sockets"],
        json!([{"id": a0, "rooms": [a0, "r1"], "data": {"user": 42}}])
    );

    let acks = h.server_query(
        2,
        json!({"op": "emitWithAck", "event": "q", "except": "r1", "timeout_ms": 300}),
    );
    assert!(acks["error"].is_string(), "b1 and c2 do not ack: {acks}");
    assert_eq!(acks["responses"], json!([]));
    let asked = h.server_query(
        2,
        json!({"op": "emitWithAck", "event": "q", "to": "r1", "timeout_ms": 5000}),
    );
    assert_eq!(asked["error"], json!(null));
    assert_eq!(asked["responses"], json!(["a0 says yes"]));
    h.flush(); // every client's line is in, late ones included
    let b1_line = h
        .observed()
        .into_iter()
        .find(|m| m["type"] == "event" && m["client"] == "b1")
        .expect("b1 got q");
    assert_eq!(
        (b1_line["ack"].clone(), b1_line["acked"].clone()),
        (json!(true), json!(null))
    );

    let servers = h.server_query(0, json!({"op": "serverSideEmitWithAck", "event": "ack_me"}));
    let mut answered: Vec<i64> = servers["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .map(|r| r["server"].as_i64().expect("server"))
        .collect();
    answered.sort_unstable();
    assert_eq!(answered, vec![1, 2]);
    h.flush();
    assert_eq!(h.server_events("ack_me").len(), 2);

    h.kill_server(2);
    assert_eq!(h.server_query(0, json!({"op": "serverCount"}))["count"], 2);
}
