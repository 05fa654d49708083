//! Every golden vector captured from `@socket.io/redis-emitter` 5.1.0 must come out of our
//! encoder with the same channel and the same bytes. No Redis needed: encoding is pure.

mod support;

use serde_json::Value as J;
use socketio_emitter::adapter::classic;
use socketio_emitter::{Error, Value};
use support::{first_difference, rooms, target, unhex, value};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/vectors.json");

/// Event names the official serverSideEmit publishes but we refuse (docs/protocol.md §6.1).
const REFUSED_SERVER_SIDE: &[&str] = socketio_emitter::adapter::RESERVED_SERVER_SIDE_EVENTS;

fn run(case: &J) -> Result<(String, Vec<u8>), Error> {
    let key = case.get("key").and_then(J::as_str).unwrap_or("socket.io");
    let t = target(case);
    let args: Vec<Value> = case["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(value)
        .collect();
    let event = |a: &[Value]| match a.first() {
        Some(Value::Str(s)) => s.clone(),
        other => panic!("event name {other:?}"),
    };
    let out = match case["call"].as_str().expect("call") {
        "emit" => classic::broadcast(key, &t, &event(&args), &args[1..])?,
        "serverSideEmit" => classic::server_side_emit(key, &t, &event(&args), &args[1..])?,
        "socketsJoin" => classic::sockets_join(key, &t, &rooms(&case["args"][0])),
        "socketsLeave" => classic::sockets_leave(key, &t, &rooms(&case["args"][0])),
        "disconnectSockets" => classic::disconnect_sockets(
            key,
            &t,
            case["args"].get(0).and_then(J::as_bool).unwrap_or(false),
        ),
        other => panic!("unknown call {other}"),
    };
    Ok((out.channel, out.payload))
}

#[test]
fn every_golden_vector_is_byte_identical() {
    let text = std::fs::read_to_string(VECTORS).expect("tests/vectors/vectors.json");
    let doc: J = serde_json::from_str(&text).expect("vectors.json parses");
    let cases = doc["cases"].as_array().expect("cases");
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in cases {
        if case.get("only").is_some() {
            continue;
        }
        let name = case["name"].as_str().expect("name");
        let refused_event = case["call"] == "serverSideEmit"
            && case["args"][0]
                .as_str()
                .is_some_and(|e| REFUSED_SERVER_SIDE.contains(&e));
        match (run(case), case.get("throws")) {
            (Err(e), _) if refused_event => assert_eq!(e.code(), "RESERVED_EVENT", "{name}"),
            (Ok(_), _) if refused_event => failures.push(format!("{name}: should be refused")),
            (Err(e), Some(msg)) => {
                if e.to_string() != msg.as_str().expect("message") {
                    failures.push(format!("{name}: threw {e:?}, official says {msg}"));
                }
            }
            (Err(e), None) => failures.push(format!("{name}: unexpected error {e}")),
            (Ok(_), Some(msg)) => failures.push(format!("{name}: should throw {msg}")),
            (Ok((channel, payload)), None) => {
                let expected = &case["publishes"][0];
                if channel != expected["channel"].as_str().expect("channel") {
                    failures.push(format!(
                        "{name}: channel {channel} != {}",
                        expected["channel"]
                    ));
                }
                let want = expected["payload_hex"].as_str().expect("payload");
                if payload != unhex(want) {
                    failures.push(format!("{name}: {}", first_difference(&payload, want)));
                }
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} vectors differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 180, "only {checked} vectors checked");
}

#[test]
fn offline_emitters_encode_like_the_adapter_and_refuse_to_send() {
    let io = socketio_emitter::Emitter::offline("socket.io")
        .of("admin")
        .to("r1");
    let out = io.encode_emit("ev", &[Value::Int(1)]).unwrap();
    assert_eq!(out.channel, "socket.io#/admin#r1#");
    assert_eq!(
        out,
        classic::broadcast("socket.io", io.target(), "ev", &[Value::Int(1)]).unwrap()
    );
    let blocking = socketio_emitter::blocking::Emitter::offline("k").with_namespace("raw");
    assert_eq!(
        blocking.encode_disconnect_sockets(true).unwrap().channel,
        "k-request#raw#"
    );
    assert_eq!(blocking.emit("ev", &[]).unwrap_err().code(), "CLOSED");
    assert_eq!(
        blocking.emit_nowait("ev", &[]).unwrap_err().code(),
        "CLOSED"
    );
}
