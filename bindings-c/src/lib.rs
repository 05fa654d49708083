//! `libsocketio_emitter`: the C API of socketio-emitter. Every exported symbol starts with
//! `sioe_`; `include/socketio_emitter.h` is generated from these files by cbindgen, so the
//! doc comments here are the header's documentation.
//!
//! Conventions (also at the top of the header and in `bindings-c/README.md`): opaque
//! handles with `_new`/`_free` pairs, inputs as (pointer, length) copied before the call
//! returns, a `sioe_status` from every fallible call, and an optional `sioe_error **`.
#![allow(non_camel_case_types, reason = "C type names follow C conventions")]
#![allow(
    clippy::missing_safety_doc,
    reason = "the pointer rules are stated once, in the header's conventions section"
)]

mod args;
mod ask;
mod emitter;
mod encode;
mod error;
mod guard;
mod ops;
mod options;
mod options_stacks;
mod process;
#[cfg(test)]
mod vectors;

pub use args::*;
pub use emitter::*;
pub use encode::*;
pub use error::*;
pub use ops::*;
pub use options::*;

use std::ffi::{CString, c_char};
use std::sync::LazyLock;

static VERSION: LazyLock<CString> = LazyLock::new(|| {
    let text = format!(
        "socketio-emitter-c/{} core/{}",
        env!("CARGO_PKG_VERSION"),
        socketio_emitter::VERSION
    );
    CString::new(text).unwrap_or_default()
});

/// The library's version, e.g. `"socketio-emitter-c/0.1.0 core/0.1.0"`. The string is
/// static: never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn sioe_version() -> *const c_char {
    guard::value(std::ptr::null(), || VERSION.as_ptr())
}
