//! Pure encoding: values to bytes, with the exact rules of the official Node packages.
//! No I/O happens here, so golden vectors test it without Redis.

mod js;
pub mod json;
pub mod msgpack;

use crate::error::Error;
use crate::value::Value;

/// How deep values may nest before encoding refuses them (a guard against runaway
/// recursion, far beyond any real event payload).
pub const MAX_DEPTH: usize = 512;

/// A failure deep inside a value; the path is collected while unwinding so that the
/// successful path pays nothing for it.
#[derive(Debug)]
pub(crate) struct Fail {
    reason: String,
    /// Innermost segment first.
    path: Vec<Segment>,
}

#[derive(Debug)]
enum Segment {
    Index(usize),
    Key(String),
}

impl Fail {
    pub(crate) fn new(reason: impl Into<String>) -> Fail {
        Fail {
            reason: reason.into(),
            path: Vec::new(),
        }
    }

    pub(crate) fn at_index(mut self, i: usize) -> Fail {
        self.path.push(Segment::Index(i));
        self
    }

    pub(crate) fn at_key(mut self, k: &str) -> Fail {
        self.path.push(Segment::Key(k.to_owned()));
        self
    }

    /// The public error, with a path such as `args[1]['user']['tags']`.
    pub(crate) fn into_error(self, root: &str) -> Error {
        let mut path = root.to_owned();
        for seg in self.path.iter().rev() {
            match seg {
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
                Segment::Key(k) => {
                    let quoted = k.replace('\\', "\\\\").replace('\'', "\\'");
                    path.push_str(&format!("['{quoted}']"));
                }
            }
        }
        Error::encode(path, self.reason)
    }
}

pub(crate) fn too_deep() -> Fail {
    Fail::new(format!("nested deeper than {MAX_DEPTH} levels"))
}

/// Whether any value holds binary at any depth: the cluster adapters (sharded, streams)
/// then switch the whole message from JSON to msgpack, as their servers do. Looks no deeper
/// than [`MAX_DEPTH`]: deeper values fail to encode anyway, and the scan must not overflow
/// the stack first.
pub(crate) fn holds_binary(values: &[Value]) -> bool {
    fn scan(v: &Value, depth: usize) -> bool {
        match v {
            Value::Bytes(_) => true,
            _ if depth >= MAX_DEPTH => false,
            Value::Array(items) => items.iter().any(|i| scan(i, depth + 1)),
            Value::Map(map) => map.values().any(|i| scan(i, depth + 1)),
            _ => false,
        }
    }
    values.iter().any(|v| scan(v, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_found_at_any_depth_and_only_binary_counts() {
        assert!(!holds_binary(&[
            Value::Int(1),
            Value::Date(0),
            Value::from("x")
        ]));
        assert!(holds_binary(&[Value::Int(1), Value::bytes([])]));
        let deep = Value::map([(
            "a",
            Value::Array(vec![Value::map([("b", Value::bytes([1u8]))])]),
        )]);
        assert!(holds_binary(&[deep]));
        let too_deep = (0..MAX_DEPTH + 5).fold(Value::bytes([1u8]), |v, _| Value::Array(vec![v]));
        assert!(!holds_binary(&[too_deep]));
    }
}
