//! The blocking API, for callers without a tokio runtime (scripts, thread pools, the C
//! library). It owns a small runtime whose one worker thread keeps the connection and the
//! queue running between calls.

use std::sync::Arc;
use std::time::Duration;

use crate::adapter::{Delivery, Output};
use crate::config::{EmitterConfig, QueueFullPolicy};
use crate::error::{Error, Result};
use crate::publish::queue::{FlushReport, Rejected};
use crate::target::Target;
use crate::value::{IntoRooms, Value};

/// How long dropping the last handle of an unclosed emitter waits for its queue.
const DROP_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long dropping the last handle waits for the I/O thread to stop. It stops as soon as
/// its tasks are dropped; the bound only guards against a thread stuck in a system call.
const DROP_JOIN_TIMEOUT: Duration = Duration::from_secs(2);

/// Owns the runtime; when the last handle goes, it closes the emitter so that queued
/// operations are sent (or their failure reported on stderr) before the runtime stops.
#[derive(Debug)]
struct Owner {
    runtime: Option<tokio::runtime::Runtime>,
    root: crate::Emitter,
}

impl Drop for Owner {
    fn drop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Blocking is not allowed here (dropped from async code): the thread stops on
            // its own, unjoined.
            runtime.shutdown_background();
            return;
        }
        if !self.root.is_closed() {
            // The timer must be created inside the runtime, hence the async block.
            let root = &self.root;
            let result = runtime.block_on(root.close_within(Some(DROP_FLUSH_TIMEOUT)));
            if let Err(e) = result {
                eprintln!("socketio-emitter: dropped without close(): {e}");
            }
        }
        // Joined, not left in the background: a thread still tearing the connection down
        // when the process exits holds memory that leak checkers report as lost (seen under
        // valgrind in the C fault suite), and a host that unloads the library must not
        // have our thread running in it.
        runtime.shutdown_timeout(DROP_JOIN_TIMEOUT);
    }
}

/// The blocking twin of [`crate::Emitter`], with the same operations.
///
/// ```no_run
/// use socketio_emitter::{args, blocking::Emitter};
/// let io = Emitter::connect("redis://127.0.0.1:6379")?;
/// io.to("room1").emit("chat", &args!["hello"])?;
/// io.close()?;
/// # Ok::<(), socketio_emitter::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Emitter {
    owner: Arc<Owner>,
    inner: crate::Emitter,
}

impl Emitter {
    pub fn connect(url: &str) -> Result<Emitter> {
        Emitter::with_config(EmitterConfig::new(url))
    }

    pub fn with_config(config: EmitterConfig) -> Result<Emitter> {
        refuse_inside_runtime()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("socketio-emitter")
            .on_thread_start(crate::block_sigpipe_on_current_thread)
            .enable_all()
            .build()
            .map_err(|e| Error::Connection(format!("cannot start the I/O thread: {e}")))?;
        let root = crate::publish::sigpipe::suppressed(|| {
            runtime.block_on(crate::Emitter::with_config(config))
        })?;
        let owner = Owner {
            runtime: Some(runtime),
            root: root.clone(),
        };
        Ok(Emitter {
            owner: Arc::new(owner),
            inner: root,
        })
    }

    /// An emitter that only encodes (see [`crate::Emitter::offline`]); it owns no thread.
    pub fn offline(key: &str) -> Emitter {
        Emitter::offline_root(crate::Emitter::offline(key))
    }

    /// An encode-only emitter for `config`'s key, adapter and limits (see
    /// [`crate::Emitter::offline_with`]); it owns no thread.
    pub fn offline_with(config: &EmitterConfig) -> Emitter {
        Emitter::offline_root(crate::Emitter::offline_with(config))
    }

    fn offline_root(root: crate::Emitter) -> Emitter {
        let owner = Owner {
            runtime: None,
            root: root.clone(),
        };
        Emitter {
            owner: Arc::new(owner),
            inner: root,
        }
    }

    /// The namespace exactly as given (see [`crate::Emitter::with_namespace`]).
    pub fn with_namespace(&self, nsp: &str) -> Emitter {
        self.wrap(self.inner.with_namespace(nsp))
    }

    pub fn encode_emit(&self, event: &str, args: &[Value]) -> Result<Output> {
        self.inner.encode_emit(event, args)
    }

    pub fn encode_server_side_emit(&self, event: &str, args: &[Value]) -> Result<Output> {
        self.inner.encode_server_side_emit(event, args)
    }

    pub fn encode_sockets_join(&self, rooms: impl IntoRooms) -> Result<Output> {
        self.inner.encode_sockets_join(rooms)
    }

    pub fn encode_sockets_leave(&self, rooms: impl IntoRooms) -> Result<Output> {
        self.inner.encode_sockets_leave(rooms)
    }

    pub fn encode_disconnect_sockets(&self, close: bool) -> Result<Output> {
        self.inner.encode_disconnect_sockets(close)
    }

    fn wrap(&self, inner: crate::Emitter) -> Emitter {
        Emitter {
            owner: self.owner.clone(),
            inner,
        }
    }

    fn block_on<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        refuse_inside_runtime()?;
        match &self.owner.runtime {
            // The future runs on the caller's thread, and may write to a socket (connecting,
            // a TLS handshake): no SIGPIPE may reach the host from there either.
            Some(rt) => crate::publish::sigpipe::suppressed(|| rt.block_on(fut)),
            None => Err(Error::Closed),
        }
    }

    /// The adapter this emitter publishes for: with `adapter = auto`, the one detected.
    pub fn adapter(&self) -> crate::AdapterKind {
        self.inner.adapter()
    }

    pub fn target(&self) -> &Target {
        self.inner.target()
    }

    pub fn of(&self, nsp: &str) -> Emitter {
        self.wrap(self.inner.of(nsp))
    }

    pub fn to(&self, rooms: impl IntoRooms) -> Emitter {
        self.wrap(self.inner.to(rooms))
    }

    pub fn r#in(&self, rooms: impl IntoRooms) -> Emitter {
        self.to(rooms)
    }

    pub fn except(&self, rooms: impl IntoRooms) -> Emitter {
        self.wrap(self.inner.except(rooms))
    }

    pub fn volatile(&self) -> Emitter {
        self.wrap(self.inner.volatile())
    }

    pub fn compress(&self, compress: bool) -> Emitter {
        self.wrap(self.inner.compress(compress))
    }

    /// Sends on this thread when the synchronous lane is free, through the I/O thread otherwise.
    fn send(&self, output: Result<Output>) -> Result<u64> {
        refuse_inside_runtime()?;
        let started = std::time::Instant::now();
        let output = output?;
        match self.inner.try_send_now(&output, started) {
            Some(result) => result,
            None => self.block_on(self.inner.send_output_since(&output, started)),
        }
    }

    pub fn emit(&self, event: &str, args: &[Value]) -> Result<u64> {
        crate::adapter::check_sent_event(event)?;
        self.send(self.inner.encode_emit(event, args))
    }

    /// [`emit`](Self::emit), also telling the stream entry's ID with the streams adapter
    /// (see [`crate::Emitter::emit_detailed`]).
    pub fn emit_detailed(&self, event: &str, args: &[Value]) -> Result<Delivery> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.emit_detailed(event, args))
    }

    pub fn sockets_join(&self, rooms: impl IntoRooms) -> Result<u64> {
        self.send(self.inner.encode_sockets_join(rooms))
    }

    pub fn sockets_leave(&self, rooms: impl IntoRooms) -> Result<u64> {
        self.send(self.inner.encode_sockets_leave(rooms))
    }

    pub fn disconnect_sockets(&self, close: bool) -> Result<u64> {
        self.send(self.inner.encode_disconnect_sockets(close))
    }

    /// See [`crate::Emitter::server_count`].
    pub fn server_count(&self) -> Result<u64> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.server_count())
    }

    /// See [`crate::Emitter::fetch_sockets`].
    pub fn fetch_sockets(&self, timeout: std::time::Duration) -> Result<crate::ask::Fetched> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.fetch_sockets(timeout))
    }

    /// See [`crate::Emitter::all_rooms`].
    pub fn all_rooms(&self, timeout: std::time::Duration) -> Result<crate::ask::Rooms> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.all_rooms(timeout))
    }

    /// See [`crate::Emitter::server_side_emit_with_ack`].
    pub fn server_side_emit_with_ack(
        &self,
        event: &str,
        args: &[Value],
        timeout: std::time::Duration,
    ) -> Result<crate::ask::Acks> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.server_side_emit_with_ack(event, args, timeout))
    }

    /// See [`crate::Emitter::emit_with_ack`].
    pub fn emit_with_ack(
        &self,
        event: &str,
        args: &[Value],
        timeout: std::time::Duration,
    ) -> Result<crate::ask::BroadcastAcks> {
        refuse_inside_runtime()?;
        self.block_on(self.inner.emit_with_ack(event, args, timeout))
    }

    pub fn server_side_emit(&self, event: &str, args: &[Value]) -> Result<u64> {
        crate::adapter::check_sent_event(event)?;
        self.send(self.inner.encode_server_side_emit(event, args))
    }

    /// Queues `emit` and returns its ticket at once. When the queue is full it waits for
    /// room (policy `Block`, the default) or fails with `QUEUE_FULL` (policy `Error`).
    pub fn emit_nowait(&self, event: &str, args: &[Value]) -> Result<u64> {
        crate::adapter::check_sent_event(event)?;
        let output = self.inner.encode_emit(event, args)?;
        match self.inner.try_enqueue(output) {
            Err(Rejected {
                error: Error::QueueFull { .. },
                output,
            }) if self.inner.queue_full_policy() == QueueFullPolicy::Block => {
                // Wait with the output already encoded.
                self.block_on(self.inner.enqueue(output))
            }
            other => other.map_err(|r| r.error),
        }
    }

    pub fn flush(&self) -> Result<FlushReport> {
        self.block_on(self.inner.flush())
    }

    /// [`flush`](Self::flush) that stops waiting after `timeout` (`TIMEOUT`); the next
    /// flush reports what this one did not.
    pub fn flush_within(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        self.block_on(self.inner.flush_within(timeout))
    }

    pub fn close(&self) -> Result<FlushReport> {
        self.block_on(self.inner.close())
    }

    /// [`close`](Self::close) that gives up after `timeout`: what is not done by then
    /// fails at once, reported in the `FLUSH` error.
    pub fn close_within(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        self.block_on(self.inner.close_within(timeout))
    }

    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// The async emitter this one drives, for callers that also have a runtime.
    pub fn as_async(&self) -> &crate::Emitter {
        &self.inner
    }
}

fn refuse_inside_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InvalidArgument(
            "the blocking emitter cannot be used from inside an async runtime; use socketio_emitter::Emitter".into(),
        ));
    }
    Ok(())
}

/// [`crate::inspect::survey`] without a runtime: every group of Socket.IO servers that
/// listens on the Redis `config` names.
pub fn survey(config: &EmitterConfig) -> Result<crate::inspect::Survey> {
    run_once(crate::inspect::survey(config))
}

/// [`crate::inspect::detect`] without a runtime: the adapter of the servers on
/// `config.key` and `namespace`, or `DETECTION_FAILED` saying what listens.
pub fn detect(config: &EmitterConfig, namespace: &str) -> Result<crate::inspect::Detected> {
    run_once(crate::inspect::detect(config, namespace))
}

/// Runs one inspection on a runtime of its own, on this thread.
fn run_once<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    refuse_inside_runtime()?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start a runtime: {e}")))?
        .block_on(work)
}
