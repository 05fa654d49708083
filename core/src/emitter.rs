//! The async API (tokio). An [`Emitter`] is a connection plus a [`Target`]; the modifiers
//! return new emitters that share the connection, so they are cheap and can be reused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::adapter::{Delivery, Flavour, Output, check_sent_event};
use crate::config::{AdapterKind, EmitterConfig, QueueFullPolicy};
use crate::error::{Error, Result};
use crate::publish::queue::{FlushReport, Queue, Rejected};
use crate::publish::{Connection, PipelineStamp};
use crate::target::{Flag, Target};
use crate::value::{IntoRooms, Value};

#[derive(Debug)]
struct Shared {
    /// `None` for an offline emitter, which only encodes.
    link: Option<Link>,
    key: String,
    /// The servers' adapter, chosen once from the configuration.
    flavour: Flavour,
    queue_full: QueueFullPolicy,
    max_payload_bytes: usize,
    closed: AtomicBool,
    /// The subscription that collects the servers' replies, opened by the first request.
    replies: crate::ask::Replies,
}

#[derive(Debug)]
struct Link {
    conn: Connection,
    queue: Queue,
}

/// Publishes Socket.IO operations into Redis for a cluster of Socket.IO servers on the
/// classic or the sharded Redis adapter ([`EmitterConfig::adapter`]).
///
/// ```no_run
/// # async fn demo() -> socketio_emitter::Result<()> {
/// use socketio_emitter::{Emitter, args};
/// let io = Emitter::connect("redis://127.0.0.1:6379").await?;
/// let servers = io.to("room1").emit("chat", &args!["hello"]).await?;
/// println!("{servers} Socket.IO server(s) received it");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Emitter {
    shared: Arc<Shared>,
    target: Target,
}

impl Emitter {
    /// Connects with default options.
    pub async fn connect(url: &str) -> Result<Emitter> {
        Emitter::with_config(EmitterConfig::new(url)).await
    }

    /// Connects with the given options. Must run inside a tokio runtime: the emitter
    /// spawns its queue worker there.
    pub async fn with_config(config: EmitterConfig) -> Result<Emitter> {
        let conn = Connection::open(&config).await?;
        let config = if config.adapter == AdapterKind::Auto {
            crate::inspect::resolve_auto(&conn, config).await?
        } else {
            config
        };
        // validate() (in Connection::open) checked that the byte bound fits in a u32.
        let max_bytes = u32::try_from(config.queue_max_bytes).unwrap_or(u32::MAX);
        let queue = Queue::start(conn.clone(), config.queue_capacity, max_bytes);
        let shared = Shared {
            link: Some(Link { conn, queue }),
            key: config.key.clone(),
            flavour: Flavour::from_config(&config),
            queue_full: config.queue_full,
            max_payload_bytes: config.max_payload_bytes,
            closed: AtomicBool::new(false),
            replies: Default::default(),
        };
        Ok(Emitter {
            shared: Arc::new(shared),
            target: Target::default(),
        })
    }

    /// An emitter that only encodes: the `encode_*` methods work, every send fails with
    /// `CLOSED`. For publishing through a Redis client of your own, and for tests.
    /// It encodes for the classic adapter; see [`offline_with`](Self::offline_with).
    pub fn offline(key: &str) -> Emitter {
        Emitter::offline_with(&EmitterConfig::new("").with_key(key))
    }

    /// An encode-only emitter (see [`offline`](Self::offline)) that uses `config`'s key,
    /// adapter, subscription mode and `max_payload_bytes`; the URL is not read.
    pub fn offline_with(config: &EmitterConfig) -> Emitter {
        let shared = Shared {
            link: None,
            key: config.key.clone(),
            flavour: Flavour::from_config(config),
            queue_full: QueueFullPolicy::Error,
            max_payload_bytes: config.max_payload_bytes,
            closed: AtomicBool::new(false),
            replies: Default::default(),
        };
        Emitter {
            shared: Arc::new(shared),
            target: Target::default(),
        }
    }

    /// The same emitter addressing `nsp` exactly as given (no `/` added), like the official
    /// `Emitter` constructor's namespace argument.
    pub fn with_namespace(&self, nsp: &str) -> Emitter {
        self.with_target(Target::new(nsp))
    }

    fn with_target(&self, target: Target) -> Emitter {
        Emitter {
            shared: self.shared.clone(),
            target,
        }
    }

    /// The target this emitter addresses.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The channel prefix (`key`) in use.
    pub fn key(&self) -> &str {
        &self.shared.key
    }

    /// The adapter flavour this emitter encodes for.
    pub fn flavour(&self) -> &Flavour {
        &self.shared.flavour
    }

    /// The adapter this emitter publishes for: with `adapter = auto`, the one detected.
    pub fn adapter(&self) -> AdapterKind {
        self.shared.flavour.adapter()
    }

    /// The `max_payload_bytes` option: bindings stop converting arguments past it.
    pub fn max_payload_bytes(&self) -> usize {
        self.shared.max_payload_bytes
    }

    /// Refuses a payload over `max_payload_bytes` (`ENCODE`, naming the option).
    fn bounded(&self, output: Output) -> Result<Output> {
        let limit = self.shared.max_payload_bytes;
        if output.payload.len() > limit {
            return Err(Error::encode(
                "args",
                format!(
                    "the payload is {} bytes, more than max_payload_bytes ({limit})",
                    output.payload.len()
                ),
            ));
        }
        Ok(output)
    }

    /// A namespace (a leading `/` is added when missing). Rooms and flags start empty.
    pub fn of(&self, nsp: &str) -> Emitter {
        self.with_target(self.target.of(nsp))
    }

    /// Adds one room or several; sockets in any of them receive the event, once each.
    pub fn to(&self, rooms: impl IntoRooms) -> Emitter {
        self.with_target(self.target.to(rooms.into_rooms()))
    }

    /// The same as [`to`](Self::to) (`in` is a Rust keyword).
    pub fn r#in(&self, rooms: impl IntoRooms) -> Emitter {
        self.to(rooms)
    }

    /// Excludes the sockets in these rooms.
    pub fn except(&self, rooms: impl IntoRooms) -> Emitter {
        self.with_target(self.target.except(rooms.into_rooms()))
    }

    /// The event may be dropped for clients that are not ready to receive it.
    pub fn volatile(&self) -> Emitter {
        self.with_target(self.target.flag(Flag::Volatile, true))
    }

    /// Turns per-message compression on or off for this event.
    pub fn compress(&self, compress: bool) -> Emitter {
        self.with_target(self.target.flag(Flag::Compress, compress))
    }

    /// The connection, unless closed or offline.
    fn link(&self) -> Result<&Link> {
        match &self.shared.link {
            Some(link) if !self.shared.closed.load(Ordering::Acquire) => Ok(link),
            _ => Err(Error::Closed),
        }
    }

    async fn send(&self, output: Result<Output>) -> Result<u64> {
        self.send_output(&output?).await
    }

    /// Sends an output made by one of the `encode_*` methods; resolves to the number of
    /// Socket.IO servers that received it.
    pub async fn send_output(&self, output: &Output) -> Result<u64> {
        self.link()?.conn.send(output).await
    }

    /// [`send_output`](Self::send_output) within a call budget that started at `started`
    /// (for callers that first tried [`try_send_now`](Self::try_send_now)).
    pub async fn send_output_since(&self, output: &Output, started: Instant) -> Result<u64> {
        let link = self.link()?;
        let deadline = tokio::time::Instant::from_std(started) + link.conn.call_timeout();
        link.conn.send_until(output, deadline).await
    }

    /// Sends several outputs as one pipeline, in order; one result per output. For bindings
    /// that collect many concurrent operations (each caller still learns its own result).
    pub async fn send_outputs(&self, outputs: &[Output]) -> Vec<Result<u64>> {
        match self.link() {
            Ok(link) => {
                link.conn
                    .send_batch(&outputs.iter().collect::<Vec<_>>())
                    .await
            }
            Err(e) => outputs.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    /// [`send_outputs`](Self::send_outputs) within a call budget that started at `started`
    /// (for bindings that collect calls before sending them together).
    pub async fn send_outputs_since(
        &self,
        outputs: &[Output],
        started: Instant,
    ) -> Vec<Result<u64>> {
        match self.link() {
            Ok(link) => {
                let deadline = tokio::time::Instant::from_std(started) + link.conn.call_timeout();
                link.conn
                    .send_batch_until(&outputs.iter().collect::<Vec<_>>(), deadline)
                    .await
            }
            Err(e) => outputs.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    /// Where the connection stands, for bindings that keep several pipelines in flight
    /// (see [`PipelineStamp`]); `None` once closed.
    #[doc(hidden)]
    pub fn pipeline_stamp(&self) -> Option<PipelineStamp> {
        self.link().ok().map(|link| link.conn.stamp())
    }

    /// For threads without an async runtime (the blocking API, bindings' synchronous calls):
    /// sends `output` on the calling thread when the emitter's synchronous lane is free,
    /// which saves two thread hand-offs per call. `None` means the lane is busy or not
    /// connected: await [`send_output`](Self::send_output) instead. Never call this from
    /// async code: it blocks the thread on I/O.
    /// `started` is when the caller's call began: the lane and any fallback share one
    /// budget (see [`EmitterConfig::call_timeout`]).
    pub fn try_send_now(&self, output: &Output, started: Instant) -> Option<Result<u64>> {
        match self.link() {
            Ok(link) => link
                .conn
                .try_send_blocking(output, started + link.conn.call_timeout()),
            Err(e) => Some(Err(e)),
        }
    }

    /// What [`emit`](Self::emit) would publish, without sending it.
    pub fn encode_emit(&self, event: &str, args: &[Value]) -> Result<Output> {
        let shared = &self.shared;
        self.bounded(
            shared
                .flavour
                .broadcast(&shared.key, &self.target, event, args)?,
        )
    }

    /// What [`server_side_emit`](Self::server_side_emit) would publish.
    pub fn encode_server_side_emit(&self, event: &str, args: &[Value]) -> Result<Output> {
        let shared = &self.shared;
        self.bounded(
            shared
                .flavour
                .server_side_emit(&shared.key, &self.target, event, args)?,
        )
    }

    /// What [`sockets_join`](Self::sockets_join) would publish. `UNSUPPORTED` where the
    /// servers' stack cannot do it for this target ([`EmitterConfig::compat`]).
    pub fn encode_sockets_join(&self, rooms: impl IntoRooms) -> Result<Output> {
        let shared = &self.shared;
        shared
            .flavour
            .sockets_join(&shared.key, &self.target, &rooms.into_rooms())
    }

    /// What [`sockets_leave`](Self::sockets_leave) would publish.
    pub fn encode_sockets_leave(&self, rooms: impl IntoRooms) -> Result<Output> {
        let shared = &self.shared;
        shared
            .flavour
            .sockets_leave(&shared.key, &self.target, &rooms.into_rooms())
    }

    /// What [`disconnect_sockets`](Self::disconnect_sockets) would publish.
    pub fn encode_disconnect_sockets(&self, close: bool) -> Result<Output> {
        let shared = &self.shared;
        shared
            .flavour
            .disconnect_sockets(&shared.key, &self.target, close)
    }

    /// Emits `event` to the target's clients; resolves to the number of Socket.IO servers
    /// that received it (0: nobody listens on this key and namespace).
    pub async fn emit(&self, event: &str, args: &[Value]) -> Result<u64> {
        check_sent_event(event)?;
        self.send(self.encode_emit(event, args)).await
    }

    /// [`emit`](Self::emit), also telling where the event went: with the streams adapter,
    /// the ID Redis gave its entry (the offset clients see with connection-state recovery).
    pub async fn emit_detailed(&self, event: &str, args: &[Value]) -> Result<Delivery> {
        check_sent_event(event)?;
        let output = self.encode_emit(event, args)?;
        self.link()?.conn.send_detailed(&output).await
    }

    /// Makes the target's sockets join `rooms`.
    pub async fn sockets_join(&self, rooms: impl IntoRooms) -> Result<u64> {
        self.send(self.encode_sockets_join(rooms)).await
    }

    /// Makes the target's sockets leave `rooms`.
    pub async fn sockets_leave(&self, rooms: impl IntoRooms) -> Result<u64> {
        self.send(self.encode_sockets_leave(rooms)).await
    }

    /// Disconnects the target's sockets; `close` also closes their underlying connection.
    pub async fn disconnect_sockets(&self, close: bool) -> Result<u64> {
        self.send(self.encode_disconnect_sockets(close)).await
    }

    /// How many Socket.IO servers serve the target's namespace with the emitter's adapter,
    /// as Redis counts their subscriptions (streams 0.2: their heartbeats). It asks Redis
    /// and publishes nothing; 0 means an emit there would reach no server.
    pub async fn server_count(&self) -> Result<u64> {
        let conn = &self.link()?.conn;
        crate::ask::server_count(
            conn,
            &self.shared.flavour,
            &self.shared.key,
            self.target.namespace(),
        )
        .await
    }

    /// The target's sockets on every server (`fetchSockets`), waiting at most `timeout` for
    /// the servers' answers. A server that did not answer in time is counted in
    /// [`Fetched::servers_missing`](crate::ask::Fetched), never silently left out.
    /// Classic (7.x, 8.x), sharded and streams 0.3 adapters; others are `UNSUPPORTED`.
    pub async fn fetch_sockets(&self, timeout: Duration) -> Result<crate::ask::Fetched> {
        let conn = &self.link()?.conn;
        crate::ask::fetch_sockets(&self.asker(conn), &self.target, timeout).await
    }

    /// Every room of the namespace on every server (`allRooms`), waiting at most `timeout`
    /// for the answers; servers that did not answer are counted, never silently left out.
    /// Only the classic adapter answers it; the others are `UNSUPPORTED`.
    pub async fn all_rooms(&self, timeout: Duration) -> Result<crate::ask::Rooms> {
        let conn = &self.link()?.conn;
        crate::ask::all_rooms(&self.asker(conn), self.target.namespace(), timeout).await
    }

    /// [`server_side_emit`](Self::server_side_emit), collecting what each server's handler
    /// acknowledges, for at most `timeout`; servers that did not acknowledge in time are
    /// counted in [`Acks::servers_missing`](crate::ask::Acks).
    pub async fn server_side_emit_with_ack(
        &self,
        event: &str,
        args: &[Value],
        timeout: Duration,
    ) -> Result<crate::ask::Acks> {
        let conn = &self.link()?.conn;
        crate::ask::server_side_emit_with_ack(&self.asker(conn), &self.target, event, args, timeout)
            .await
    }

    /// Emits to the target's clients asking each to acknowledge, and collects their answers
    /// for at most `timeout` (the server API's `io.timeout(t).emit(event, ..., callback)`).
    pub async fn emit_with_ack(
        &self,
        event: &str,
        args: &[Value],
        timeout: Duration,
    ) -> Result<crate::ask::BroadcastAcks> {
        let conn = &self.link()?.conn;
        crate::ask::emit_with_ack(&self.asker(conn), &self.target, event, args, timeout).await
    }

    fn asker<'a>(&'a self, conn: &'a crate::publish::Connection) -> crate::ask::Asker<'a> {
        crate::ask::Asker {
            conn,
            replies: &self.shared.replies,
            flavour: &self.shared.flavour,
            key: &self.shared.key,
        }
    }

    /// Emits `event` to the Socket.IO servers themselves (their `serverSideEmit` handlers).
    pub async fn server_side_emit(&self, event: &str, args: &[Value]) -> Result<u64> {
        check_sent_event(event)?;
        self.send(self.encode_server_side_emit(event, args)).await
    }

    /// Encodes `emit` now and queues it without waiting for Redis. Returns a ticket; any
    /// failure is reported by the next [`flush`](Self::flush) with that ticket. A full
    /// queue is `QUEUE_FULL` here (async callers cannot block; see [`emit_queued`](Self::emit_queued)).
    pub fn emit_nowait(&self, event: &str, args: &[Value]) -> Result<u64> {
        check_sent_event(event)?;
        self.try_enqueue(self.encode_emit(event, args)?)
            .map_err(|r| r.error)
    }

    /// Like [`emit_nowait`](Self::emit_nowait), but waits for room in the queue when the
    /// policy is `Block`.
    pub async fn emit_queued(&self, event: &str, args: &[Value]) -> Result<u64> {
        check_sent_event(event)?;
        self.enqueue(self.encode_emit(event, args)?).await
    }

    /// Queues an encoded output without waiting. A refused output comes back with the
    /// error (`QUEUE_FULL`, `CLOSED`), so that a caller allowed to wait can pass it to
    /// [`enqueue`](Self::enqueue) without encoding it again.
    pub fn try_enqueue(&self, output: Output) -> Result<u64, Rejected> {
        match self.link() {
            Ok(link) => link.queue.try_push(output),
            Err(error) => Err(Rejected { error, output }),
        }
    }

    /// Queues an encoded output, waiting for room when the policy is `Block`.
    pub async fn enqueue(&self, output: Output) -> Result<u64> {
        let link = self.link()?;
        match self.shared.queue_full {
            QueueFullPolicy::Block => link.queue.push(output).await,
            QueueFullPolicy::Error => link.queue.try_push(output).map_err(|r| r.error),
        }
    }

    /// Waits until everything queued so far has been sent; reports every result since the
    /// previous flush: a [`FlushReport`], or `FLUSH` with the failed tickets and the report.
    pub async fn flush(&self) -> Result<FlushReport> {
        self.flush_within(None).await
    }

    /// [`flush`](Self::flush) that stops waiting after `timeout` with `TIMEOUT`; what it
    /// did not report, the next flush does.
    pub async fn flush_within(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        self.link()?.queue.flush(timeout).await
    }

    /// Sends what is queued, then closes. Every later call fails with `CLOSED`; closing
    /// again is a no-op.
    pub async fn close(&self) -> Result<FlushReport> {
        self.close_within(None).await
    }

    /// [`close`](Self::close) that gives up after `timeout`: what is not done by then
    /// fails at once, each item reported in the `FLUSH` error, and close returns.
    pub async fn close_within(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return Ok(FlushReport::default());
        }
        // Requests in flight end with what arrived; the reply subscription goes.
        self.shared.replies.close().await;
        match &self.shared.link {
            Some(link) => link.queue.close(timeout).await,
            None => Ok(FlushReport::default()),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    pub(crate) fn queue_full_policy(&self) -> QueueFullPolicy {
        self.shared.queue_full
    }
}
