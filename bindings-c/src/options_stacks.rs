//! The options that name the servers' stack: the streams adapter's stream options and
//! generation, and the classic adapter's older stacks. Each value is checked when set; how
//! they combine with the adapter is checked by `sioe_connect`.

use std::ffi::c_char;

use crate::error::sioe_error;
use crate::error::sioe_status;
use crate::guard;
use crate::options::{set, sioe_options};

/// The streams adapter's `streamName` (default `"socket.io"`, not empty): the stream key,
/// or its prefix when `sioe_options_set_stream_count` is above 1. Only the streams adapter
/// reads it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_stream_name(
    opts: *mut sioe_options,
    name: *const c_char,
    name_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.stream_name = unsafe { guard::text(name, name_len, "stream_name") }?.to_owned();
        Ok(())
    })
}

/// The streams adapter's `streamCount` (1 to 1024; default 1; 0.3 servers only): the
/// namespaces are spread over this many streams, as the servers spread them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_stream_count(
    opts: *mut sioe_options,
    count: u32,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.stream_count = count;
        Ok(())
    })
}

/// The streams adapter's `maxLen` (1 to 2^40; default 10000): each XADD trims the stream to
/// about this many entries (`MAXLEN ~`), as the servers do. It bounds how far back
/// connection-state recovery can replay.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_max_len(
    opts: *mut sioe_options,
    max_len: u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.max_len = max_len;
        Ok(())
    })
}

/// The streams servers' wire generation, as text: `"0.3"` (the default) or `"0.2"` (a full
/// version such as `"0.2.3"` names its generation). Any other text is
/// `SIOE_STATUS_INVALID_ARGUMENT`, naming the accepted values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_streams_version(
    opts: *mut sioe_options,
    version: *const c_char,
    version_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.streams_version =
            unsafe { guard::text(version, version_len, "streams_version") }?.parse()?;
        Ok(())
    })
}

/// The classic adapter's server stack, as text: `"redis-adapter-8"` (the default),
/// `"redis-adapter-7"`, `"socket.io-redis-6.1"`, `"socket.io-redis-6.0"` (socket.io 3.x) or
/// `"socket.io-redis-5"` (socket.io 2.x). The emitter then writes what that stack decodes,
/// and an operation it cannot honour fails with `SIOE_STATUS_UNSUPPORTED` before anything is
/// published. Any other text is `SIOE_STATUS_INVALID_ARGUMENT`, naming the accepted values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_compat(
    opts: *mut sioe_options,
    compat: *const c_char,
    compat_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.compat = unsafe { guard::text(compat, compat_len, "compat") }?.parse()?;
        Ok(())
    })
}
