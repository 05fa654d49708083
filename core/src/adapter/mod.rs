//! What each adapter flavour expects on the wire: channel names and message shapes.
//! Pure functions from an operation to [`Output`]s; the publisher sends them.
//! [`Flavour`] is the one place that picks a flavour; one file per flavour does the rest.

pub mod classic;
pub mod sharded;

use crate::config::{AdapterKind, EmitterConfig, SubscriptionMode};
use crate::error::{Error, Result};
use crate::target::Target;
use crate::value::{Room, Value};

/// The uid every official emitter writes. Servers drop messages carrying their own uid;
/// a 7-character value can never equal a server's 6-character one.
pub const EMITTER_UID: &str = "emitter";

/// The Redis command an output needs. Each answers with the number of subscribers that
/// received it, one per Socket.IO server, which is what every emit resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// PUBLISH: the classic adapter's channels (servers PSUBSCRIBE/SUBSCRIBE).
    Publish,
    /// SPUBLISH: sharded Pub/Sub (Redis 7+), which servers on the sharded adapter SSUBSCRIBE
    /// to. A separate delivery path: PUBLISH never reaches them, nor SPUBLISH classic ones.
    SPublish,
}

impl Command {
    /// The Redis command name.
    pub fn name(self) -> &'static str {
        match self {
            Command::Publish => "PUBLISH",
            Command::SPublish => "SPUBLISH",
        }
    }
}

/// The adapter flavour the servers run, chosen once from the configuration. The emitter
/// asks it for every output and never asks which flavour it is; a new flavour is a new
/// variant here and a new file beside `classic.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// Protocol §2, byte-identical to `@socket.io/redis-emitter` 5.1.0.
    #[default]
    Classic,
    /// Protocol §3, in the servers' subscription mode.
    Sharded(SubscriptionMode),
}

impl Flavour {
    pub fn from_config(config: &EmitterConfig) -> Flavour {
        match config.adapter {
            AdapterKind::Classic => Flavour::Classic,
            AdapterKind::Sharded => Flavour::Sharded(config.subscription_mode),
        }
    }

    /// `emit(event, ...args)` to `target`.
    pub fn broadcast(
        self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        match self {
            Flavour::Classic => classic::broadcast(key, target, event, args),
            Flavour::Sharded(mode) => sharded::broadcast(key, mode, target, event, args),
        }
    }

    /// `serverSideEmit(event, ...args)` without acknowledgement.
    pub fn server_side_emit(
        self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        match self {
            Flavour::Classic => classic::server_side_emit(key, target, event, args),
            Flavour::Sharded(_) => sharded::server_side_emit(key, target, event, args),
        }
    }

    /// `socketsJoin(rooms)` for the sockets of `target`.
    pub fn sockets_join(self, key: &str, target: &Target, rooms: &[Room]) -> Output {
        match self {
            Flavour::Classic => classic::sockets_join(key, target, rooms),
            Flavour::Sharded(_) => sharded::sockets_join(key, target, rooms),
        }
    }

    /// `socketsLeave(rooms)` for the sockets of `target`.
    pub fn sockets_leave(self, key: &str, target: &Target, rooms: &[Room]) -> Output {
        match self {
            Flavour::Classic => classic::sockets_leave(key, target, rooms),
            Flavour::Sharded(_) => sharded::sockets_leave(key, target, rooms),
        }
    }

    /// `disconnectSockets(close)` for the sockets of `target`.
    pub fn disconnect_sockets(self, key: &str, target: &Target, close: bool) -> Output {
        match self {
            Flavour::Classic => classic::disconnect_sockets(key, target, close),
            Flavour::Sharded(_) => sharded::disconnect_sockets(key, target, close),
        }
    }
}

/// One message to send: a command, its channel and the encoded payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub command: Command,
    pub channel: String,
    pub payload: Vec<u8>,
}

/// Names `emit` refuses, with the official emitter's message (the same list as socket.io
/// 4.8's BroadcastOperator).
pub const RESERVED_EVENTS: &[&str] = &[
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Names `server_side_emit` refuses. The official emitter checks nothing, but a server
/// handed `connection` runs its connection handler with a non-socket, and `error` with no
/// listener throws inside the adapter: both crash the receiving server.
pub const RESERVED_SERVER_SIDE_EVENTS: &[&str] = &[
    "connect",
    "connection",
    "new_namespace",
    "error",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// What sending (not encoding) also refuses: an empty event name. The official emitter
/// publishes it (golden vector `event_name_empty`, which `encode_*` still reproduces), but no
/// client code listens for `""`: it is a caller's bug, so every language refuses to send it.
pub fn check_sent_event(event: &str) -> Result<()> {
    if event.is_empty() {
        return Err(Error::InvalidArgument(
            "the event name must not be empty".to_owned(),
        ));
    }
    Ok(())
}

pub(crate) fn check_event(event: &str) -> Result<()> {
    if RESERVED_EVENTS.contains(&event) {
        return Err(Error::ReservedEvent(event.to_owned()));
    }
    Ok(())
}

pub(crate) fn check_server_side_event(event: &str) -> Result<()> {
    if RESERVED_SERVER_SIDE_EVENTS.contains(&event) {
        return Err(Error::ReservedEvent(event.to_owned()));
    }
    Ok(())
}
