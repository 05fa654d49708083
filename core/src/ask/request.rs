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

use crate::adapter::{Command, Flavour, Output, Readers, XAdd};
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
                    plain(format!("{response}{}#", super::REQUESTER_UID)),
                    plain(response),
                ],
            })
        }
        Flavour::Sharded(_) => Ok(Route {
            wire: Wire::Cluster,
            transport: pubsub(Command::SPublish, format!("{key}#{nsp}#"), false),
            replies: vec![ReplyChannel::ShardChannel(format!(
                "{key}#{nsp}#{}#",
                super::REQUESTER_UID
            ))],
        }),
        Flavour::Streams(s) if s.version == StreamsVersion::V03 => Ok(Route {
            wire: Wire::Cluster,
            transport: pubsub(Command::Publish, format!("{key}#{nsp}#"), true),
            replies: vec![plain(format!("{key}#{nsp}#{}#", super::REQUESTER_UID))],
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
    /// Subscribes to the reply channels, counts the servers, and publishes `request` (a
    /// message with `requestId` already in it), as msgpack when `msgpack` (the classic
    /// broadcast with acknowledgements, as servers send it) or the route wants it.
    pub(crate) async fn send(
        &self,
        asker: &Asker<'_>,
        nsp: &str,
        request_id: &str,
        request: &M,
        msgpack: bool,
    ) -> Result<Sent> {
        let Asker {
            conn,
            replies,
            flavour,
            key,
        } = *asker;
        let pending = replies.expect(conn, &self.replies, request_id).await?;
        let servers = super::server_count(conn, flavour, key, nsp).await?;
        conn.send(&self.output(nsp, request, msgpack)?).await?;
        Ok(Sent { pending, servers })
    }

    fn output(&self, nsp: &str, request: &M, msgpack: bool) -> Result<Output> {
        Ok(match &self.transport {
            Transport::PubSub {
                command,
                channel,
                msgpack_only,
            } => Output {
                command: command.clone(),
                channel: channel.clone(),
                payload: match (msgpack || *msgpack_only, decode::json_text(request)) {
                    (false, Some(json)) => json.into_bytes(),
                    _ => decode::to_bytes(request),
                },
            },
            // The entry's `data` is JSON text, or base64 of msgpack when it holds binary
            // (docs/protocol.md §4.3).
            Transport::Stream { key, max_len } => {
                let mut message = request.clone();
                let kind = decode::get_mut(&mut message, "type")
                    .map(|t| t.clone())
                    .and_then(|t| t.as_u64())
                    .and_then(|t| u8::try_from(t).ok())
                    .ok_or_else(|| Error::Internal("a request without its type".into()))?;
                let data = decode::get_mut(&mut message, "data")
                    .map(|d| std::mem::replace(d, M::Nil))
                    .unwrap_or(M::Nil);
                Output {
                    command: Command::XAdd(Box::new(XAdd {
                        max_len: *max_len,
                        nsp: nsp.to_owned(),
                        kind,
                        readers: Readers::Unknown,
                    })),
                    channel: key.clone(),
                    payload: match decode::json_text(&data) {
                        Some(json) => json.into_bytes(),
                        None => BASE64.encode(decode::to_bytes(&data)).into_bytes(),
                    },
                }
            }
        })
    }

    /// A request made of `fields`: at the top of a classic request, in `data` of a
    /// ClusterAdapter message of type `cluster_kind`.
    pub(crate) fn request(
        &self,
        classic_kind: u8,
        cluster_kind: u8,
        nsp: &str,
        request_id: &str,
        mut fields: Vec<(M, M)>,
    ) -> M {
        let id = (M::from("requestId"), M::from(request_id));
        match self.wire {
            Wire::Classic => {
                let mut top = vec![
                    (M::from("uid"), M::from(super::REQUESTER_UID)),
                    id,
                    (M::from("type"), M::from(classic_kind)),
                ];
                top.append(&mut fields);
                M::Map(top)
            }
            Wire::Cluster => {
                fields.push(id);
                cluster_message(cluster_kind, M::Map(fields), nsp)
            }
        }
    }

    /// A message our encoder wrote for a plain operation (`Flavour::encode` output), with
    /// `requestId` added where this wire wants it.
    pub(crate) fn with_request_id(&self, encoded: &[u8], request_id: &str) -> Result<M> {
        let mut message = decode::message(encoded)
            .ok_or_else(|| Error::Internal("could not read back an encoded request".into()))?;
        let target = match self.wire {
            Wire::Classic => Some(&mut message),
            Wire::Cluster => decode::get_mut(&mut message, "data"),
        };
        if let Some(target) = target {
            decode::set(target, "requestId", M::from(request_id));
        }
        Ok(message)
    }
}

fn cluster_message(kind: u8, data: M, nsp: &str) -> M {
    M::Map(vec![
        (M::from("type"), M::from(kind)),
        (M::from("data"), data),
        (M::from("uid"), M::from(crate::adapter::EMITTER_UID)),
        (M::from("nsp"), M::from(nsp)),
    ])
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
