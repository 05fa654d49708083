//! The msgpack encoder (`emit`'s message): any value encodes or fails with a typed error,
//! and rmpv decodes the bytes back to the value under the documented rules.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sioe_fuzz::generate::Operation;
use sioe_fuzz::msgpack;
use socketio_emitter::adapter::{RESERVED_EVENTS, classic};

fuzz_target!(|data: &[u8]| {
    let Ok(op) = Operation::generate(&mut Unstructured::new(data)) else {
        return;
    };
    let result = classic::broadcast(&op.key, &op.target(), &op.event, &op.args);
    if RESERVED_EVENTS.contains(&op.event.as_str()) {
        let err = result.expect_err("a reserved event name was accepted");
        assert_eq!(err.code(), "RESERVED_EVENT", "{err}");
        return;
    }
    if let Some(path) = op.too_deep() {
        let err = result.expect_err("a value nested beyond the limit was accepted");
        assert_eq!(err.code(), "ENCODE", "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{path}: ")),
            "error {msg:?}, expected the path {path}"
        );
        return;
    }
    let out = result.unwrap_or_else(|e| panic!("encoding failed: {e}"));
    let unique_rooms = Operation::unique(&op.rooms);
    let mut channel = format!("{}#{}#", op.key, op.nsp);
    if let [only] = unique_rooms.as_slice() {
        channel.push_str(&format!("{only}#"));
    }
    assert_eq!(out.channel, channel);
    let want = msgpack::expected_broadcast(&op, &op.event, &op.args);
    if let Err(e) = msgpack::check_payload(&out.payload, &want) {
        panic!("{e}\nvalue: {:?}", op.args);
    }
});
