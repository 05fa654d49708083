//! `socketio_emitter.AsyncEmitter`: the same operations as awaitables for asyncio. Each
//! call converts its arguments with the GIL held, then runs on the shared runtime and
//! completes an `asyncio.Future` of the caller's loop: no thread per call.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::ask::{self, Answer};
use crate::client::{Client, Handle};
use crate::common::{PyFlushReport, emitter_pymethods};
use crate::config::Options;
use crate::convert::text_arg;
use crate::errors::{catch, to_py_err};
use crate::outbox;
use crate::runtime::spawn_for_asyncio;
use socketio_emitter::adapter::check_sent_event;

/// Publishes Socket.IO events into Redis from asyncio code. Connects on first use (or in
/// `async with` / `await connect()`). The same options as `Emitter`, the topology ones
/// (`cluster_nodes`, `sentinel_master`, `sentinel_nodes`) included.
#[pyclass(frozen, module = "socketio_emitter", name = "AsyncEmitter")]
pub(crate) struct PyAsyncEmitter {
    h: Handle,
}

emitter_pymethods!(PyAsyncEmitter, "AsyncEmitter", {
    #[new]
    // The real default is shown (inspect, stubtest); `None` also means it.
    #[pyo3(signature = (url = None, **options), text_signature = "(url='redis://127.0.0.1:6379', **options)")]
    fn new(url: Option<&Bound<'_, PyAny>>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let opts = Options::parse("AsyncEmitter", url, options)?;
        let client = Client::new(opts.config, true, opts.default);
        Ok(PyAsyncEmitter {
            h: Handle::new(client, &opts.nsp),
        })
    }

    /// Connects now (otherwise the first operation does).
    fn connect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.h.spawn(py, |_| async { Ok(()) })
    }

    /// Resolves to how many Socket.IO servers received the event.
    #[pyo3(signature = (event, *args))]
    fn emit<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        outbox::submit(
            py,
            &self.h,
            Box::new(move |e| {
                check_sent_event(&event)?;
                e.encode_emit(&event, &values)
            }),
        )
    }

    #[pyo3(signature = (event, *args))]
    fn server_side_emit<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        outbox::submit(
            py,
            &self.h,
            Box::new(move |e| {
                check_sent_event(&event)?;
                e.encode_server_side_emit(&event, &values)
            }),
        )
    }

    /// How many Socket.IO servers serve this namespace, as Redis counts them.
    fn server_count<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.h.spawn(py, |e| async move { e.server_count().await })
    }

    /// The target's sockets on every server (`FetchedSockets`), waiting at most `timeout`
    /// seconds (5 by default).
    #[pyo3(signature = (timeout = None), text_signature = "($self, timeout=5.0)")]
    fn fetch_sockets<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = ask::timeout(timeout)?;
        self.h.spawn(py, move |e| async move {
            e.fetch_sockets(limit).await.map(Answer::sockets)
        })
    }

    /// Every room of the namespace on every server (`AllRooms`; classic adapter only).
    #[pyo3(signature = (timeout = None), text_signature = "($self, timeout=5.0)")]
    fn all_rooms<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = ask::timeout(timeout)?;
        self.h.spawn(py, move |e| async move {
            e.all_rooms(limit).await.map(Answer::rooms)
        })
    }

    /// `server_side_emit`, collecting each server handler's acknowledgement (`ServerAcks`).
    #[pyo3(signature = (event, *args, timeout = None), text_signature = "($self, event, *args, timeout=5.0)")]
    fn server_side_emit_with_ack<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        let limit = ask::timeout(timeout)?;
        self.h.spawn(py, move |e| async move {
            e.server_side_emit_with_ack(&event, &values, limit)
                .await
                .map(Answer::server_acks)
        })
    }

    /// Emits to the target's clients, each asked to acknowledge (`ClientAcks`).
    #[pyo3(signature = (event, *args, timeout = None), text_signature = "($self, event, *args, timeout=5.0)")]
    fn emit_with_ack<'py>(
        &self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
        args: &Bound<'py, PyTuple>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        let limit = ask::timeout(timeout)?;
        self.h.spawn(py, move |e| async move {
            e.emit_with_ack(&event, &values, limit)
                .await
                .map(Answer::client_acks)
        })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_join<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rooms = crate::convert::rooms(rooms)?;
        self.h
            .spawn(py, |e| async move { e.sockets_join(rooms).await })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_leave<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rooms = crate::convert::rooms(rooms)?;
        self.h
            .spawn(py, |e| async move { e.sockets_leave(rooms).await })
    }

    #[pyo3(signature = (close = false))]
    fn disconnect_sockets<'py>(&self, py: Python<'py>, close: bool) -> PyResult<Bound<'py, PyAny>> {
        self.h.spawn(
            py,
            move |e| async move { e.disconnect_sockets(close).await },
        )
    }

    /// Queues the emit and returns its ticket at once; a full queue raises
    /// `QueueFullError` (an event loop cannot block). `await flush()` reports failures.
    #[pyo3(signature = (event, *args))]
    fn emit_nowait(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        let e = self.h.emitter_blocking(py)?;
        py.detach(|| catch(|| e.emit_nowait(&event, &values)))
            .map_err(to_py_err)
    }

    #[pyo3(signature = (timeout = None))]
    fn flush<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = crate::common::timeout(timeout)?;
        self.h.spawn(py, move |e| async move {
            e.flush_within(limit).await.map(PyFlushReport::from)
        })
    }

    /// Sends what is queued, then closes (every emitter derived from the same constructor
    /// call). Idempotent. With a `timeout`, what is not done by then fails at once.
    #[pyo3(signature = (timeout = None))]
    fn close<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = crate::common::timeout(timeout)?;
        let h = self.h.clone();
        spawn_for_asyncio(py, async move {
            h.client.close(limit).await.map(PyFlushReport::from)
        })
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let this = slf.clone().unbind();
        slf.get().h.spawn(slf.py(), |_| async move { Ok(this) })
    }

    /// Closes; resolves to `None`, so exceptions propagate.
    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let h = self.h.clone();
        spawn_for_asyncio(py, async move { h.client.close(None).await.map(|_| ()) })
    }
});
