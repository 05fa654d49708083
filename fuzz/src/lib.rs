//! Shared pieces of the fuzz targets: building a `Value` from fuzz bytes, and the expected
//! result of encoding it, written from the documented rules rather than from the encoders.
//!
//! - [`generate`]: an arbitrary [`socketio_emitter::Value`] (and the rest of an operation).
//! - [`rules`]: the JavaScript rules the encoders promise (key order, integral doubles,
//!   timestamps, ISO dates, the nesting limit and the path of its error).
//! - [`msgpack`] and [`json`]: compare what rmpv and serde_json decode with those rules.

pub mod generate;
pub mod json;
pub mod msgpack;
pub mod rules;
pub mod secrets;

/// Where a check failed: a path such as `data[1]['a'][0]` and what was wrong.
pub type Mismatch = String;
