//! `socketio_emitter.Emitter`: the blocking API. Each call converts its arguments with the
//! GIL held, then encodes and waits for Redis with the GIL released.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use socketio_emitter::adapter::check_sent_event;
use socketio_emitter::{Error, QueueFullPolicy, Rejected};

use crate::ask::{self, Answer};
use crate::client::{Client, Handle};
use crate::common::{PyFlushReport, emitter_pymethods};
use crate::config::Options;
use crate::convert::text_arg;
use crate::errors::{catch, to_py_err};
use crate::runtime;

/// Publishes Socket.IO events into Redis (blocking calls; safe to share between threads).
/// Redis is one server (`url`), a Redis Cluster (`cluster_nodes`) or a master found
/// through Sentinel (`sentinel_master`, `sentinel_nodes`).
#[pyclass(frozen, module = "socketio_emitter", name = "Emitter")]
pub(crate) struct PyEmitter {
    h: Handle,
}

emitter_pymethods!(PyEmitter, "Emitter", {
    #[new]
    // The real default is shown (inspect, stubtest); `None` also means it.
    #[pyo3(signature = (url = None, **options), text_signature = "(url='redis://127.0.0.1:6379', **options)")]
    fn new(
        py: Python<'_>,
        url: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let opts = Options::parse("Emitter", url, options)?;
        let client = Client::new(opts.config, true, opts.default);
        let h = Handle::new(client, &opts.nsp);
        // Connect now, so that a bad URL or an unreachable Redis shows up here.
        runtime::block_on(py, h.emitter())?;
        Ok(PyEmitter { h })
    }

    /// Returns how many Socket.IO servers received the event.
    #[pyo3(signature = (event, *args))]
    fn emit(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        self.h.send(py, |e| {
            check_sent_event(&event)?;
            e.encode_emit(&event, &values)
        })
    }

    #[pyo3(signature = (event, *args))]
    fn server_side_emit(
        &self,
        py: Python<'_>,
        event: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let event = text_arg("event", event)?;
        let values = self.h.values(args)?;
        self.h.send(py, |e| {
            check_sent_event(&event)?;
            e.encode_server_side_emit(&event, &values)
        })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_join(&self, py: Python<'_>, rooms: &Bound<'_, PyTuple>) -> PyResult<u64> {
        let rooms = crate::convert::rooms(rooms)?;
        self.h.send(py, |e| e.encode_sockets_join(rooms))
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_leave(&self, py: Python<'_>, rooms: &Bound<'_, PyTuple>) -> PyResult<u64> {
        let rooms = crate::convert::rooms(rooms)?;
        self.h.send(py, |e| e.encode_sockets_leave(rooms))
    }

    #[pyo3(signature = (close = false))]
    fn disconnect_sockets(&self, py: Python<'_>, close: bool) -> PyResult<u64> {
        self.h.send(py, |e| e.encode_disconnect_sockets(close))
    }

    /// Queues the emit and returns its ticket; `flush()` reports failures by ticket.
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
        let block = self
            .h
            .client
            .config()
            .is_some_and(|c| c.queue_full == QueueFullPolicy::Block);
        let queued = py.detach(|| {
            catch(|| -> Result<Result<u64, Rejected>, Error> {
                check_sent_event(&event)?;
                Ok(e.try_enqueue(e.encode_emit(&event, &values)?))
            })
        });
        match queued.map_err(to_py_err)? {
            Ok(ticket) => Ok(ticket),
            // A full queue under the `block` policy: wait with the output already encoded.
            Err(Rejected {
                error: Error::QueueFull { .. },
                output,
            }) if block => runtime::block_on(py, async move { e.enqueue(output).await }),
            Err(rejected) => Err(to_py_err(rejected.error)),
        }
    }

    /// How many Socket.IO servers serve this namespace with the emitter's adapter, as Redis
    /// counts their subscriptions. Publishes nothing.
    fn server_count(&self, py: Python<'_>) -> PyResult<u64> {
        self.h.run(py, |e| async move { e.server_count().await })
    }

    /// The target's sockets on every server (`FetchedSockets`), waiting at most `timeout`
    /// seconds (5 by default) for the servers' answers.
    #[pyo3(signature = (timeout = None), text_signature = "($self, timeout=5.0)")]
    fn fetch_sockets<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = ask::timeout(timeout)?;
        let found = self
            .h
            .run(py, |e| async move { e.fetch_sockets(limit).await })?;
        Answer::sockets(found).into_pyobject(py)
    }

    /// Every room of the namespace on every server (`AllRooms`; classic adapter only).
    #[pyo3(signature = (timeout = None), text_signature = "($self, timeout=5.0)")]
    fn all_rooms<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limit = ask::timeout(timeout)?;
        let rooms = self
            .h
            .run(py, |e| async move { e.all_rooms(limit).await })?;
        Answer::rooms(rooms).into_pyobject(py)
    }

    /// `server_side_emit`, collecting what each server's handler acknowledges
    /// (`ServerAcks`).
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
        let acks = self.h.run(py, |e| async move {
            e.server_side_emit_with_ack(&event, &values, limit).await
        })?;
        Answer::server_acks(acks).into_pyobject(py)
    }

    /// Emits to the target's clients, each asked to acknowledge, and collects their answers
    /// (`ClientAcks`).
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
        let acks = self.h.run(py, |e| async move {
            e.emit_with_ack(&event, &values, limit).await
        })?;
        Answer::client_acks(acks).into_pyobject(py)
    }

    /// Waits until everything queued so far is done; raises `FlushError` listing failures
    /// (with the report of the rest), or `EmitterTimeoutError` after `timeout` seconds.
    #[pyo3(signature = (timeout = None))]
    fn flush(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<PyFlushReport> {
        let limit = crate::common::timeout(timeout)?;
        self.h
            .run(py, |e| async move { e.flush_within(limit).await })
            .map(PyFlushReport::from)
    }

    /// Sends what is queued, then closes; every later call raises `ClosedError`. This
    /// closes every emitter derived from the same constructor call. Idempotent. With a
    /// `timeout`, what is not done by then fails at once, reported in `FlushError`.
    #[pyo3(signature = (timeout = None))]
    fn close(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<PyFlushReport> {
        let limit = crate::common::timeout(timeout)?;
        runtime::block_on(py, self.h.client.close(limit)).map(PyFlushReport::from)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py, None)?;
        Ok(false)
    }
});
