//! Event arguments: JSON text for the argument list, plus `sioe_buffers`, the binary
//! parts, referenced from the JSON by `{"$bin": index}` placeholders at any depth.

use std::ffi::c_char;

use serde_json::Value as Json;
use socketio_emitter::encode::MAX_DEPTH;
use socketio_emitter::{Room, Value};

use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};

/// A list of binary buffers for one call's arguments. Add each buffer with
/// `sioe_buffers_add` (it is copied) and refer to it from the JSON arguments as
/// `{"$bin": index}`. The same list can serve many calls. Not thread-safe while being
/// modified; calls that only read it may share it across threads.
#[derive(Debug, Default)]
pub struct sioe_buffers {
    parts: Vec<Vec<u8>>,
}

/// A new, empty list. Returns NULL only if the library failed internally.
#[unsafe(no_mangle)]
pub extern "C" fn sioe_buffers_new() -> *mut sioe_buffers {
    guard::value(std::ptr::null_mut(), || {
        Box::into_raw(Box::<sioe_buffers>::default())
    })
}

/// Releases `bufs`. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_buffers_free(bufs: *mut sioe_buffers) {
    guard::value((), || {
        if !bufs.is_null() {
            // SAFETY: created by `sioe_buffers_new`, freed once.
            drop(unsafe { Box::from_raw(bufs) });
        }
    })
}

/// Copies `len` bytes at `data` (NULL allowed when `len` is 0) to the end of the list and
/// writes its index (0, 1, ...) to `*index` when `index` is not NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_buffers_add(
    bufs: *mut sioe_buffers,
    data: *const c_char,
    len: usize,
    index: *mut usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or a live list used by this thread only.
        let bufs = unsafe { guard::handle_mut(bufs, "bufs") }?;
        // SAFETY: (pointer, length) per the conventions.
        let data = unsafe { guard::bytes(data, len, "data", true) }?;
        bufs.parts.push(data.to_vec());
        // SAFETY: NULL or writable.
        unsafe { guard::put(index, bufs.parts.len() - 1) };
        Ok(())
    })
}

/// The number of buffers in `bufs` (0 for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_buffers_len(bufs: *const sioe_buffers) -> usize {
    guard::value(0, || {
        // SAFETY: NULL or a live list.
        unsafe { bufs.as_ref() }.map_or(0, |b| b.parts.len())
    })
}

/// Empties `bufs` so that it can be reused. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_buffers_clear(bufs: *mut sioe_buffers) {
    guard::value((), || {
        // SAFETY: NULL or a live list used by this thread only.
        if let Some(b) = unsafe { bufs.as_mut() } {
            b.parts.clear();
        }
    })
}

fn invalid(msg: impl Into<String>) -> Failure {
    Failure::new(sioe_status::InvalidArgument, msg)
}

/// How deep the JSON text may nest: the core's limit for one argument (`MAX_DEPTH`), plus
/// the array of arguments around it and a `{"$bin": n}` placeholder at the bottom. The
/// core then applies its exact limit to the values.
const MAX_JSON_DEPTH: usize = MAX_DEPTH + 2;

/// JSON arguments nesting deeper than this are handled on a thread of ours with a large
/// stack: parsing, converting, encoding and dropping them recurse once per level, and the
/// caller's thread may have a small stack (a JVM thread has 1 MiB).
const DEEP: usize = 32;

/// Whether `json` (the caller's (pointer, length) arguments) nests deeper than [`DEEP`].
///
/// # Safety
/// (pointer, length) per the conventions.
pub(crate) unsafe fn is_deep(json: *const c_char, json_len: usize) -> bool {
    // SAFETY: guaranteed by the caller.
    match unsafe { guard::bytes(json, json_len, "args_json", true) } {
        Ok(raw) => too_deep(raw, DEEP).is_some(),
        Err(_) => false,
    }
}

/// `Some(i)` when element `i` of the top-level array (or the value itself, 0) nests deeper
/// than `limit`: a scan that needs no recursion, run before the parser (whose own limit,
/// 128, is below the core's).
fn too_deep(text: &[u8], limit: usize) -> Option<usize> {
    let (mut depth, mut index, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(index);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => index += 1,
            _ => {}
        }
    }
    None
}

/// Parses UTF-8 JSON text, with distinct statuses for bad UTF-8 and bad JSON, and
/// `too_deep_error` for text that nests deeper than `limit`.
fn parse(
    raw: &[u8],
    what: &str,
    limit: usize,
    too_deep_error: impl FnOnce(usize) -> Failure,
) -> Outcome<Json> {
    let text = guard::utf8(raw, what)?;
    if let Some(i) = too_deep(raw, limit) {
        return Err(too_deep_error(i));
    }
    let bad = |e: serde_json::Error| Failure::new(sioe_status::InvalidJson, format!("{what}: {e}"));
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let mut values = de.into_iter::<Json>();
    let Some(value) = values.next() else {
        return Err(Failure::new(
            sioe_status::InvalidJson,
            format!("{what}: no JSON value (empty text)"),
        ));
    };
    let value = value.map_err(bad)?;
    let end = values.byte_offset();
    match values.next() {
        None => Ok(value),
        Some(_) => Err(Failure::new(
            sioe_status::InvalidJson,
            format!("{what}: trailing characters after the value (at byte {end})"),
        )),
    }
}

/// The event arguments: `json` must be a JSON array (NULL means no arguments). Numbers
/// keep their nature: `1` is an integer, `1.0` a float. Objects keep their key order.
///
/// # Safety
/// (pointer, length) per the conventions; `bufs` NULL or a live list.
pub(crate) unsafe fn event_args(
    json: *const c_char,
    json_len: usize,
    bufs: *const sioe_buffers,
) -> Outcome<Vec<Value>> {
    if json.is_null() && json_len == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: guaranteed by the caller.
    let raw = unsafe { guard::bytes(json, json_len, "args_json", false) }?;
    // SAFETY: guaranteed by the caller.
    let parts: &[Vec<u8>] = unsafe { bufs.as_ref() }.map_or(&[], |b| &b.parts);
    let nested = |i| {
        Failure::new(
            sioe_status::Encode,
            format!("args[{i}]: nested deeper than {MAX_DEPTH} levels"),
        )
    };
    match parse(raw, "args_json", MAX_JSON_DEPTH, nested)? {
        Json::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| convert(v, parts, &mut format!("args[{i}]")))
            .collect(),
        other => Err(invalid(format!(
            "args_json must be a JSON array of arguments, got {}",
            kind(&other)
        ))),
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// `Some(index)` when `map` is a `{"$bin": n}` placeholder.
fn placeholder(map: &serde_json::Map<String, Json>, path: &str) -> Outcome<Option<usize>> {
    if map.len() != 1 {
        return Ok(None);
    }
    let Some(v) = map.get("$bin") else {
        return Ok(None);
    };
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| {
            invalid(format!(
                "{path}: a {{\"$bin\": n}} placeholder needs a non-negative integer, got {v}"
            ))
        })
}

fn convert(v: Json, parts: &[Vec<u8>], path: &mut String) -> Outcome<Value> {
    Ok(match v {
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(convert(item, parts, path)?);
                path.truncate(len);
            }
            Value::Array(out)
        }
        Json::Object(map) => {
            if let Some(i) = placeholder(&map, path)? {
                let part = parts.get(i).ok_or_else(|| {
                    invalid(format!(
                        "{path}: {{\"$bin\": {i}}} refers to buffer {i}, but {} buffer(s) were given",
                        parts.len()
                    ))
                })?;
                return Ok(Value::Bytes(part.clone()));
            }
            let mut out = socketio_emitter::Map::with_capacity(map.len());
            for (k, item) in map {
                let len = path.len();
                path.push_str(&format!("[{k:?}]"));
                let value = convert(item, parts, path)?;
                path.truncate(len);
                out.insert(k, value);
            }
            Value::Map(out)
        }
        scalar => Value::from(scalar),
    })
}

/// Rooms as JSON: a string, an integer, or an array of those. `7` and `"7"` are different
/// rooms, as in Socket.IO.
pub(crate) fn parse_rooms(raw: &[u8]) -> Outcome<Vec<Room>> {
    let one = |v: &Json| match v {
        Json::String(s) => Ok(Room::Name(s.clone())),
        Json::Number(n) => n
            .as_i64()
            .map(Room::Number)
            .ok_or_else(|| invalid(format!("rooms_json: room {n} is not an integer"))),
        other => Err(invalid(format!(
            "rooms_json: a room is a string or an integer, got {}",
            kind(other)
        ))),
    };
    let nested = |_| invalid("rooms_json: a room is a string or an integer, got an array");
    // A room list is one level deep: anything deeper is refused before parsing.
    match parse(raw, "rooms_json", 1, nested)? {
        Json::Array(items) => items.iter().map(one).collect(),
        single => Ok(vec![one(&single)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(json: &str, parts: Vec<Vec<u8>>) -> Outcome<Vec<Value>> {
        let bufs = sioe_buffers { parts };
        // SAFETY: a live slice and a live list.
        unsafe { event_args(json.as_ptr().cast(), json.len(), &bufs) }
    }

    #[test]
    fn placeholders_become_binary_at_any_depth() {
        let got = args(
            r#"[{"a":[1,{"$bin":1}]},{"$bin":0},1.5,2]"#,
            vec![vec![1], vec![2, 3]],
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                Value::map([("a", Value::Array(vec![Value::Int(1), Value::bytes([2, 3])]))]),
                Value::bytes([1]),
                Value::Float(1.5),
                Value::Int(2),
            ]
        );
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        let status = |r: Outcome<Vec<Value>>| r.unwrap_err().status;
        assert_eq!(status(args("[", vec![])), sioe_status::InvalidJson);
        assert_eq!(status(args("{}", vec![])), sioe_status::InvalidArgument);
        let e = args(r#"[[{"$bin":2}]]"#, vec![vec![]]).unwrap_err();
        assert_eq!(e.status, sioe_status::InvalidArgument);
        assert!(e.message.contains("args[0][0]"), "{}", e.message);
        assert_eq!(
            status(args(r#"[{"$bin":-1}]"#, vec![])),
            sioe_status::InvalidArgument
        );
        let bad = [b'[', b'"', 0xff, b'"', b']'];
        // SAFETY: a live slice.
        let r = unsafe { event_args(bad.as_ptr().cast(), bad.len(), std::ptr::null()) };
        assert_eq!(status(r), sioe_status::InvalidUtf8);
    }

    fn nested(levels: usize) -> String {
        format!("[{}{}]", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn nesting_is_the_cores_limit_not_the_parsers() {
        // 512 levels in one argument are fine (serde_json alone stops at 128)...
        assert_eq!(args(&nested(MAX_DEPTH), vec![]).unwrap().len(), 1);
        // ...and a binary placeholder at the bottom does not count as a level.
        let deep_bin = format!(
            "[{}{{\"$bin\":0}}{}]",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        assert_eq!(args(&deep_bin, vec![vec![1]]).unwrap().len(), 1);
        // Past it, ENCODE names the limit and the argument, however deep the text goes.
        let text = format!(
            "[{}{}]",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        let values = args(&text, vec![]).unwrap();
        let offline = socketio_emitter::blocking::Emitter::offline("k");
        let e = offline.encode_emit("ev", &values).unwrap_err();
        assert_eq!(e.code(), "ENCODE");
        assert!(e.to_string().contains("512"), "{e}");
        for levels in [MAX_DEPTH + 2, MAX_DEPTH + 3, 1_000_000] {
            let text = format!("[1,{}{}]", "[".repeat(levels), "]".repeat(levels));
            let e = args(&text, vec![]).unwrap_err();
            assert_eq!(e.status, sioe_status::Encode, "{levels}: {}", e.message);
            assert!(e.message.contains("512"), "{}", e.message);
        }
        // Brackets inside strings do not count.
        let text = format!("[\"{}\\\"{}\"]", "[".repeat(2000), "{".repeat(2000));
        assert_eq!(args(&text, vec![]).unwrap().len(), 1);
        assert_eq!(status(args("[1] x", vec![])), sioe_status::InvalidJson);
        assert_eq!(status(args("[1] [2]", vec![])), sioe_status::InvalidJson);
        assert_eq!(status(args("  ", vec![])), sioe_status::InvalidJson);
    }

    fn status(r: Outcome<Vec<Value>>) -> sioe_status {
        r.unwrap_err().status
    }

    #[test]
    fn rooms_are_strings_or_integers() {
        assert_eq!(
            parse_rooms(br#"["a",7]"#).unwrap(),
            vec![Room::Name("a".into()), Room::Number(7)]
        );
        assert_eq!(parse_rooms(b"\"x\"").unwrap(), vec![Room::Name("x".into())]);
        assert!(parse_rooms(b"1.5").is_err());
        assert!(parse_rooms(b"[null]").is_err());
    }
}
