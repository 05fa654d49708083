//! The JSON side: decode with serde_json and check each value against the rules of
//! `JSON.stringify` that the encoder documents.

use serde::Deserialize;
use serde_json::Value as J;
use socketio_emitter::Value;

use crate::Mismatch;
use crate::rules::{self, MAX_DATE_MS};

/// Parses the whole payload; our encoders nest deeper than serde_json's default limit.
pub fn decode(payload: &[u8]) -> Result<J, Mismatch> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    de.disable_recursion_limit();
    let v = J::deserialize(&mut de).map_err(|e| format!("serde_json cannot parse it: {e}"))?;
    de.end()
        .map_err(|e| format!("text after the JSON value: {e}"))?;
    Ok(v)
}

/// A JavaScript number as JSON text: what serde_json must read back for the double `f`
/// (finite). JavaScript prints the shortest digits that read back as `f`, so the text
/// need not be `f` exactly (2^63 prints as 9223372036854776000), but it must round to it.
/// Integral values below 1e21 print as plain digits: serde_json reads them as integers
/// whenever they fit one, surely so below 2^62.
fn check_number(got: &J, f: f64) -> Result<(), Mismatch> {
    const TWO_62: f64 = 4_611_686_018_427_387_904.0;
    let rounds_to_f =
        got.as_f64().map(f64::to_bits) == Some(if f == 0.0 { 0.0 } else { f }.to_bits());
    let integral = f.trunc() == f && f.abs() < 1e21;
    let ok = rounds_to_f
        && if integral && f.abs() < TWO_62 {
            got.is_i64() || got.is_u64()
        } else if integral {
            got.is_number()
        } else {
            got.is_f64()
        };
    if ok {
        Ok(())
    } else {
        Err(format!(": got {got}, expected the number {f:e}"))
    }
}

/// Checks that `got` is what `JSON.stringify` makes of `want`. The error starts with the
/// path below this value (built only on failure), e.g. `[1]["a"]: got …`.
pub fn compare(got: &J, want: &Value) -> Result<(), Mismatch> {
    let fail = || Err(format!(": got {got}, expected {want:?}"));
    match want {
        Value::Nil => {
            if !got.is_null() {
                return fail();
            }
        }
        Value::Bool(b) => {
            if got.as_bool() != Some(*b) {
                return fail();
            }
        }
        Value::Int(i) => {
            if got.as_i64() != Some(*i) {
                return fail();
            }
        }
        // JavaScript numbers are doubles: the precision is lost as it is in Node.
        Value::UInt(u) => check_number(got, *u as f64)?,
        Value::Float(f) if f.is_finite() => check_number(got, *f)?,
        // NaN and the infinities are `null` in JSON.
        Value::Float(_) => {
            if !got.is_null() {
                return fail();
            }
        }
        Value::Str(s) => {
            if got.as_str() != Some(s.as_str()) {
                return fail();
            }
        }
        // Buffer#toJSON: {"type":"Buffer","data":[bytes]}, in that key order.
        Value::Bytes(bytes) => {
            let Some(obj) = got.as_object() else {
                return fail();
            };
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            let data: Option<Vec<u64>> = obj
                .get("data")
                .and_then(J::as_array)
                .map(|a| a.iter().filter_map(J::as_u64).collect());
            let want_data: Vec<u64> = bytes.iter().map(|b| u64::from(*b)).collect();
            if keys != ["type", "data"]
                || obj.get("type").and_then(J::as_str) != Some("Buffer")
                || obj.get("data").and_then(J::as_array).map(Vec::len) != Some(bytes.len())
                || data != Some(want_data)
            {
                return fail();
            }
        }
        Value::Array(items) => {
            let Some(got_items) = got.as_array() else {
                return fail();
            };
            if got_items.len() != items.len() {
                return fail();
            }
            for (i, (g, w)) in got_items.iter().zip(items).enumerate() {
                compare(g, w).map_err(|e| format!("[{i}]{e}"))?;
            }
        }
        Value::Map(map) => {
            let Some(obj) = got.as_object() else {
                return fail();
            };
            let want_entries = rules::js_order(map);
            let got_keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            let want_keys: Vec<&str> = want_entries.iter().map(|(k, _)| *k).collect();
            if got_keys != want_keys {
                return Err(format!(
                    ": keys {got_keys:?}, expected {want_keys:?} (JS key order)"
                ));
            }
            for ((_, g), (k, w)) in obj.iter().zip(want_entries) {
                compare(g, w).map_err(|e| format!("[{k:?}]{e}"))?;
            }
        }
        // Date#toJSON: an ISO string, or null outside JavaScript's date range.
        Value::Date(ms) => {
            if (-MAX_DATE_MS..=MAX_DATE_MS).contains(ms) {
                match got.as_str().map(rules::parse_iso_date) {
                    Some(Some(back)) if back == *ms => {}
                    _ => return fail(),
                }
            } else if !got.is_null() {
                return fail();
            }
        }
    }
    Ok(())
}

/// Checks a `serverSideEmit` request: `{"uid":"emitter","type":6,"data":[event, ...args]}`.
pub fn check_server_side_emit(payload: &[u8], event: &str, args: &[Value]) -> Result<(), Mismatch> {
    let got = decode(payload)?;
    let obj = got.as_object().ok_or("the payload is not an object")?;
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    if keys != ["uid", "type", "data"] || obj["uid"] != "emitter" || obj["type"].as_u64() != Some(6)
    {
        return Err(format!("unexpected request head: {got}"));
    }
    let data = obj["data"].as_array().ok_or("data is not an array")?;
    if data.len() != args.len() + 1 || data[0].as_str() != Some(event) {
        return Err(format!(
            "data holds {} items, expected the event then {} arguments",
            data.len(),
            args.len()
        ));
    }
    for (i, (g, w)) in data[1..].iter().zip(args).enumerate() {
        compare(g, w).map_err(|e| format!("args[{i}]{e}"))?;
    }
    Ok(())
}
