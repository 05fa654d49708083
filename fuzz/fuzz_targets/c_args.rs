//! The C API's JSON arguments (bindings-c/src/args.rs), through the exported functions:
//! `sioe_emitter_encode_emit`, `sioe_emitter_encode_server_side_emit` and the rooms of
//! `sioe_emitter_sockets_join`. Any input gives OK or the typed status the documented
//! rules predict (never SIOE_STATUS_PANIC), and what is encoded is what the JSON says.
//!
//! Input: one header byte (bits 0-1: how many buffers, bit 2: pass NULL arguments, bits
//! 3-6: the event name), then each buffer as a length byte and its bytes, then the JSON.
#![no_main]

use std::ffi::{CStr, c_char};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value as J;
use sioe_c::*;
use sioe_fuzz::generate::Operation;
use sioe_fuzz::{json, msgpack};
use socketio_emitter::adapter::{RESERVED_EVENTS, RESERVED_SERVER_SIDE_EVENTS};
use socketio_emitter::{Map, Value};

const EVENTS: &[&str] = &[
    "ev",
    "message",
    "connect",
    "connection",
    "error",
    "disconnect",
    "newListener",
    "é",
];

/// The status and error of one call; the error's code must match the status.
fn finish(status: sioe_status, err: *mut sioe_error) -> sioe_status {
    assert_ne!(status, sioe_status::Panic, "the library panicked");
    if status == sioe_status::Ok {
        assert!(err.is_null(), "OK with an error object");
        return status;
    }
    assert!(!err.is_null(), "{status:?} without an error object");
    // SAFETY: a live error from the library, freed once below.
    unsafe {
        assert_eq!(sioe_error_code(err), status);
        let msg = CStr::from_ptr(sioe_error_message(err));
        assert!(
            !msg.to_bytes().is_empty(),
            "{status:?} with an empty message"
        );
        msg.to_str().expect("error messages are UTF-8");
        sioe_error_free(err);
    }
    status
}

/// Nesting beyond this is where parsers' depth limits apply (serde_json's default is 128,
/// the core's is 512): there any typed status is accepted, but OK must still be right.
const PLAIN_DEPTH: usize = 100;

/// How deep brackets nest in `text`, outside strings.
fn bracket_depth(text: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text {
        match b {
            _ if in_string && escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The arguments the documented rules give for `raw`, or the status of why not: UTF-8,
/// then JSON, then a JSON array; numbers keep their nature; `{"$bin": n}` (exactly that
/// one key) is buffer n.
fn expected_args(raw: Option<&[u8]>, bufs: &[Vec<u8>]) -> Result<Vec<Value>, sioe_status> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let text = std::str::from_utf8(raw).map_err(|_| sioe_status::InvalidUtf8)?;
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let parsed = J::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match parsed.map_err(|_| sioe_status::InvalidJson)? {
        J::Array(items) => items.into_iter().map(|v| convert(v, bufs)).collect(),
        _ => Err(sioe_status::InvalidArgument),
    }
}

fn convert(v: J, bufs: &[Vec<u8>]) -> Result<Value, sioe_status> {
    Ok(match v {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::UInt(u),
            (None, None, Some(f)) => Value::Float(f),
            (None, None, None) => unreachable!("serde_json numbers are i64, u64 or f64"),
        },
        J::String(s) => Value::Str(s),
        J::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| convert(v, bufs))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(obj) if obj.len() == 1 && obj.contains_key("$bin") => {
            let index = obj["$bin"].as_u64().ok_or(sioe_status::InvalidArgument)?;
            let part = usize::try_from(index)
                .ok()
                .and_then(|i| bufs.get(i))
                .ok_or(sioe_status::InvalidArgument)?;
            Value::Bytes(part.clone())
        }
        J::Object(obj) => {
            let mut map = Map::new();
            for (k, v) in obj {
                map.insert(k, convert(v, bufs)?);
            }
            Value::Map(map)
        }
    })
}

/// A status that says what was wrong with the input.
fn assert_typed(status: sioe_status) {
    assert!(
        matches!(
            status,
            sioe_status::InvalidUtf8
                | sioe_status::InvalidJson
                | sioe_status::InvalidArgument
                | sioe_status::ReservedEvent
                | sioe_status::Encode
                | sioe_status::Closed
        ),
        "unexpected status {status:?}"
    );
}

/// Rooms: a string, an integer (i64), or an array of those.
fn expected_rooms(raw: &[u8]) -> sioe_status {
    let Ok(text) = std::str::from_utf8(raw) else {
        return sioe_status::InvalidUtf8;
    };
    let Ok(v) = serde_json::from_str::<J>(text) else {
        return sioe_status::InvalidJson;
    };
    let room_ok = |r: &J| r.is_string() || r.as_i64().is_some();
    let all_ok = match &v {
        J::Array(items) => items.iter().all(room_ok),
        single => room_ok(single),
    };
    if all_ok {
        // The rooms are fine; an offline emitter then refuses to send.
        sioe_status::Closed
    } else {
        sioe_status::InvalidArgument
    }
}

/// The payload of an output, copied; frees the output.
fn take_output(out: *mut sioe_output, key: &str) -> Vec<u8> {
    assert!(!out.is_null(), "OK without an output");
    // SAFETY: a live output from the library, freed once below.
    unsafe {
        let mut len = 0usize;
        let channel = sioe_output_channel(out, &mut len);
        let channel = CStr::from_ptr(channel)
            .to_str()
            .expect("channels are UTF-8");
        assert_eq!(channel.len(), len);
        assert!(channel.starts_with(key), "channel {channel:?}");
        let payload = sioe_output_payload(out, &mut len);
        let bytes = std::slice::from_raw_parts(payload, len).to_vec();
        sioe_output_free(out);
        bytes
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&header, mut rest)) = data.split_first() else {
        return;
    };
    let mut bufs = Vec::new();
    for _ in 0..(header & 3) {
        let Some((&len, tail)) = rest.split_first() else {
            return;
        };
        let len = usize::from(len).min(tail.len());
        bufs.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    let null_args = header & 4 != 0;
    let event = EVENTS[usize::from(header >> 3) % EVENTS.len()];
    let json_text = rest;

    const KEY: &str = "socket.io";
    let mut em: *mut sioe_emitter = ptr::null_mut();
    let mut list: *mut sioe_buffers = ptr::null_mut();
    // SAFETY: every pointer below is live or NULL as the header's conventions allow, and
    // every object is freed once at the end.
    unsafe {
        let mut err = ptr::null_mut();
        let status = sioe_offline(KEY.as_ptr().cast(), KEY.len(), &mut em, &mut err);
        assert_eq!(finish(status, err), sioe_status::Ok);
        if !bufs.is_empty() {
            list = sioe_buffers_new();
            for (i, b) in bufs.iter().enumerate() {
                let mut index = usize::MAX;
                let mut err = ptr::null_mut();
                let status =
                    sioe_buffers_add(list, b.as_ptr().cast(), b.len(), &mut index, &mut err);
                assert_eq!(finish(status, err), sioe_status::Ok);
                assert_eq!(index, i);
            }
            assert_eq!(sioe_buffers_len(list), bufs.len());
        }
        let (json_ptr, json_len): (*const c_char, usize) = if null_args {
            (ptr::null(), 0)
        } else {
            (json_text.as_ptr().cast(), json_text.len())
        };
        let args = expected_args((!null_args).then_some(json_text), &bufs);
        let deep = !null_args && bracket_depth(json_text) > PLAIN_DEPTH;

        // emit: msgpack.
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let status = sioe_emitter_encode_emit(
            em,
            event.as_ptr().cast(),
            event.len(),
            json_ptr,
            json_len,
            list,
            &mut out,
            &mut err,
        );
        let status = finish(status, err);
        match &args {
            _ if deep && status != sioe_status::Ok => assert_typed(status),
            Err(want) => assert_eq!(
                status,
                *want,
                "arguments {:?}",
                String::from_utf8_lossy(json_text)
            ),
            Ok(_) if RESERVED_EVENTS.contains(&event) => {
                assert_eq!(status, sioe_status::ReservedEvent)
            }
            Ok(args) => {
                assert_eq!(status, sioe_status::Ok);
                let payload = take_output(out, KEY);
                let op = Operation {
                    key: KEY.to_owned(),
                    nsp: "/".to_owned(),
                    event: event.to_owned(),
                    rooms: Vec::new(),
                    except: Vec::new(),
                    flags: Vec::new(),
                    args: args.clone(),
                };
                let want = msgpack::expected_broadcast(&op, event, args);
                if let Err(e) = msgpack::check_payload(&payload, &want) {
                    panic!("{e}\narguments: {}", String::from_utf8_lossy(json_text));
                }
            }
        }

        // serverSideEmit: JSON.
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let status = sioe_emitter_encode_server_side_emit(
            em,
            event.as_ptr().cast(),
            event.len(),
            json_ptr,
            json_len,
            list,
            &mut out,
            &mut err,
        );
        let status = finish(status, err);
        match &args {
            _ if deep && status != sioe_status::Ok => assert_typed(status),
            Err(want) => assert_eq!(status, *want),
            Ok(_) if RESERVED_SERVER_SIDE_EVENTS.contains(&event) => {
                assert_eq!(status, sioe_status::ReservedEvent)
            }
            Ok(args) => {
                assert_eq!(status, sioe_status::Ok);
                let payload = take_output(out, KEY);
                if let Err(e) = json::check_server_side_emit(&payload, event, args) {
                    panic!("{e}\narguments: {}", String::from_utf8_lossy(json_text));
                }
            }
        }

        // The same text as rooms.
        let mut receivers = u64::MAX;
        let mut err = ptr::null_mut();
        let status = sioe_emitter_sockets_join(
            em,
            json_text.as_ptr().cast(),
            json_text.len(),
            &mut receivers,
            &mut err,
        );
        let status = finish(status, err);
        let want = expected_rooms(json_text);
        if deep {
            assert_typed(status);
        } else if want != sioe_status::InvalidUtf8 && bracket_depth(json_text) > 1 {
            // Room lists are one level deep; deeper text may be refused before parsing.
            assert!(
                matches!(
                    status,
                    sioe_status::InvalidArgument | sioe_status::InvalidJson
                ),
                "{status:?}"
            );
        } else {
            assert_eq!(status, want);
        }

        sioe_buffers_free(list);
        sioe_emitter_free(em);
    }
});
