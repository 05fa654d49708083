//! The sharded Pub/Sub adapter (`createShardedAdapter`, `@socket.io/redis-adapter` 8.2+ on
//! Redis 7+): docs/protocol.md §3. No official emitter speaks it, so the reference is what a real
//! 8.3.0 server publishes with its uid set to `"emitter"`; the golden vectors in
//! `tests/vectors/vectors_sharded.json` were captured that way.
//!
//! Every message is one ClusterAdapter object `{type, data, uid, nsp}` sent with SPUBLISH.
//! Servers write it as JSON unless `data` holds binary, then as notepack msgpack of the
//! whole object; we do the same, so that the bytes match and JSON stays the readable
//! common case.

use std::fmt::Write;

use super::cluster_message::*;
use super::{Command, Output, check_event, check_server_side_event};
use crate::config::SubscriptionMode;
use crate::encode::{Fail, holds_binary};
use crate::error::Result;
use crate::target::Target;
use crate::value::{Room, Value};

/// `P#N#`: the channel every server subscribes to, in every mode.
pub fn main_channel(key: &str, nsp: &str) -> String {
    let mut channel = String::with_capacity(key.len() + nsp.len() + 2);
    channel.push_str(key);
    channel.push('#');
    channel.push_str(nsp);
    channel.push('#');
    channel
}

/// socket.io's `looksLikeASocketId`: a string of length 20. JavaScript lengths count UTF-16
/// code units, so ten emoji (40 UTF-8 bytes) look like a socket id and so do twenty `é`.
fn looks_like_socket_id(room: &Room) -> bool {
    matches!(room, Room::Name(s) if s.encode_utf16().count() == 20)
}

/// Where a broadcast without ack goes, as the servers' `computeChannel` decides: the room
/// channel `P#N#room#` only for exactly one room, and only in a mode where servers
/// subscribe to that room's channel (`dynamic` skips rooms that look like socket ids,
/// because servers do not subscribe to their sockets' private rooms there). Everything else
/// goes to `P#N#`, which every server hears.
pub fn broadcast_channel(key: &str, mode: SubscriptionMode, target: &Target) -> String {
    let mut channel = main_channel(key, target.namespace());
    if let (1, Some(room)) = (target.rooms().len(), target.rooms().first()) {
        let room_channel = match mode {
            SubscriptionMode::Static => false,
            SubscriptionMode::Dynamic => !looks_like_socket_id(room),
            SubscriptionMode::DynamicPrivate => true,
        };
        if room_channel {
            let _ = write!(channel, "{room}#");
        }
    }
    channel
}

fn output(channel: String, payload: Vec<u8>) -> Output {
    Output {
        command: Command::SPublish,
        channel,
        payload,
    }
}

/// `emit`: BROADCAST `{type:3, data:{packet:{type:2, data:[event, ...args]}, opts}, uid, nsp}`.
/// The packet carries no `nsp`: receivers set their own.
pub fn broadcast(
    key: &str,
    mode: SubscriptionMode,
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<Output> {
    check_event(event)?;
    let payload = if holds_binary(args) {
        broadcast_msgpack(target, event, args)
    } else {
        broadcast_json(target, event, args)
    }
    .map_err(|e| e.into_error("args"))?;
    Ok(output(broadcast_channel(key, mode, target), payload))
}

/// `serverSideEmit` without ack: SERVER_SIDE_EMIT `{type:9, data:{packet:[event, ...args]}}`,
/// always on the main channel.
pub fn server_side_emit(key: &str, target: &Target, event: &str, args: &[Value]) -> Result<Output> {
    check_server_side_event(event)?;
    let payload = if holds_binary(args) {
        server_side_emit_msgpack(target, event, args)
    } else {
        server_side_emit_json(target, event, args)
    }
    .map_err(|e| e.into_error("args"))?;
    Ok(output(main_channel(key, target.namespace()), payload))
}

/// `socketsJoin(rooms)`: SOCKETS_JOIN `{opts, rooms}` on the main channel (given order kept,
/// not deduplicated, as the servers send it).
pub fn sockets_join(key: &str, target: &Target, rooms: &[Room]) -> Output {
    rooms_request(key, target, SOCKETS_JOIN, rooms)
}

/// `socketsLeave(rooms)`: SOCKETS_LEAVE, shaped like SOCKETS_JOIN.
pub fn sockets_leave(key: &str, target: &Target, rooms: &[Room]) -> Output {
    rooms_request(key, target, SOCKETS_LEAVE, rooms)
}

/// `disconnectSockets(close)`: DISCONNECT_SOCKETS `{opts, close}` on the main channel.
pub fn disconnect_sockets(key: &str, target: &Target, close: bool) -> Output {
    let mut out = head_json(DISCONNECT_SOCKETS);
    disconnect_data_json(&mut out, target, close);
    tail_json(&mut out, target.namespace());
    output(main_channel(key, target.namespace()), out.into_bytes())
}

fn rooms_request(key: &str, target: &Target, kind: u8, rooms: &[Room]) -> Output {
    let mut out = head_json(kind);
    rooms_data_json(&mut out, target, rooms);
    tail_json(&mut out, target.namespace());
    output(main_channel(key, target.namespace()), out.into_bytes())
}

fn broadcast_json(target: &Target, event: &str, args: &[Value]) -> Result<Vec<u8>, Fail> {
    let mut out = head_json(BROADCAST);
    broadcast_data_json(&mut out, target, event, args, None)?;
    tail_json(&mut out, target.namespace());
    Ok(out.into_bytes())
}

fn server_side_emit_json(target: &Target, event: &str, args: &[Value]) -> Result<Vec<u8>, Fail> {
    let mut out = head_json(SERVER_SIDE_EMIT);
    server_side_emit_data_json(&mut out, event, args, None)?;
    tail_json(&mut out, target.namespace());
    Ok(out.into_bytes())
}

fn broadcast_msgpack(target: &Target, event: &str, args: &[Value]) -> Result<Vec<u8>, Fail> {
    let mut out = Vec::with_capacity(128 + event.len());
    head_msgpack(&mut out, BROADCAST)?;
    broadcast_data_msgpack(&mut out, target, event, args, None)?;
    tail_msgpack(&mut out, target.namespace())?;
    Ok(out)
}

/// The whole SERVER_SIDE_EMIT message as msgpack (also what the streams adapter 0.3 sends
/// on its Pub/Sub side channel).
pub(crate) fn server_side_emit_msgpack(
    target: &Target,
    event: &str,
    args: &[Value],
) -> Result<Vec<u8>, Fail> {
    let mut out = Vec::with_capacity(64 + event.len());
    head_msgpack(&mut out, SERVER_SIDE_EMIT)?;
    server_side_emit_data_msgpack(&mut out, event, args, None)?;
    tail_msgpack(&mut out, target.namespace())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::MAX_DEPTH;

    fn room_target(room: impl Into<Room>) -> Target {
        Target::new("/").to([room.into()])
    }

    #[test]
    fn one_room_uses_its_channel_only_where_the_mode_subscribes_to_it() {
        use SubscriptionMode::*;
        let cases: &[(Target, [&str; 3])] = &[
            (Target::new("/"), ["k#/#", "k#/#", "k#/#"]),
            (room_target("r"), ["k#/#", "k#/#r#", "k#/#r#"]),
            (room_target(7), ["k#/#", "k#/#7#", "k#/#7#"]),
            (
                Target::new("/").to(["a".into(), "b".into()]),
                ["k#/#", "k#/#", "k#/#"],
            ),
            (
                Target::new("/").except(["a".into()]),
                ["k#/#", "k#/#", "k#/#"],
            ),
            (
                room_target("abcdefghijklmnopqrst"),
                ["k#/#", "k#/#", "k#/#abcdefghijklmnopqrst#"],
            ),
            (
                room_target("abcdefghijklmnopqrs"),
                [
                    "k#/#",
                    "k#/#abcdefghijklmnopqrs#",
                    "k#/#abcdefghijklmnopqrs#",
                ],
            ),
        ];
        for (target, want) in cases {
            for (mode, want) in [Static, Dynamic, DynamicPrivate].into_iter().zip(want) {
                assert_eq!(
                    broadcast_channel("k", mode, target),
                    *want,
                    "{mode} {target:?}"
                );
            }
        }
    }

    #[test]
    fn socket_id_likeness_counts_utf16_units() {
        assert!(looks_like_socket_id(&Room::from("😀".repeat(10).as_str())));
        assert!(looks_like_socket_id(&Room::from("é".repeat(20).as_str())));
        assert!(!looks_like_socket_id(&Room::from("😀".repeat(20).as_str())));
        assert!(!looks_like_socket_id(&Room::Number(12_345_678_901_234_567)));
    }

    #[test]
    fn binary_anywhere_switches_the_whole_message_to_msgpack() {
        let t = Target::default();
        let json = broadcast("k", SubscriptionMode::Dynamic, &t, "ev", &[Value::Int(1)]).unwrap();
        assert_eq!(json.payload[0], b'{');
        let nested = Value::map([("a", Value::Array(vec![Value::bytes([1u8])]))]);
        let bin = broadcast("k", SubscriptionMode::Dynamic, &t, "ev", &[nested]).unwrap();
        assert_eq!(bin.payload[0], 0x84);
        assert_eq!(bin.command, Command::SPublish);
    }

    fn nested(levels: usize) -> Value {
        (0..levels).fold(Value::Nil, |v, _| Value::Array(vec![v]))
    }

    #[test]
    fn the_nesting_limit_is_the_classic_one_in_both_encodings() {
        let t = Target::default();
        let mode = SubscriptionMode::Dynamic;
        let with_bytes = |v: Value| vec![v, Value::bytes([1u8])];
        broadcast("k", mode, &t, "ev", &[nested(MAX_DEPTH)]).unwrap();
        broadcast("k", mode, &t, "ev", &with_bytes(nested(MAX_DEPTH))).unwrap();
        server_side_emit("k", &t, "ev", &[nested(MAX_DEPTH)]).unwrap();
        for args in [
            vec![nested(MAX_DEPTH + 1)],
            with_bytes(nested(MAX_DEPTH + 1)),
        ] {
            let err = broadcast("k", mode, &t, "ev", &args).unwrap_err();
            assert_eq!(err.code(), "ENCODE");
            assert!(err.to_string().starts_with("args[0]"), "{err}");
            let err = server_side_emit("k", &t, "ev", &args).unwrap_err();
            assert_eq!(err.code(), "ENCODE");
        }
    }

    #[test]
    fn reserved_names_are_refused_like_the_classic_adapter() {
        let t = Target::default();
        let err = broadcast("k", SubscriptionMode::Static, &t, "connect", &[]).unwrap_err();
        assert_eq!(err.code(), "RESERVED_EVENT");
        let err = server_side_emit("k", &t, "new_namespace", &[]).unwrap_err();
        assert_eq!(err.code(), "RESERVED_EVENT");
    }
}
