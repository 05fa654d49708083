//! Hands results from the I/O threads to the asyncio loop that awaits them, in batches.
//!
//! Resolving each `asyncio.Future` on its own cost an I/O thread the GIL and a
//! `call_soon_threadsafe` (a self-pipe write that wakes the loop) per operation: with many
//! operations in flight (`asyncio.gather`), the I/O threads queued for a GIL the loop thread
//! held, and the loop woke once per result. Here a finished operation only pushes its result
//! into its loop's [`Settler`], without the GIL; the one that finds the batch empty takes the
//! GIL once to schedule [`Drain`] on the loop, which settles the whole batch there. Python
//! objects for the results are made on the loop thread, inside the batch.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::{BoundObject, intern};
use socketio_emitter::Result;

use crate::errors::to_py_err;
use crate::runtime::with_python;

/// Makes the Python value of one result, on the loop thread: `Ok` for `set_result`.
pub(crate) type Outcome =
    Box<dyn FnOnce(Python<'_>) -> std::result::Result<Py<PyAny>, PyErr> + Send>;

/// The [`Outcome`] of a result, converted to Python later, on the loop thread.
pub(crate) fn outcome<T>(result: Result<T>) -> Outcome
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    Box::new(move |py| match result {
        Ok(v) => v
            .into_pyobject(py)
            .map(|obj| obj.into_any().unbind())
            .map_err(Into::into),
        Err(e) => Err(to_py_err(e)),
    })
}

/// Results that arrived for futures already done (cancelled): counted for the tests.
static LATE_RESULTS: AtomicU64 = AtomicU64::new(0);

/// The results waiting for one event loop, and the operations it has yet to send.
pub(crate) struct Settler {
    pub(crate) event_loop: Py<PyAny>,
    pending: Mutex<Vec<(Py<PyAny>, Outcome)>>,
    /// The bound `Drain` callable, made once per loop.
    drain: PyOnceLock<Py<PyAny>>,
    /// Operations called during this loop iteration (see `outbox.rs`).
    pub(crate) outbox: crate::outbox::Outbox,
}

impl Settler {
    fn lock(&self) -> MutexGuard<'_, Vec<(Py<PyAny>, Outcome)>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `result` for `future`; the first of a batch schedules the drain on the loop.
    /// Runs on an I/O thread.
    pub(crate) fn push<T>(self: &Arc<Self>, future: Py<PyAny>, result: Result<T>)
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static,
    {
        self.push_many(std::iter::once((future, outcome(result))));
    }

    /// Queues several results at once (one lock, at most one wake-up).
    pub(crate) fn push_many(
        self: &Arc<Self>,
        results: impl IntoIterator<Item = (Py<PyAny>, Outcome)>,
    ) {
        let first = {
            let mut pending = self.lock();
            let was_empty = pending.is_empty();
            pending.extend(results);
            was_empty && !pending.is_empty()
        };
        if first {
            with_python(|py| {
                // The loop may be closed already; nobody is waiting then.
                let _ = self.schedule(py);
            });
        }
    }

    fn schedule(self: &Arc<Self>, py: Python<'_>) -> PyResult<()> {
        let drain = self.drain.get_or_try_init(py, || {
            Py::new(py, Drain(Arc::downgrade(self))).map(Py::into_any)
        })?;
        self.event_loop
            .call_method1(py, intern!(py, "call_soon_threadsafe"), (drain,))?;
        Ok(())
    }
}

/// Settles a loop's pending results; scheduled on that loop. Weak, so that the settler
/// (which keeps this callable) and the loop are freed once nothing uses them.
#[pyclass(frozen, module = "socketio_emitter._native")]
pub(crate) struct Drain(Weak<Settler>);

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let Some(settler) = self.0.upgrade() else {
            return Ok(());
        };
        let batch = std::mem::take(&mut *settler.lock());
        drop(settler);
        for (future, outcome) in batch {
            let future = future.bind(py);
            if future.call_method0(intern!(py, "done"))?.is_truthy()? {
                // Cancelled meanwhile: nobody waits for this result.
                LATE_RESULTS.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // One future's failure must not strand the rest of the batch.
            let _ = match outcome(py) {
                Ok(value) => future.call_method1(intern!(py, "set_result"), (value,)),
                Err(e) => future.call_method1(intern!(py, "set_exception"), (e.into_value(py),)),
            };
        }
        Ok(())
    }
}

/// How many results arrived for futures that were already done (cancelled). For the tests:
/// a late result must be dropped quietly, and this tells when it came back.
#[pyfunction]
pub(crate) fn _late_results() -> u64 {
    LATE_RESULTS.load(Ordering::Relaxed)
}

thread_local! {
    /// The settler of the loop last used on this thread (a running loop belongs to one
    /// thread), so each call finds it without a lookup.
    static CURRENT: std::cell::RefCell<Option<Arc<Settler>>> = const { std::cell::RefCell::new(None) };
}

/// `asyncio.get_running_loop`, looked up once.
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The running loop's settler and a new future of that loop. Raises `RuntimeError` outside
/// a running loop, as asyncio does.
pub(crate) fn for_running_loop(py: Python<'_>) -> PyResult<(Arc<Settler>, Bound<'_, PyAny>)> {
    let get = GET_RUNNING_LOOP.get_or_try_init(py, || {
        py.import("asyncio")?
            .getattr("get_running_loop")
            .map(BoundObject::unbind)
    })?;
    let event_loop = get.bind(py).call0()?;
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let settler = CURRENT.with_borrow_mut(|current| match current {
        Some(s) if s.event_loop.bind(py).is(&event_loop) => s.clone(),
        _ => {
            let s = Arc::new(Settler {
                event_loop: event_loop.unbind(),
                pending: Mutex::new(Vec::new()),
                drain: PyOnceLock::new(),
                outbox: crate::outbox::Outbox::default(),
            });
            *current = Some(s.clone());
            s
        }
    });
    Ok((settler, future))
}
