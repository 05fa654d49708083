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
pub(crate) const FETCH_SOCKETS: u8 = 7;

/// What a request adds to its message: the id its answers will carry, and the
/// `flags.timeout` (ms) servers write into `opts` when the caller set one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Request<'a> {
    pub(crate) id: &'a str,
    pub(crate) timeout_ms: Option<u64>,
}

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
fn opts_json(out: &mut String, target: &Target, timeout_ms: Option<u64>) {
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
    if let Some(ms) = timeout_ms {
        if !target.flags().is_empty() {
            out.push(',');
        }
        let _ = write!(out, "\"timeout\":{ms}");
    }
    out.push_str("}}");
}

/// `,"requestId":"…"` inside a `data` object.
fn request_id_json(out: &mut String, id: &str) {
    out.push_str(",\"requestId\":");
    json::write_str(out, id);
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
    request: Option<Request<'_>>,
) -> Result<(), Fail> {
    let _ = write!(out, "{{\"packet\":{{\"type\":{PACKET_EVENT},\"data\":");
    event_json(out, event, args)?;
    out.push('}');
    // A broadcast with acknowledgements: `requestId` between `packet` and `opts`.
    if let Some(r) = request {
        request_id_json(out, r.id);
    }
    out.push_str(",\"opts\":");
    opts_json(out, target, request.and_then(|r| r.timeout_ms));
    out.push('}');
    Ok(())
}

/// FETCH_SOCKETS data: `{"opts":{…},"requestId":"…"}`.
pub(crate) fn fetch_data_json(out: &mut String, target: &Target, request: Request<'_>) {
    out.push_str("{\"opts\":");
    opts_json(out, target, request.timeout_ms);
    request_id_json(out, request.id);
    out.push('}');
}

/// SOCKETS_JOIN / SOCKETS_LEAVE data: `{"opts":{…},"rooms":[…]}` (given order kept, not
/// deduplicated, as the servers send it).
pub(crate) fn rooms_data_json(out: &mut String, target: &Target, rooms: &[Room]) {
    out.push_str("{\"opts\":");
    opts_json(out, target, None);
    out.push_str(",\"rooms\":");
    json::write_rooms(out, rooms.iter());
    out.push('}');
}

/// DISCONNECT_SOCKETS data: `{"opts":{…},"close":bool}`.
pub(crate) fn disconnect_data_json(out: &mut String, target: &Target, close: bool) {
    out.push_str("{\"opts\":");
    opts_json(out, target, None);
    out.push_str(if close {
        ",\"close\":true}"
    } else {
        ",\"close\":false}"
    });
}

/// SERVER_SIDE_EMIT data: `{"packet":[event,…]}`, or with an acknowledgement
/// `{"requestId":"…","packet":[…]}` (the id first, as servers write it).
pub(crate) fn server_side_emit_data_json(
    out: &mut String,
    event: &str,
    args: &[Value],
    request_id: Option<&str>,
) -> Result<(), Fail> {
    if let Some(id) = request_id {
        out.push_str("{\"requestId\":");
        json::write_str(out, id);
        out.push_str(",\"packet\":");
    } else {
        out.push_str("{\"packet\":");
    }
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

/// BROADCAST's data as msgpack: `{packet:{type:2, data:[…]}, opts:{rooms, except, flags}}`,
/// with `requestId` between them for a broadcast with acknowledgements.
pub(crate) fn broadcast_data_msgpack(
    out: &mut Vec<u8>,
    target: &Target,
    event: &str,
    args: &[Value],
    request: Option<Request<'_>>,
) -> Result<(), Fail> {
    msgpack::write_map_len(out, if request.is_some() { 3 } else { 2 })?;
    msgpack::write_str(out, "packet")?;
    msgpack::write_map_len(out, 2)?;
    msgpack::write_str(out, "type")?;
    msgpack::write_int(out, PACKET_EVENT);
    msgpack::write_str(out, "data")?;
    event_msgpack(out, event, args)?;
    if let Some(r) = request {
        msgpack::write_str(out, "requestId")?;
        msgpack::write_str(out, r.id)?;
    }
    msgpack::write_str(out, "opts")?;
    opts_msgpack(out, target, request.and_then(|r| r.timeout_ms))
}

fn opts_msgpack(out: &mut Vec<u8>, target: &Target, timeout_ms: Option<u64>) -> Result<(), Fail> {
    msgpack::write_map_len(out, 3)?;
    msgpack::write_str(out, "rooms")?;
    msgpack::write_rooms(out, target.rooms().iter())?;
    msgpack::write_str(out, "except")?;
    msgpack::write_rooms(out, target.excepted().iter())?;
    msgpack::write_str(out, "flags")?;
    msgpack::write_map_len(
        out,
        target.flags().len() + usize::from(timeout_ms.is_some()),
    )?;
    for (flag, value) in target.flags() {
        msgpack::write_str(out, flag.name())?;
        out.push(if *value { 0xc3 } else { 0xc2 });
    }
    if let Some(ms) = timeout_ms {
        msgpack::write_str(out, "timeout")?;
        msgpack::write_int(out, i64::try_from(ms).unwrap_or(i64::MAX));
    }
    Ok(())
}

/// FETCH_SOCKETS data as msgpack: `{opts, requestId}`.
pub(crate) fn fetch_data_msgpack(
    out: &mut Vec<u8>,
    target: &Target,
    request: Request<'_>,
) -> Result<(), Fail> {
    msgpack::write_map_len(out, 2)?;
    msgpack::write_str(out, "opts")?;
    opts_msgpack(out, target, request.timeout_ms)?;
    msgpack::write_str(out, "requestId")?;
    msgpack::write_str(out, request.id)
}

/// SERVER_SIDE_EMIT data as msgpack: `{packet:[event, …]}`, or `{requestId, packet}`.
pub(crate) fn server_side_emit_data_msgpack(
    out: &mut Vec<u8>,
    event: &str,
    args: &[Value],
    request_id: Option<&str>,
) -> Result<(), Fail> {
    msgpack::write_map_len(out, if request_id.is_some() { 2 } else { 1 })?;
    if let Some(id) = request_id {
        msgpack::write_str(out, "requestId")?;
        msgpack::write_str(out, id)?;
    }
    msgpack::write_str(out, "packet")?;
    event_msgpack(out, event, args)
}
