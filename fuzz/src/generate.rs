//! Fuzz bytes to values. A small hand-written decoder over `arbitrary::Unstructured`:
//! each node starts with a tag byte, and running out of bytes yields `Nil`, so every input
//! is a value. Edge cases of the encoders (integer and length boundaries, special doubles,
//! integer-like keys, dates at the limits, nesting near the limit) have their own tags so
//! the fuzzer reaches them without guessing 64-bit patterns.

use arbitrary::{Result, Unstructured};
use socketio_emitter::{Flag, Map, Room, Value};

/// Containers deeper than this (outside the dedicated deep tag) become leaves.
const MAX_LEVEL: usize = 6;
/// At most this many nodes per generated operation.
const NODE_BUDGET: usize = 256;

const INTS: &[i64] = &[
    0,
    1,
    -1,
    31,
    -32,
    -33,
    127,
    128,
    -128,
    -129,
    255,
    256,
    32_767,
    -32_768,
    -32_769,
    65_535,
    65_536,
    2_147_483_647,
    -2_147_483_648,
    -2_147_483_649,
    4_294_967_295,
    4_294_967_296,
    9_007_199_254_740_991,
    -9_007_199_254_740_991,
    i64::MAX,
    i64::MIN,
];

const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    0.5,
    -1.5,
    0.1,
    1.0,
    -1.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    f64::EPSILON,
    5e-324,
    1e-7,
    1e-6,
    1e20,
    1e21,
    123_456_789_012_345_680_000.0,
    9_007_199_254_740_992.0,
    9_223_372_036_854_775_808.0,
    -9_223_372_036_854_775_808.0,
    -9_223_372_036_854_777_856.0,
    18_446_744_073_709_549_568.0,
    18_446_744_073_709_551_616.0,
    4_294_967_295.0,
    -2_147_483_649.0,
];

/// Keys that exercise JavaScript's key order and the error path's quoting.
const KEYS: &[&str] = &[
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    "00",
    "-1",
    "+1",
    "1.5",
    "1e3",
    " 1",
    "4294967294",
    "4294967295",
    "4294967296",
    "a",
    "b",
    "",
    "type",
    "data",
    "$bin",
    "it's",
    "back\\slash",
    "é",
];

const DATES: &[i64] = &[
    0,
    -1,
    1,
    999,
    1000,
    1_700_000_000_000,
    1_700_000_000_123,
    4_294_967_295_000,
    4_294_967_296_000,
    17_179_869_183_999,
    17_179_869_184_000,
    -62_167_219_200_000,
    -62_167_219_200_001,
    253_402_300_799_999,
    253_402_300_800_000,
    8_640_000_000_000_000,
    8_640_000_000_000_001,
    -8_640_000_000_000_000,
    -8_640_000_000_000_001,
    i64::MAX,
    i64::MIN,
];

/// String and binary lengths at msgpack's form boundaries (fixstr, 8, 16 and 32 bits).
const LENGTHS: &[usize] = &[0, 1, 31, 32, 255, 256, 65_535, 65_536];
/// Binary lengths: the 8- and 16-bit forms (JSON writes each byte as a number, so larger
/// buffers would only slow every run down; the 32-bit form is rmp's own code).
const BIN_LENGTHS: &[usize] = &[0, 1, 255, 256];

fn pick<T: Copy>(u: &mut Unstructured, from: &[T]) -> Result<T> {
    Ok(*u.choose(from)?)
}

fn string(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0u8..=3)? {
        0 => pick(u, KEYS)?.to_owned(),
        1 => {
            // `repeat` copies in doubling blocks: cheap even for 64 KiB.
            let c = char::from(u.int_in_range(b' '..=b'~')?);
            c.to_string().repeat(pick(u, LENGTHS)?)
        }
        _ => u.arbitrary()?,
    })
}

fn key(u: &mut Unstructured) -> Result<String> {
    Ok(match u.int_in_range(0u8..=3)? {
        0 | 1 => pick(u, KEYS)?.to_owned(),
        2 => u.int_in_range(0u32..=20)?.to_string(),
        _ => u.arbitrary()?,
    })
}

/// Values nested `levels` deep around `inner`: arrays of one, and at some levels (one in
/// 16 on average: maps cost a hash per level) maps of one key.
fn deep(u: &mut Unstructured, levels: usize, inner: Value) -> Result<Value> {
    let kinds: u64 = u.arbitrary()?;
    let k = key(u)?;
    let mut v = inner;
    for level in 0..levels {
        v = if kinds.rotate_right((level % 64) as u32) & 0xf != 0 {
            Value::Array(vec![v])
        } else {
            let mut map = Map::new();
            map.insert(k.clone(), v);
            Value::Map(map)
        };
    }
    Ok(v)
}

/// A value; `level` counts the containers above it, `budget` the nodes left.
pub fn value(u: &mut Unstructured, level: usize, budget: &mut usize) -> Result<Value> {
    *budget = budget.saturating_sub(1);
    let can_nest = level < MAX_LEVEL && *budget > 0;
    Ok(match u.int_in_range(0u8..=17)? {
        0 => Value::Nil,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::Int(u.arbitrary()?),
        3 => Value::Int(pick(u, INTS)?),
        4 => Value::UInt(u.arbitrary()?),
        5 => Value::UInt((i64::MAX as u64).wrapping_add(u.int_in_range(0u64..=2)?)),
        6 => Value::Float(f64::from_bits(u.arbitrary()?)),
        7 => Value::Float(pick(u, FLOATS)?),
        8 => {
            // Doubles next to the integer boundaries, and integral doubles.
            let base = pick(u, FLOATS)?;
            let steps = u.int_in_range(-2i64..=2)?;
            let bits = base.to_bits() as i64;
            Value::Float(f64::from_bits(bits.wrapping_add(steps) as u64))
        }
        9 => Value::Float(u.arbitrary::<i64>()? as f64),
        10 => Value::Str(string(u)?),
        11 => {
            let n = if u.arbitrary()? {
                pick(u, BIN_LENGTHS)?
            } else {
                u.int_in_range(0..=64)?
            };
            let fill: u8 = u.arbitrary()?;
            Value::Bytes(vec![fill; n])
        }
        12 => Value::Bytes(u.arbitrary()?),
        13 => Value::Date(u.arbitrary()?),
        14 => {
            let base = pick(u, DATES)?;
            Value::Date(base.saturating_add(u.int_in_range(-1i64..=1)?))
        }
        15 if can_nest => {
            let n = u.int_in_range(0usize..=5)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, level + 1, budget)?);
            }
            Value::Array(items)
        }
        16 if can_nest => {
            // A repeated key keeps its first position and its last value, like a JS object.
            let n = u.int_in_range(0usize..=6)?;
            let mut map = Map::new();
            for _ in 0..n {
                let k = key(u)?;
                let v = value(u, level + 1, budget)?;
                map.insert(k, v);
            }
            Value::Map(map)
        }
        // Around the nesting limit: an argument may hold 512 levels of containers. Once
        // per branch: deep values inside deep values would only overflow the stack when
        // dropped (about 130 000 levels for the whole budget).
        17 if level <= MAX_LEVEL => {
            let levels = u.int_in_range(500usize..=520)?;
            let inner = value(u, MAX_LEVEL + 1, budget)?;
            deep(u, levels, inner)?
        }
        _ => Value::Nil,
    })
}

/// A room: a string or a number (different rooms in Socket.IO).
fn room(u: &mut Unstructured) -> Result<Room> {
    Ok(if u.arbitrary()? {
        Room::Number(if u.arbitrary()? {
            pick(u, INTS)?
        } else {
            u.arbitrary()?
        })
    } else {
        Room::Name(key(u)?)
    })
}

/// Everything one encoded operation needs besides its arguments.
#[derive(Debug)]
pub struct Operation {
    pub key: String,
    pub nsp: String,
    pub event: String,
    pub rooms: Vec<Room>,
    pub except: Vec<Room>,
    pub flags: Vec<(Flag, bool)>,
    pub args: Vec<Value>,
}

const EVENTS: &[&str] = &[
    "ev",
    "message",
    "connect",
    "connection",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
    "new_namespace",
    "error",
    "",
];

impl Operation {
    pub fn generate(u: &mut Unstructured) -> Result<Operation> {
        let mut budget = NODE_BUDGET;
        let key = if u.arbitrary()? {
            "socket.io".to_owned()
        } else {
            u.arbitrary()?
        };
        let nsp = if u.arbitrary()? {
            "/".to_owned()
        } else {
            string(u)?
        };
        let event = if u.arbitrary()? {
            pick(u, EVENTS)?.to_owned()
        } else {
            string(u)?
        };
        let mut rooms = Vec::new();
        let mut except = Vec::new();
        let mut flags = Vec::new();
        for _ in 0..u.int_in_range(0u8..=3)? {
            match u.int_in_range(0u8..=3)? {
                0 => rooms.push(room(u)?),
                1 => except.push(room(u)?),
                2 => flags.push((Flag::Volatile, u.arbitrary()?)),
                _ => flags.push((Flag::Compress, u.arbitrary()?)),
            }
        }
        let n = u.int_in_range(0usize..=3)?;
        let mut args = Vec::with_capacity(n);
        for _ in 0..n {
            args.push(value(u, 0, &mut budget)?);
        }
        Ok(Operation {
            key,
            nsp,
            event,
            rooms,
            except,
            flags,
            args,
        })
    }

    /// The core's target for this operation.
    pub fn target(&self) -> socketio_emitter::Target {
        let mut t = socketio_emitter::Target::new(&self.nsp)
            .to(self.rooms.iter().cloned())
            .except(self.except.iter().cloned());
        for (flag, on) in &self.flags {
            t = t.flag(*flag, *on);
        }
        t
    }

    /// Rooms as a set keeps them: first occurrence, in order.
    pub fn unique(rooms: &[Room]) -> Vec<Room> {
        let mut out: Vec<Room> = Vec::new();
        for r in rooms {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }

    /// Flags in first-set order with their last value (JS object semantics).
    pub fn effective_flags(&self) -> Vec<(Flag, bool)> {
        let mut out: Vec<(Flag, bool)> = Vec::new();
        for (f, on) in &self.flags {
            match out.iter_mut().find(|(g, _)| g == f) {
                Some(slot) => slot.1 = *on,
                None => out.push((*f, *on)),
            }
        }
        out
    }

    /// The expected error of encoding the arguments, in the order the encoders check:
    /// the first argument holding a too-deep container, with its path.
    pub fn too_deep(&self) -> Option<String> {
        let fits = |v: &Value| crate::rules::fits(v, crate::rules::ARG_DEPTH);
        if self.args.iter().all(fits) {
            return None;
        }
        self.args.iter().enumerate().find_map(|(i, arg)| {
            let mut path = format!("args[{i}]");
            crate::rules::too_deep_path(arg, crate::rules::ARG_DEPTH, &mut path).then_some(path)
        })
    }
}

const SCHEMES: &[&str] = &[
    "redis",
    "rediss",
    "http",
    "unix",
    "redis+unix",
    "REDIS",
    "valkey",
    "",
];
const SEPARATORS: &[&str] = &["://", ":", ":///", "//", ":/"];
const HOSTS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "[::1]",
    "",
    "[::",
    "a b",
    "%41",
    "xn--",
    "例え",
];
const SECRETS: &[&str] = &[
    "s3cret-pw",
    "pass",
    "p%40ss",
    "p@ss:w",
    "%zz%",
    "abc",
    "localhost",
    "redis",
    "",
    "é%C3%A9",
];

/// A Redis URL: either any text, or one assembled from typical and odd parts, most often
/// with a user and a password.
pub fn url(u: &mut Unstructured) -> Result<String> {
    if u.int_in_range(0u8..=3)? == 0 {
        return u.arbitrary();
    }
    let mut s = String::new();
    s.push_str(pick(u, SCHEMES)?);
    s.push_str(pick(u, SEPARATORS)?);
    if u.int_in_range(0u8..=3)? != 0 {
        s.push_str(&key(u)?);
        if u.int_in_range(0u8..=3)? != 0 {
            s.push(':');
            s.push_str(&if u.arbitrary()? {
                pick(u, SECRETS)?.to_owned()
            } else {
                u.arbitrary()?
            });
        }
        s.push('@');
    }
    s.push_str(&if u.arbitrary()? {
        pick(u, HOSTS)?.to_owned()
    } else {
        u.arbitrary()?
    });
    match u.int_in_range(0u8..=3)? {
        0 => {}
        1 => s.push_str(&format!(":{}", u.arbitrary::<u16>()?)),
        2 => s.push_str(&format!(":{}", u.arbitrary::<u32>()?)),
        _ => s.push_str(&format!(":{}", u.arbitrary::<String>()?)),
    }
    if u.arbitrary()? {
        s.push('/');
        s.push_str(&u.arbitrary::<String>()?);
    }
    Ok(s)
}

/// A duration: zero, the largest, whole milliseconds, or any seconds and nanoseconds.
pub fn duration(u: &mut Unstructured) -> Result<std::time::Duration> {
    use std::time::Duration;
    Ok(match u.int_in_range(0u8..=4)? {
        0 => Duration::ZERO,
        1 => Duration::MAX,
        2 => Duration::from_millis(u.arbitrary()?),
        3 => Duration::from_millis(u.int_in_range(0..=100_000_000)?),
        _ => Duration::new(u.arbitrary()?, u.int_in_range(0..=999_999_999)?),
    })
}

/// A size: 0, 1, around 2^32, the largest, or any.
pub fn size(u: &mut Unstructured) -> Result<usize> {
    const SIZES: &[usize] = &[
        0,
        1,
        10_000,
        64 << 20,
        u32::MAX as usize,
        u32::MAX as usize + 1,
        usize::MAX,
    ];
    Ok(if u.arbitrary()? {
        pick(u, SIZES)?
    } else {
        u.arbitrary()?
    })
}
