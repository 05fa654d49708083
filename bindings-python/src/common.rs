//! Pieces both emitter classes share: the flush report, encode outputs, argument helpers,
//! and the methods they have in common ([`emitter_pymethods`]).

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyTuple, PyType};
use socketio_emitter::adapter::Output;
use socketio_emitter::{Emitter as Core, Result, Room, Value};

use crate::client::Handle;
use crate::convert::{Converter, rooms};
use crate::errors::{catch, catch_py, to_py_err};
use crate::runtime;

/// What `flush()` and `close()` report: the queued operations completed since the previous
/// flush. When some failed, `FlushError.report` carries this for the ones that succeeded.
#[pyclass(frozen, get_all, eq, module = "socketio_emitter", name = "FlushReport")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyFlushReport {
    /// Queued operations Redis accepted since the previous flush.
    sent: u64,
    /// The sum of the Socket.IO servers that received them.
    receivers: u64,
    /// Of `sent`, those that reached no Socket.IO server at all.
    reached_none: u64,
}

#[pymethods]
impl PyFlushReport {
    #[new]
    #[pyo3(signature = (sent = 0, receivers = 0, reached_none = 0))]
    fn new(sent: u64, receivers: u64, reached_none: u64) -> Self {
        PyFlushReport {
            sent,
            receivers,
            reached_none,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "FlushReport(sent={}, receivers={}, reached_none={})",
            self.sent, self.receivers, self.reached_none
        )
    }

    /// Pickling (a `FlushError` carries one across process boundaries).
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, pyo3::types::PyType>, (u64, u64, u64))> {
        let r = slf.get();
        Ok((slf.get_type(), (r.sent, r.receivers, r.reached_none)))
    }
}

impl From<socketio_emitter::FlushReport> for PyFlushReport {
    fn from(r: socketio_emitter::FlushReport) -> Self {
        PyFlushReport {
            sent: r.sent,
            receivers: r.receivers,
            reached_none: r.reached_none,
        }
    }
}

static ENCODED: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// What an `encode_*` method returns: a `socketio_emitter.Encoded`, the `(channel, payload)`
/// tuple with the whole Redis command beside it (`Output::args`; an XADD needs it).
pub(crate) fn output<'py>(py: Python<'py>, out: Output) -> PyResult<Bound<'py, PyTuple>> {
    let cls = ENCODED.import(py, "socketio_emitter._encoded", "Encoded")?;
    let args = out
        .args()
        .into_iter()
        .map(|a| PyBytes::new(py, &a))
        .collect::<Vec<_>>();
    let payload = PyBytes::new(py, &out.payload);
    let encoded = cls.call1((out.channel, payload, PyTuple::new(py, args)?))?;
    Ok(encoded.cast_into::<PyTuple>()?)
}

pub(crate) fn room_list<'py, 'a>(
    py: Python<'py>,
    rooms: impl Iterator<Item = &'a Room>,
) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for r in rooms {
        match r {
            Room::Name(s) => list.append(s)?,
            Room::Number(n) => list.append(n)?,
        }
    }
    Ok(list)
}

/// A `timeout=` argument: seconds or a `timedelta` (checked like the duration options);
/// `None` waits as long as it takes.
pub(crate) fn timeout(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| crate::config::seconds("timeout", v))
        .transpose()
}

impl Handle {
    /// Event arguments as core values, through the client's `default` hook. Stops once
    /// they certainly exceed `max_payload_bytes`; a panic is the typed `INTERNAL`.
    pub(crate) fn values(&self, args: &Bound<'_, PyTuple>) -> PyResult<Vec<Value>> {
        let hook = self
            .client
            .default
            .as_ref()
            .map(|d| d.bind(args.py()).clone());
        let hook = hook.as_ref();
        catch_py(|| Converter::new(hook, self.client.max_payload_bytes).args(args))
    }

    pub(crate) fn to(&self, items: &Bound<'_, PyTuple>) -> PyResult<Handle> {
        Ok(self.with(self.target.to(rooms(items)?)))
    }

    pub(crate) fn except(&self, items: &Bound<'_, PyTuple>) -> PyResult<Handle> {
        Ok(self.with(self.target.except(rooms(items)?)))
    }

    /// `encode(target, values)` on the event arguments, the GIL released while it runs.
    /// The target is an offline core made from the client's options, so it encodes for
    /// their adapter and refuses a payload over their `max_payload_bytes`.
    pub(crate) fn encode_event<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        encode: impl FnOnce(&Core, &[Value]) -> Result<Output> + Send,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let values = self.values(args)?;
        let t = &self.target;
        let out = py.detach(|| catch(|| encode(t, &values)));
        output(py, out.map_err(to_py_err)?)
    }

    /// Runs `op` on the connected emitter on this thread, the GIL released (`Emitter`).
    pub(crate) fn run<T, Fut>(
        &self,
        py: Python<'_>,
        op: impl FnOnce(Core) -> Fut + Send,
    ) -> PyResult<T>
    where
        T: Send,
        Fut: Future<Output = Result<T>> + Send,
    {
        runtime::block_on(py, async { op(self.emitter().await?).await })
    }

    /// Sends one encoded operation (`Emitter`), the GIL released: on this thread through
    /// the core's synchronous lane when it is free (no thread hand-off), otherwise on the
    /// runtime.
    pub(crate) fn send(
        &self,
        py: Python<'_>,
        encode: impl FnOnce(&Core) -> Result<Output> + Send,
    ) -> PyResult<u64> {
        let started = std::time::Instant::now();
        let e = self.emitter_blocking(py)?;
        let sent = py.detach(|| {
            catch(|| {
                let out = encode(&e)?;
                Ok(e.try_send_now(&out, started).ok_or(out))
            })
        });
        match sent.map_err(to_py_err)? {
            Ok(result) => result.map_err(to_py_err),
            Err(out) => {
                runtime::block_on(py, async move { e.send_output_since(&out, started).await })
            }
        }
    }

    /// Starts `op` on the connected emitter and returns an `asyncio.Future` of its result
    /// (`AsyncEmitter`).
    pub(crate) fn spawn<'py, T, Fut>(
        &self,
        py: Python<'py>,
        op: impl FnOnce(Core) -> Fut + Send + 'static,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        T: for<'a> IntoPyObject<'a> + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let h = self.clone();
        runtime::spawn_for_asyncio(py, async move { op(h.emitter().await?).await })
    }
}

/// The `#[pymethods]` of an emitter class: `$methods`, then the getters, builders and
/// encoders both classes share. A macro because pyo3 takes one `#[pymethods]` block per
/// class and the builders must return the concrete class. `$class` has one field, `h`.
macro_rules! emitter_pymethods {
    ($class:ident, $name:literal, { $($methods:tt)* }) => {
        impl $class {
            fn with(&self, h: $crate::client::Handle) -> $class {
                $class { h }
            }
        }

        #[::pyo3::pymethods]
        impl $class {
            $($methods)*

            /// An encode-only emitter: `encode_*` work, sending raises `ClosedError`.
            #[staticmethod]
            #[pyo3(
                signature = (
                    key = None, *, nsp = None, default = None, max_payload_bytes = None,
                    adapter = None, subscription_mode = None, stream_name = None,
                    stream_count = None, max_len = None, streams_version = None, compat = None
                ),
                text_signature = "(key='socket.io', *, nsp='/', default=None, max_payload_bytes=16777216, adapter='classic', subscription_mode='dynamic', stream_name='socket.io', stream_count=1, max_len=10000, streams_version='0.3', compat='redis-adapter-8')"
            )]
            #[allow(clippy::too_many_arguments)]
            fn offline(
                key: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                nsp: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                default: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                max_payload_bytes: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                adapter: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                subscription_mode: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                stream_name: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                stream_count: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                max_len: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                streams_version: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
                compat: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
            ) -> ::pyo3::PyResult<$class> {
                let opts = $crate::config::Offline::parse($crate::config::OfflineArgs {
                    key,
                    nsp,
                    default,
                    max_payload_bytes,
                    adapter,
                    subscription_mode,
                    stream_name,
                    stream_count,
                    max_len,
                    streams_version,
                    compat,
                })?;
                let client = $crate::client::Client::new(opts.config, false, opts.default);
                Ok($class {
                    h: $crate::client::Handle::new(client, &opts.nsp),
                })
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
            fn rooms<'py>(
                &self,
                py: ::pyo3::Python<'py>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyList>> {
                $crate::common::room_list(py, self.h.target.target().rooms().iter())
            }

            #[getter]
            fn except_rooms<'py>(
                &self,
                py: ::pyo3::Python<'py>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyList>> {
                $crate::common::room_list(py, self.h.target.target().excepted().iter())
            }

            #[getter]
            fn closed(&self) -> bool {
                self.h.client.is_closed()
            }

            fn __repr__(&self) -> String {
                self.h.repr($name)
            }

            #[pyo3(signature = (*rooms))]
            fn to(
                &self,
                rooms: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<$class> {
                Ok(self.with(self.h.to(rooms)?))
            }

            #[pyo3(signature = (*rooms))]
            fn in_(
                &self,
                rooms: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<$class> {
                self.to(rooms)
            }

            #[pyo3(signature = (*rooms))]
            fn except_(
                &self,
                rooms: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<$class> {
                Ok(self.with(self.h.except(rooms)?))
            }

            fn of(&self, nsp: &::pyo3::Bound<'_, ::pyo3::PyAny>) -> ::pyo3::PyResult<$class> {
                let nsp = $crate::convert::text_arg("nsp", nsp)?;
                Ok(self.with(self.h.with(self.h.target.of(&nsp))))
            }

            #[getter]
            fn volatile(&self) -> $class {
                self.with(self.h.with(self.h.target.volatile()))
            }

            #[pyo3(signature = (compress = true))]
            fn compress(&self, compress: bool) -> $class {
                self.with(self.h.with(self.h.target.compress(compress)))
            }

            /// `(channel, payload)` that `emit` would publish.
            #[pyo3(signature = (event, *args))]
            fn encode_emit<'py>(
                &self,
                py: ::pyo3::Python<'py>,
                event: &::pyo3::Bound<'py, ::pyo3::PyAny>,
                args: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyTuple>> {
                let event = $crate::convert::text_arg("event", event)?;
                self.h.encode_event(py, args, |t, values| t.encode_emit(&event, values))
            }

            #[pyo3(signature = (event, *args))]
            fn encode_server_side_emit<'py>(
                &self,
                py: ::pyo3::Python<'py>,
                event: &::pyo3::Bound<'py, ::pyo3::PyAny>,
                args: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyTuple>> {
                let event = $crate::convert::text_arg("event", event)?;
                self.h.encode_event(py, args, |t, values| {
                    t.encode_server_side_emit(&event, values)
                })
            }

            #[pyo3(signature = (*rooms))]
            fn encode_sockets_join<'py>(
                &self,
                py: ::pyo3::Python<'py>,
                rooms: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyTuple>> {
                let rooms = $crate::convert::rooms(rooms)?;
                let out = self.h.target.encode_sockets_join(rooms).map_err($crate::errors::to_py_err)?;
                $crate::common::output(py, out)
            }

            #[pyo3(signature = (*rooms))]
            fn encode_sockets_leave<'py>(
                &self,
                py: ::pyo3::Python<'py>,
                rooms: &::pyo3::Bound<'py, ::pyo3::types::PyTuple>,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyTuple>> {
                let rooms = $crate::convert::rooms(rooms)?;
                let out = self.h.target.encode_sockets_leave(rooms).map_err($crate::errors::to_py_err)?;
                $crate::common::output(py, out)
            }

            #[pyo3(signature = (close = false))]
            fn encode_disconnect_sockets<'py>(
                &self,
                py: ::pyo3::Python<'py>,
                close: bool,
            ) -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::types::PyTuple>> {
                let out = self.h.target.encode_disconnect_sockets(close).map_err($crate::errors::to_py_err)?;
                $crate::common::output(py, out)
            }
        }
    };
}
pub(crate) use emitter_pymethods;
