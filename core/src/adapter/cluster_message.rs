//! socket.io-adapter's `ClusterAdapter` message, `{type, data, uid, nsp}`: the format the
//! sharded adapter publishes whole and the streams adapter stores field by field (its
//! `data` as one entry field). Servers write `data` as `JSON.stringify` output, or as
//! msgpack when it holds binary; these writers reproduce both, key order included.

use std::fmt::Write;

use super::EMITTER_UID;
use crate::encode::{Fail, json, msgpack};
use crate::target::Target;
use crate::value::{Room, Value};

/// socket.io-parser's EVENT packet type (never 5 for socket.io ≥ 3: see the classic adapter).
pub(crate) const PACKET_EVENT: i64 = 2;

/// ClusterAdapter `MessageType` codes (socket.io-adapter 2.5.x).
pub(crate) const BROADCAST: u8 = 3;
pub(crate) const SOCKETS_JOIN: u8 = 4;
pub(crate) const SOCKETS_LEAVE: u8 = 5;
pub(crate) const DISCONNECT_SOCKETS: u8 = 6;
pub(crate) const SERVER_SIDE_EMIT: u8 = 9;

// --- JSON (what `JSON.stringify` gives for the servers' objects) ------------------------------

/// `{"type":T,"data":` — `data` follows.
pub(crate) fn head_json(kind: u8) -> String {
    let mut out = String::with_capacity(128);
    let _ = write!(out, "{{\"type\":{kind},\"data\":");
    out
}

/// `,"uid":"emitter","nsp":N}` after `data`.
pub(crate) fn tail_json(out: &mut String, nsp: &str) {
    out.push_str(",\"uid\":");
    json::write_str(out, EMITTER_UID);
    out.push_str(",\"nsp\":");
    json::write_str(out, nsp);
    out.push('}');
}

/// `{"rooms":[…],"except":[…],"flags":{…}}`. Servers send the flags for every operation
/// that has opts, not only broadcasts (`io.volatile.socketsJoin(…)` carries `volatile`).
fn opts_json(out: &mut String, target: &Target) {
    out.push_str("{\"rooms\":");
    json::write_rooms(out, target.rooms().iter());
    out.push_str(",\"except\":");
    json::write_rooms(out, target.excepted().iter());
    out.push_str(",\"flags\":{");
    for (i, (flag, value)) in target.flags().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_str(out, flag.name());
        out.push_str(if *value { ":true" } else { ":false" });
    }
    out.push_str("}}");
}

/// `[event, ...args]`; a failing argument is reported at its index.
fn event_json(out: &mut String, event: &str, args: &[Value]) -> Result<(), Fail> {
    out.push('[');
    json::write_str(out, event);
    for (i, arg) in args.iter().enumerate() {
        out.push(',');
        // Depth counts from the argument, as in the classic adapter.
        json::write_value(out, arg, 0).map_err(|e| e.at_index(i))?;
    }
    out.push(']');
    Ok(())
}

/// BROADCAST's data: `{"packet":{"type":2,"data":[event,…]},"opts":{…}}`. The packet
/// carries no `nsp`: receivers set their own.
pub(crate) fn broadcast_data_json(
    out: &mut String,
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<(), Fail> {
    let _ = write!(out, "{{\"packet\":{{\"type\":{PACKET_EVENT},\"data\":");
    event_json(out, event, args)?;
    out.push_str("},\"opts\":");
    opts_json(out, target);
    out.push('}');
    Ok(())
}

/// SOCKETS_JOIN / SOCKETS_LEAVE data: `{"opts":{…},"rooms":[…]}` (given order kept, not
/// deduplicated, as the servers send it).
pub(crate) fn rooms_data_json(out: &mut String, target: &Target, rooms: &[Room]) {
    out.push_str("{\"opts\":");
    opts_json(out, target);
    out.push_str(",\"rooms\":");
    json::write_rooms(out, rooms.iter());
    out.push('}');
}

/// DISCONNECT_SOCKETS data: `{"opts":{…},"close":bool}`.
pub(crate) fn disconnect_data_json(out: &mut String, target: &Target, close: bool) {
    out.push_str("{\"opts\":");
    opts_json(out, target);
    out.push_str(if close {
        ",\"close\":true}"
    } else {
        ",\"close\":false}"
    });
}

/// SERVER_SIDE_EMIT data without ack: `{"packet":[event,…]}`.
pub(crate) fn server_side_emit_data_json(
    out: &mut String,
    event: &str,
    args: &[Value],
) -> Result<(), Fail> {
    out.push_str("{\"packet\":");
    event_json(out, event, args)?;
    out.push('}');
    Ok(())
}

// --- msgpack (the same objects, for data that holds binary) -----------------------------------

/// `{type:T, data:` as a 4-key map — `data` follows.
pub(crate) fn head_msgpack(out: &mut Vec<u8>, kind: u8) -> Result<(), Fail> {
    msgpack::write_map_len(out, 4)?;
    msgpack::write_str(out, "type")?;
    msgpack::write_int(out, i64::from(kind));
    msgpack::write_str(out, "data")
}

/// `uid` and `nsp` after `data`.
pub(crate) fn tail_msgpack(out: &mut Vec<u8>, nsp: &str) -> Result<(), Fail> {
    msgpack::write_str(out, "uid")?;
    msgpack::write_str(out, EMITTER_UID)?;
    msgpack::write_str(out, "nsp")?;
    msgpack::write_str(out, nsp)
}

fn event_msgpack(out: &mut Vec<u8>, event: &str, args: &[Value]) -> Result<(), Fail> {
    msgpack::write_array_len(out, args.len() + 1)?;
    msgpack::write_str(out, event)?;
    for (i, arg) in args.iter().enumerate() {
        msgpack::write_value(out, arg, 0).map_err(|e| e.at_index(i))?;
    }
    Ok(())
}

/// BROADCAST's data as msgpack: `{packet:{type:2, data:[…]}, opts:{rooms, except, flags}}`.
pub(crate) fn broadcast_data_msgpack(
    out: &mut Vec<u8>,
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<(), Fail> {
    msgpack::write_map_len(out, 2)?;
    msgpack::write_str(out, "packet")?;
    msgpack::write_map_len(out, 2)?;
    msgpack::write_str(out, "type")?;
    msgpack::write_int(out, PACKET_EVENT);
    msgpack::write_str(out, "data")?;
    event_msgpack(out, event, args)?;
    msgpack::write_str(out, "opts")?;
    msgpack::write_map_len(out, 3)?;
    msgpack::write_str(out, "rooms")?;
    msgpack::write_rooms(out, target.rooms().iter())?;
    msgpack::write_str(out, "except")?;
    msgpack::write_rooms(out, target.excepted().iter())?;
    msgpack::write_str(out, "flags")?;
    msgpack::write_map_len(out, target.flags().len())?;
    for (flag, value) in target.flags() {
        msgpack::write_str(out, flag.name())?;
        out.push(if *value { 0xc3 } else { 0xc2 });
    }
    Ok(())
}

/// SERVER_SIDE_EMIT data as msgpack: `{packet:[event, …]}`.
pub(crate) fn server_side_emit_data_msgpack(
    out: &mut Vec<u8>,
    event: &str,
    args: &[Value],
) -> Result<(), Fail> {
    msgpack::write_map_len(out, 1)?;
    msgpack::write_str(out, "packet")?;
    event_msgpack(out, event, args)
}
