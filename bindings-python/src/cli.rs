//! `socketio-emit` for pip users. The console script (`socketio_emitter._cli:main`) runs the
//! command inside this module, so one wheel per platform carries both the library and the CLI.

use std::ffi::OsString;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::prelude::*;

/// Runs one `socketio-emit` command line (`argv[0]` is the program name) and returns its exit
/// code. The GIL is released: the command may block on Redis for as long as it runs.
#[pyfunction]
pub fn _run_cli(py: Python<'_>, argv: Vec<OsString>) -> i32 {
    py.detach(|| {
        // A bug in the command exits with 1 ("internal error"); the panic message has already
        // been printed to stderr by the panic hook.
        catch_unwind(AssertUnwindSafe(|| socketio_emit_cli::run(argv))).unwrap_or(1)
    })
}
