//! What every Python emitter object holds: a shared [`Client`] (options, the per-process
//! connection, the closed flag) and its own immutable target.
//!
//! The connection belongs to one process. A child created by `fork()` inherits the memory
//! of the parent's connection but none of its threads, so each use checks the pid and a
//! child connects again, lazily; the parent's state is leaked in the child, never touched.

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use pyo3::prelude::*;
use socketio_emitter::{
    Emitter as Core, EmitterConfig, Error, Flag, FlushReport, Result, Room, Target, Topology,
    redact_url,
};
use tokio::sync::OnceCell;

use crate::errors::to_py_err;
use crate::runtime;

/// The connection of one process.
struct Slot {
    pid: u32,
    root: OnceCell<Core>,
}

impl Slot {
    fn new() -> *mut Slot {
        Box::into_raw(Box::new(Slot {
            pid: std::process::id(),
            root: OnceCell::new(),
        }))
    }
}

pub(crate) struct Client {
    /// `None` for an offline (encode-only) emitter.
    config: Option<EmitterConfig>,
    /// An offline core with the options that shape the bytes (key, adapter, subscription
    /// mode, `max_payload_bytes`): every target and `encode_*` call starts from it, so
    /// encoding never needs the connection and always matches what is sent.
    encoder: Core,
    pub(crate) default: Option<Py<PyAny>>,
    /// The `max_payload_bytes` option: conversion stops past it, and `encode_*` refuse a
    /// larger payload.
    pub(crate) max_payload_bytes: usize,
    closed: AtomicBool,
    /// This process's connection. Read without a lock: a lock held by another thread at
    /// `fork()` time would stay held forever in the child. A slot is only freed by
    /// `Drop` (exclusive access); one replaced after a fork is leaked on purpose.
    slot: AtomicPtr<Slot>,
}

/// Live clients, so that interpreter exit can send what is still queued.
static CLIENTS: Mutex<Vec<Weak<Client>>> = Mutex::new(Vec::new());

impl Client {
    /// A client for `config`; `online` false makes it encode-only (the URL is not read).
    pub(crate) fn new(
        config: EmitterConfig,
        online: bool,
        default: Option<Py<PyAny>>,
    ) -> Arc<Client> {
        let client = Arc::new(Client {
            encoder: Core::offline_with(&config),
            max_payload_bytes: config.max_payload_bytes,
            config: online.then_some(config),
            default,
            closed: AtomicBool::new(false),
            slot: AtomicPtr::new(Slot::new()),
        });
        let mut all = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(&client));
        client
    }

    pub(crate) fn config(&self) -> Option<&EmitterConfig> {
        self.config.as_ref()
    }

    pub(crate) fn key(&self) -> &str {
        self.encoder.key()
    }

    /// This process's slot; a forked child replaces (and leaks) the parent's, whose
    /// connection belongs to threads the child does not have.
    fn slot(&self) -> &Slot {
        let pid = std::process::id();
        let current = self.slot.load(Ordering::Acquire);
        // SAFETY: slots are only freed in `Drop`, which has exclusive access.
        let slot = unsafe { &*current };
        if slot.pid == pid {
            return slot;
        }
        let mine = Slot::new();
        match self
            .slot
            .compare_exchange(current, mine, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: published, and freed only in `Drop`.
            Ok(_) => unsafe { &*mine },
            Err(_) => {
                // SAFETY: `mine` was never published.
                drop(unsafe { Box::from_raw(mine) });
                self.slot()
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The connected root emitter of this process, connecting first if needed. Must run
    /// on the runtime (inside `block_on` or a spawned task).
    pub(crate) async fn root(&self) -> Result<Core> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let slot = self.slot();
        let root = slot
            .root
            .get_or_try_init(|| async {
                match &self.config {
                    Some(cfg) => Core::with_config(cfg.clone()).await,
                    None => Ok(self.encoder.clone()),
                }
            })
            .await?;
        Ok(root.clone())
    }

    /// The root emitter if this process already connected.
    pub(crate) fn connected(&self) -> Option<Core> {
        self.slot().root.get().cloned()
    }

    /// Sends what is queued, then refuses every later call. Closing again is a no-op.
    /// With a timeout, what is not done by then fails at once (reported in `FLUSH`).
    pub(crate) async fn close(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(FlushReport::default());
        }
        match self.connected() {
            Some(root) => root.close_within(timeout).await,
            None => Ok(FlushReport::default()),
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let ptr = *self.slot.get_mut();
        // SAFETY: `drop` has exclusive access, and every reference handed out by `slot()`
        // borrowed `self`.
        let slot = unsafe { Box::from_raw(ptr) };
        if slot.pid != std::process::id() {
            // The parent's connection: its threads do not exist here, never touch it.
            std::mem::forget(slot);
            return;
        }
        // Dropped without close(): let the queue drain in the background.
        if let (Some(root), false, Ok(rt)) = (slot.root.get(), self.is_closed(), runtime::get()) {
            let root = root.clone();
            rt.spawn(async move {
                if let Err(e) = root.close().await {
                    eprintln!("socketio-emitter: emitter dropped without close(): {e}");
                }
            });
        }
    }
}

/// Closes every emitter of this process that is still open, waiting at most `timeout`
/// in all (registered with `atexit`).
#[pyfunction]
pub(crate) fn _close_all(py: Python<'_>, timeout: f64) -> PyResult<()> {
    // Never hang at exit: after a fork, the lock may be held by a thread that is gone.
    let registry = py.detach(|| {
        for _ in 0..200 {
            match CLIENTS.try_lock() {
                Ok(guard) => return Some(guard.clone()),
                Err(std::sync::TryLockError::Poisoned(p)) => return Some(p.into_inner().clone()),
                Err(std::sync::TryLockError::WouldBlock) => {
                    std::thread::sleep(Duration::from_millis(5))
                }
            }
        }
        None
    });
    let clients: Vec<Arc<Client>> = registry
        .unwrap_or_default()
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|c| !c.is_closed() && c.connected().is_some())
        .collect();
    if clients.is_empty() {
        return Ok(());
    }
    let limit = socketio_emitter::duration_from_secs_f64("timeout", timeout).map_err(to_py_err)?;
    runtime::block_on(py, async move {
        // One deadline for all: each close gets what is left of it, and what it could not
        // send by then fails at once (reported here) instead of holding up the exit.
        let deadline = tokio::time::Instant::now() + limit;
        for c in &clients {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if let Err(e) = c.close(Some(left)).await {
                eprintln!("socketio-emitter: at exit: {e}");
            }
        }
        Ok(())
    })
}

/// A shared client plus one immutable target: what each Python object wraps.
#[derive(Clone)]
pub(crate) struct Handle {
    pub(crate) client: Arc<Client>,
    /// An offline core emitter: it carries the key, the adapter and the target, builds new
    /// targets with the core's own rules, and encodes without any connection.
    pub(crate) target: Core,
}

impl Handle {
    pub(crate) fn new(client: Arc<Client>, nsp: &str) -> Handle {
        let target = client.encoder.with_namespace(nsp);
        Handle { client, target }
    }

    pub(crate) fn with(&self, target: Core) -> Handle {
        Handle {
            client: self.client.clone(),
            target,
        }
    }

    /// The connected emitter for this target.
    pub(crate) async fn emitter(&self) -> Result<Core> {
        Ok(retarget(&self.client.root().await?, self.target.target()))
    }

    /// The connected emitter for this target if this process is connected already.
    pub(crate) fn connected_emitter(&self) -> Option<Core> {
        match self.client.connected() {
            Some(root) if !self.client.is_closed() => Some(retarget(&root, self.target.target())),
            _ => None,
        }
    }

    /// The connected emitter, connecting on the calling thread if needed (GIL released).
    pub(crate) fn emitter_blocking(&self, py: Python<'_>) -> PyResult<Core> {
        match self.client.connected() {
            Some(root) if !self.client.is_closed() => Ok(retarget(&root, self.target.target())),
            _ => runtime::block_on(py, self.emitter()),
        }
    }

    pub(crate) fn repr(&self, class: &str) -> String {
        let t = self.target.target();
        let url = self
            .client
            .config()
            .map_or_else(|| "offline".to_owned(), where_to);
        format!(
            "<{class} {url} key={:?} nsp={:?} rooms=[{}] except=[{}]{}>",
            self.client.key(),
            t.namespace(),
            fmt_rooms(t.rooms().iter()),
            fmt_rooms(t.excepted().iter()),
            if self.client.is_closed() {
                " closed"
            } else {
                ""
            }
        )
    }
}

/// Where the emitter publishes, passwords redacted: the URL, the cluster's seed nodes, or
/// the Sentinel master and its sentinels (with the URL that gives the master's credentials).
fn where_to(config: &EmitterConfig) -> String {
    let list = |nodes: &[String]| {
        let shown: Vec<String> = nodes
            .iter()
            .map(|n| format!("{:?}", redact_url(n)))
            .collect();
        format!("[{}]", shown.join(", "))
    };
    match &config.topology {
        Topology::Cluster { nodes } => format!("cluster_nodes={}", list(nodes)),
        Topology::Sentinel { master, nodes } => format!(
            "{} sentinel_master={master:?} sentinel_nodes={}",
            config.redacted_url(),
            list(nodes)
        ),
        Topology::Standalone => config.redacted_url(),
    }
}

fn fmt_rooms<'a>(rooms: impl Iterator<Item = &'a Room>) -> String {
    let shown: Vec<String> = rooms
        .map(|r| match r {
            Room::Name(s) => format!("{s:?}"),
            Room::Number(n) => n.to_string(),
        })
        .collect();
    shown.join(", ")
}

/// The root emitter aimed at `t`. The core keeps the target private, so it is rebuilt with
/// the same calls that built it; the result is equal to `t` (checked in debug builds).
fn retarget(root: &Core, t: &Target) -> Core {
    let mut e = root.with_namespace(t.namespace());
    if !t.rooms().is_empty() {
        e = e.to(t.rooms().iter().cloned().collect::<Vec<Room>>());
    }
    if !t.excepted().is_empty() {
        e = e.except(t.excepted().iter().cloned().collect::<Vec<Room>>());
    }
    for (flag, on) in t.flags() {
        e = match flag {
            Flag::Volatile => e.volatile(),
            Flag::Compress => e.compress(*on),
        };
    }
    debug_assert_eq!(e.target(), t);
    e
}
