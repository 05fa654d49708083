//! Where a request goes and where its replies come from, per adapter; and sending one.
//!
//! - classic adapter (`@socket.io/redis-adapter` 7.x and 8.x): PUBLISH on `P-request#N#`,
//!   replies on `P-response#N#` or, with `publishOnSpecificResponseChannel`, on
//!   `P-response#N#emitter#` (docs/protocol.md §2.6);
//! - sharded adapter: SPUBLISH a ClusterAdapter message on `P#N#`, replies on the shard
//!   channel `P#N#emitter#` (§3.2);
//! - streams adapter 0.3: PUBLISH the message, always msgpack, on the side channel `P#N#`,
//!   replies on `P#N#emitter#` (§4.4).
//!
//! Other stacks get `UNSUPPORTED`: streams 0.2 answers only through the stream, and the
//! socket.io-redis generations use an older request numbering.

use rmpv::Value as M;

use super::Asker;
use super::decode;
use super::replies::{Pending, ReplyChannel};
use crate::adapter::{Command, Flavour, Output};
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
    /// Streams 0.3 reads only msgpack on its side channel; the others read JSON too, and
    /// older classic servers (7.0–7.1) only JSON, so they get JSON unless there is binary.
    msgpack_only: bool,
    command: Command,
    channel: String,
    replies: Vec<ReplyChannel>,
}

/// A request on its way: its replies arrive on `pending`; `servers` were counted just
/// before it was published, so that is how many answers to wait for.
pub(crate) struct Sent {
    pub(crate) pending: Pending,
    pub(crate) servers: u64,
}

/// The route of `operation` (named in the error) for the emitter's adapter.
pub(crate) fn route(flavour: &Flavour, key: &str, nsp: &str, operation: &str) -> Result<Route> {
    let plain = |name: String| ReplyChannel {
        name,
        sharded: false,
    };
    match flavour {
        Flavour::Classic | Flavour::Legacy(Compat::RedisAdapter7) => {
            let response = format!("{key}-response#{nsp}#");
            Ok(Route {
                wire: Wire::Classic,
                msgpack_only: false,
                command: Command::Publish,
                channel: format!("{key}-request#{nsp}#"),
                replies: vec![
                    plain(format!("{response}{}#", super::REQUESTER_UID)),
                    plain(response),
                ],
            })
        }
        Flavour::Sharded(_) => Ok(Route {
            wire: Wire::Cluster,
            msgpack_only: false,
            command: Command::SPublish,
            channel: format!("{key}#{nsp}#"),
            replies: vec![ReplyChannel {
                name: format!("{key}#{nsp}#{}#", super::REQUESTER_UID),
                sharded: true,
            }],
        }),
        Flavour::Streams(s) if s.version == StreamsVersion::V03 => Ok(Route {
            wire: Wire::Cluster,
            msgpack_only: true,
            command: Command::Publish,
            channel: format!("{key}#{nsp}#"),
            replies: vec![plain(format!("{key}#{nsp}#{}#", super::REQUESTER_UID))],
        }),
        Flavour::Streams(_) => Err(Error::Unsupported(format!(
            "{operation} is not available with the streams adapter 0.2, which answers \
             requests only through the stream; servers on 0.3 answer it"
        ))),
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
        conn.send(&Output {
            command: self.command.clone(),
            channel: self.channel.clone(),
            payload: match (msgpack || self.msgpack_only, decode::json_text(request)) {
                (false, Some(json)) => json.into_bytes(),
                _ => decode::to_bytes(request),
            },
        })
        .await?;
        Ok(Sent { pending, servers })
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
