//! What each adapter flavour expects on the wire: channel names and message shapes.
//! Pure functions from an operation to [`Output`]s; the publisher sends them.

pub mod classic;
pub mod sharded;

use crate::error::{Error, Result};

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
