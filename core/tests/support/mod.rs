//! What the golden-vector tests share: the tagged JSON encoding of `tests/vectors/README.md`
//! turned back into core values, and the builder ops turned into a [`Target`].
#![allow(dead_code)] // each test crate uses its own part

use serde_json::Value as J;
use socketio_emitter::{Room, Target, Value};

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Rebuilds a value from the vectors' tagged JSON encoding.
pub fn value(j: &J) -> Value {
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

pub fn tagged(tag: &str, v: &J) -> Value {
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

pub fn rooms(j: &J) -> Vec<Room> {
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

pub fn target(case: &J) -> Target {
    let mut t = Target::new(case.get("nsp").and_then(J::as_str).unwrap_or("/"));
    for op in case["ops"].as_array().expect("ops") {
        let arg = op.get(1);
        t = match op[0].as_str().expect("op name") {
            "of" => t.of(arg.and_then(J::as_str).expect("nsp")),
            "to" | "in" => t.to(rooms(arg.expect("rooms"))),
            "except" => t.except(rooms(arg.expect("rooms"))),
            "volatile" => t.flag(socketio_emitter::Flag::Volatile, true),
            // Where the answers' wait is given: see `timeout`.
            "timeout" => t,
            "compress" => t.flag(
                socketio_emitter::Flag::Compress,
                arg.and_then(J::as_bool).expect("bool"),
            ),
            other => panic!("unknown op {other}"),
        };
    }
    t
}

/// The `timeout(ms)` a case's ops set (what servers write as `flags.timeout`).
pub fn timeout(case: &J) -> Option<std::time::Duration> {
    case["ops"]
        .as_array()
        .expect("ops")
        .iter()
        .find(|op| op[0] == "timeout")
        .map(|op| std::time::Duration::from_millis(op[1].as_u64().expect("ms")))
}

/// Where two payloads first differ, shown around that point (hex).
pub fn first_difference(got: &[u8], want_hex: &str) -> String {
    let got = hex(got);
    let at = got
        .chars()
        .zip(want_hex.chars())
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want_hex.len()));
    format!(
        "payload differs at hex offset {at}: got …{}… want …{}…",
        &got[at.saturating_sub(8)..(at + 24).min(got.len())],
        &want_hex[at.saturating_sub(8)..(at + 24).min(want_hex.len())]
    )
}
