//! The native module `socketio_emitter._native`. This file only registers things; the
//! Python package `python/socketio_emitter/` re-exports them.

mod ask;
mod async_emitter;
mod cli;
mod client;
mod common;
mod config;
mod convert;
mod emitter;
mod errors;
mod outbox;
mod runtime;
mod settle;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<emitter::PyEmitter>()?;
    m.add_class::<async_emitter::PyAsyncEmitter>()?;
    m.add_class::<common::PyFlushReport>()?;
    m.add_function(wrap_pyfunction!(settle::_late_results, m)?)?;
    m.add_function(wrap_pyfunction!(client::_close_all, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_python_exiting, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_panic, m)?)?;
    m.add_function(wrap_pyfunction!(cli::_run_cli, m)?)?;
    m.add("ERROR_CODES", errors::codes())?;
    m.add("OPTION_NAMES", config::OPTION_NAMES.to_vec())?;
    m.add("CORE_VERSION", socketio_emitter::VERSION)?;
    Ok(())
}
