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

/// `<date 2023-11-14T22:13:20.123Z>` (UTC), as JavaScript's `toISOString` writes it.
fn date(millis: f64) -> Json {
    let text = if millis.is_finite() {
        socketio_emitter::encode::json::date_to_iso(millis.round() as i64)
    } else {
        None
    };
    Json::String(match text {
        Some(iso) => format!("<date {iso}>"),
        None => "<date invalid>".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn binary_is_summarised() {
        assert_eq!(bytes_summary(b"\x89PNG\r\n"), "<bytes 6: 89504e47…>");
        assert_eq!(bytes_summary(b"\x01"), "<bytes 1: 01>");
    }

    #[test]
    fn notepack_dates_and_undefined() {
        // notepack 3: timestamp 64 (ext -1) of 2023-11-14T22:13:20.123Z.
        let nanos: u64 = 123_000_000;
        let ts = (nanos << 34) | 1_700_000_000;
        let mut v = vec![0xd7, 0xff];
        v.extend_from_slice(&ts.to_be_bytes());
        assert_eq!(msgpack(&v), Some(json!("<date 2023-11-14T22:13:20.123Z>")));
        // notepack 2: ext 0 holding the milliseconds as a float64.
        let mut v = vec![0xd7, 0x00];
        v.extend_from_slice(&1_700_000_000_123f64.to_be_bytes());
        assert_eq!(msgpack(&v), Some(json!("<date 2023-11-14T22:13:20.123Z>")));
        assert_eq!(msgpack(&[0xd4, 0x00, 0x00]), Some(Json::Null));
    }

    #[test]
    fn bad_payloads_are_refused_not_fatal() {
        assert_eq!(msgpack(&[0x93, 0x01]), None, "truncated array");
        assert_eq!(msgpack(&[0x01, 0x02]), None, "trailing bytes");
        assert_eq!(json_or_msgpack(b"{not json"), None);
        assert_eq!(stream_data(b"%%%"), None);
    }
}
