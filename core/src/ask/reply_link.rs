//! The connection that carries the servers' replies to this emitter. Replies arrive as
//! Pub/Sub messages on plain channels (classic adapter, streams side channel) or shard
//! channels (sharded adapter), on one server or across a Redis Cluster.
//!
//! redis-rs's dedicated `PubSub` connection has no SSUBSCRIBE, so RESP3 connections are
//! used where the server speaks it: their subscriptions' messages come as pushes, and a
//! one-channel SSUBSCRIBE is answered by exactly one confirmation, which the multiplexed
//! connection hands back as the command's reply. Servers that only speak RESP2 (before
//! Redis 6) get the `PubSub` connection; they have no sharded Pub/Sub anyway.

use futures_util::StreamExt;
use redis::{ProtocolVersion, PushKind};
use tokio::sync::mpsc;

use crate::error::Result;
use crate::publish::{Connection, ReplySource};

/// The reply connection's client name (CLIENT LIST).
pub(crate) const NAME: &str = "socketio-emitter-replies";

/// One reply message's payload (or, read from a stream, the message itself), or the news
/// that a connection is gone.
pub(crate) enum Event {
    Message(Vec<u8>),
    Decoded(serde_json::Value),
    Lost,
}

pub(crate) enum ReplyLink {
    Resp3(redis::aio::MultiplexedConnection),
    Resp2(redis::aio::PubSubSink),
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ReplyLink {
    /// Connects, and sends every message (and the connection's end) to `events`. The
    /// returned task forwards RESP2 messages; it ends with the connection.
    pub(crate) async fn open(
        conn: &Connection,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<(ReplyLink, Option<tokio::task::JoinHandle<()>>)> {
        let fail = |e: redis::RedisError| conn.error(&e);
        match conn.reply_source() {
            ReplySource::Single(server) => {
                let client = server.lock().unwrap_or_else(|e| e.into_inner()).clone();
                if client.get_connection_info().redis_settings().protocol()
                    == ProtocolVersion::RESP2
                {
                    let (sink, mut stream) = client.get_async_pubsub().await.map_err(fail)?.split();
                    let reader = tokio::spawn(async move {
                        while let Some(msg) = stream.next().await {
                            let _ = events.send(Event::Message(msg.get_payload_bytes().to_vec()));
                        }
                        let _ = events.send(Event::Lost);
                    });
                    return Ok((ReplyLink::Resp2(sink), Some(reader)));
                }
                let config = redis::AsyncConnectionConfig::new().set_push_sender(
                    move |push: redis::PushInfo| {
                        forward(&events, push, true);
                        Ok::<(), redis::aio::SendError>(())
                    },
                );
                let mut link = client
                    .get_multiplexed_async_connection_with_config(&config)
                    .await
                    .map_err(fail)?;
                // Named, so that an operator reading CLIENT LIST knows what it is.
                redis::cmd("CLIENT")
                    .arg("SETNAME")
                    .arg(NAME)
                    .exec_async(&mut link)
                    .await
                    .map_err(fail)?;
                Ok((ReplyLink::Resp3(link), None))
            }
            ReplySource::Cluster { cfg, nodes } => {
                let client = crate::publish::cluster_client(cfg, nodes, ProtocolVersion::RESP3)
                    .map_err(fail)?;
                let config = redis::cluster::ClusterConfig::new().set_push_sender(
                    move |push: redis::PushInfo| {
                        forward(&events, push, false);
                        Ok::<(), redis::aio::SendError>(())
                    },
                );
                let link = client
                    .get_async_connection_with_config(config)
                    .await
                    .map_err(fail)?;
                Ok((ReplyLink::Cluster(link), None))
            }
        }
    }

    /// Whether the connection still answers (a lost one may not have said so yet). A
    /// cluster connection reconnects and resubscribes by itself.
    pub(crate) async fn answers(&mut self) -> bool {
        match self {
            ReplyLink::Resp3(c) => redis::cmd("PING").exec_async(c).await.is_ok(),
            ReplyLink::Resp2(sink) => sink.ping::<redis::Value>().await.is_ok(),
            ReplyLink::Cluster(_) => true,
        }
    }

    /// Subscribes to `channel`: a shard channel when `sharded`.
    pub(crate) async fn subscribe(
        &mut self,
        channel: &str,
        sharded: bool,
    ) -> redis::RedisResult<()> {
        match (self, sharded) {
            (ReplyLink::Resp3(c), false) => c.subscribe(channel).await,
            (ReplyLink::Resp3(c), true) => redis::cmd("SSUBSCRIBE")
                .arg(channel)
                .query_async::<redis::Value>(c)
                .await
                .map(drop),
            (ReplyLink::Resp2(sink), false) => sink.subscribe(channel).await,
            (ReplyLink::Resp2(_), true) => Err(redis::RedisError::from((
                redis::ErrorKind::InvalidClientConfig,
                "sharded Pub/Sub needs a Redis server that speaks RESP3 (Redis 7+)",
            ))),
            (ReplyLink::Cluster(c), false) => c.subscribe(channel).await,
            (ReplyLink::Cluster(c), true) => c.ssubscribe(channel).await,
        }
    }
}

/// A pushed message's payload goes on; with `report_loss`, so does the end of the
/// connection (a cluster connection reconnects and resubscribes by itself).
fn forward(events: &mpsc::UnboundedSender<Event>, push: redis::PushInfo, report_loss: bool) {
    match push.kind {
        PushKind::Message | PushKind::SMessage => {
            if let Some(redis::Value::BulkString(payload)) = push.data.into_iter().nth(1) {
                let _ = events.send(Event::Message(payload));
            }
        }
        PushKind::Disconnection if report_loss => {
            let _ = events.send(Event::Lost);
        }
        _ => {}
    }
}
