//! Where a request goes and where its replies come from, per adapter; and sending one.
//!
//! - classic adapter (`@socket.io/redis-adapter` 7.x and 8.x): PUBLISH on `P-request#N#`,
//!   replies on `P-response#N#` or, with `publishOnSpecificResponseChannel`, on
//!   `P-response#N#emitter#` (docs/protocol.md §2.6);
//! - sharded adapter: SPUBLISH a ClusterAdapter message on `P#N#`, replies on the shard
//!   channel `P#N#emitter#` (§3.2);
//! - streams adapter 0.3: PUBLISH the message, always msgpack, on the side channel `P#N#`,
//!   replies on `P#N#emitter#` (§4.4);
//! - streams adapter 0.2: XADD the message to the namespace's stream; servers answer with
//!   entries of the same stream (§4.4).
//!
//! The socket.io-redis generations use an older request numbering: `UNSUPPORTED`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rmpv::Value as M;

use super::Asker;
use super::decode;
use super::replies::{Pending, ReplyChannel};

use crate::adapter::cluster_message as cm;
use crate::adapter::{Command, EMITTER_UID, Flavour, Output, Readers, XAdd};
use crate::config::StreamsVersion;
use crate::error::{Error, Result};
use crate::stacks::Compat;

/// The two request formats servers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// `{uid, requestId, type, ..}` (§2.6).
    Classic,
    /// `{type, data: {requestId, ..}, uid, nsp}` (§3.2).
    Cluster,
}

pub(crate) struct Route {
    pub(crate) wire: Wire,
    transport: Transport,
    replies: Vec<ReplyChannel>,
}

enum Transport {
    /// PUBLISH or SPUBLISH of the whole message. Streams 0.3 reads only msgpack on its side
    /// channel (`msgpack_only`); the others read JSON too, and older classic servers
    /// (7.0–7.1) only JSON, so they get JSON unless there is binary.
    PubSub {
        command: Command,
        channel: String,
        msgpack_only: bool,
    },
    /// An entry of the stream (streams 0.2, which has no Pub/Sub).
    Stream { key: String, max_len: u64 },
}

/// A request on its way: its replies arrive on `pending`; `servers` were counted just
/// before it was published, so that is how many answers to wait for.
pub(crate) struct Sent {
    pub(crate) pending: Pending,
    pub(crate) servers: u64,
}

/// The route of `operation` (named in the error) for the emitter's adapter.
pub(crate) fn route(flavour: &Flavour, key: &str, nsp: &str, operation: &str) -> Result<Route> {
    let plain = ReplyChannel::Channel;
    let pubsub = |command, channel, msgpack_only| Transport::PubSub {
        command,
        channel,
        msgpack_only,
    };
    match flavour {
        Flavour::Classic | Flavour::Legacy(Compat::RedisAdapter7) => {
            let response = format!("{key}-response#{nsp}#");
            Ok(Route {
                wire: Wire::Classic,
                transport: pubsub(Command::Publish, format!("{key}-request#{nsp}#"), false),
                replies: vec![
                    plain(format!("{response}{}#", EMITTER_UID)),
                    plain(response),
                ],
            })
        }
        Flavour::Sharded(_) => Ok(Route {
            wire: Wire::Cluster,
            transport: pubsub(Command::SPublish, format!("{key}#{nsp}#"), false),
            replies: vec![ReplyChannel::ShardChannel(format!(
                "{key}#{nsp}#{}#",
                EMITTER_UID
            ))],
        }),
        Flavour::Streams(s) if s.version == StreamsVersion::V03 => Ok(Route {
            wire: Wire::Cluster,
            transport: pubsub(Command::Publish, format!("{key}#{nsp}#"), true),
            replies: vec![plain(format!("{key}#{nsp}#{}#", EMITTER_UID))],
        }),
        Flavour::Streams(s) => Ok(Route {
            wire: Wire::Cluster,
            transport: Transport::Stream {
                key: s.stream_key(nsp),
                max_len: s.max_len,
            },
            replies: vec![ReplyChannel::Stream(s.stream_key(nsp))],
        }),
        Flavour::Legacy(_) => Err(Error::Unsupported(format!(
            "{operation} is not available with socket.io-redis 5.x/6.x, whose request \
             numbering differs; @socket.io/redis-adapter 7.x and 8.x answer it"
        ))),
    }
}

impl Route {
    /// Subscribes to the reply channels, counts the servers, and sends `request` (which
    /// carries `request_id`).
    pub(crate) async fn send(
        &self,
        asker: &Asker<'_>,
        nsp: &str,
        request_id: &str,
        request: &Output,
    ) -> Result<Sent> {
        let Asker {
            conn,
            replies,
            flavour,
            key,
        } = *asker;
        let pending = replies.expect(conn, &self.replies, request_id).await?;
        let servers = super::server_count(conn, flavour, key, nsp).await?;
        conn.send(request).await?;
        Ok(Sent { pending, servers })
    }

    /// A classic request (`{uid, requestId, type, ..}`): JSON text, as servers write their
    /// requests, or msgpack when `msgpack` or when it holds binary.
    pub(crate) fn classic_output(&self, request: &M, msgpack: bool) -> Output {
        let Transport::PubSub {
            command, channel, ..
        } = &self.transport
        else {
            unreachable!("classic requests are published")
        };
        Output {
            command: command.clone(),
            channel: channel.clone(),
            payload: match (msgpack, decode::json_text(request)) {
                (false, Some(json)) => json.into_bytes(),
                _ => decode::to_bytes(request),
            },
        }
    }

    /// A ClusterAdapter request of type `kind`, its `data` written by `data`: the whole
    /// message published (JSON unless `binary`; streams 0.3 reads only msgpack there), or
    /// for streams 0.2 an entry whose `data` is JSON or base64 of msgpack (docs/protocol.md
    /// §3.2, §4.3).
    pub(crate) fn cluster_output(
        &self,
        kind: u8,
        nsp: &str,
        binary: bool,
        data: &dyn ClusterData,
    ) -> Result<Output> {
        let fail = |e: crate::encode::Fail| e.into_error("args");
        Ok(match &self.transport {
            Transport::PubSub {
                command,
                channel,
                msgpack_only,
            } => {
                let payload = if binary || *msgpack_only {
                    let mut out = Vec::with_capacity(128);
                    cm::head_msgpack(&mut out, kind).map_err(fail)?;
                    data.msgpack(&mut out).map_err(fail)?;
                    cm::tail_msgpack(&mut out, nsp).map_err(fail)?;
                    out
                } else {
                    let mut out = cm::head_json(kind);
                    data.json(&mut out).map_err(fail)?;
                    cm::tail_json(&mut out, nsp);
                    out.into_bytes()
                };
                Output {
                    command: command.clone(),
                    channel: channel.clone(),
                    payload,
                }
            }
            Transport::Stream { key, max_len } => {
                let payload = if binary {
                    let mut out = Vec::with_capacity(128);
                    data.msgpack(&mut out).map_err(fail)?;
                    BASE64.encode(out).into_bytes()
                } else {
                    let mut out = String::with_capacity(128);
                    data.json(&mut out).map_err(fail)?;
                    out.into_bytes()
                };
                Output {
                    command: Command::XAdd(Box::new(XAdd {
                        max_len: *max_len,
                        nsp: nsp.to_owned(),
                        kind,
                        readers: Readers::Unknown,
                    })),
                    channel: key.clone(),
                    payload,
                }
            }
        })
    }
}

/// The `data` of a ClusterAdapter request, in either encoding.
pub(crate) trait ClusterData {
    fn json(&self, out: &mut String) -> std::result::Result<(), crate::encode::Fail>;
    fn msgpack(&self, out: &mut Vec<u8>) -> std::result::Result<(), crate::encode::Fail>;
}

/// What arrived before the deadline from a request every server answers at most once.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) replies: Vec<serde_json::Value>,
    pub(crate) missing: u64,
}

impl Sent {
    /// Replies until each counted server answered once, or `timeout` passed.
    pub(crate) async fn one_per_server(mut self, timeout: std::time::Duration) -> Collected {
        let mut collected = Collected::default();
        let deadline = tokio::time::Instant::now() + timeout;
        while (collected.replies.len() as u64) < self.servers {
            match tokio::time::timeout_at(deadline, self.pending.replies.recv()).await {
                Ok(Some(reply)) => collected.replies.push(reply),
                _ => break,
            }
        }
        collected.missing = self.servers.saturating_sub(collected.replies.len() as u64);
        collected
    }
}
