//! The one error type of the core. Bindings map it in one exhaustive match each, keyed
//! on [`Error::code`], which is a stable contract; messages are for people.

use std::fmt;

use crate::publish::queue::FlushReport;

/// Everything that can go wrong, with a stable [`code`](Error::code).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed something unusable (a bad URL, an option out of range).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// An event name Socket.IO reserves for itself.
    #[error("\"{0}\" is a reserved event name")]
    ReservedEvent(String),

    /// A value that cannot be encoded, with the path to it (e.g. `args[1]['tags']`).
    #[error("{path}: {reason}")]
    Encode { path: String, reason: String },

    /// Redis could not be reached (refused, authentication failed, TLS refused), or the
    /// connection broke before Redis answered. The message says which, and whether the
    /// operation may still have been published.
    #[error("connection error: {0}")]
    Connection(String),

    /// Redis answered with an error (for example a missing ACL permission).
    #[error("redis error: {0}")]
    Redis(String),

    /// No answer in time. For a publish this does not mean "not delivered": Redis may
    /// still have received and published it, so a caller who retries may duplicate it.
    #[error("timed out: {0}")]
    Timeout(String),

    /// The emitter was closed.
    #[error("the emitter is closed")]
    Closed,

    /// The servers' stack cannot honour this operation at all (for example except by room
    /// on socket.io 2.x, or serverSideEmit before `@socket.io/redis-adapter` 7.0). The
    /// message names the stack and the reason. Nothing was published.
    #[error("unsupported: {0}")]
    Unsupported(String),

    /// `adapter = auto` could not choose: no Socket.IO server listens on the key and
    /// namespace, or servers with different adapters do. The message says what listens.
    #[error("adapter detection failed: {0}")]
    DetectionFailed(String),

    /// Strict mode: the publish reached no Socket.IO server. The message lists the likely
    /// causes; the first is a mismatch of adapters, which otherwise loses every event
    /// silently (the two adapters use separate Redis delivery paths).
    #[error(
        "no Socket.IO server is subscribed to {channel}. Likely causes: the servers use \
         another Redis adapter (classic `createAdapter` servers hear only PUBLISH, sharded \
         `createShardedAdapter` servers only SPUBLISH, streams servers read XADD entries: set \
         the emitter's `adapter` option to match), or another key (channel prefix) or \
         namespace, or no server is running. With the sharded adapter in a dynamic \
         subscription mode, a broadcast to one room reaches only the servers where that room \
         has members; with several streams, a namespace whose name hashes to a negative \
         stream index is read by no server"
    )]
    NoSubscribers { channel: String },

    /// The non-blocking queue is full.
    #[error("the emit queue is full ({capacity} pending)")]
    QueueFull { capacity: usize },

    /// `flush()` found queued operations that failed. `report` still counts the ones that
    /// succeeded since the previous flush, with their receivers.
    #[error("{}", FlushFailures(failures))]
    Flush {
        failures: Vec<QueuedFailure>,
        report: FlushReport,
    },

    /// A bug of ours (a panic caught at a language boundary). Never the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// The stable, machine-readable code of this error (the same in every language).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::ReservedEvent(_) => "RESERVED_EVENT",
            Error::Encode { .. } => "ENCODE",
            Error::Connection(_) => "CONNECTION",
            Error::Redis(_) => "REDIS",
            Error::Timeout(_) => "TIMEOUT",
            Error::Closed => "CLOSED",
            Error::Unsupported(_) => "UNSUPPORTED",
            Error::DetectionFailed(_) => "DETECTION_FAILED",
            Error::NoSubscribers { .. } => "NO_SUBSCRIBERS",
            Error::QueueFull { .. } => "QUEUE_FULL",
            Error::Flush { .. } => "FLUSH",
            Error::Internal(_) => "INTERNAL",
        }
    }

    /// Every code [`Error::code`] can return, for bindings' exhaustiveness tests.
    pub const CODES: &'static [&'static str] = &[
        "INVALID_ARGUMENT",
        "RESERVED_EVENT",
        "ENCODE",
        "CONNECTION",
        "REDIS",
        "TIMEOUT",
        "CLOSED",
        "UNSUPPORTED",
        "NO_SUBSCRIBERS",
        "QUEUE_FULL",
        "FLUSH",
        "INTERNAL",
        "DETECTION_FAILED",
    ];

    /// A panic payload caught with `catch_unwind`, as an [`Error::Internal`].
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Error {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Error::Internal(format!(
            "socketio-emitter panicked ({what}); please report it"
        ))
    }

    pub(crate) fn encode(path: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Encode {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// One queued operation that failed, as reported by `flush()`.
#[derive(Debug, Clone)]
pub struct QueuedFailure {
    /// The ticket `emit_nowait` returned for this operation.
    pub ticket: u64,
    /// Where it was going.
    pub channel: String,
    pub error: Error,
}

struct FlushFailures<'a>(&'a [QueuedFailure]);

impl fmt::Display for FlushFailures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} queued operation(s) failed", self.0.len())?;
        if let Some(first) = self.0.first() {
            write!(
                f,
                "; first: ticket {} to {}: {}",
                first.ticket, first.channel, first.error
            )?;
        }
        Ok(())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
