//! `socketio_emitter.AsyncEmitter`: the same operations as awaitables for asyncio. Each
//! call converts its arguments with the GIL held, then runs on the shared runtime and
//! completes an `asyncio.Future` of the caller's loop: no thread per call.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::client::{Client, Handle};
use crate::common::{PyFlushReport, bounded, output, room_list};
use crate::config::Options;
use crate::emitter::DEFAULT_URL;
use crate::errors::to_py_err;
use crate::runtime::spawn_for_asyncio;

/// Publishes Socket.IO events into Redis from asyncio code. Connects on first use (or in
/// `async with` / `await connect()`).
#[pyclass(frozen, module = "socketio_emitter", name = "AsyncEmitter")]
pub(crate) struct PyAsyncEmitter {
    h: Handle,
}

impl PyAsyncEmitter {
    fn with(&self, h: Handle) -> PyAsyncEmitter {
        PyAsyncEmitter { h }
    }
}

#[pymethods]
impl PyAsyncEmitter {
    #[new]
    #[pyo3(signature = (url = DEFAULT_URL.to_owned(), **options))]
    fn new(url: String, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let opts = Options::parse("AsyncEmitter", &url, options)?;
        let key = opts.config.key.clone();
        let client = Client::new(Some(opts.config), key, opts.default);
        Ok(PyAsyncEmitter {
            h: Handle::new(client, &opts.nsp),
        })
    }

    /// An encode-only emitter: `encode_*` work, sending raises `ClosedError`.
    #[staticmethod]
    #[pyo3(signature = (key = "socket.io".to_owned(), *, nsp = "/".to_owned(), default = None))]
    fn offline(key: String, nsp: String, default: Option<Py<PyAny>>) -> PyAsyncEmitter {
        let client = Client::new(None, key.clone(), default);
        PyAsyncEmitter {
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
        self.h.repr("AsyncEmitter")
    }

    #[pyo3(signature = (*rooms))]
    fn to(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyAsyncEmitter> {
        Ok(self.with(self.h.to(rooms)?))
    }

    #[pyo3(signature = (*rooms))]
    fn in_(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyAsyncEmitter> {
        self.to(rooms)
    }

    #[pyo3(signature = (*rooms))]
    fn except_(&self, rooms: &Bound<'_, PyTuple>) -> PyResult<PyAsyncEmitter> {
        Ok(self.with(self.h.except(rooms)?))
    }

    fn of(&self, nsp: &str) -> PyAsyncEmitter {
        self.with(self.h.with(self.h.target.of(nsp)))
    }

    #[getter]
    fn volatile(&self) -> PyAsyncEmitter {
        self.with(self.h.with(self.h.target.volatile()))
    }

    #[pyo3(signature = (compress = true))]
    fn compress(&self, compress: bool) -> PyAsyncEmitter {
        self.with(self.h.with(self.h.target.compress(compress)))
    }

    /// Connects now (otherwise the first operation does).
    fn connect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let h = self.h.clone();
        spawn_for_asyncio(py, async move { h.emitter().await.map(|_| ()) })
    }

    /// Resolves to how many Socket.IO servers received the event.
    #[pyo3(signature = (event, *args))]
    fn emit<'py>(
        &self,
        py: Python<'py>,
        event: String,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let values = self.h.values(args)?;
        let h = self.h.clone();
        spawn_for_asyncio(
            py,
            async move { h.emitter().await?.emit(&event, &values).await },
        )
    }

    #[pyo3(signature = (event, *args))]
    fn server_side_emit<'py>(
        &self,
        py: Python<'py>,
        event: String,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let values = self.h.values(args)?;
        let h = self.h.clone();
        spawn_for_asyncio(py, async move {
            h.emitter().await?.server_side_emit(&event, &values).await
        })
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_join<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rooms = crate::convert::rooms(rooms)?;
        let h = self.h.clone();
        spawn_for_asyncio(
            py,
            async move { h.emitter().await?.sockets_join(rooms).await },
        )
    }

    #[pyo3(signature = (*rooms))]
    fn sockets_leave<'py>(
        &self,
        py: Python<'py>,
        rooms: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rooms = crate::convert::rooms(rooms)?;
        let h = self.h.clone();
        spawn_for_asyncio(
            py,
            async move { h.emitter().await?.sockets_leave(rooms).await },
        )
    }

    #[pyo3(signature = (close = false))]
    fn disconnect_sockets<'py>(&self, py: Python<'py>, close: bool) -> PyResult<Bound<'py, PyAny>> {
        let h = self.h.clone();
        spawn_for_asyncio(py, async move {
            h.emitter().await?.disconnect_sockets(close).await
        })
    }

    /// Queues the emit and returns its ticket at once; a full queue raises
    /// `QueueFullError` (an event loop cannot block). `await flush()` reports failures.
    #[pyo3(signature = (event, *args))]
    fn emit_nowait(
        &self,
        py: Python<'_>,
        event: String,
        args: &Bound<'_, PyTuple>,
    ) -> PyResult<u64> {
        let values = self.h.values(args)?;
        let e = self.h.emitter_blocking(py)?;
        py.detach(|| e.emit_nowait(&event, &values))
            .map_err(to_py_err)
    }

    #[pyo3(signature = (timeout = None))]
    fn flush<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        let limit = crate::common::timeout(timeout)?;
        let h = self.h.clone();
        spawn_for_asyncio(py, async move {
            let e = h.emitter().await?;
            bounded("flush", limit, e.flush())
                .await
                .map(PyFlushReport::from)
        })
    }

    /// Sends what is queued, then closes (every emitter derived from the same constructor
    /// call). Idempotent.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let h = self.h.clone();
        spawn_for_asyncio(py, async move {
            h.client.close().await.map(PyFlushReport::from)
        })
    }

    fn __aenter__<'py>(slf: Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let h = slf.get().h.clone();
        let this = slf.clone().unbind();
        spawn_for_asyncio(slf.py(), async move {
            h.emitter().await?;
            Ok(this)
        })
    }

    /// Closes; resolves to `None`, so exceptions propagate.
    #[pyo3(signature = (*_exc))]
    fn __aexit__<'py>(
        &self,
        py: Python<'py>,
        _exc: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let h = self.h.clone();
        spawn_for_asyncio(py, async move { h.client.close().await.map(|_| ()) })
    }

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
