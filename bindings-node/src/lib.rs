//! Node.js bindings of socketio-emitter. The `#[napi]` items register themselves; this file
//! only lists the modules. The public JavaScript API is `emitter.js`, layered over
//! `NativeEmitter` (`native.d.ts` is generated from these sources).

/// See Cargo.toml: cross-thread frees without the glibc arena lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod convert;
mod dispatch;
mod emitter;
mod errors;
mod settle;
