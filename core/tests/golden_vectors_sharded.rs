//! Every sharded-adapter golden vector, captured from real socket.io 4.8.1 servers with
//! `createShardedAdapter` (`@socket.io/redis-adapter` 8.3.0) in each subscription mode, must
//! come out of our encoder with the same command, channel and bytes. No Redis needed.

mod support;

use serde_json::Value as J;
use socketio_emitter::adapter::{Flavour, sharded};
use socketio_emitter::ask::{Question, encode_request};
use socketio_emitter::{AdapterKind, Emitter, EmitterConfig, Error, SubscriptionMode, Value};
use support::{first_difference, rooms, target, timeout, unhex, value};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/vectors_sharded.json"
);

fn run(case: &J) -> Result<socketio_emitter::adapter::Output, Error> {
    let key = case.get("key").and_then(J::as_str).unwrap_or("socket.io");
    let mode: SubscriptionMode = case["subscription_mode"]
        .as_str()
        .expect("subscription_mode")
        .parse()?;
    let flavour = Flavour::Sharded(mode);
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
    Ok(match case["call"].as_str().expect("call") {
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
    })
}

/// What differs between our output and the case's single publish, if anything.
fn compare(name: &str, case: &J, failures: &mut Vec<String>) {
    let outcome = run(case);
    match (outcome, case.get("throws")) {
        (Err(e), Some(msg)) if e.to_string() == msg.as_str().expect("message") => {}
        (Err(e), Some(msg)) => failures.push(format!("{name}: threw {e}, servers say {msg}")),
        (Err(e), None) => failures.push(format!("{name}: unexpected error {e}")),
        (Ok(_), Some(msg)) => failures.push(format!("{name}: should throw {msg}")),
        (Ok(out), None) => {
            let expected = &case["publishes"][0];
            if out.command.name() != expected["command"] {
                failures.push(format!("{name}: command {}", out.command.name()));
            }
            if out.channel != expected["channel"].as_str().expect("channel") {
                failures.push(format!(
                    "{name}: channel {} != {}",
                    out.channel, expected["channel"]
                ));
            }
            let want = expected["payload_hex"].as_str().expect("payload");
            if out.payload != unhex(want) {
                failures.push(format!("{name}: {}", first_difference(&out.payload, want)));
            }
        }
    }
}

#[test]
fn every_sharded_vector_is_byte_identical() {
    let text = std::fs::read_to_string(VECTORS).expect("tests/vectors/vectors_sharded.json");
    let doc: J = serde_json::from_str(&text).expect("vectors_sharded.json parses");
    let cases = doc["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let name = case["name"].as_str().expect("name");
        compare(name, case, &mut failures);
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} sharded vectors differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, cases.len());
    assert!(checked >= 180, "only {checked} vectors checked");
}

#[test]
fn an_emitter_configured_for_sharded_encodes_through_the_sharded_adapter() {
    let config = EmitterConfig::new("")
        .with_key("k")
        .with_adapter(AdapterKind::Sharded)
        .with_subscription_mode(SubscriptionMode::Static);
    let io = Emitter::offline_with(&config).of("admin").to("r1");
    assert_eq!(*io.flavour(), Flavour::Sharded(SubscriptionMode::Static));
    let out = io.encode_emit("ev", &[Value::Int(1)]).unwrap();
    assert_eq!(
        out.channel, "k#/admin#",
        "static servers hear only the main channel"
    );
    assert_eq!(
        out,
        sharded::broadcast(
            "k",
            SubscriptionMode::Static,
            io.target(),
            "ev",
            &[Value::Int(1)]
        )
        .unwrap()
    );
    let dynamic = Emitter::offline_with(&config.with_subscription_mode(SubscriptionMode::Dynamic));
    assert_eq!(
        dynamic.to("r1").encode_emit("ev", &[]).unwrap().channel,
        "k#/#r1#"
    );
    assert_eq!(
        dynamic.encode_sockets_join("r2").unwrap().command.name(),
        "SPUBLISH"
    );
    // The default stays classic.
    let classic = Emitter::offline_with(&EmitterConfig::new(""));
    assert_eq!(*classic.flavour(), Flavour::Classic);
    assert_eq!(
        classic.encode_emit("ev", &[]).unwrap().command.name(),
        "PUBLISH"
    );
}
