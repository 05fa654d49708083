//! The JSON encoder (`serverSideEmit`'s request): any value encodes or fails with a typed
//! error, and serde_json parses the text back to the value under `JSON.stringify`'s rules.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sioe_fuzz::generate::Operation;
use sioe_fuzz::json;
use socketio_emitter::adapter::{RESERVED_SERVER_SIDE_EVENTS, classic};

fuzz_target!(|data: &[u8]| {
    let Ok(op) = Operation::generate(&mut Unstructured::new(data)) else {
        return;
    };
    let result = classic::server_side_emit(&op.key, &op.target(), &op.event, &op.args);
    if RESERVED_SERVER_SIDE_EVENTS.contains(&op.event.as_str()) {
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
    assert_eq!(out.channel, format!("{}-request#{}#", op.key, op.nsp));
    if let Err(e) = json::check_server_side_emit(&out.payload, &op.event, &op.args) {
        panic!(
            "{e}\nvalue: {:?}\npayload: {}",
            op.args,
            String::from_utf8_lossy(&out.payload)
        );
    }
});
