//! The documented encoding rules, restated independently of core/src/encode.

use socketio_emitter::encode::MAX_DEPTH;
use socketio_emitter::{Map, Value};

/// Nesting counts from each event argument: an argument may hold `MAX_DEPTH` levels of
/// containers (the envelope around it does not count).
pub const ARG_DEPTH: usize = 0;

/// `Date` values JavaScript can represent: ±8.64e15 ms around the epoch.
pub const MAX_DATE_MS: i64 = 8_640_000_000_000_000;

/// A canonical array index as ECMAScript defines it: the decimal form of an integer below
/// 2^32 - 1, exactly as `String(n)` writes it (no sign, no leading zero).
pub fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// `Object.keys` order: array indices ascending, then the other keys in insertion order.
pub fn js_order(map: &Map) -> Vec<(&str, &Value)> {
    let mut indices: Vec<(u32, &str, &Value)> = Vec::new();
    let mut names: Vec<(&str, &Value)> = Vec::new();
    for (k, v) in map {
        match array_index(k) {
            Some(n) => indices.push((n, k, v)),
            None => names.push((k, v)),
        }
    }
    indices.sort_by_key(|(n, _, _)| *n);
    indices
        .into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(names)
        .collect()
}

/// What a double becomes in msgpack: integral values that fit the uint64 or int64 paths
/// (−2^63 ≤ v < 2^64; −0 counts as 0) are integers, everything else a float64.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

pub fn msgpack_number(v: f64) -> Number {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if v.is_finite() && v.trunc() == v {
        if (0.0..TWO_64).contains(&v) {
            return Number::Unsigned(v as u64);
        }
        if (-TWO_63..0.0).contains(&v) {
            return Number::Signed(v as i64);
        }
    }
    Number::Float(v)
}

/// The msgpack timestamp extension (type −1) payload for `ms`, in the smallest form the
/// msgpack specification allows: 32-bit (whole seconds in 0..2^32), 64-bit (seconds in
/// 0..2^34) or 96-bit.
pub fn timestamp_ext(ms: i64) -> Vec<u8> {
    let secs = ms.div_euclid(1000);
    let nanos = (ms.rem_euclid(1000) * 1_000_000) as u32;
    if nanos == 0 && (0..1i64 << 32).contains(&secs) {
        (secs as u32).to_be_bytes().to_vec()
    } else if (0..1i64 << 34).contains(&secs) {
        ((u64::from(nanos) << 34) | secs as u64)
            .to_be_bytes()
            .to_vec()
    } else {
        let mut out = nanos.to_be_bytes().to_vec();
        out.extend_from_slice(&secs.to_be_bytes());
        out
    }
}

/// Whether every container of `v`, written at `depth`, sits below `MAX_DEPTH`.
pub fn fits(v: &Value, depth: usize) -> bool {
    match v {
        Value::Array(_) | Value::Map(_) if depth >= MAX_DEPTH => false,
        Value::Array(items) => items.iter().all(|i| fits(i, depth + 1)),
        Value::Map(map) => map.values().all(|i| fits(i, depth + 1)),
        _ => true,
    }
}

/// The path of the first container (in writing order) that sits at `MAX_DEPTH` or deeper
/// when `v` is written at `depth`, appended to `path` in the error format `[0]['key']`.
/// Returns false (and leaves `path` as it was) when every container fits.
pub fn too_deep_path(v: &Value, depth: usize, path: &mut String) -> bool {
    let len = path.len();
    match v {
        Value::Array(_) | Value::Map(_) if depth >= MAX_DEPTH => return true,
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                if too_deep_path(item, depth + 1, path) {
                    return true;
                }
                path.truncate(len);
            }
        }
        Value::Map(map) => {
            for (k, item) in js_order(map) {
                let quoted = k.replace('\\', "\\\\").replace('\'', "\\'");
                path.push_str(&format!("['{quoted}']"));
                if too_deep_path(item, depth + 1, path) {
                    return true;
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
    false
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// ⌈a / b⌉ for b > 0.
fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

/// Days from 0000-01-01 to y-01-01 (proleptic Gregorian, year 0 is a leap year): 365 per
/// year plus one per leap year in [0, y), counted as multiples of 4, 100 and 400.
fn days_before_year(y: i64) -> i64 {
    365 * y + ceil_div(y, 4) - ceil_div(y, 100) + ceil_div(y, 400)
}

/// Milliseconds since the epoch of a `Date.prototype.toJSON` string
/// (`YYYY-MM-DDTHH:MM:SS.sssZ`, or `±YYYYYY-…` outside years 0–9999). `None` when the
/// text is not exactly in that form.
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let (year, rest) = match b.first()? {
        sign @ (b'+' | b'-') => {
            let digits = std::str::from_utf8(b.get(1..7)?).ok()?;
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let y: i64 = digits.parse().ok()?;
            let y = if *sign == b'-' { -y } else { y };
            // Years 0 to 9999 use the four-digit form; "-000000" is not valid either.
            if (0..=9999).contains(&y) {
                return None;
            }
            (y, &b[7..])
        }
        _ => {
            let digits = std::str::from_utf8(b.get(..4)?).ok()?;
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            (digits.parse().ok()?, &b[4..])
        }
    };
    // "-MM-DDTHH:MM:SS.sssZ"
    if rest.len() != 20 {
        return None;
    }
    let field = |range: std::ops::Range<usize>| -> Option<i64> {
        let t = &rest[range];
        t.iter()
            .all(u8::is_ascii_digit)
            .then(|| std::str::from_utf8(t).ok()?.parse().ok())?
    };
    let seps = [
        (0, b'-'),
        (3, b'-'),
        (6, b'T'),
        (9, b':'),
        (12, b':'),
        (15, b'.'),
        (19, b'Z'),
    ];
    if seps.iter().any(|(i, c)| rest[*i] != *c) {
        return None;
    }
    let (month, day) = (field(1..3)?, field(4..6)?);
    let (hour, minute, second, milli) =
        (field(7..9)?, field(10..12)?, field(13..15)?, field(16..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let day_of_year: i64 = (1..month).map(|m| days_in_month(year, m)).sum::<i64>() + day - 1;
    let days = days_before_year(year) - days_before_year(1970) + day_of_year;
    Some(days * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_parse_back() {
        assert_eq!(parse_iso_date("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_iso_date("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(
            parse_iso_date("2023-11-14T22:13:20.123Z"),
            Some(1_700_000_000_123)
        );
        assert_eq!(
            parse_iso_date("2000-03-01T00:00:00.000Z"),
            Some(951_868_800_000)
        );
        assert_eq!(
            parse_iso_date("-000001-01-01T00:00:00.000Z"),
            Some(-62_198_755_200_000)
        );
        assert_eq!(
            parse_iso_date("0000-01-01T00:00:00.000Z"),
            Some(-62_167_219_200_000)
        );
        assert_eq!(
            parse_iso_date("+010000-01-01T00:00:00.000Z"),
            Some(253_402_300_800_000)
        );
        assert_eq!(
            parse_iso_date("+275760-09-13T00:00:00.000Z"),
            Some(MAX_DATE_MS)
        );
        assert_eq!(
            parse_iso_date("-271821-04-20T00:00:00.000Z"),
            Some(-MAX_DATE_MS)
        );
        for bad in [
            "1970-01-01T00:00:00.000",
            "1970-02-30T00:00:00.000Z",
            "+001970-01-01T00:00:00.000Z",
            "-000000-01-01T00:00:00.000Z",
            "1970-01-01T24:00:00.000Z",
            "1970-01-01 00:00:00.000Z",
        ] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_and_numbers() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        for no in ["4294967295", "01", "+1", "-0", "", " 1", "1.0"] {
            assert_eq!(array_index(no), None, "{no}");
        }
        assert_eq!(msgpack_number(-0.0), Number::Unsigned(0));
        assert_eq!(
            msgpack_number(1e19),
            Number::Unsigned(10_000_000_000_000_000_000)
        );
        assert_eq!(
            msgpack_number(18_446_744_073_709_551_616.0),
            Number::Float(18_446_744_073_709_551_616.0)
        );
        assert_eq!(
            msgpack_number(-9_223_372_036_854_775_808.0),
            Number::Signed(i64::MIN)
        );
        assert_eq!(msgpack_number(1.5), Number::Float(1.5));
    }

    #[test]
    fn timestamps_pick_the_smallest_form() {
        assert_eq!(timestamp_ext(1_700_000_000_000), [0x65, 0x53, 0xf1, 0x00]);
        assert_eq!(timestamp_ext(1_700_000_000_123).len(), 8);
        assert_eq!(timestamp_ext(-1).len(), 12);
    }

    #[test]
    fn deep_paths() {
        let mut v = Value::Nil;
        for _ in 0..(MAX_DEPTH - ARG_DEPTH) {
            v = Value::Array(vec![v]);
        }
        let mut path = String::new();
        assert!(!too_deep_path(&v, ARG_DEPTH, &mut path));
        let v = Value::map([("it's", v)]);
        assert!(too_deep_path(&v, ARG_DEPTH, &mut path));
        assert_eq!(
            path,
            format!("['it\\'s']{}", "[0]".repeat(MAX_DEPTH - ARG_DEPTH - 1))
        );
    }
}
