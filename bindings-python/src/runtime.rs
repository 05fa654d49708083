//! The process-wide tokio runtime, and the two ways Python waits on it.
//!
//! One runtime per process, created on first use. After `fork()` the child has none of the
//! parent's threads, so the runtime is keyed by pid: a child builds its own on first use
//! and leaks the parent's copy (dropping it would try to join threads that do not exist).
//!
//! - Sync calls run the future with [`block_on`] on the calling thread, the GIL released:
//!   encoding happens there, I/O on the runtime's worker.
//! - Async calls [`spawn_for_asyncio`]: the future runs on the runtime and completes an
//!   `asyncio.Future` on its loop, in batches (`settle.rs`). No thread per call.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use socketio_emitter::{Error, Result};
use tokio::runtime::{Builder, Runtime};

use crate::errors::{caught, to_py_err};

/// The runtime of one process. Never freed: a child must not drop its parent's copy.
struct Owned {
    pid: u32,
    rt: Runtime,
}

/// No lock on this path: a lock held by another thread at `fork()` time would stay held
/// forever in the child.
static RUNTIME: AtomicPtr<Owned> = AtomicPtr::new(std::ptr::null_mut());

/// The runtime of this process (a forked child gets a new one).
pub(crate) fn get() -> Result<&'static Runtime> {
    let pid = std::process::id();
    let current = RUNTIME.load(SeqCst);
    // SAFETY: a published `Owned` is leaked, so the pointer stays valid for the process.
    if let Some(owned) = unsafe { current.as_ref() }
        && owned.pid == pid
    {
        return Ok(&owned.rt);
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("socketio-emitter")
        // A write to a dead peer must fail with EPIPE, never kill the host process.
        .on_thread_start(socketio_emitter::block_sigpipe_on_current_thread)
        .enable_all()
        .build()
        .map_err(|e| Error::Connection(format!("cannot start the I/O threads: {e}")))?;
    let mine = Box::into_raw(Box::new(Owned { pid, rt }));
    match RUNTIME.compare_exchange(current, mine, SeqCst, SeqCst) {
        Ok(_) => {
            // Attaches counted in the parent belong to threads this process does not have.
            IN_PYTHON.store(0, SeqCst);
            // SAFETY: just published and never freed.
            Ok(unsafe { &(*mine).rt })
        }
        Err(_) => {
            // Another thread of this process won the race: use its runtime, drop ours.
            // SAFETY: `mine` was never published.
            let loser = unsafe { Box::from_raw(mine) };
            let Owned { rt, .. } = *loser;
            rt.shutdown_background();
            get()
        }
    }
}

/// Runs `fut` to completion on the current thread with the GIL released. A panic in it is
/// the typed `INTERNAL` error.
pub(crate) fn block_on<T: Send>(
    py: Python<'_>,
    fut: impl Future<Output = Result<T>> + Send,
) -> PyResult<T> {
    py.detach(|| {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::InvalidArgument(
                "the blocking Emitter cannot be used from the emitter's own I/O thread".into(),
            ));
        }
        get()?.block_on(caught(fut))
    })
    .map_err(to_py_err)
}

/// Starts `fut` on the runtime and returns an `asyncio.Future` of the running loop that
/// receives its result (through the loop's [`Settler`](crate::settle::Settler), in batches).
/// Must be called from a coroutine (or callback) of a running loop.
pub(crate) fn spawn_for_asyncio<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let (settler, future) = crate::settle::for_running_loop(py)?;
    let future_ref = future.clone().unbind();
    let fut = caught(fut);
    get().map_err(to_py_err)?.spawn(async move {
        // A panic resolves the future with `INTERNAL` instead of leaving it pending forever.
        settler.push(future_ref, fut.await);
    });
    Ok(future)
}

/// Set at interpreter exit: from then on, I/O threads no longer enter Python.
static PYTHON_GONE: AtomicBool = AtomicBool::new(false);
/// I/O threads currently inside (or waiting to enter) Python.
static IN_PYTHON: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` with the GIL from an I/O thread, unless the interpreter is shutting down: a
/// thread that takes the GIL during finalization aborts the process.
pub(crate) fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    IN_PYTHON.fetch_add(1, SeqCst);
    let result = if PYTHON_GONE.load(SeqCst) {
        None
    } else {
        Some(Python::attach(f))
    };
    IN_PYTHON.fetch_sub(1, SeqCst);
    result
}

/// Called by `atexit` (before finalization starts): stops I/O threads from entering
/// Python and waits, GIL released, for those already inside.
#[pyfunction]
pub(crate) fn _python_exiting(py: Python<'_>) {
    PYTHON_GONE.store(true, SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + Duration::from_secs(2);
        while IN_PYTHON.load(SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}
