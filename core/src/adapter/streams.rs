//! The Redis Streams adapter (`@socket.io/redis-streams-adapter` 0.2/0.3): docs/protocol.md §4.
//! No official emitter speaks it; the reference is what real 0.3.1 and 0.2.3 servers write
//! with their uid forced to `"emitter"` (`tests/vectors/vectors_streams.json`).
//!
//! Every operation a server would put in the stream is one XADD of a ClusterAdapter
//! message, field by field (`uid`, `nsp`, `type`, `data`). Broadcasts always go to the
//! stream, never over Pub/Sub, because only stream entries can be replayed by
//! connection-state recovery. 0.3 servers also listen on a Pub/Sub side channel `key#nsp#`
//! for the ephemeral operations (serverSideEmit); 0.2 servers read everything from the
//! stream.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::cluster_message::*;
use super::{Command, Output, Readers, XAdd, check_event, check_server_side_event, sharded};
use crate::config::StreamsVersion;
use crate::encode::{Fail, holds_binary};
use crate::error::Result;
use crate::target::Target;
use crate::value::{Room, Value};

/// The servers' stream options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streams {
    /// `streamName`: the key, or the prefix of the keys when `stream_count` > 1.
    pub stream_name: String,
    /// `streamCount` (0.3+).
    pub stream_count: u32,
    /// `maxLen`, written as `MAXLEN ~ max_len` like the servers do.
    pub max_len: u64,
    pub version: StreamsVersion,
}

/// Java's `String.hashCode` over UTF-16 code units, as the adapter hashes namespace names.
fn java_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

impl Streams {
    /// The stream a namespace's operations go to. With several streams the adapter takes
    /// `hash % count` with JavaScript's sign-keeping remainder, so some namespaces get a
    /// negative index (`socket.io--2`). Servers write there and never read it back (an
    /// upstream bug); we write exactly where they do, and say so in the docs.
    pub fn stream_key(&self, nsp: &str) -> String {
        match self.stream_index(nsp) {
            None => self.stream_name.clone(),
            Some(index) => format!("{}-{index}", self.stream_name),
        }
    }

    /// `hash % count`, or `None` with a single stream.
    fn stream_index(&self, nsp: &str) -> Option<i64> {
        // i64: `i32::MIN % count` cannot overflow there, and `%` truncates like JS.
        (self.stream_count > 1).then(|| i64::from(java_hash(nsp)) % i64::from(self.stream_count))
    }

    fn xadd(&self, target: &Target, kind: u8, data: Vec<u8>, key: &str) -> Output {
        let nsp = target.namespace();
        Output {
            command: Command::XAdd(Box::new(XAdd {
                max_len: self.max_len,
                nsp: nsp.to_owned(),
                kind,
                readers: match self.version {
                    _ if self.stream_index(nsp).is_some_and(|i| i < 0) => Readers::Nobody,
                    StreamsVersion::V03 => Readers::SideChannel(sharded::main_channel(key, nsp)),
                    StreamsVersion::V02 => Readers::Unknown,
                },
            })),
            channel: self.stream_key(nsp),
            payload: data,
        }
    }

    /// `emit`: a BROADCAST entry, `data` as JSON, or base64 of msgpack when it holds binary.
    pub fn broadcast(
        &self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        check_event(event)?;
        let data = if holds_binary(args) {
            let mut packed = Vec::with_capacity(128);
            broadcast_data_msgpack(&mut packed, target, event, args, None)
                .map(|()| BASE64.encode(packed).into_bytes())
        } else {
            let mut text = String::with_capacity(128);
            broadcast_data_json(&mut text, target, event, args, None).map(|()| text.into_bytes())
        }
        .map_err(|e| e.into_error("args"))?;
        Ok(self.xadd(target, BROADCAST, data, key))
    }

    /// `serverSideEmit` without ack. 0.3 servers read it from the Pub/Sub side channel
    /// `key#nsp#`, always as msgpack of the whole message (they drop JSON there); 0.2 servers
    /// from the stream.
    pub fn server_side_emit(
        &self,
        key: &str,
        target: &Target,
        event: &str,
        args: &[Value],
    ) -> Result<Output> {
        check_server_side_event(event)?;
        let encoded: Result<Output, Fail> = match self.version {
            StreamsVersion::V03 => {
                sharded::server_side_emit_msgpack(target, event, args).map(|payload| Output {
                    command: Command::Publish,
                    channel: sharded::main_channel(key, target.namespace()),
                    payload,
                })
            }
            StreamsVersion::V02 => if holds_binary(args) {
                let mut packed = Vec::with_capacity(64);
                server_side_emit_data_msgpack(&mut packed, event, args, None)
                    .map(|()| BASE64.encode(packed).into_bytes())
            } else {
                let mut text = String::with_capacity(64);
                server_side_emit_data_json(&mut text, event, args, None).map(|()| text.into_bytes())
            }
            .map(|data| self.xadd(target, SERVER_SIDE_EMIT, data, key)),
        };
        encoded.map_err(|e| e.into_error("args"))
    }

    /// `socketsJoin(rooms)`: a SOCKETS_JOIN entry.
    pub fn sockets_join(&self, key: &str, target: &Target, rooms: &[Room]) -> Output {
        self.rooms_entry(key, target, SOCKETS_JOIN, rooms)
    }

    /// `socketsLeave(rooms)`: a SOCKETS_LEAVE entry.
    pub fn sockets_leave(&self, key: &str, target: &Target, rooms: &[Room]) -> Output {
        self.rooms_entry(key, target, SOCKETS_LEAVE, rooms)
    }

    /// `disconnectSockets(close)`: a DISCONNECT_SOCKETS entry.
    pub fn disconnect_sockets(&self, key: &str, target: &Target, close: bool) -> Output {
        let mut text = String::with_capacity(96);
        disconnect_data_json(&mut text, target, close);
        self.xadd(target, DISCONNECT_SOCKETS, text.into_bytes(), key)
    }

    fn rooms_entry(&self, key: &str, target: &Target, kind: u8, rooms: &[Room]) -> Output {
        let mut text = String::with_capacity(96);
        rooms_data_json(&mut text, target, rooms);
        self.xadd(target, kind, text.into_bytes(), key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streams(count: u32) -> Streams {
        Streams {
            stream_name: "socket.io".into(),
            stream_count: count,
            max_len: 10_000,
            version: StreamsVersion::V03,
        }
    }

    #[test]
    fn stream_keys_follow_the_servers_hash_including_negative_indexes() {
        assert_eq!(java_hash("/"), 47);
        assert_eq!(java_hash("/notifications"), -1_014_064_871);
        assert_eq!(streams(1).stream_key("/notifications"), "socket.io");
        assert_eq!(streams(4).stream_key("/"), "socket.io-3");
        assert_eq!(streams(4).stream_key("/notifications"), "socket.io--3");
        assert_eq!(streams(3).stream_key("/notifications"), "socket.io--2");
        // UTF-16 units: an astral character counts as two.
        assert_eq!(java_hash("😀"), 0xd83di32 * 31 + 0xde00);
    }

    #[test]
    fn binary_data_is_base64_msgpack_and_the_rest_json() {
        let s = streams(1);
        let t = Target::default();
        let json = s.broadcast("k", &t, "ev", &[Value::Int(1)]).unwrap();
        assert_eq!(json.payload[0], b'{');
        let bin = s.broadcast("k", &t, "ev", &[Value::bytes([1u8])]).unwrap();
        assert!(BASE64.decode(&bin.payload).is_ok());
        assert_eq!(bin.command.name(), "XADD");
    }
}
