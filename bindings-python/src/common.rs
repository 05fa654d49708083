//! Pieces both emitter classes share: the flush report, encode outputs, argument helpers.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use socketio_emitter::adapter::Output;
use socketio_emitter::{Error, Result, Room, Value};

use crate::client::Handle;
use crate::convert::{Converter, rooms};
use crate::errors::invalid;

/// What `flush()` and `close()` report when every queued operation succeeded.
#[pyclass(frozen, get_all, eq, module = "socketio_emitter", name = "FlushReport")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyFlushReport {
    /// Queued operations completed since the previous flush.
    sent: u64,
    /// The sum of the Socket.IO servers that received them.
    receivers: u64,
}

#[pymethods]
impl PyFlushReport {
    #[new]
    #[pyo3(signature = (sent = 0, receivers = 0))]
    fn new(sent: u64, receivers: u64) -> Self {
        PyFlushReport { sent, receivers }
    }

    fn __repr__(&self) -> String {
        format!(
            "FlushReport(sent={}, receivers={})",
            self.sent, self.receivers
        )
    }
}

impl From<socketio_emitter::FlushReport> for PyFlushReport {
    fn from(r: socketio_emitter::FlushReport) -> Self {
        PyFlushReport {
            sent: r.sent,
            receivers: r.receivers,
        }
    }
}

/// `(channel, payload)`, what an `encode_*` method returns.
pub(crate) fn output<'py>(py: Python<'py>, out: Output) -> PyResult<Bound<'py, PyTuple>> {
    let payload = PyBytes::new(py, &out.payload);
    PyTuple::new(
        py,
        [
            out.channel.into_pyobject(py)?.into_any(),
            payload.into_any(),
        ],
    )
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

/// A `timeout=` argument in seconds; `None` waits as long as it takes.
pub(crate) fn timeout(secs: Option<f64>) -> PyResult<Option<Duration>> {
    secs.map(|s| {
        Duration::try_from_secs_f64(s)
            .map_err(|_| invalid("timeout must be a finite, non-negative number of seconds"))
    })
    .transpose()
}

/// Runs `fut` within `limit`, failing with `TIMEOUT`. Must run on the runtime.
pub(crate) async fn bounded<T>(
    what: &str,
    limit: Option<Duration>,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match limit {
        None => fut.await,
        Some(d) => tokio::time::timeout(d, fut).await.map_err(|_| {
            Error::Timeout(format!(
                "{what} did not finish within {:.3} s",
                d.as_secs_f64()
            ))
        })?,
    }
}

impl Handle {
    /// Event arguments as core values, through the client's `default` hook.
    pub(crate) fn values(&self, args: &Bound<'_, PyTuple>) -> PyResult<Vec<Value>> {
        let hook = self
            .client
            .default
            .as_ref()
            .map(|d| d.bind(args.py()).clone());
        let hook = hook.as_ref();
        Converter::new(hook).args(args)
    }

    pub(crate) fn to(&self, items: &Bound<'_, PyTuple>) -> PyResult<Handle> {
        Ok(self.with(self.target.to(rooms(items)?)))
    }

    pub(crate) fn except(&self, items: &Bound<'_, PyTuple>) -> PyResult<Handle> {
        Ok(self.with(self.target.except(rooms(items)?)))
    }

    pub(crate) fn encode_emit<'py>(
        &self,
        py: Python<'py>,
        event: &str,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let values = self.values(args)?;
        let out = py.detach(|| self.target.encode_emit(event, &values));
        output(py, out.map_err(crate::errors::to_py_err)?)
    }

    pub(crate) fn encode_server_side_emit<'py>(
        &self,
        py: Python<'py>,
        event: &str,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let values = self.values(args)?;
        let out = py.detach(|| self.target.encode_server_side_emit(event, &values));
        output(py, out.map_err(crate::errors::to_py_err)?)
    }
}
