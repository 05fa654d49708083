//! Replies and requests between the wire forms: servers answer in JSON, or in msgpack when
//! the answer holds binary (and streams 0.3 always in msgpack). Replies are handed on as
//! JSON values; binary in them takes Node's `Buffer.toJSON()` form,
//! `{"type":"Buffer","data":[bytes]}`, which is also what a server's JSON reply carries for
//! a Buffer, so both paths give the caller the same value.

use rmpv::Value as M;
use serde_json::Value as J;

/// A reply payload as JSON, or `None` when it is neither valid JSON nor msgpack.
pub(crate) fn reply(payload: &[u8]) -> Option<J> {
    if payload.first() == Some(&b'{') {
        serde_json::from_slice(payload).ok()
    } else {
        rmpv::decode::read_value(&mut &payload[..])
            .ok()
            .map(|v| msgpack_to_json(&v))
    }
}

/// The request id of a JSON answer written the way servers write them, with `requestId`
/// among its first keys, read without parsing the rest (answers can be large). `None`
/// when it is not found there: the answer is then parsed whole.
pub(crate) fn peek_request_id(payload: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\"requestId\":\"";
    let head = &payload[..payload.len().min(96)];
    if head.first() != Some(&b'{') {
        return None;
    }
    let start = head.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = payload[start..].iter().take(64).position(|&b| b == b'"')?;
    let id = std::str::from_utf8(&payload[start..start + len]).ok()?;
    // An escaped quote or backslash would make this a prefix: leave it to the parser.
    (!id.contains('\\')).then_some(id)
}

fn msgpack_to_json(v: &M) -> J {
    match v {
        M::Nil => J::Null,
        M::Boolean(b) => J::Bool(*b),
        M::Integer(i) => i
            .as_i64()
            .map(J::from)
            .or_else(|| i.as_u64().map(J::from))
            .unwrap_or(J::Null),
        M::F32(f) => serde_json::Number::from_f64(f64::from(*f)).map_or(J::Null, J::Number),
        M::F64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        M::String(s) => J::String(s.as_str().map_or_else(
            || String::from_utf8_lossy(s.as_bytes()).into_owned(),
            str::to_owned,
        )),
        M::Binary(b) => serde_json::json!({"type": "Buffer", "data": b}),
        M::Array(items) => J::Array(items.iter().map(msgpack_to_json).collect()),
        M::Map(pairs) => J::Object(
            pairs
                .iter()
                .map(|(k, v)| {
                    let key = k.as_str().map_or_else(|| k.to_string(), str::to_owned);
                    (key, msgpack_to_json(v))
                })
                .collect(),
        ),
        // notepack writes dates as ext -1 timestamps; JSON has no such thing.
        M::Ext(..) => J::Null,
    }
}

/// A message our encoder wrote (JSON text, or msgpack when it holds binary) as a msgpack
/// value, so that a request id can be added without a second encoder.
pub(crate) fn message(payload: &[u8]) -> Option<M> {
    if payload.first() == Some(&b'{') {
        serde_json::from_slice::<J>(payload)
            .ok()
            .map(|v| json_to_msgpack(&v))
    } else {
        rmpv::decode::read_value(&mut &payload[..]).ok()
    }
}

fn json_to_msgpack(v: &J) -> M {
    match v {
        J::Null => M::Nil,
        J::Bool(b) => M::Boolean(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => M::from(i),
            (None, Some(u)) => M::from(u),
            _ => M::F64(n.as_f64().unwrap_or(f64::NAN)),
        },
        J::String(s) => M::from(s.as_str()),
        J::Array(items) => M::Array(items.iter().map(json_to_msgpack).collect()),
        J::Object(map) => M::Map(
            map.iter()
                .map(|(k, v)| (M::from(k.as_str()), json_to_msgpack(v)))
                .collect(),
        ),
    }
}

/// The JSON text of a msgpack value, or `None` when it holds binary or an extension (which
/// JSON would turn into something else).
pub(crate) fn json_text(v: &M) -> Option<String> {
    fn convert(v: &M) -> Option<J> {
        Some(match v {
            M::Binary(_) | M::Ext(..) => return None,
            M::Array(items) => J::Array(items.iter().map(convert).collect::<Option<_>>()?),
            M::Map(pairs) => J::Object(
                pairs
                    .iter()
                    .map(|(k, v)| Some((k.as_str()?.to_owned(), convert(v)?)))
                    .collect::<Option<_>>()?,
            ),
            other => msgpack_to_json(other),
        })
    }
    convert(v).map(|j| j.to_string())
}

pub(crate) fn to_bytes(v: &M) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, v).expect("writing to a Vec cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_in_a_msgpack_reply_reads_as_a_node_buffer() {
        let mut payload = Vec::new();
        let v = M::Map(vec![(M::from("b"), M::Binary(vec![1, 2]))]);
        rmpv::encode::write_value(&mut payload, &v).unwrap();
        assert_eq!(
            reply(&payload).unwrap(),
            serde_json::json!({"b": {"type": "Buffer", "data": [1, 2]}})
        );
        assert_eq!(reply(b"{\"a\":1}").unwrap(), serde_json::json!({"a": 1}));
        assert_eq!(reply(b"\x92\x01"), None, "truncated");
    }

    #[test]
    fn request_ids_are_read_from_the_head_of_json_answers() {
        let answer = br#"{"requestId":"abc123","sockets":[]}"#;
        assert_eq!(peek_request_id(answer), Some("abc123"));
        let cluster = br#"{"type":8,"data":{"requestId":"r9","sockets":[]},"uid":"x"}"#;
        assert_eq!(peek_request_id(cluster), Some("r9"));
        assert_eq!(peek_request_id(br#"{"requestId":"a\"b"}"#), None);
        assert_eq!(
            peek_request_id(b"\x82\xa9requestId"),
            None,
            "msgpack is parsed"
        );
    }
}
