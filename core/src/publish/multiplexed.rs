//! The emitter's one multiplexed Redis connection, made again when it drops.
//!
//! redis-rs's `ConnectionManager` does this too, but while one of its reconnections is
//! pending, the reconnecting future holds the manager's internals, which hold that future:
//! an emitter dropped then (closed while Redis is away) is never freed, with its runtime
//! (valgrind found it in the C fault suite). Here a call that finds no live connection makes
//! one itself, inside its own future and budget; nothing spawned refers back to us, so
//! dropping the emitter frees everything.
//!
//! Concurrent calls share one attempt at a time (`connecting`); a call that waited for it
//! uses the connection it made, or tries once more itself if it failed. Retrying with
//! backoff is the caller's business (`Connection::call`), which knows each call's budget.
//!
//! Behind Sentinel, each new connection first asks the sentinels where the master is now,
//! so a reconnection after a failover reaches the new master.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, PushKind, RedisResult};

use super::connection::Health;
use super::sentinel::Sentinel;

/// Where a new connection goes.
pub(crate) enum Source {
    /// Always the same server.
    Direct(redis::Client),
    /// Whichever server the sentinels name as master at the time.
    Sentinel(Sentinel),
}

pub(crate) struct Multiplexed {
    source: Source,
    /// The server the last connection was made to (the fast lane connects there too).
    server: Arc<Mutex<redis::Client>>,
    config: AsyncConnectionConfig,
    /// Whether the connection tells of its own drop (RESP3 sends a push); with RESP2 a
    /// drop is only learnt from a failed command.
    resp3: bool,
    health: Arc<Health>,
    current: Mutex<Option<Live>>,
    /// Held while connecting, so that concurrent callers make one connection, not many.
    connecting: tokio::sync::Mutex<()>,
}

/// A connection and whether it is known to have dropped.
#[derive(Clone)]
pub(crate) struct Live {
    pub(crate) conn: MultiplexedConnection,
    dropped: Arc<AtomicBool>,
}

impl Live {
    /// Marks the connection dead (once), counting the drop for the fast lane and the queue.
    fn mark_dropped(&self, health: &Health) {
        if !self.dropped.swap(true, Ordering::AcqRel) {
            health.disconnects.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Multiplexed {
    /// Connects once (the caller bounds it in time).
    /// `server` is where `source` was last seen to lead (the probed server).
    pub(crate) async fn connect(
        source: Source,
        server: redis::Client,
        config: AsyncConnectionConfig,
        resp3: bool,
        health: Arc<Health>,
    ) -> RedisResult<Multiplexed> {
        let link = Multiplexed {
            source,
            server: Arc::new(Mutex::new(server)),
            config,
            resp3,
            health,
            current: Mutex::new(None),
            connecting: tokio::sync::Mutex::new(()),
        };
        link.get().await?;
        Ok(link)
    }

    /// The server connections currently go to, shared with the fast lane.
    pub(crate) fn server(&self) -> Arc<Mutex<redis::Client>> {
        self.server.clone()
    }

    fn live(&self) -> Option<Live> {
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        current
            .as_ref()
            .filter(|live| !live.dropped.load(Ordering::Acquire))
            .cloned()
    }

    /// The live connection, connecting first when there is none.
    pub(crate) async fn get(&self) -> RedisResult<Live> {
        if let Some(live) = self.live() {
            return Ok(live);
        }
        let _turn = self.connecting.lock().await;
        // Someone else may have connected while this call waited for its turn.
        if let Some(live) = self.live() {
            return Ok(live);
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let mut config = self.config.clone();
        if self.resp3 {
            let (flag, health) = (dropped.clone(), self.health.clone());
            config = config.set_push_sender(move |info: redis::PushInfo| {
                if info.kind == PushKind::Disconnection && !flag.swap(true, Ordering::AcqRel) {
                    health.disconnects.fetch_add(1, Ordering::AcqRel);
                }
                Ok::<(), std::convert::Infallible>(())
            });
        }
        let client = match &self.source {
            Source::Direct(client) => client.clone(),
            Source::Sentinel(sentinel) => {
                let master = sentinel.master().await?;
                *self.server.lock().unwrap_or_else(|p| p.into_inner()) = master.clone();
                master
            }
        };
        let conn = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        let live = Live { conn, dropped };
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(live.clone());
        Ok(live)
    }

    /// Runs `attempt` on the live connection (connecting first if needed). A failure that
    /// leaves the connection unusable (dropped, timed out) makes the next call reconnect.
    pub(crate) async fn run<T, F, Fut>(&self, attempt: F) -> RedisResult<T>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let live = self.get().await?;
        let result = attempt(live.conn.clone()).await;
        if let Err(e) = &result
            && e.is_unrecoverable_error()
        {
            live.mark_dropped(&self.health);
        }
        result
    }
}
