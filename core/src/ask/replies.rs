//! The one subscription that collects the servers' replies to this emitter's requests. It
//! is opened on the first request (an emitter that never asks opens none), shared by every
//! request, and routes each reply by its `requestId`: replies to other requests, or to other
//! emitters sharing the reply channel, are dropped.
//!
//! WIP (issue 14): one Redis server only (standalone or the master Sentinel names, as first
//! connected); not yet restored after a reconnect. `close()` ends it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
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

struct Subscriber {
    sink: redis::aio::PubSubSink,
    channels: HashSet<String>,
    /// Reads the replies; the subscription's connection ends with it.
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.reader.abort();
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
        channels: &[String],
        request_id: &str,
    ) -> Result<Pending> {
        let mut guard = self.subscriber.lock().await;
        if guard.is_none() {
            *guard = Some(self.open(conn).await?);
        }
        let subscriber = guard.as_mut().expect("opened above");
        for channel in channels {
            if !subscriber.channels.contains(channel) {
                subscriber
                    .sink
                    .subscribe(channel)
                    .await
                    .map_err(|e| conn.error(&e))?;
                subscriber.channels.insert(channel.clone());
            }
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
        let client = conn.single_server().ok_or_else(|| {
            Error::Unsupported(
                "requests to the servers are not available on a Redis Cluster yet".into(),
            )
        })?;
        let pubsub = client
            .get_async_pubsub()
            .await
            .map_err(|e| conn.error(&e))?;
        let (sink, mut stream) = pubsub.split();
        let waiters = self.waiters.clone();
        let reader = tokio::spawn(async move {
            while let Some(msg) = stream.next().await {
                route(&waiters, msg.get_payload_bytes());
            }
        });
        Ok(Subscriber {
            sink,
            channels: HashSet::new(),
            reader,
        })
    }
}

/// Hands a reply (JSON, or msgpack for a client's acknowledgement of a broadcast) to the
/// request it answers; anything else is not ours.
fn route(waiters: &Waiters, payload: &[u8]) {
    let reply = if payload.first() == Some(&b'{') {
        serde_json::from_slice::<serde_json::Value>(payload).ok()
    } else {
        rmpv::decode::read_value(&mut &payload[..])
            .ok()
            .map(|v| to_json(&v))
    };
    let Some(reply) = reply else {
        return;
    };
    let Some(id) = reply.get("requestId").and_then(|v| v.as_str()) else {
        return;
    };
    if let Some(tx) = lock(waiters).get(id) {
        let _ = tx.send(reply);
    }
}

/// A msgpack value as JSON; binary becomes `{"$bytes": hex}` (WIP: the core's `Value`
/// should carry replies, binary included).
fn to_json(v: &rmpv::Value) -> serde_json::Value {
    use rmpv::Value as M;
    use serde_json::Value as J;
    match v {
        M::Nil => J::Null,
        M::Boolean(b) => J::Bool(*b),
        M::Integer(i) => i
            .as_i64()
            .map(J::from)
            .or_else(|| i.as_u64().map(J::from))
            .unwrap_or(J::Null),
        M::F32(f) => serde_json::Number::from_f64(f64::from(*f)).map_or(J::Null, J::Number),
        M::F64(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        M::String(s) => J::String(s.as_str().unwrap_or_default().to_owned()),
        M::Binary(b) => {
            serde_json::json!({"$bytes": b.iter().map(|x| format!("{x:02x}")).collect::<String>()})
        }
        M::Array(items) => J::Array(items.iter().map(to_json).collect()),
        M::Map(pairs) => J::Object(
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().map_or_else(|| k.to_string(), str::to_owned),
                        to_json(v),
                    )
                })
                .collect(),
        ),
        M::Ext(..) => J::Null,
    }
}
