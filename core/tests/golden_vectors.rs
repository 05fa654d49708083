//! Every golden vector captured from `@socket.io/redis-emitter` 5.1.0 must come out of our
//! encoder with the same channel and the same bytes. No Redis needed: encoding is pure.

use serde_json::Value as J;
use socketio_emitter::adapter::classic;
use socketio_emitter::{Error, Room, Target, Value};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/vectors.json");

/// Event names the official serverSideEmit publishes but we refuse (protocol §6.1).
const REFUSED_SERVER_SIDE: &[&str] = socketio_emitter::adapter::RESERVED_SERVER_SIDE_EVENTS;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Rebuilds a value from the vectors' tagged JSON encoding.
fn value(j: &J) -> Value {
    match j {
        J::Object(o) if o.len() == 1 && o.keys().next().is_some_and(|k| k.starts_with('$')) => {
            let (tag, v) = o.iter().next().expect("one entry");
            tagged(tag, v)
        }
        J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
        J::Array(a) => Value::Array(a.iter().map(value).collect()),
        J::Number(n) => Value::Int(n.as_i64().expect("plain numbers are integers")),
        J::String(s) => Value::Str(s.clone()),
        J::Bool(b) => Value::Bool(*b),
        J::Null => Value::Nil,
    }
}

fn tagged(tag: &str, v: &J) -> Value {
    match tag {
        "$bytes" => Value::Bytes(unhex(v.as_str().expect("hex string"))),
        "$float" => Value::Float(match v {
            J::String(s) => match s.as_str() {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                "-0" => -0.0,
                other => panic!("unknown $float {other}"),
            },
            n => n.as_f64().expect("number"),
        }),
        "$str" => {
            let s = v[0].as_str().expect("string");
            Value::Str(s.repeat(v[1].as_u64().expect("count") as usize))
        }
        "$array" => {
            let item = value(&v[0]);
            Value::Array(vec![item; v[1].as_u64().expect("count") as usize])
        }
        "$map_range" => {
            let n = v.as_i64().expect("count");
            Value::Map((0..n).map(|i| (format!("k{i}"), Value::Int(i))).collect())
        }
        "$map" => Value::Map(
            v.as_array()
                .expect("pairs")
                .iter()
                .map(|p| (p[0].as_str().expect("key").to_owned(), value(&p[1])))
                .collect(),
        ),
        "$date" => Value::Date(v.as_i64().expect("ms")),
        other => panic!("unexpected tag {other} in a case not marked node-only"),
    }
}

fn rooms(j: &J) -> Vec<Room> {
    let one = |r: &J| match value(r) {
        Value::Str(s) => Room::Name(s),
        Value::Int(n) => Room::Number(n),
        other => panic!("room {other:?}"),
    };
    match j {
        J::Array(a) => a.iter().map(one).collect(),
        single => vec![one(single)],
    }
}

fn target(case: &J) -> Target {
    let mut t = Target::new(case.get("nsp").and_then(J::as_str).unwrap_or("/"));
    for op in case["ops"].as_array().expect("ops") {
        let arg = op.get(1);
        t = match op[0].as_str().expect("op name") {
            "of" => t.of(arg.and_then(J::as_str).expect("nsp")),
            "to" | "in" => t.to(rooms(arg.expect("rooms"))),
            "except" => t.except(rooms(arg.expect("rooms"))),
            "volatile" => t.flag(socketio_emitter::Flag::Volatile, true),
            "compress" => t.flag(
                socketio_emitter::Flag::Compress,
                arg.and_then(J::as_bool).expect("bool"),
            ),
            other => panic!("unknown op {other}"),
        };
    }
    t
}

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
                    let got = hex(&payload);
                    let at = got
                        .chars()
                        .zip(want.chars())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    failures.push(format!(
                        "{name}: payload differs at hex offset {at}: got …{}… want …{}…",
                        &got[at.saturating_sub(8)..(at + 24).min(got.len())],
                        &want[at.saturating_sub(8)..(at + 24).min(want.len())]
                    ));
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
        blocking.encode_disconnect_sockets(true).channel,
        "k-request#raw#"
    );
    assert_eq!(blocking.emit("ev", &[]).unwrap_err().code(), "CLOSED");
    assert_eq!(
        blocking.emit_nowait("ev", &[]).unwrap_err().code(),
        "CLOSED"
    );
}
