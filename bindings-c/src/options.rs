//! `sioe_options`: the connection options, set one by one before `sioe_connect`. The names
//! and meanings are the core's `EmitterConfig` ones (core/src/config.rs); durations are
//! whole milliseconds, as the `_ms` suffixes say.

use std::ffi::c_char;
use std::time::Duration;

use socketio_emitter::{EmitterConfig, QueueFullPolicy};

use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};

/// What `sioe_emitter_enqueue` does when its queue is full (`sioe_options_set_queue`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sioe_queue_full {
    /// Wait until there is room (the default).
    Block = 0,
    /// Fail at once with `SIOE_STATUS_QUEUE_FULL`.
    Error = 1,
}

/// Connection options. Create with `sioe_options_new`, release with `sioe_options_free`.
/// Not thread-safe: do not use one `sioe_options` from two threads at once. `sioe_connect`
/// copies what it needs, so the options can be freed or reused right after it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct sioe_options {
    pub(crate) key: String,
    pub(crate) tls_ca_pem: Option<Vec<u8>>,
    pub(crate) connect_timeout_ms: u64,
    pub(crate) response_timeout_ms: u64,
    pub(crate) reconnect: (u64, u64, usize),
    pub(crate) queue: (usize, QueueFullPolicy),
    pub(crate) queue_max_bytes: usize,
    pub(crate) require_receivers: bool,
    pub(crate) persistent: bool,
}

impl Default for sioe_options {
    fn default() -> Self {
        let d = EmitterConfig::new("");
        sioe_options {
            key: d.key,
            tls_ca_pem: None,
            connect_timeout_ms: millis(d.connect_timeout),
            response_timeout_ms: millis(d.response_timeout),
            reconnect: (
                millis(d.reconnect_min_delay),
                millis(d.reconnect_max_delay),
                d.reconnect_attempts,
            ),
            queue: (d.queue_capacity, d.queue_full),
            queue_max_bytes: d.queue_max_bytes,
            require_receivers: d.require_receivers,
            persistent: false,
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl sioe_options {
    pub(crate) fn config(&self, url: &str) -> EmitterConfig {
        let ms = Duration::from_millis;
        let mut cfg = EmitterConfig::new(url)
            .with_key(self.key.clone())
            .with_connect_timeout(ms(self.connect_timeout_ms))
            .with_response_timeout(ms(self.response_timeout_ms))
            .with_reconnect(ms(self.reconnect.0), ms(self.reconnect.1), self.reconnect.2)
            .with_queue(self.queue.0, self.queue.1)
            .with_queue_max_bytes(self.queue_max_bytes)
            .with_require_receivers(self.require_receivers);
        if let Some(pem) = &self.tls_ca_pem {
            cfg = cfg.with_tls_ca_pem(pem.clone());
        }
        cfg
    }
}

/// New options with every default: key `"socket.io"`, 5000 ms timeouts, reconnect 100 ms
/// to 2000 ms with 6 attempts, a queue of 10000 that blocks when full, no strict mode, not
/// persistent. Returns NULL only if the library failed internally.
#[unsafe(no_mangle)]
pub extern "C" fn sioe_options_new() -> *mut sioe_options {
    guard::value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(sioe_options::default()))
    })
}

/// Releases `opts`. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_free(opts: *mut sioe_options) {
    guard::value((), || {
        if !opts.is_null() {
            // SAFETY: created by `sioe_options_new`, freed once.
            drop(unsafe { Box::from_raw(opts) });
        }
    })
}

fn set(
    opts: *mut sioe_options,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&mut sioe_options) -> Outcome,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or live options, used by this thread only.
        let opts = unsafe { guard::handle_mut(opts, "opts") }?;
        f(opts)
    })
}

/// The channel prefix: the adapter's `key` option (UTF-8, may be empty).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_key(
    opts: *mut sioe_options,
    key: *const c_char,
    key_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.key = unsafe { guard::text(key, key_len, "key") }?.to_owned();
        Ok(())
    })
}

/// PEM bundle of the CA that signed the server's certificate, for `rediss://` URLs with a
/// private CA.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_tls_ca_pem(
    opts: *mut sioe_options,
    pem: *const c_char,
    pem_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.tls_ca_pem = Some(unsafe { guard::bytes(pem, pem_len, "pem", false) }?.to_vec());
        Ok(())
    })
}

/// How long one connection attempt may take (ms, at least 1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_connect_timeout_ms(
    opts: *mut sioe_options,
    ms: u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        set_positive(&mut o.connect_timeout_ms, ms, "connect_timeout_ms")
    })
}

/// How long Redis may take to answer a command (ms, at least 1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_response_timeout_ms(
    opts: *mut sioe_options,
    ms: u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        set_positive(&mut o.response_timeout_ms, ms, "response_timeout_ms")
    })
}

/// Reconnection backoff: the first delay, doubling up to `max_delay_ms`, and how many
/// attempts a reconnection makes before waiting calls fail.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_reconnect(
    opts: *mut sioe_options,
    min_delay_ms: u64,
    max_delay_ms: u64,
    attempts: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        if min_delay_ms > max_delay_ms {
            return Err(invalid("min_delay_ms must not exceed max_delay_ms"));
        }
        o.reconnect = (min_delay_ms, max_delay_ms, attempts);
        Ok(())
    })
}

/// The capacity of the `sioe_emitter_enqueue` queue (at least 1) and what happens when it
/// is full: `SIOE_QUEUE_FULL_BLOCK` (0) or `SIOE_QUEUE_FULL_ERROR` (1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_queue(
    opts: *mut sioe_options,
    capacity: usize,
    when_full: i32,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        if capacity == 0 {
            return Err(invalid("the queue capacity must be at least 1"));
        }
        let policy = match when_full {
            x if x == sioe_queue_full::Block as i32 => QueueFullPolicy::Block,
            x if x == sioe_queue_full::Error as i32 => QueueFullPolicy::Error,
            other => return Err(invalid(format!("unknown sioe_queue_full value {other}"))),
        };
        o.queue = (capacity, policy);
        Ok(())
    })
}

/// The byte bound of the `sioe_emitter_enqueue` queue (1 to 4294967295; default 64 MiB):
/// a queued operation holds its payload's bytes until Redis answered it, and an enqueue
/// that does not fit waits or fails like a full queue (`sioe_options_set_queue`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_queue_max_bytes(
    opts: *mut sioe_options,
    max_bytes: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        if max_bytes == 0 || u32::try_from(max_bytes).is_err() {
            return Err(invalid(
                "the queue's byte bound must be between 1 and 4294967295",
            ));
        }
        o.queue_max_bytes = max_bytes;
        Ok(())
    })
}

/// Strict mode: a publish that reaches no Socket.IO server fails with
/// `SIOE_STATUS_NO_SUBSCRIBERS`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_require_receivers(
    opts: *mut sioe_options,
    require: bool,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.require_receivers = require;
        Ok(())
    })
}

/// Persistent mode, for hosts that run many short requests in one long process (PHP-FPM):
/// `sioe_connect` then returns a handle on a connection shared by every persistent
/// `sioe_connect` of this process with the same URL and options, opened on first use and
/// kept after `sioe_emitter_free`. `sioe_emitter_close` closes it for all of them; the next
/// persistent connect opens a new one. A child process created by `fork()` never reuses its
/// parent's connections.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_persistent(
    opts: *mut sioe_options,
    persistent: bool,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.persistent = persistent;
        Ok(())
    })
}

fn invalid(msg: impl Into<String>) -> Failure {
    Failure::new(sioe_status::InvalidArgument, msg)
}

/// Stores `ms` in `field` unless it is 0; `name` says which option in the error.
fn set_positive(field: &mut u64, ms: u64, name: &str) -> Outcome {
    if ms == 0 {
        return Err(invalid(format!("{name} must be greater than zero")));
    }
    *field = ms;
    Ok(())
}
