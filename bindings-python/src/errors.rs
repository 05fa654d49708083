//! The one place where a core [`Error`] becomes a Python exception.
//!
//! The classes live in `socketio_emitter/exceptions.py` (plain Python, so that they can use
//! multiple inheritance: `EncodeError` is also a `TypeError`, `TimeoutError` a builtin
//! `TimeoutError`, ...). `exceptions.BY_CODE` maps each stable code to its class; this file
//! only adds the structured details of each variant.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use socketio_emitter::{Error, Result};

use crate::common::PyFlushReport;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn exceptions(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    EXCEPTIONS
        .get_or_try_init(py, || {
            py.import("socketio_emitter.exceptions").map(Bound::unbind)
        })
        .map(|m| m.bind(py))
}

/// Converts a core error into the matching `socketio_emitter.exceptions` instance.
pub(crate) fn to_py_err(e: Error) -> PyErr {
    Python::attach(|py| build(py, &e).unwrap_or_else(|failure| failure))
}

fn build(py: Python<'_>, e: &Error) -> Result<PyErr, PyErr> {
    let module = exceptions(py)?;
    let details = PyDict::new(py);
    // Exhaustive over today's variants; the core marks `Error` non-exhaustive, so a code
    // added later still gets its own `.code` through the base class (see `_ =>`).
    match e {
        Error::InvalidArgument(_)
        | Error::Connection(_)
        | Error::Redis(_)
        | Error::Timeout(_)
        | Error::Internal(_)
        | Error::Unsupported(_)
        | Error::DetectionFailed(_)
        | Error::Closed => {}
        Error::ReservedEvent(event) => details.set_item("event", event)?,
        Error::Encode { path, reason } => {
            details.set_item("path", path)?;
            details.set_item("reason", reason)?;
        }
        Error::NoSubscribers { channel } => details.set_item("channel", channel)?,
        Error::QueueFull { capacity } => details.set_item("capacity", capacity)?,
        Error::Flush { failures, report } => {
            let cls = module.getattr("QueuedFailure")?;
            let list = PyList::empty(py);
            for f in failures {
                let error = to_py_err(f.error.clone()).into_value(py);
                list.append(cls.call1((f.ticket, &f.channel, error))?)?;
            }
            details.set_item("failures", list)?;
            details.set_item("report", PyFlushReport::from(*report))?;
        }
        _ => {}
    }
    let code = e.code();
    let cls = module
        .getattr("BY_CODE")?
        .get_item(code)
        .or_else(|_| module.getattr("EmitterError"))?;
    details.set_item("code", code)?;
    let exc = cls.call((e.to_string(),), Some(&details))?;
    Ok(PyErr::from_value(exc))
}

/// Every code the core can produce, for the exhaustiveness test in Python.
pub(crate) fn codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}

/// An `INVALID_ARGUMENT` error, for bad options found by the binding itself.
pub(crate) fn invalid(msg: impl Into<String>) -> PyErr {
    to_py_err(Error::InvalidArgument(msg.into()))
}

/// Runs `f`, turning a panic into [`Error::Internal`]: a bug of ours must reach Python as
/// the typed `InternalError` (an `Exception`), never as pyo3's `PanicException` (a
/// `BaseException` that `except Exception` lets through).
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(Error::from_panic(&*payload)))
}

/// [`catch`] for code that already produces Python errors (conversion, user hooks).
pub(crate) fn catch_py<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| Err(to_py_err(Error::from_panic(&*payload))))
}

/// A future whose panic becomes [`Error::Internal`] (see [`catch`]). On the runtime, a
/// panicking task would otherwise vanish and leave its caller waiting forever.
pub(crate) struct Caught<F>(pub(crate) Pin<Box<F>>);

impl<T, F: Future<Output = Result<T>>> Future for Caught<F> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let fut = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(Error::from_panic(&*payload))),
        }
    }
}

/// Wraps `fut` so that a panic inside it resolves to [`Error::Internal`].
pub(crate) fn caught<T, F: Future<Output = Result<T>>>(fut: F) -> Caught<F> {
    Caught(Box::pin(fut))
}

/// Panics with `message`. For the tests only: a `default=` hook that calls it raises pyo3's
/// `PanicException` inside a conversion, which must come out as `InternalError`.
#[pyfunction]
pub(crate) fn _panic(message: &str) {
    panic!("{message}");
}
