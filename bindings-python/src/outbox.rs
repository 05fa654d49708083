//! `AsyncEmitter.emit` and `server_side_emit`, gathered per loop iteration and sent as one
//! pipeline.
//!
//! Sending each call as its own task cost the I/O threads a Redis request each (a command,
//! a reply channel, timers, a socket write): with `asyncio.gather` of many emits, the I/O
//! threads spent more CPU than the loop. Here a call encodes on the loop thread (with the
//! connected emitter, whose adapter `adapter="auto"` may have detected; the first calls,
//! made before the connection exists, are encoded once it does) and joins its loop's outbox; the first call of an iteration schedules [`SendOutbox`] with
//! `call_soon`, which runs once the calling coroutines yield, takes every call made
//! meanwhile and starts one task per emitter connection that sends them with one
//! `send_outputs_since` (one pipeline, one result per call). Results come back through
//! the loop's [`Settler`] in one batch.
//!
//! Calls started concurrently have no order among themselves (docs/guarantees.md); a call
//! awaited before the next is made keeps its order, since it was answered first.

use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use socketio_emitter::adapter::Output;
use socketio_emitter::{Emitter as Core, Error, Result};

use crate::client::{Client, Handle};
use crate::errors::{catch, caught, to_py_err};
use crate::runtime;
use crate::settle::{self, Settler};

/// Calls per pipeline, and payload bytes after which a pipeline stops growing: the bounds
/// of the core's `emit_nowait` queue, far below Redis's 32 MB Pub/Sub output limit.
const MAX_BATCH: usize = 512;
const MAX_BATCH_BYTES: usize = 1 << 20;

/// What a call publishes, encoded by the connected emitter of its target.
pub(crate) type Encode = Box<dyn FnOnce(&Core) -> Result<Output> + Send>;

enum Work {
    Encoded(Output),
    /// Called before the process connected: encoded once it has.
    Later(Handle, Encode),
}

struct Job {
    client: Arc<Client>,
    work: Work,
    future: Py<PyAny>,
    started: Instant,
}

impl Job {
    fn bytes(&self) -> usize {
        match &self.work {
            Work::Encoded(output) => output.payload.len(),
            Work::Later(..) => 0,
        }
    }
}

/// The calls one loop made since its last [`SendOutbox`].
pub(crate) struct Outbox {
    jobs: Mutex<Vec<Job>>,
    /// The bound `SendOutbox` callable, made once per loop.
    send: PyOnceLock<Py<PyAny>>,
}

impl Default for Outbox {
    fn default() -> Outbox {
        Outbox {
            jobs: Mutex::new(Vec::new()),
            send: PyOnceLock::new(),
        }
    }
}

/// Encodes a call of `h` and queues it for the running loop; returns the future of its
/// result, the receiver count. An encoding error is raised by `await`, like every other
/// failure of the call.
pub(crate) fn submit<'py>(
    py: Python<'py>,
    h: &Handle,
    encode: Encode,
) -> PyResult<Bound<'py, PyAny>> {
    let started = Instant::now();
    let (settler, future) = settle::for_running_loop(py)?;
    let work = match h.connected_emitter() {
        Some(e) => match catch(|| encode(&e)) {
            Ok(output) => Work::Encoded(output),
            Err(e) => {
                future
                    .call_method1(intern!(py, "set_exception"), (to_py_err(e).into_value(py),))?;
                return Ok(future);
            }
        },
        None => Work::Later(h.clone(), encode),
    };
    let first = {
        let mut jobs = settler
            .outbox
            .jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        jobs.push(Job {
            client: h.client.clone(),
            work,
            future: future.clone().unbind(),
            started,
        });
        jobs.len() == 1
    };
    if first {
        let send = settler.outbox.send.get_or_try_init(py, || {
            Py::new(py, SendOutbox(Arc::downgrade(&settler))).map(Py::into_any)
        })?;
        settler
            .event_loop
            .call_method1(py, intern!(py, "call_soon"), (send,))?;
    }
    Ok(future)
}

/// Sends what a loop's calls queued; scheduled on that loop. Weak, like `Drain`.
#[pyclass(frozen, module = "socketio_emitter._native")]
pub(crate) struct SendOutbox(Weak<Settler>);

#[pymethods]
impl SendOutbox {
    fn __call__(&self) -> PyResult<()> {
        let Some(settler) = self.0.upgrade() else {
            return Ok(());
        };
        let jobs = std::mem::take(
            &mut *settler
                .outbox
                .jobs
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        let rt = runtime::get().map_err(to_py_err)?;
        for batch in batches(jobs) {
            let settler = settler.clone();
            rt.spawn(send(batch, settler));
        }
        Ok(())
    }
}

/// The jobs grouped by connection, in call order, cut at the pipeline bounds.
fn batches(jobs: Vec<Job>) -> Vec<Vec<Job>> {
    let mut batches: Vec<(usize, Vec<Job>)> = Vec::new();
    for job in jobs {
        let open = batches.iter_mut().rev().find(|(bytes, b)| {
            Arc::ptr_eq(&b[0].client, &job.client)
                && b.len() < MAX_BATCH
                && *bytes < MAX_BATCH_BYTES
        });
        let size = job.bytes();
        match open {
            Some((bytes, batch)) => {
                *bytes += size;
                batch.push(job);
            }
            None => batches.push((size, vec![job])),
        }
    }
    batches.into_iter().map(|(_, b)| b).collect()
}

/// Sends one batch as one pipeline and hands each call its own result.
async fn send(batch: Vec<Job>, settler: Arc<Settler>) {
    let client = batch[0].client.clone();
    let started = batch
        .iter()
        .map(|j| j.started)
        .min()
        .unwrap_or_else(Instant::now);
    let count = batch.len();
    let (works, futures): (Vec<Work>, Vec<Py<PyAny>>) =
        batch.into_iter().map(|j| (j.work, j.future)).unzip();
    // A panic fails every call of the batch with `INTERNAL` instead of leaving them pending.
    let results = caught(async move {
        let root = client.root().await?;
        // Calls whose encoding failed keep their error; the others share one pipeline.
        let mut results: Vec<Option<Result<u64>>> = Vec::with_capacity(works.len());
        let mut outputs = Vec::with_capacity(works.len());
        for work in works {
            let encoded = match work {
                Work::Encoded(output) => Ok(output),
                Work::Later(h, encode) => match h.emitter().await {
                    Ok(e) => catch(|| encode(&e)),
                    Err(e) => Err(e),
                },
            };
            match encoded {
                Ok(output) => {
                    outputs.push(output);
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        let sent = if outputs.is_empty() {
            Vec::new()
        } else {
            root.send_outputs_since(&outputs, started).await
        };
        let mut sent = sent.into_iter();
        Ok(results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| sent.next().unwrap_or(Err(Error::Closed))))
            .collect::<Vec<_>>())
    })
    .await
    .unwrap_or_else(|e| vec![Err(e); count]);
    settler.push_many(
        futures
            .into_iter()
            .zip(results)
            .map(|(future, result)| (future, settle::outcome(result))),
    );
}
