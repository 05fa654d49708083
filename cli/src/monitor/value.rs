//! Payload values (msgpack or JSON) as JSON for display. Binary is summarised, never dumped:
//! a monitor line must stay one readable line.

use base64::Engine;
use rmpv::Value as Mp;
use serde_json::{Map, Value as Json};

/// How many leading bytes of a binary value are shown in hex.
const BYTES_SHOWN: usize = 4;

/// `<bytes 1234: 89504e47…>`.
pub fn bytes_summary(data: &[u8]) -> String {
    let hex: String = data
        .iter()
        .take(BYTES_SHOWN)
        .map(|b| format!("{b:02x}"))
        .collect();
    let more = if data.len() > BYTES_SHOWN { "…" } else { "" };
    format!("<bytes {}: {hex}{more}>", data.len())
}

/// Decodes one msgpack value that fills `data` exactly.
pub fn msgpack(data: &[u8]) -> Option<Json> {
    let mut rest = data;
    let value = rmpv::decode::read_value(&mut rest).ok()?;
    rest.is_empty().then(|| from_msgpack(value))
}

/// A JSON payload, or a msgpack one (they are told apart by the first byte, like servers do).
pub fn json_or_msgpack(data: &[u8]) -> Option<Json> {
    if data.first() == Some(&b'{') {
        serde_json::from_slice(data).ok()
    } else {
        msgpack(data)
    }
}

/// A streams entry's `data` field: JSON text, or base64 of msgpack.
pub fn stream_data(text: &[u8]) -> Option<Json> {
    if text.first() == Some(&b'{') {
        return serde_json::from_slice(text).ok();
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    msgpack(&raw)
}

fn from_msgpack(value: Mp) -> Json {
    match value {
        Mp::Nil => Json::Null,
        Mp::Boolean(b) => Json::Bool(b),
        Mp::Integer(i) => i
            .as_i64()
            .map(Json::from)
            .or_else(|| i.as_u64().map(Json::from))
            .unwrap_or(Json::Null),
        Mp::F32(f) => Json::from(f64::from(f)),
        Mp::F64(f) => Json::from(f),
        Mp::String(s) => match s.into_str() {
            Some(s) => Json::String(s),
            None => Json::String("<invalid UTF-8 string>".into()),
        },
        Mp::Binary(b) => Json::String(bytes_summary(&b)),
        Mp::Array(items) => Json::Array(items.into_iter().map(from_msgpack).collect()),
        Mp::Map(pairs) => {
            let mut map = Map::new();
            for (k, v) in pairs {
                let key = match k {
                    Mp::String(s) => s.into_str().unwrap_or_default(),
                    other => other.to_string(),
                };
                map.insert(key, from_msgpack(v));
            }
            Json::Object(map)
        }
        Mp::Ext(kind, data) => extension(kind, &data),
    }
}

/// notepack's extension types: 0 holds `undefined` (1 byte) or a legacy Date (8 bytes);
/// -1 is the msgpack timestamp notepack 3 writes for Dates.
fn extension(kind: i8, data: &[u8]) -> Json {
    match (kind, data.len()) {
        (0, 1) => Json::Null,
        (0, 8) => date(f64::from_be_bytes(data.try_into().unwrap_or_default())),
        (-1, 4) => {
            date(f64::from(u32::from_be_bytes(data.try_into().unwrap_or_default())) * 1000.0)
        }
        (-1, 8) => {
            let v = u64::from_be_bytes(data.try_into().unwrap_or_default());
            let nanos = (v >> 34) as f64;
            let secs = (v & 0x3_ffff_ffff) as f64;
            date(secs * 1000.0 + nanos / 1e6)
        }
        _ => Json::String(format!("<ext {kind}: {} bytes>", data.len())),
    }
}

fn date(millis: f64) -> Json {
    Json::String(format!("<date {millis}ms>"))
}
