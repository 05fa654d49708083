//! JavaScript semantics both writers need to reproduce byte for byte: the order of
//! `Object.keys`, and which doubles count as integers. Written by hand because no crate
//! models V8's property order; it is what makes us byte-compatible.

use crate::value::{Map, Value};

/// True when `key` is a canonical array index ("0", "1", … "4294967294"): V8 lists such
/// keys first, in ascending numeric order, whatever the insertion order.
pub(crate) fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || (bytes.len() > 1 && bytes[0] == b'0') {
        return None;
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    // 2^32 - 1 is not an array index (it is the maximum length).
    (n < u64::from(u32::MAX)).then_some(n as u32)
}

/// The entries of `map` in JavaScript `Object.keys` order. Borrows when no reordering is
/// needed, which is the common case.
pub(crate) fn ordered_entries(map: &Map) -> Vec<(&String, &Value)> {
    let mut indexed: Vec<(u32, &String, &Value)> = Vec::new();
    let mut named: Vec<(&String, &Value)> = Vec::with_capacity(map.len());
    for (k, v) in map {
        match array_index(k) {
            Some(i) => indexed.push((i, k, v)),
            None => named.push((k, v)),
        }
    }
    if indexed.is_empty() {
        return named;
    }
    indexed.sort_unstable_by_key(|(i, _, _)| *i);
    let mut all: Vec<(&String, &Value)> = indexed.into_iter().map(|(_, k, v)| (k, v)).collect();
    all.extend(named);
    all
}

/// A double that notepack writes as an integer: integral, finite, and inside the range
/// notepack's uint64/int64 paths handle correctly. (notepack mangles integral doubles at
/// or beyond 2^64; we write those as float64 instead of copying the bug.)
pub(crate) enum Integral {
    Signed(i64),
    Unsigned(u64),
}

pub(crate) fn integral(v: f64) -> Option<Integral> {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if !v.is_finite() || v.floor() != v {
        return None;
    }
    if v >= 0.0 {
        // -0.0 lands here too and becomes 0, as in JS.
        (v < TWO_64).then_some(Integral::Unsigned(v as u64))
    } else {
        (v >= -TWO_63).then_some(Integral::Signed(v as i64))
    }
}

/// ECMAScript `Number.prototype.toString()` for a finite double: shortest round-trip
/// digits, laid out with JS's rules for when to use an exponent.
pub(crate) fn number_to_string(v: f64, out: &mut String) {
    use std::fmt::Write;
    if v == 0.0 {
        out.push('0'); // covers -0
        return;
    }
    if v < 0.0 {
        out.push('-');
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. "1.2345e-7".
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let k = digits.len() as i32;
    let n = exp + 1; // position of the decimal point relative to the digits
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e >= 0 { "+" } else { "-" }, e.abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(v: f64) -> String {
        let mut s = String::new();
        number_to_string(v, &mut s);
        s
    }

    #[test]
    fn numbers_print_like_javascript() {
        assert_eq!(js(1.5), "1.5");
        assert_eq!(js(0.1), "0.1");
        assert_eq!(js(-0.0), "0");
        assert_eq!(js(1e21), "1e+21");
        assert_eq!(js(1e20), "100000000000000000000");
        assert_eq!(js(1e-7), "1e-7");
        assert_eq!(js(1.5e-7), "1.5e-7");
        assert_eq!(js(0.000001), "0.000001");
        assert_eq!(js(123.456), "123.456");
        assert_eq!(js(-2.5e300), "-2.5e+300");
        assert_eq!(js(5e-324), "5e-324");
        assert_eq!(js(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn array_indices_follow_ecmascript() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("10"), Some(10));
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index("1.5"), None);
        assert_eq!(array_index(""), None);
        assert_eq!(array_index("99999999999"), None);
    }
}
