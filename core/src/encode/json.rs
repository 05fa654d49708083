//! JSON text exactly as `JSON.stringify` writes it (docs/protocol.md §7.3). Written by hand because
//! serde_json differs from JavaScript on numbers (`1.0`, `1e21`), on non-finite values and
//! on key order; those differences would change the bytes servers receive.

use std::fmt::Write;

use super::js;
use super::{Fail, MAX_DEPTH, too_deep};
use crate::value::{Room, Value};

pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

pub(crate) fn write_room(out: &mut String, room: &Room) {
    match room {
        Room::Name(s) => write_str(out, s),
        Room::Number(n) => {
            let _ = write!(out, "{n}");
        }
    }
}

pub(crate) fn write_rooms<'a>(out: &mut String, rooms: impl Iterator<Item = &'a Room>) {
    out.push('[');
    for (i, room) in rooms.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_room(out, room);
    }
    out.push(']');
}

pub(crate) fn write_value(out: &mut String, v: &Value, depth: usize) -> Result<(), Fail> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            // JS numbers lose precision here, exactly as they would have in Node.
            js::number_to_string(*u as f64, out);
        }
        Value::Float(f) if f.is_finite() => js::number_to_string(*f, out),
        Value::Float(_) => out.push_str("null"),
        Value::Str(s) => write_str(out, s),
        Value::Bytes(b) => {
            // What Buffer#toJSON produces.
            out.push_str("{\"type\":\"Buffer\",\"data\":[");
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{byte}");
            }
            out.push_str("]}");
        }
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1).map_err(|e| e.at_index(i))?;
            }
            out.push(']');
        }
        Value::Map(map) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            out.push('{');
            for (i, (k, item)) in js::ordered_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, item, depth + 1).map_err(|e| e.at_key(k))?;
            }
            out.push('}');
        }
        Value::Date(ms) => write_date(out, *ms),
    }
    Ok(())
}

/// `Date.prototype.toJSON`: ISO 8601 with milliseconds, six-digit signed years outside
/// 0000–9999, and `null` for dates JavaScript cannot represent.
fn write_date(out: &mut String, ms: i64) {
    match date_to_iso(ms) {
        Some(text) => {
            out.push('"');
            out.push_str(&text);
            out.push('"');
        }
        None => out.push_str("null"),
    }
}

/// The text `Date.prototype.toISOString` gives for `ms` milliseconds since the epoch (UTC),
/// or `None` outside the range a JavaScript Date can hold.
pub fn date_to_iso(ms: i64) -> Option<String> {
    const MAX_MS: i64 = 8_640_000_000_000_000;
    if !(-MAX_MS..=MAX_MS).contains(&ms) {
        return None;
    }
    let days = ms.div_euclid(86_400_000);
    let ms_of_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(27);
    if (0..=9999).contains(&year) {
        let _ = write!(out, "{year:04}");
    } else {
        let _ = write!(out, "{}{:06}", if year < 0 { '-' } else { '+' }, year.abs());
    }
    let _ = write!(
        out,
        "-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    );
    Some(out)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: Value) -> String {
        let mut out = String::new();
        write_value(&mut out, &v, 0).unwrap();
        out
    }

    #[test]
    fn strings_escape_like_javascript() {
        let s = "q\"b\\n\n\u{1}\u{7f}/\u{2028}é";
        assert_eq!(
            json(Value::from(s)),
            "\"q\\\"b\\\\n\\n\\u0001\u{7f}/\u{2028}é\""
        );
    }

    #[test]
    fn numbers_and_specials() {
        assert_eq!(json(Value::Float(1.0)), "1");
        assert_eq!(json(Value::Float(f64::NAN)), "null");
        assert_eq!(json(Value::Float(f64::NEG_INFINITY)), "null");
        assert_eq!(json(Value::Float(1e21)), "1e+21");
        assert_eq!(
            json(Value::bytes([1, 2])),
            "{\"type\":\"Buffer\",\"data\":[1,2]}"
        );
    }

    #[test]
    fn dates_are_iso_strings() {
        assert_eq!(
            json(Value::Date(1_700_000_000_123)),
            "\"2023-11-14T22:13:20.123Z\""
        );
        assert_eq!(json(Value::Date(-1)), "\"1969-12-31T23:59:59.999Z\"");
        assert_eq!(
            json(Value::Date(-62_198_755_200_000)),
            "\"-000001-01-01T00:00:00.000Z\""
        );
        assert_eq!(
            json(Value::Date(253_402_300_800_000)),
            "\"+010000-01-01T00:00:00.000Z\""
        );
        assert_eq!(json(Value::Date(i64::MAX)), "null");
    }
}
