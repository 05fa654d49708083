//! Publish Socket.IO events into Redis exactly as a Node.js Socket.IO server with a Redis
//! adapter would, so that every server of the cluster delivers them to its clients.
//!
//! - [`Emitter`]: the async API (tokio); [`blocking::Emitter`]: the same without a runtime.
//! - [`encode`] and [`adapter`] are pure: they turn an operation into the bytes to publish,
//!   byte for byte like `@socket.io/redis-emitter` 5.1.0 (checked by golden vectors).
//! - [`Error::code`] is a stable, machine-readable error code shared by every binding.

pub mod adapter;
pub mod ask;
pub mod blocking;
mod config;
mod emitter;
pub mod encode;
mod error;
pub mod inspect;
mod publish;
mod stacks;
mod target;
mod topology;
mod value;

pub use config::{
    AdapterKind, Compat, DEFAULT_URL, EmitterConfig, MAX_DURATION, QueueFullPolicy, StreamsVersion,
    SubscriptionMode, duration_from_millis_f64, duration_from_secs_f64, redact_url,
};
pub use emitter::Emitter;
pub use error::{Error, QueuedFailure, Result};
#[doc(hidden)]
pub use publish::PipelineStamp;
pub use publish::queue::{FlushReport, Rejected};
pub use publish::sigpipe::block_on_current_thread as block_sigpipe_on_current_thread;
pub use target::{Flag, Target, normalize_namespace};
pub use topology::Topology;
pub use value::{IntoRooms, Map, Room, Value};

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// This crate's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
