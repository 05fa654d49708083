//! `socketio-emit` for npm users: `bin/socketio-emit.js` runs the command inside this addon,
//! so the prebuilt package carries the library and the CLI in one file.

use std::panic::{AssertUnwindSafe, catch_unwind};

use napi_derive::napi;

/// Runs one `socketio-emit` command line (`argv[0]` is the program name), printing to stdout
/// and stderr, and returns its exit code. It blocks the calling thread until the command ends:
/// it is meant for the launcher script, not for a server's event loop.
#[napi]
// napi registers free functions only outside `cfg(test)`, so clippy's test build sees no caller.
#[cfg_attr(test, allow(dead_code))]
pub fn run_cli(argv: Vec<String>) -> i32 {
    // A bug in the command exits with 1 ("internal error"): the panic hook already printed it.
    catch_unwind(AssertUnwindSafe(|| socketio_emit_cli::run(argv))).unwrap_or(1)
}
