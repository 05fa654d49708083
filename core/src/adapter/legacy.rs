//! The classic adapter's older server stacks (docs/protocol.md §5): `@socket.io/redis-adapter` 7.x
//! and `socket.io-redis` 6.1, 6.0 and 5.x. Channels and the broadcast message are the
//! classic ones; what changes is what each stack can decode and which requests it knows.
//! An operation a stack cannot honour is refused with `UNSUPPORTED` before anything is
//! published, so that no call reports servers for an event that goes nowhere.

use super::classic::{self, PACKET_EVENT};
use super::{Command, Output, check_event};
use crate::config::Compat;
use crate::encode::holds_binary;
use crate::encode::json;
use crate::encode::msgpack::Dates;
use crate::error::Result;
use crate::target::Target;
use crate::value::{Room, Value};

/// socket.io-parser 3.x's BINARY_EVENT: socket.io 2.1+ only looks for binary in packets
/// of this type, and sends a Buffer inside a type-2 packet as JSON.
const PACKET_BINARY_EVENT: i64 = 5;

/// `emit` for `compat`: the classic message, with the Date form the stack decodes, packet
/// type 5 for binary on socket.io 2.x, and no exclusion where the servers read `except`
/// as socket ids only.
pub fn broadcast(
    key: &str,
    compat: Compat,
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<Output> {
    check_event(event)?;
    if !target.excepted().is_empty()
        && matches!(compat, Compat::SocketIoRedis5 | Compat::SocketIoRedis60)
    {
        return Err(compat.unsupported(
            "except",
            "its servers read `except` as a list of socket ids, so excluding a room would \
             exclude nobody",
        ));
    }
    let packet_type = if compat == Compat::SocketIoRedis5 && holds_binary(args) {
        PACKET_BINARY_EVENT
    } else {
        PACKET_EVENT
    };
    let dates = if compat.notepack2_dates() {
        Dates::Notepack2
    } else {
        Dates::Timestamp
    };
    let mut out = Vec::with_capacity(64 + event.len());
    classic::write_broadcast(&mut out, target, event, args, packet_type, dates)
        .map_err(|e| e.into_error("args"))?;
    Ok(Output {
        command: Command::Publish,
        channel: broadcast_channel(key, compat, target),
        payload: out,
    })
}

/// socket.io-redis 6.x checks a room channel with `rooms.has(name)`, where the channel
/// gives a string and a numeric room is a number: a numeric room's channel is dropped.
/// Its main channel still filters by `opts.rooms`, so that is where those go.
fn broadcast_channel(key: &str, compat: Compat, target: &Target) -> String {
    let numeric_room = matches!(target.rooms().first(), Some(Room::Number(_)));
    if numeric_room
        && target.rooms().len() == 1
        && matches!(compat, Compat::SocketIoRedis60 | Compat::SocketIoRedis61)
    {
        return format!("{key}#{}#", target.namespace());
    }
    classic::broadcast_channel(key, target)
}

/// `serverSideEmit`: `@socket.io/redis-adapter` 7.0 introduced it.
pub fn server_side_emit(
    key: &str,
    compat: Compat,
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<Output> {
    match compat {
        Compat::RedisAdapter8 | Compat::RedisAdapter7 => {
            classic::server_side_emit(key, target, event, args)
        }
        _ => Err(compat.unsupported(
            "serverSideEmit",
            "it arrived with @socket.io/redis-adapter 7.0; these servers ignore the request",
        )),
    }
}

/// The sid-addressed request codes of the stacks that have no target form.
struct SidRequests {
    join: u8,
    leave: u8,
    disconnect: u8,
}

/// socket.io-redis 5.x: `remoteJoin` 3, `remoteLeave` 4, `remoteDisconnect` 6.
const V5: SidRequests = SidRequests {
    join: 3,
    leave: 4,
    disconnect: 6,
};
/// socket.io-redis 6.0: `REMOTE_JOIN` 2, `REMOTE_LEAVE` 3, `REMOTE_DISCONNECT` 4.
const V60: SidRequests = SidRequests {
    join: 2,
    leave: 3,
    disconnect: 4,
};

fn sid_requests(compat: Compat) -> Option<SidRequests> {
    match compat {
        Compat::SocketIoRedis5 => Some(V5),
        Compat::SocketIoRedis60 => Some(V60),
        _ => None,
    }
}

/// The socket id these stacks need: the target must be exactly one room that is a socket
/// id of this stack (each socket's private room is its id), and nothing excluded. Anything
/// else would be read as an id nobody has, and do nothing.
fn one_socket<'t>(compat: Compat, operation: &str, target: &'t Target) -> Result<&'t str> {
    let rooms = target.rooms();
    match (rooms.len(), rooms.first(), target.excepted().len()) {
        (1, Some(Room::Name(sid)), 0) if is_socket_id(compat, target.namespace(), sid) => Ok(sid),
        _ => Err(compat.unsupported(
            operation,
            "these servers act on one socket at a time, named by its id: target exactly one \
             socket id with to(), and nothing else",
        )),
    }
}

/// socket.io 3.x ids are engine.io's base64id, 20 characters of `[A-Za-z0-9_-]`; socket.io
/// 2.x prefixes them with `<nsp>#` outside the main namespace.
fn is_socket_id(compat: Compat, nsp: &str, room: &str) -> bool {
    let id = match compat {
        Compat::SocketIoRedis5 if nsp != "/" => {
            match room.strip_prefix(nsp).and_then(|r| r.strip_prefix('#')) {
                Some(id) => id,
                None => return false,
            }
        }
        _ => room,
    };
    id.len() == 20
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `{"type":T,"sid":S,` — the shared head of the sid requests (no request id: nobody
/// waits for the reply, and the servers' own replies without one are ignored by all).
fn sid_head(kind: u8, sid: &str) -> String {
    let mut body = format!("{{\"type\":{kind},\"sid\":");
    json::write_str(&mut body, sid);
    body
}

fn room_request(
    key: &str,
    compat: Compat,
    target: &Target,
    rooms: &[Room],
    operation: &str,
    join: bool,
) -> Result<Output> {
    let Some(codes) = sid_requests(compat) else {
        return Ok(if join {
            classic::sockets_join(key, target, rooms)
        } else {
            classic::sockets_leave(key, target, rooms)
        });
    };
    let sid = one_socket(compat, operation, target)?;
    let [room] = rooms else {
        return Err(compat.unsupported(
            operation,
            "these servers move a socket into or out of one room per request: call it once \
             per room",
        ));
    };
    let mut body = sid_head(if join { codes.join } else { codes.leave }, sid);
    body.push_str(",\"room\":");
    // The servers call socket.join(room) with the value as sent, so a number stays a number.
    json::write_room(&mut body, room);
    body.push('}');
    Ok(classic::request(key, target, body))
}

/// `socketsJoin(rooms)`.
pub fn sockets_join(key: &str, compat: Compat, target: &Target, rooms: &[Room]) -> Result<Output> {
    room_request(key, compat, target, rooms, "socketsJoin", true)
}

/// `socketsLeave(rooms)`.
pub fn sockets_leave(key: &str, compat: Compat, target: &Target, rooms: &[Room]) -> Result<Output> {
    room_request(key, compat, target, rooms, "socketsLeave", false)
}

/// `disconnectSockets(close)`.
pub fn disconnect_sockets(
    key: &str,
    compat: Compat,
    target: &Target,
    close: bool,
) -> Result<Output> {
    let Some(codes) = sid_requests(compat) else {
        return Ok(classic::disconnect_sockets(key, target, close));
    };
    let sid = one_socket(compat, "disconnectSockets", target)?;
    let mut body = sid_head(codes.disconnect, sid);
    body.push_str(if close {
        ",\"close\":true}"
    } else {
        ",\"close\":false}"
    });
    Ok(classic::request(key, target, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(o: &Output) -> &str {
        std::str::from_utf8(&o.payload).unwrap()
    }

    const SID: &str = "wmiMfSUnzNGSUNeWAAAA";

    #[test]
    fn sid_requests_use_each_stacks_numbering() {
        let t = Target::default().to([SID.into()]);
        let o = sockets_join("k", Compat::SocketIoRedis5, &t, &["r".into()]).unwrap();
        assert_eq!(
            text(&o),
            format!(r#"{{"type":3,"sid":"{SID}","room":"r"}}"#)
        );
        assert_eq!(o.channel, "k-request#/#");
        let o = sockets_leave("k", Compat::SocketIoRedis60, &t, &[7.into()]).unwrap();
        assert_eq!(text(&o), format!(r#"{{"type":3,"sid":"{SID}","room":7}}"#));
        let o = disconnect_sockets("k", Compat::SocketIoRedis5, &t, true).unwrap();
        assert_eq!(
            text(&o),
            format!(r#"{{"type":6,"sid":"{SID}","close":true}}"#)
        );
    }

    #[test]
    fn only_a_socket_id_of_the_stack_is_accepted() {
        let admin = |room: &str| Target::new("/admin").to([room.into()]);
        let v2_id = format!("/admin#{SID}");
        sockets_join("k", Compat::SocketIoRedis5, &admin(&v2_id), &["r".into()]).unwrap();
        for (compat, room) in [
            (Compat::SocketIoRedis5, SID),
            (Compat::SocketIoRedis60, v2_id.as_str()),
            (Compat::SocketIoRedis60, "room1"),
            (Compat::SocketIoRedis5, "/admin#short"),
        ] {
            let err = sockets_join("k", compat, &admin(room), &["r".into()]).unwrap_err();
            assert_eq!(err.code(), "UNSUPPORTED", "{compat} {room}");
        }
    }

    #[test]
    fn what_a_stack_cannot_honour_is_refused_with_its_name() {
        let all = Target::default();
        let err = sockets_join("k", Compat::SocketIoRedis60, &all, &["r".into()]).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED");
        assert!(err.to_string().contains("socket.io-redis 6.0"), "{err}");
        let except = Target::default().except(["r".into()]);
        let err = broadcast("k", Compat::SocketIoRedis5, &except, "ev", &[]).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED");
        broadcast("k", Compat::SocketIoRedis61, &except, "ev", &[]).unwrap();
        let err = server_side_emit("k", Compat::SocketIoRedis61, &all, "ev", &[]).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED");
        server_side_emit("k", Compat::RedisAdapter7, &all, "ev", &[]).unwrap();
    }

    #[test]
    fn binary_is_packet_type_5_only_for_socket_io_2() {
        let t = Target::default();
        let args = [Value::bytes([1u8])];
        let v5 = broadcast("k", Compat::SocketIoRedis5, &t, "ev", &args).unwrap();
        let v61 = broadcast("k", Compat::SocketIoRedis61, &t, "ev", &args).unwrap();
        // [uid, {type, ...}]: 93 a7 "emitter" 83 a4 "type" <type>
        assert_eq!(v5.payload[15], 5);
        assert_eq!(v61.payload[15], 2);
    }

    #[test]
    fn a_numeric_room_goes_to_the_main_channel_on_6_x() {
        let t = Target::default().to([7.into()]);
        let o = broadcast("k", Compat::SocketIoRedis61, &t, "ev", &[]).unwrap();
        assert_eq!(o.channel, "k#/#");
        let o = broadcast("k", Compat::RedisAdapter7, &t, "ev", &[]).unwrap();
        assert_eq!(o.channel, "k#/#7#");
    }
}
