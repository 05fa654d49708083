//! The one subscription that collects the servers' replies to this emitter's requests. It
//! is opened on the first request (an emitter that never asks opens none), shared by every
//! request, and routes each reply by its request id: replies to other requests, or to other
//! emitters sharing the reply channel, are dropped. Each request first checks that the
//! connection answers; when it was lost, the request opens a new one and subscribes again
//! (on a cluster, redis-rs resubscribes by itself). `close()` ends it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::reply_link::{Event, ReplyLink};
use crate::adapter::EMITTER_UID;
use crate::error::Result;
use crate::publish::Connection;

type Waiters = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<serde_json::Value>>>>;

#[derive(Default)]
pub(crate) struct Replies {
    subscriber: tokio::sync::Mutex<Option<Subscriber>>,
    waiters: Waiters,
}

impl std::fmt::Debug for Replies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replies")
    }
}

/// Where replies arrive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ReplyChannel {
    Channel(String),
    ShardChannel(String),
    /// Streams 0.2: replies are entries of the stream the request went to.
    Stream(String),
}

struct Subscriber {
    link: ReplyLink,
    /// Where stream readers send what they read.
    events: mpsc::UnboundedSender<Event>,
    channels: HashSet<ReplyChannel>,
    /// Cleared when the connection is lost: the next request opens another.
    alive: Arc<AtomicBool>,
    /// Routes the replies (and forwards RESP2 messages); they end with the subscriber.
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Removes its request's waiter when the request ends, however it ends.
pub(crate) struct Pending {
    pub(crate) replies: mpsc::UnboundedReceiver<serde_json::Value>,
    request_id: String,
    waiters: Waiters,
}

impl Drop for Pending {
    fn drop(&mut self) {
        lock(&self.waiters).remove(&self.request_id);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Replies {
    /// Subscribes to `channels` (once each), then registers `request_id`: replies carrying
    /// it arrive on the returned receiver until it is dropped.
    pub(crate) async fn expect(
        &self,
        conn: &Connection,
        channels: &[ReplyChannel],
        request_id: &str,
    ) -> Result<Pending> {
        let mut guard = self.subscriber.lock().await;
        let usable = match guard.as_mut() {
            Some(s) if s.alive.load(Ordering::Acquire) => {
                // A connection lost a moment ago may not have been noticed yet: one round
                // trip settles it, so no request is published while nobody listens.
                tokio::time::timeout(conn.call_timeout(), s.link.answers())
                    .await
                    .unwrap_or(false)
            }
            _ => false,
        };
        if !usable {
            *guard = None;
            *guard = Some(self.open(conn).await?);
        }
        let subscriber = guard.as_mut().expect("opened above");
        for channel in channels {
            if subscriber.channels.contains(channel) {
                continue;
            }
            let subscribed = match channel {
                ReplyChannel::Channel(name) => subscriber.link.subscribe(name, false).await,
                ReplyChannel::ShardChannel(name) => subscriber.link.subscribe(name, true).await,
                ReplyChannel::Stream(key) => {
                    let reader =
                        super::stream_replies::start(conn, key, subscriber.events.clone()).await?;
                    subscriber.tasks.push(reader);
                    Ok(())
                }
            };
            subscribed.map_err(|e| conn.error(&e))?;
            subscriber.channels.insert(channel.clone());
        }
        let (tx, rx) = mpsc::unbounded_channel();
        lock(&self.waiters).insert(request_id.to_owned(), tx);
        Ok(Pending {
            replies: rx,
            request_id: request_id.to_owned(),
            waiters: self.waiters.clone(),
        })
    }

    /// Ends the subscription (the emitter is closing); a later request would open another.
    pub(crate) async fn close(&self) {
        self.subscriber.lock().await.take();
    }

    async fn open(&self, conn: &Connection) -> Result<Subscriber> {
        let (events, mut incoming) = mpsc::unbounded_channel();
        let (link, forwarder) = ReplyLink::open(conn, events.clone()).await?;
        let alive = Arc::new(AtomicBool::new(true));
        let waiters = self.waiters.clone();
        let router_alive = alive.clone();
        let router = tokio::spawn(async move {
            while let Some(event) = incoming.recv().await {
                match event {
                    Event::Message(payload) => {
                        // Every emitter and server shares the reply channels: an answer to
                        // someone else's request is dropped before it is parsed whole.
                        let foreign = super::decode::peek_request_id(&payload)
                            .is_some_and(|id| !lock(&waiters).contains_key(id));
                        if foreign {
                            continue;
                        }
                        if let Some(reply) = super::decode::reply(&payload) {
                            route(&waiters, reply);
                        }
                    }
                    Event::Decoded(reply) => route(&waiters, reply),
                    Event::Lost => router_alive.store(false, Ordering::Release),
                }
            }
        });
        Ok(Subscriber {
            link,
            events,
            channels: HashSet::new(),
            alive,
            tasks: std::iter::once(router).chain(forwarder).collect(),
        })
    }
}

/// Hands a reply to the request it answers; anything else is not ours. Classic replies
/// carry `requestId` at the top; ClusterAdapter replies are `{type, data: {requestId, ..},
/// uid, nsp}`, handed on as their `data` with the `type` added.
fn route(waiters: &Waiters, reply: serde_json::Value) {
    let reply = match reply.get("requestId") {
        Some(_) => reply,
        None => match reply {
            // A request (ours or another emitter's), read back from a stream.
            serde_json::Value::Object(message)
                if message.get("uid").and_then(|u| u.as_str()) == Some(EMITTER_UID) =>
            {
                return;
            }
            serde_json::Value::Object(mut message) => {
                let kind = message.remove("type").unwrap_or_default();
                match message.remove("data") {
                    Some(serde_json::Value::Object(mut data)) => {
                        data.insert("type".into(), kind);
                        serde_json::Value::Object(data)
                    }
                    _ => return,
                }
            }
            _ => return,
        },
    };
    let Some(id) = reply.get("requestId").and_then(|v| v.as_str()) else {
        return;
    };
    if let Some(tx) = lock(waiters).get(id) {
        let _ = tx.send(reply);
    }
}
