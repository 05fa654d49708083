//! The one payload model every binding converts its native values into.
//!
//! It mirrors what a JavaScript value can be once the official emitter has looked at it:
//! the encoders in [`crate::encode`] turn it into notepack-compatible msgpack or
//! `JSON.stringify`-compatible text.

use indexmap::IndexMap;

/// An ordered map with JavaScript object semantics: inserting an existing key keeps its
/// first position and replaces the value. The encoders apply JS key ordering (integer-like
/// keys first) when they write it.
pub type Map = IndexMap<String, Value>;

/// A value that can travel as an event argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` (msgpack nil).
    Nil,
    Bool(bool),
    /// A signed integer. Negative values use msgpack's signed forms, others the unsigned ones.
    Int(i64),
    /// An unsigned integer beyond `i64::MAX`.
    UInt(u64),
    /// A double. Integral values are written as integers, as notepack does.
    Float(f64),
    Str(String),
    /// Binary data: msgpack `bin`, delivered to clients as binary attachments.
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Map),
    /// A point in time as milliseconds since the Unix epoch (JavaScript `Date` precision).
    Date(i64),
}

impl Value {
    /// Binary data (a `Vec<u8>` would otherwise be ambiguous with an array of numbers).
    pub fn bytes(data: impl Into<Vec<u8>>) -> Value {
        Value::Bytes(data.into())
    }

    /// A map built from pairs; a repeated key keeps its first position and its last value.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::Int(i64::from(v)) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::UInt(v),
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Nil, Into::into)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}

impl From<Map> for Value {
    fn from(v: Map) -> Value {
        Value::Map(v)
    }
}

/// JSON values map one to one; numbers keep their integer or float nature.
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        use serde_json::Value as J;
        match v {
            J::Null => Value::Nil,
            J::Bool(b) => Value::Bool(b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::UInt(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            J::String(s) => Value::Str(s),
            J::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            J::Object(o) => Value::Map(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect()),
        }
    }
}

/// Builds an array of event arguments from anything convertible, to pass as a slice:
/// `io.emit("ev", &args![1, "two", Value::bytes([3])])`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { [$($crate::Value::from($v)),*] };
}

/// A room name. Socket.IO ≥ 3 compares rooms by identity, so the number `7` and the
/// string `"7"` are different rooms: use the type the server used in `join()`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Room {
    Name(String),
    Number(i64),
}

impl std::fmt::Display for Room {
    /// The JavaScript string conversion, used in room channel names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Room::Name(s) => f.write_str(s),
            Room::Number(n) => write!(f, "{n}"),
        }
    }
}

impl From<&str> for Room {
    fn from(v: &str) -> Room {
        Room::Name(v.to_owned())
    }
}

impl From<String> for Room {
    fn from(v: String) -> Room {
        Room::Name(v)
    }
}

impl From<&String> for Room {
    fn from(v: &String) -> Room {
        Room::Name(v.clone())
    }
}

impl From<i64> for Room {
    fn from(v: i64) -> Room {
        Room::Number(v)
    }
}

impl From<i32> for Room {
    fn from(v: i32) -> Room {
        Room::Number(i64::from(v))
    }
}

impl From<&Room> for Room {
    fn from(v: &Room) -> Room {
        v.clone()
    }
}

/// One room or many: what `to`, `in`, `except` and `sockets_join` accept.
pub trait IntoRooms {
    fn into_rooms(self) -> Vec<Room>;
}

impl<R: Into<Room>> IntoRooms for R {
    fn into_rooms(self) -> Vec<Room> {
        vec![self.into()]
    }
}

impl<R: Into<Room>> IntoRooms for Vec<R> {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<R: Into<Room> + Clone> IntoRooms for &[R] {
    fn into_rooms(self) -> Vec<Room> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<R: Into<Room>, const N: usize> IntoRooms for [R; N] {
    fn into_rooms(self) -> Vec<Room> {
        self.into_iter().map(Into::into).collect()
    }
}
