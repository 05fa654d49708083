//! msgpack with notepack.io 3.0.1's choices (docs/protocol.md §7.1): smallest unsigned forms for
//! values ≥ 0, smallest signed forms for negatives, integral doubles as integers, float64
//! otherwise, fixstr below 32 bytes, `bin` for binary, msgpack timestamps for dates, and
//! JavaScript key order in maps. rmp writes the individual markers.

use rmp::encode as rmpe;

use super::js::{self, Integral};
use super::{Fail, MAX_DEPTH, too_deep};
use crate::value::{Room, Value};

fn io(_: impl std::fmt::Debug) -> Fail {
    Fail::new("msgpack write failed")
}

fn len32(len: usize, what: &str) -> Result<u32, Fail> {
    u32::try_from(len).map_err(|_| Fail::new(format!("{what} longer than msgpack allows (2^32-1)")))
}

pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), Fail> {
    rmpe::write_str_len(out, len32(s.len(), "string")?).map_err(io)?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

pub(crate) fn write_array_len(out: &mut Vec<u8>, len: usize) -> Result<(), Fail> {
    rmpe::write_array_len(out, len32(len, "array")?).map_err(io)?;
    Ok(())
}

pub(crate) fn write_map_len(out: &mut Vec<u8>, len: usize) -> Result<(), Fail> {
    rmpe::write_map_len(out, len32(len, "map")?).map_err(io)?;
    Ok(())
}

pub(crate) fn write_int(out: &mut Vec<u8>, v: i64) {
    // Vec writes cannot fail; notepack never uses signed forms for values ≥ 0.
    if v >= 0 {
        let _ = rmpe::write_uint(out, v as u64);
    } else {
        let _ = rmpe::write_sint(out, v);
    }
}

pub(crate) fn write_room(out: &mut Vec<u8>, room: &Room) -> Result<(), Fail> {
    match room {
        Room::Name(s) => write_str(out, s),
        Room::Number(n) => {
            write_int(out, *n);
            Ok(())
        }
    }
}

pub(crate) fn write_rooms<'a>(
    out: &mut Vec<u8>,
    rooms: impl ExactSizeIterator<Item = &'a Room>,
) -> Result<(), Fail> {
    write_array_len(out, rooms.len())?;
    for room in rooms {
        write_room(out, room)?;
    }
    Ok(())
}

/// How a Date is written: notepack.io 3.x writes the msgpack timestamp extension, which
/// notepack.io 2.x (the decoder of `socket.io-redis` 5/6 and `@socket.io/redis-adapter` 7)
/// cannot read: it wants its own extension 0 with int64 milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Dates {
    #[default]
    Timestamp,
    Notepack2,
}

/// Writes one value; `depth` counts the containers above it.
pub(crate) fn write_value(out: &mut Vec<u8>, v: &Value, depth: usize) -> Result<(), Fail> {
    write_value_with(out, v, depth, Dates::Timestamp)
}

/// [`write_value`] with the Date form of the receiving servers.
pub(crate) fn write_value_with(
    out: &mut Vec<u8>,
    v: &Value,
    depth: usize,
    dates: Dates,
) -> Result<(), Fail> {
    match v {
        Value::Nil => out.push(0xc0),
        Value::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Int(i) => write_int(out, *i),
        Value::UInt(u) => {
            let _ = rmpe::write_uint(out, *u);
        }
        Value::Float(f) => match js::integral(*f) {
            Some(Integral::Signed(i)) => write_int(out, i),
            Some(Integral::Unsigned(u)) => {
                let _ = rmpe::write_uint(out, u);
            }
            None => {
                let _ = rmpe::write_f64(out, *f);
            }
        },
        Value::Str(s) => write_str(out, s)?,
        Value::Bytes(b) => {
            rmpe::write_bin_len(out, len32(b.len(), "binary")?).map_err(io)?;
            out.extend_from_slice(b);
        }
        Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            write_array_len(out, items.len())?;
            for (i, item) in items.iter().enumerate() {
                write_value_with(out, item, depth + 1, dates).map_err(|e| e.at_index(i))?;
            }
        }
        Value::Map(map) => {
            if depth >= MAX_DEPTH {
                return Err(too_deep());
            }
            write_map_len(out, map.len())?;
            for (k, item) in js::ordered_entries(map) {
                write_str(out, k)?;
                write_value_with(out, item, depth + 1, dates).map_err(|e| e.at_key(k))?;
            }
        }
        Value::Date(ms) => match dates {
            Dates::Timestamp => write_date(out, *ms),
            Dates::Notepack2 => {
                // fixext 8, type 0: notepack 2.x's Date (`new Date(int64 ms)` on decode).
                out.extend_from_slice(&[0xd7, 0x00]);
                out.extend_from_slice(&ms.to_be_bytes());
            }
        },
    }
    Ok(())
}

/// msgpack timestamp extension (type -1), choosing the 32/64/96-bit form as notepack does.
fn write_date(out: &mut Vec<u8>, ms: i64) {
    const TS32_MAX: i64 = (1 << 32) - 1;
    const TS64_MAX: i64 = (1 << 34) - 1;
    let secs = ms.div_euclid(1000);
    let nanos = (ms.rem_euclid(1000) * 1_000_000) as u32;
    if (0..=TS64_MAX).contains(&secs) {
        if nanos == 0 && secs <= TS32_MAX {
            out.extend_from_slice(&[0xd6, 0xff]);
            out.extend_from_slice(&(secs as u32).to_be_bytes());
        } else {
            out.extend_from_slice(&[0xd7, 0xff]);
            let packed = (u64::from(nanos) << 34) | secs as u64;
            out.extend_from_slice(&packed.to_be_bytes());
        }
    } else {
        out.extend_from_slice(&[0xc7, 0x0c, 0xff]);
        out.extend_from_slice(&nanos.to_be_bytes());
        out.extend_from_slice(&secs.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: Value) -> String {
        let mut out = Vec::new();
        write_value(&mut out, &v, 0).unwrap();
        out.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn integers_pick_the_smallest_form() {
        assert_eq!(enc(Value::Int(-1)), "ff");
        assert_eq!(enc(Value::Int(255)), "ccff");
        assert_eq!(enc(Value::Int(-33)), "d0df");
        assert_eq!(enc(Value::Int(-2_147_483_649)), "d3ffffffff7fffffff");
        assert_eq!(enc(Value::Float(1.0)), "01");
        assert_eq!(enc(Value::Float(-0.0)), "00");
        assert_eq!(enc(Value::Float(0.1)), "cb3fb999999999999a");
        assert_eq!(enc(Value::Float(f64::NAN)), "cb7ff8000000000000");
    }

    #[test]
    fn dates_use_timestamp_extensions() {
        assert_eq!(enc(Value::Date(1_700_000_000_000)), "d6ff6553f100");
        assert_eq!(enc(Value::Date(1_700_000_000_123)), "d7ff1d5353006553f100");
        let mut legacy = Vec::new();
        let date = Value::Array(vec![Value::Date(1_700_000_000_123)]);
        write_value_with(&mut legacy, &date, 0, Dates::Notepack2).unwrap();
        assert_eq!(
            legacy,
            [0x91, 0xd7, 0x00, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b]
        );
    }

    #[test]
    fn maps_list_integer_keys_first() {
        let v = Value::map([
            ("b", Value::Int(1)),
            ("a", Value::Int(2)),
            ("1", Value::Int(3)),
            ("z", Value::map::<&str>([])),
        ]);
        assert_eq!(enc(v), "84a13103a16201a16102a17a80");
    }

    #[test]
    fn too_deep_is_an_error_with_a_path() {
        let mut v = Value::Nil;
        for _ in 0..(MAX_DEPTH + 1) {
            v = Value::Array(vec![v]);
        }
        let mut out = Vec::new();
        let err = write_value(&mut out, &v, 0).unwrap_err().into_error("args");
        assert_eq!(err.code(), "ENCODE");
        assert!(err.to_string().starts_with("args[0][0]"), "{err}");
    }
}
