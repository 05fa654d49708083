//! The classic Pub/Sub adapter (`@socket.io/redis-adapter` `createAdapter`, and
//! `socket.io-redis` 5.x/6.x): docs/protocol.md §2. Byte-identical to `@socket.io/redis-emitter`
//! 5.1.0, which the golden vectors check.

use super::{Command, EMITTER_UID, Output, check_event, check_server_side_event};
use crate::encode::msgpack::Dates;
use crate::encode::{json, msgpack};
use crate::error::Result;
use crate::target::Target;
use crate::value::{Room, Value};

/// socket.io-parser's EVENT packet type. Always 2 for socket.io ≥ 3: the server's encoder
/// switches to BINARY_EVENT itself when the arguments hold binary.
pub(crate) const PACKET_EVENT: i64 = 2;

/// Request types of the adapter's request channel (6.x–8.x numbering).
const REMOTE_JOIN: u8 = 2;
const REMOTE_LEAVE: u8 = 3;
const REMOTE_DISCONNECT: u8 = 4;
const SERVER_SIDE_EMIT: u8 = 6;

/// `P#N#`, plus `room#` when exactly one room is targeted.
pub fn broadcast_channel(key: &str, target: &Target) -> String {
    let nsp = target.namespace();
    let mut channel = String::with_capacity(key.len() + nsp.len() + 2);
    channel.push_str(key);
    channel.push('#');
    channel.push_str(nsp);
    channel.push('#');
    if target.rooms().len() == 1 {
        let room = target
            .rooms()
            .first()
            .map(Room::to_string)
            .unwrap_or_default();
        channel.push_str(&room);
        channel.push('#');
    }
    channel
}

/// `P-request#N#`.
pub fn request_channel(key: &str, nsp: &str) -> String {
    format!("{key}-request#{nsp}#")
}

/// `emit`: msgpack `[uid, {type, data, nsp}, {rooms, flags, except}]`.
pub fn broadcast(key: &str, target: &Target, event: &str, args: &[Value]) -> Result<Output> {
    check_event(event)?;
    let mut out = Vec::with_capacity(64 + event.len());
    write_broadcast(
        &mut out,
        target,
        event,
        args,
        PACKET_EVENT,
        Dates::Timestamp,
    )
    .map_err(|e| e.into_error("args"))?;
    Ok(Output {
        command: Command::Publish,
        channel: broadcast_channel(key, target),
        payload: out,
    })
}

/// The broadcast message with the packet type and Date form an older stack needs.
pub(crate) fn write_broadcast(
    out: &mut Vec<u8>,
    target: &Target,
    event: &str,
    args: &[Value],
    packet_type: i64,
    dates: Dates,
) -> Result<(), crate::encode::Fail> {
    msgpack::write_array_len(out, 3)?;
    msgpack::write_str(out, EMITTER_UID)?;

    msgpack::write_map_len(out, 3)?;
    msgpack::write_str(out, "type")?;
    msgpack::write_int(out, packet_type);
    msgpack::write_str(out, "data")?;
    msgpack::write_array_len(out, args.len() + 1)?;
    msgpack::write_str(out, event)?;
    for (i, arg) in args.iter().enumerate() {
        // Depth counts from the argument, so the limit in the message is the caller's.
        msgpack::write_value_with(out, arg, 0, dates).map_err(|e| e.at_index(i))?;
    }
    msgpack::write_str(out, "nsp")?;
    msgpack::write_str(out, target.namespace())?;

    // The official emitter's key order: rooms, flags, except.
    msgpack::write_map_len(out, 3)?;
    msgpack::write_str(out, "rooms")?;
    msgpack::write_rooms(out, target.rooms().iter())?;
    msgpack::write_str(out, "flags")?;
    msgpack::write_map_len(out, target.flags().len())?;
    for (flag, value) in target.flags() {
        msgpack::write_str(out, flag.name())?;
        out.push(if *value { 0xc3 } else { 0xc2 });
    }
    msgpack::write_str(out, "except")?;
    msgpack::write_rooms(out, target.excepted().iter())?;
    Ok(())
}

/// `{"type":T,"opts":{"rooms":[…],"except":[…]}` without the closing brace: the shared
/// head of the requests that act on the target's sockets. They carry no `uid`, like the
/// official emitter's (form (a) of docs/protocol.md §2.6).
fn opts_request_head(kind: u8, target: &Target) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(&format!("{{\"type\":{kind},\"opts\":{{\"rooms\":"));
    json::write_rooms(&mut out, target.rooms().iter());
    out.push_str(",\"except\":");
    json::write_rooms(&mut out, target.excepted().iter());
    out.push('}');
    out
}

pub(crate) fn request(key: &str, target: &Target, body: String) -> Output {
    Output {
        command: Command::Publish,
        channel: request_channel(key, target.namespace()),
        payload: body.into_bytes(),
    }
}

fn rooms_request(key: &str, target: &Target, kind: u8, rooms: &[Room]) -> Output {
    let mut body = opts_request_head(kind, target);
    body.push_str(",\"rooms\":");
    json::write_rooms(&mut body, rooms.iter());
    body.push('}');
    request(key, target, body)
}

/// `socketsJoin(rooms)`: matching sockets join `rooms` (given order kept, not deduplicated).
pub fn sockets_join(key: &str, target: &Target, rooms: &[Room]) -> Output {
    rooms_request(key, target, REMOTE_JOIN, rooms)
}

/// `socketsLeave(rooms)`.
pub fn sockets_leave(key: &str, target: &Target, rooms: &[Room]) -> Output {
    rooms_request(key, target, REMOTE_LEAVE, rooms)
}

/// `disconnectSockets(close)`.
pub fn disconnect_sockets(key: &str, target: &Target, close: bool) -> Output {
    let mut body = opts_request_head(REMOTE_DISCONNECT, target);
    body.push_str(if close {
        ",\"close\":true}"
    } else {
        ",\"close\":false}"
    });
    request(key, target, body)
}

/// `serverSideEmit(event, ...args)` without acknowledgement:
/// `{"uid":"emitter","type":6,"data":[event, ...args]}`.
pub fn server_side_emit(key: &str, target: &Target, event: &str, args: &[Value]) -> Result<Output> {
    check_server_side_event(event)?;
    let mut body = format!("{{\"uid\":\"{EMITTER_UID}\",\"type\":{SERVER_SIDE_EMIT},\"data\":[");
    json::write_str(&mut body, event);
    for (i, arg) in args.iter().enumerate() {
        body.push(',');
        json::write_value(&mut body, arg, 0).map_err(|e| e.at_index(i).into_error("args"))?;
    }
    body.push_str("]}");
    Ok(request(key, target, body))
}

#[cfg(test)]
mod limits {
    use super::*;
    use crate::encode::MAX_DEPTH;

    fn nested(levels: usize) -> Value {
        (0..levels).fold(Value::Nil, |v, _| Value::Array(vec![v]))
    }

    #[test]
    fn the_nesting_limit_is_the_one_the_message_names() {
        let t = Target::default();
        broadcast("k", &t, "ev", &[nested(MAX_DEPTH)]).unwrap();
        server_side_emit("k", &t, "ev", &[nested(MAX_DEPTH)]).unwrap();
        let err = broadcast("k", &t, "ev", &[nested(MAX_DEPTH + 1)]).unwrap_err();
        assert!(err.to_string().contains(&MAX_DEPTH.to_string()), "{err}");
        let err = server_side_emit("k", &t, "ev", &[nested(MAX_DEPTH + 1)]).unwrap_err();
        assert_eq!(err.code(), "ENCODE");
    }
}
