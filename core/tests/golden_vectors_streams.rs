//! Every streams-adapter golden vector, captured from real socket.io 4.8.1 servers with
//! `@socket.io/redis-streams-adapter` 0.3.1 and 0.2.3 (uid forced to `"emitter"`), must come
//! out of our encoder as the same Redis command, argument for argument. No Redis needed.

mod support;

use std::collections::BTreeSet;

use serde_json::Value as J;
use socketio_emitter::adapter::Flavour;
use socketio_emitter::ask::{Question, encode_request};
use socketio_emitter::{AdapterKind, EmitterConfig, Error, StreamsVersion, Value};
use support::{rooms, target, timeout, unhex, value};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/vectors_streams.json"
);

/// Calls the core does not make, each with the reason.
const NOT_YET: &[(&str, &str)] = &[
    (
        "of",
        "what a server writes when it creates a namespace: not an emitter operation",
    ),
    (
        "close",
        "what a 0.2 server writes when its adapter closes: not an emitter operation",
    ),
];

fn config(case: &J) -> EmitterConfig {
    let options = &case["options"];
    let generation: StreamsVersion = case["generation"]
        .as_str()
        .expect("generation")
        .parse()
        .unwrap();
    let mut config = EmitterConfig::new("")
        .with_adapter(AdapterKind::Streams)
        .with_streams_version(generation)
        .with_streams(
            options
                .get("streamName")
                .and_then(J::as_str)
                .unwrap_or("socket.io"),
            options.get("streamCount").and_then(J::as_u64).unwrap_or(1) as u32,
            options.get("maxLen").and_then(J::as_u64).unwrap_or(10_000),
        );
    if let Some(prefix) = options.get("channelPrefix").and_then(J::as_str) {
        config = config.with_key(prefix);
    }
    config
}

/// The command our encoder produces, as the capture writes it: text arguments as strings,
/// the Pub/Sub payload as `{"$hex": …}`.
fn run(case: &J) -> Result<Vec<J>, Error> {
    let config = config(case);
    let flavour = Flavour::from_config(&config);
    let key = config.key.as_str();
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
        "emit" => flavour.broadcast(key, &t, &event(&args), &args[1..])?,
        "serverSideEmit" => flavour.server_side_emit(key, &t, &event(&args), &args[1..])?,
        "socketsJoin" => flavour.sockets_join(key, &t, &rooms(&case["args"][0]))?,
        "socketsLeave" => flavour.sockets_leave(key, &t, &rooms(&case["args"][0]))?,
        // Requests: the servers' random request id is the case's.
        call @ ("emitWithAck" | "serverSideEmitWithAck" | "fetchSockets") => {
            let id = case["request_id"].as_str().expect("request_id");
            let question = match call {
                "emitWithAck" => Question::EmitWithAck {
                    event: &event(&args),
                    args: &args[1..],
                    timeout: timeout(case),
                },
                "serverSideEmitWithAck" => Question::ServerSideEmitWithAck {
                    event: &event(&args),
                    args: &args[1..],
                },
                _ => Question::FetchSockets {
                    timeout: timeout(case),
                },
            };
            encode_request(&flavour, key, &t, question, id)?
        }
        "disconnectSockets" => flavour.disconnect_sockets(
            key,
            &t,
            case["args"].get(0).and_then(J::as_bool).unwrap_or(false),
        )?,
        other => panic!("{}: unknown call {other}", case["name"]),
    };
    Ok(out
        .args()
        .into_iter()
        .map(|arg| match String::from_utf8(arg) {
            Ok(text) if out.command.name() == "XADD" => J::String(text),
            Ok(text) if text.is_ascii() && !text.contains('\u{0}') && text.len() < 64 => {
                J::String(text)
            }
            Ok(text) => J::Object(
                [("$hex".to_owned(), J::String(hex(text.as_bytes())))]
                    .into_iter()
                    .collect(),
            ),
            Err(e) => J::Object(
                [("$hex".to_owned(), J::String(hex(e.as_bytes())))]
                    .into_iter()
                    .collect(),
            ),
        })
        .collect())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares argument by argument, `$hex` by bytes.
fn same(got: &[J], want: &[J]) -> bool {
    got.len() == want.len()
        && got.iter().zip(want).all(|(g, w)| {
            let bytes = |j: &J| match j {
                J::String(s) => s.as_bytes().to_vec(),
                other => unhex(other["$hex"].as_str().expect("$hex")),
            };
            bytes(g) == bytes(w)
        })
}

#[test]
fn every_streams_vector_is_identical_or_listed_as_not_yet() {
    let text = std::fs::read_to_string(VECTORS).expect("tests/vectors/vectors_streams.json");
    let doc: J = serde_json::from_str(&text).expect("vectors_streams.json parses");
    let cases = doc["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut skipped_calls = BTreeSet::new();
    let mut checked = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let call = case["call"].as_str().expect("call");
        if NOT_YET.iter().any(|(c, _)| *c == call) {
            skipped_calls.insert(call);
            continue;
        }
        if case["options"].get("onlyPlaintext").is_some() {
            // A server option that only changes what servers write; readers accept both.
            skipped_calls.insert("onlyPlaintext");
            continue;
        }
        let want = case["commands"].as_array().expect("commands");
        match (run(case), want.as_slice()) {
            (Err(e), []) if e.code() == "RESERVED_EVENT" => {}
            (Err(e), _) => failures.push(format!("{name}: unexpected error {e}")),
            (Ok(got), [one]) => {
                let one = one.as_array().expect("command");
                if !same(&got, one) {
                    failures.push(format!("{name}:\n  got  {got:?}\n  want {one:?}"));
                }
            }
            (Ok(got), other) => {
                failures.push(format!("{name}: got {got:?}, servers wrote {other:?}"))
            }
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} streams vectors differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 70, "only {checked} vectors checked");
    let expected: BTreeSet<&str> = NOT_YET
        .iter()
        .map(|(c, _)| *c)
        .chain(["onlyPlaintext"])
        .collect();
    assert_eq!(
        skipped_calls, expected,
        "every skipped kind still occurs in the file"
    );
}

#[test]
fn stream_options_are_checked() {
    let streams = || EmitterConfig::new("redis://h").with_adapter(AdapterKind::Streams);
    for (config, needle) in [
        (streams().with_streams("", 1, 10), "stream_name"),
        (streams().with_streams("s", 0, 10), "stream_count"),
        (streams().with_streams("s", 1, 0), "max_len"),
        (
            streams()
                .with_streams("s", 2, 10)
                .with_streams_version(StreamsVersion::V02),
            "stream_count needs streams_version 0.3",
        ),
        (
            streams()
                .with_streams_version(StreamsVersion::V02)
                .with_require_receivers(true),
            "require_receivers",
        ),
        (
            streams().with_compat("socket.io-redis-5".parse().unwrap()),
            "compat",
        ),
    ] {
        let err = config.validate().unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.to_string().contains(needle), "{err}");
    }
    streams().validate().unwrap();
}
