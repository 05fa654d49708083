//! `socketio_emitter.Emitter`: the blocking API. Each call converts its arguments with the
//! GIL held, then encodes and waits for Redis with the GIL released.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use socketio_emitter::{Error, QueueFullPolicy};

use crate::client::{Client, Handle};
use crate::common::{PyFlushReport, bounded, output, room_list};
use crate::config::Options;
use crate::errors::to_py_err;
use crate::runtime;

pub(crate) const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// Publishes Socket.IO events into Redis (blocking calls; safe to share between threads).
#[pyclass(frozen, module = "socketio_emitter", name = "Emitter")]
pub(crate) struct PyEmitter {
    h: Handle,
}

impl PyEmitter {
    fn with(&self, h: Handle) -> PyEmitter {
        PyEmitter { h }
    }
}

#[pymethods]
impl PyEmitter {
    #[new]
    #[pyo3(signature = (url = DEFAULT_URL.to_owned(), **options))]
    fn new(py: Python<'_>, url: String, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let opts = Options::parse("Emitter", &url, options)?;
        let key = opts.config.key.clone();
        let client = Client::new(Some(opts.config), key, opts.default);
        let h = Handle::new(client, &opts.nsp);
        // Connect now, so that a bad URL or an unreachable Redis shows up here.
        runtime::block_on(py, h.emitter())?;
        Ok(PyEmitter { h })
    }

    /// An encode-only emitter: `encode_*` work, sending raises `ClosedError`.
    #[staticmethod]
    #[pyo3(signature = (key = "socket.io".to_owned(), *, nsp = "/".to_owned(), default = None))]
    fn offline(key: String, nsp: String, default: Option<Py<PyAny>>) -> PyEmitter {
        let client = Client::new(None, key.clone(), default);
        PyEmitter {
            h: Handle::new(client, &nsp),
        }
    }

    #[getter]
    fn key(&self) -> &str {
        self.h.client.key()
    }

    #[getter]
    fn nsp(&self) -> &str {
        self.h.target.target().namespace()
    }

    #[getter]
    fn rooms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        room_list(py, self.h.target.target().rooms().iter())
    }

    #[getter]
    fn except_rooms<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        room_list(py, self.h.target.target().excepted().iter())
    }

    #[getter]
    fn closed(&self) -> bool {
        self.h.client.is_closed()
    }

    fn __repr__(&self) -> String {
        self.h.repr("Emitter")
    }

    #[pyo3(signature = (*rooms))]
    fn to(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyEmitter> {
        Ok(self.with(self.h.to(rooms)?))
    }

    #[pyo3(signature = (*rooms))]
    fn in_(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyEmitter> {
        self.to(rooms)
    }

    #[pyo3(signature = (*rooms))]
    fn except_(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyEmitter> {
        Ok(self.with(self.h.except(rooms)?))
    }

    fn of(&self, nsp: &str) -> PyEmitter {
        self.with(self.h.with(self.h.target.of(nsp)))
    }

    #[getter]
    fn volatile(&self) -> PyEmitter {
        self.with(self.h.with(self.h.target.volatile()))
    }

    #[pyo3(signature = (compress = true))]
    fn compress(&self, compress: bool) -> PyEmitter {
        self.with(self.h.with(self.h.target.compress(compress)))
    }

    /// Returns how many Socket.IO servers received the event.
    #[pyo3(signature = (event, *args))]
    fn emit(&self, py: Python<'_>, event: String, args: &Bound<'_, PyTuple>) -> PyResult<u64> {
        let values = self.h.values(args)?;
        runtime::block_on(py, async {
            self.h.emitter().await?.emit(&event, &values).await
        })
    }

    #[pyo3(signature = (event, *args))]
    fn server_side_emit(
        &self,
        py: Python<'_>,
        event: String,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let values = self.h.values(args)?;
        runtime::block_on(py, async {
            self.h
                .emitter()
                .await?
                .server_side_emit(&event, &values)
                .await
        })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_join(&self, py: Python<'_>, rooms: &Bound<'_, PyTuple>) -> PyResult<u64> {
        let rooms = crate::convert::rooms(rooms)?;
        runtime::block_on(py, async {
            self.h.emitter().await?.sockets_join(rooms).await
        })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_leave(&self, py: Python<'_>, rooms: &Bound<'_, PyTuple>) -> PyResult<u64> {
        let rooms = crate::convert::rooms(rooms)?;
        runtime::block_on(py, async {
            self.h.emitter().await?.sockets_leave(rooms).await
        })
    }

    #[pyo3(signature = (close = false))]
    fn disconnect_sockets(&self, py: Python<'_>, close: bool) -> PyResult<u64> {
        runtime::block_on(py, async {
            self.h.emitter().await?.disconnect_sockets(close).await
        })
    }

    /// Queues the emit and returns its ticket; `flush()` reports failures by ticket.
    #[pyo3(signature = (event, *args))]
    fn emit_nowait(
        &self,
        py: Python<'_>,
        event: String,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let values = self.h.values(args)?;
        let e = self.h.emitter_blocking(py)?;
        let block = self
            .h
            .client
            .config()
            .is_some_and(|c| c.queue_full == QueueFullPolicy::Block);
        match py.detach(|| e.emit_nowait(&event, &values)) {
            Err(Error::QueueFull { .. }) if block => {
                runtime::block_on(py, e.emit_queued(&event, &values))
            }
            other => other.map_err(to_py_err),
        }
    }

    /// Waits until everything queued so far is sent; raises `FlushError` listing failures.
    #[pyo3(signature = (timeout = None))]
    fn flush(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyFlushReport> {
        let limit = crate::common::timeout(timeout)?;
        runtime::block_on(py, async {
            let e = self.h.emitter().await?;
            bounded("flush", limit, e.flush()).await
        })
        .map(PyFlushReport::from)
    }

    /// Sends what is queued, then closes; every later call raises `ClosedError`. This
    /// closes every emitter derived from the same constructor call. Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<PyFlushReport> {
        runtime::block_on(py, self.h.client.close()).map(PyFlushReport::from)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    /// `(channel, payload)` that `emit` would publish.
    #[pyo3(signature = (event, *args))]
    fn encode_emit<'py>(
        &self,
        py: Python<'py>,
        event: String,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        self.h.encode_emit(py, &event, args)
    }

    #[pyo3(signature = (event, *args))]
    fn encode_server_side_emit<'py>(
        &self,
        py: Python<'py>,
        event: String,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        self.h.encode_server_side_emit(py, &event, args)
    }

    #[pyo3(signature = (*rooms))]
    fn encode_sockets_join<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        output(
            py,
            self.h
                .target
                .encode_sockets_join(crate::convert::rooms(rooms)?),
        )
    }

    #[pyo3(signature = (*rooms))]
    fn encode_sockets_leave<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        output(
            py,
            self.h
                .target
                .encode_sockets_leave(crate::convert::rooms(rooms)?),
        )
    }

    #[pyo3(signature = (close = false))]
    fn encode_disconnect_sockets<'py>(
        &self,
        py: Python<'py>,
        close: bool,
    ) -> PyResult<Bound<'py, PyTuple>> {
        output(py, self.h.target.encode_disconnect_sockets(close))
    }
}
