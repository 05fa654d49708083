//! What each adapter flavour expects on the wire: channel names and message shapes.
//! Pure functions from an operation to [`Output`]s; the publisher sends them.
//! [`Flavour`] is the one place that picks a flavour; one file per flavour does the rest.

pub mod classic;
pub(crate) mod cluster_message;
pub mod legacy;
pub mod sharded;
pub mod streams;

use std::sync::Arc;

use crate::config::{AdapterKind, Compat, EmitterConfig, SubscriptionMode};
use crate::error::{Error, Result};
use crate::target::Target;
use crate::value::{Room, Value};

/// The uid every official emitter writes. Servers drop messages carrying their own uid;
/// a 7-character value can never equal a server's 6-character one.
pub const EMITTER_UID: &str = "emitter";

/// The Redis command an output needs. PUBLISH and SPUBLISH answer with the number of
/// subscribers that received it, one per Socket.IO server, which is what every emit
/// resolves to; for XADD see [`XAdd::readers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// PUBLISH: the classic adapter's channels (servers PSUBSCRIBE/SUBSCRIBE).
    Publish,
    /// SPUBLISH: sharded Pub/Sub (Redis 7+), which servers on the sharded adapter SSUBSCRIBE
    /// to. A separate delivery path: PUBLISH never reaches them, nor SPUBLISH classic ones.
    SPublish,
    /// XADD to the stream in [`Output::channel`], with [`Output::payload`] as the entry's
    /// `data` field: the streams adapter.
    XAdd(Box<XAdd>),
}

/// The rest of a streams-adapter entry: `XADD <key> MAXLEN ~ <max_len> * uid emitter nsp
/// <nsp> type <kind> data <payload>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XAdd {
    pub max_len: u64,
    pub nsp: String,
    /// The ClusterAdapter message type, written as a decimal string.
    pub kind: u8,
    /// Who reads the entry: what the emit resolves to.
    pub readers: Readers,
}

/// How the servers that read a stream entry are counted. Redis cannot tell who reads a
/// stream, so the count comes from elsewhere, or is said to be unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readers {
    /// 0.3: every server that has the namespace also subscribes to this side channel
    /// (`key#nsp#`), so `PUBSUB NUMSUB` of it counts the servers that read the entry.
    SideChannel(String),
    /// 0.2 servers use no Pub/Sub at all: the emit resolves to 1, the entry stored.
    Unknown,
    /// A stream no server polls (a negative stream index, see
    /// [`Streams::stream_key`](streams::Streams::stream_key)): the emit resolves to 0.
    /// Connection-state recovery still replays the entry from there.
    Nobody,
}

impl Command {
    /// The Redis command name.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Publish => "PUBLISH",
            Command::SPublish => "SPUBLISH",
            Command::XAdd(_) => "XADD",
        }
    }
}

/// The adapter flavour the servers run, chosen once from the configuration. The emitter
/// asks it for every output and never asks which flavour it is; a new flavour is a new
/// variant here and a new file beside `classic.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Flavour {
    /// docs/protocol.md §2, byte-identical to `@socket.io/redis-emitter` 5.1.0.
    #[default]
    Classic,
    /// docs/protocol.md §5: the classic adapter's older server stacks.
    Legacy(Compat),
    /// docs/protocol.md §3, in the servers' subscription mode.
    Sharded(SubscriptionMode),
    /// docs/protocol.md §4, with the servers' stream options.
    Streams(Arc<streams::Streams>),
}

impl Flavour {
    pub fn from_config(config: &EmitterConfig) -> Flavour {
        match config.adapter {
            AdapterKind::Classic if config.compat != Compat::RedisAdapter8 => {
                Flavour::Legacy(config.compat)
            }
            AdapterKind::Sharded => Flavour::Sharded(config.subscription_mode),
            // Connecting resolves `auto` before this; an offline emitter cannot detect, so
            // it encodes for the default adapter.
            AdapterKind::Classic | AdapterKind::Auto => Flavour::Classic,
            AdapterKind::Streams => Flavour::Streams(Arc::new(streams::Streams {
                stream_name: config.stream_name.clone(),
                stream_count: config.stream_count,
                max_len: config.max_len,
                version: config.streams_version,
            })),
        }
    }

    /// The `adapter` option this flavour answers to.
    pub fn adapter(&self) -> AdapterKind {
        match self {
            Flavour::Classic | Flavour::Legacy(_) => AdapterKind::Classic,
            Flavour::Sharded(_) => AdapterKind::Sharded,
            Flavour::Streams(_) => AdapterKind::Streams,
        }
    }

    /// `emit(event, ...args)` to `target`.
    pub fn broadcast(
        &self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        match self {
            Flavour::Classic => classic::broadcast(key, target, event, args),
            Flavour::Legacy(compat) => legacy::broadcast(key, *compat, target, event, args),
            Flavour::Sharded(mode) => sharded::broadcast(key, *mode, target, event, args),
            Flavour::Streams(s) => s.broadcast(key, target, event, args),
        }
    }

    /// `serverSideEmit(event, ...args)` without acknowledgement.
    pub fn server_side_emit(
        &self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        match self {
            Flavour::Classic => classic::server_side_emit(key, target, event, args),
            Flavour::Legacy(compat) => legacy::server_side_emit(key, *compat, target, event, args),
            Flavour::Sharded(_) => sharded::server_side_emit(key, target, event, args),
            Flavour::Streams(s) => s.server_side_emit(key, target, event, args),
        }
    }

    /// `socketsJoin(rooms)` for the sockets of `target`. `UNSUPPORTED` on a stack that
    /// cannot do it for this target.
    pub fn sockets_join(&self, key: &str, target: &Target, rooms: &[Room]) -> Result<Output> {
        match self {
            Flavour::Classic => Ok(classic::sockets_join(key, target, rooms)),
            Flavour::Legacy(compat) => legacy::sockets_join(key, *compat, target, rooms),
            Flavour::Sharded(_) => Ok(sharded::sockets_join(key, target, rooms)),
            Flavour::Streams(s) => Ok(s.sockets_join(key, target, rooms)),
        }
    }

    /// `socketsLeave(rooms)` for the sockets of `target`.
    pub fn sockets_leave(&self, key: &str, target: &Target, rooms: &[Room]) -> Result<Output> {
        match self {
            Flavour::Classic => Ok(classic::sockets_leave(key, target, rooms)),
            Flavour::Legacy(compat) => legacy::sockets_leave(key, *compat, target, rooms),
            Flavour::Sharded(_) => Ok(sharded::sockets_leave(key, target, rooms)),
            Flavour::Streams(s) => Ok(s.sockets_leave(key, target, rooms)),
        }
    }

    /// `disconnectSockets(close)` for the sockets of `target`.
    pub fn disconnect_sockets(&self, key: &str, target: &Target, close: bool) -> Result<Output> {
        match self {
            Flavour::Classic => Ok(classic::disconnect_sockets(key, target, close)),
            Flavour::Legacy(compat) => legacy::disconnect_sockets(key, *compat, target, close),
            Flavour::Sharded(_) => Ok(sharded::disconnect_sockets(key, target, close)),
            Flavour::Streams(s) => Ok(s.disconnect_sockets(key, target, close)),
        }
    }
}

/// What one sent operation did: what it resolves to, and for the streams adapter the ID
/// Redis gave the entry (the offset that connection-state recovery hands to clients).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The number every emit resolves to: servers that received it (see [`XAdd::readers`]
    /// for the streams adapter).
    pub servers: u64,
    /// The stream entry's ID (`"1795338778155-0"`); `None` for Pub/Sub.
    pub entry_id: Option<String>,
}

/// One message to send: a command, its channel (or stream key) and the encoded payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub command: Command,
    pub channel: String,
    pub payload: Vec<u8>,
}

impl Output {
    /// The whole Redis command, for callers that send outputs through a client of their
    /// own: `[PUBLISH, channel, payload]`, or the full XADD of a streams entry.
    pub fn args(&self) -> Vec<Vec<u8>> {
        let mut args = Vec::with_capacity(14);
        self.each_arg(|arg| args.push(arg.to_vec()));
        args
    }

    /// Hands each argument of the whole command to `push`, in order, without copying the
    /// payload (the publisher writes them straight into its command).
    pub(crate) fn each_arg(&self, mut push: impl FnMut(&[u8])) {
        push(self.command.name().as_bytes());
        push(self.channel.as_bytes());
        if let Command::XAdd(entry) = &self.command {
            let max_len = entry.max_len.to_string();
            let kind = entry.kind.to_string();
            for part in [
                "MAXLEN",
                "~",
                &max_len,
                "*",
                "uid",
                EMITTER_UID,
                "nsp",
                &entry.nsp,
                "type",
                &kind,
                "data",
            ] {
                push(part.as_bytes());
            }
        }
        push(&self.payload);
    }
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
