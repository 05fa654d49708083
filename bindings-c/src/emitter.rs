//! `sioe_emitter`: a connection plus a target. Connecting gives the root handle; `of`,
//! `to`, `except`, `volatile` and `compress` give new handles on the same connection.

use std::ffi::c_char;

use socketio_emitter::blocking::Emitter;
use socketio_emitter::{DEFAULT_URL, Room};

use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};
use crate::options::sioe_options;
use crate::process::{self, Owned};

/// An emitter: a Redis connection plus a target (namespace, rooms, excluded rooms,
/// flags). Immutable: the target functions return a new handle and leave this one as it
/// was, so a half-built target can be kept and reused.
///
/// Thread-safety: every function may be called on the same handle from many threads at
/// once, except `sioe_emitter_free`, which must be the last use of that handle.
///
/// Lifetime: every handle (from `sioe_connect`, `sioe_offline`, `sioe_offline_with` or a
/// target function) is released with `sioe_emitter_free`, in any order; the connection
/// lives until its last handle is freed or it is closed. `sioe_emitter_close` on any
/// handle closes the connection for all handles sharing it; later calls fail with
/// `SIOE_STATUS_CLOSED`.
/// An emitter belongs to the process that connected it: after `fork()`, calls in the
/// child fail with `SIOE_STATUS_CLOSED` (connect again there).
#[derive(Debug)]
pub struct sioe_emitter {
    pub(crate) owned: Owned,
}

impl sioe_emitter {
    fn boxed(emitter: Emitter) -> *mut sioe_emitter {
        Box::into_raw(Box::new(sioe_emitter {
            owned: Owned::new(emitter),
        }))
    }

    fn derive(&self, emitter: Emitter) -> *mut sioe_emitter {
        Box::into_raw(Box::new(sioe_emitter {
            owned: Owned {
                pid: self.owned.pid,
                emitter,
            },
        }))
    }

    /// The emitter, if this process may use it for I/O.
    pub(crate) fn live(&self) -> Outcome<&Emitter> {
        if !self.owned.in_this_process() {
            return Err(Failure::new(
                sioe_status::Closed,
                "this emitter was connected in another process (before fork()); connect again in this process",
            ));
        }
        Ok(&self.owned.emitter)
    }
}

/// Connects to Redis at `url` (`redis://[user[:password]@]host[:port][/db]` or
/// `rediss://...` for TLS) with `opts` (NULL for the defaults), and writes a new handle
/// to `*out`. Blocks until connected (at most connect timeout + response timeout), or
/// fails with `SIOE_STATUS_CONNECTION` (the message names the cause: refused,
/// authentication, TLS, ...), `SIOE_STATUS_TIMEOUT` or `SIOE_STATUS_INVALID_ARGUMENT` (a
/// URL that is not `redis://` or `rediss://`, an option out of bounds, options that do not
/// go together). Error messages never contain a password.
///
/// With a Redis Cluster (`sioe_options_add_cluster_node`), `url` must be NULL with length
/// 0. With sentinels (`sioe_options_set_sentinel_master`, `sioe_options_add_sentinel_node`),
/// `url` gives the master's credentials, database and TLS (its host and port are not
/// used), or is NULL (length 0) for none. Otherwise a NULL `url` is
/// `SIOE_STATUS_NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_connect(
    url: *const c_char,
    url_len: usize,
    opts: *const sioe_options,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        let defaults = sioe_options::default();
        // SAFETY: NULL or live options.
        let opts = unsafe { opts.as_ref() }.unwrap_or(&defaults);
        let url = if url.is_null() && url_len == 0 && opts.has_topology() {
            // The core's "no URL": what a cluster needs, and no credentials for a master
            // found through sentinels.
            DEFAULT_URL
        } else {
            // SAFETY: (pointer, length) per the conventions.
            unsafe { guard::text(url, url_len, "url") }?
        };
        let config = opts.config(url)?;
        let open = || Ok(Emitter::with_config(config)?);
        let emitter = if opts.persistent {
            process::persistent(url, opts, open)?
        } else {
            open()?
        };
        // SAFETY: checked non-NULL above.
        unsafe { out.write(sioe_emitter::boxed(emitter)) };
        Ok(())
    })
}

/// An emitter that only encodes (`sioe_emitter_encode_*`), for publishing with a Redis
/// client of your own: no connection, no thread. `key` is the channel prefix
/// (`"socket.io"` by default on the servers). Sending with it fails with
/// `SIOE_STATUS_CLOSED`. It encodes for the classic adapter; `sioe_offline_with` takes
/// options (e.g. the sharded adapter).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_offline(
    key: *const c_char,
    key_len: usize,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        // SAFETY: (pointer, length) per the conventions.
        let key = unsafe { guard::text(key, key_len, "key") }?;
        // SAFETY: checked non-NULL above.
        unsafe { out.write(sioe_emitter::boxed(Emitter::offline(key))) };
        Ok(())
    })
}

/// Like `sioe_offline`, configured by `opts` (NULL for the defaults): it encodes with the
/// options' key, adapter, subscription mode, streams options (stream name and count,
/// `max_len`, streams version), compat and `max_payload_bytes`, so that
/// `sioe_emitter_encode_*` give what a connected emitter with the same options would publish
/// (`sioe_output_command` says whether with PUBLISH, SPUBLISH or XADD). The other options
/// are not used. Those options in a combination `sioe_connect` refuses (compat with a
/// non-classic adapter, `stream_count` above 1 with streams version 0.2) are
/// `SIOE_STATUS_INVALID_ARGUMENT` here too. `opts` can be freed or reused right after the
/// call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_offline_with(
    opts: *const sioe_options,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        let defaults = sioe_options::default();
        // SAFETY: NULL or live options.
        let opts = unsafe { opts.as_ref() }.unwrap_or(&defaults);
        opts.check_offline()?;
        let emitter = Emitter::offline_with(&opts.offline_config());
        // SAFETY: checked non-NULL above.
        unsafe { out.write(sioe_emitter::boxed(emitter)) };
        Ok(())
    })
}

/// Releases this handle (not the others sharing its connection). When it was the last
/// one of an unclosed connection, what is still queued is sent first (up to 5 s). NULL is
/// allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_free(em: *mut sioe_emitter) {
    guard::value((), || {
        if !em.is_null() {
            // SAFETY: created by this library, freed once.
            drop(unsafe { Box::from_raw(em) });
        }
    })
}

/// Whether the connection of `em` was closed (false for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_is_closed(em: *const sioe_emitter) -> bool {
    guard::value(false, || {
        // SAFETY: NULL or a live handle.
        unsafe { em.as_ref() }.is_some_and(|e| e.owned.emitter.is_closed())
    })
}

/// Shared body of the target functions.
fn derive(
    em: *const sioe_emitter,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter) -> Outcome<Emitter>,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let next = f(&em.owned.emitter)?;
        // SAFETY: checked non-NULL above.
        unsafe { out.write(em.derive(next)) };
        Ok(())
    })
}

/// `derive` for the target functions that take a string: reads it (after the handle is
/// checked; `what` names it in errors), then `f` builds the new target.
///
/// # Safety
/// (`text`, `len`) per the conventions.
unsafe fn derive_text(
    em: *const sioe_emitter,
    text: *const c_char,
    len: usize,
    what: &str,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter, &str) -> Emitter,
) -> sioe_status {
    derive(em, out, err, |e| {
        // SAFETY: guaranteed by the caller.
        Ok(f(e, unsafe { guard::text(text, len, what) }?))
    })
}

/// A new handle for namespace `nsp` (a leading `/` is added when missing). Rooms,
/// excluded rooms and flags start empty again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_of(
    em: *const sioe_emitter,
    nsp: *const c_char,
    nsp_len: usize,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: (pointer, length) per the conventions.
    unsafe { derive_text(em, nsp, nsp_len, "nsp", out, err, Emitter::of) }
}

/// A new handle that also targets room `room` (a string room; see `sioe_emitter_to_id`
/// for numeric rooms). Sockets in any of the target's rooms receive the event, once each.
/// This is also Socket.IO's `in()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_to(
    em: *const sioe_emitter,
    room: *const c_char,
    room_len: usize,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: (pointer, length) per the conventions.
    unsafe { derive_text(em, room, room_len, "room", out, err, |e, r| e.to(r)) }
}

/// Like `sioe_emitter_to` for a numeric room: `7` and `"7"` are different rooms.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_to_id(
    em: *const sioe_emitter,
    room: i64,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    derive(em, out, err, |e| Ok(e.to(Room::Number(room))))
}

/// A new handle that excludes the sockets in string room `room`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_except(
    em: *const sioe_emitter,
    room: *const c_char,
    room_len: usize,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: (pointer, length) per the conventions.
    unsafe { derive_text(em, room, room_len, "room", out, err, |e, r| e.except(r)) }
}

/// Like `sioe_emitter_except` for a numeric room.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_except_id(
    em: *const sioe_emitter,
    room: i64,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    derive(em, out, err, |e| Ok(e.except(Room::Number(room))))
}

/// A new handle whose events may be dropped for clients that are not ready for them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_volatile(
    em: *const sioe_emitter,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    derive(em, out, err, |e| Ok(e.volatile()))
}

/// A new handle with per-message compression turned on or off.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_compress(
    em: *const sioe_emitter,
    compress: bool,
    out: *mut *mut sioe_emitter,
    err: *mut *mut sioe_error,
) -> sioe_status {
    derive(em, out, err, |e| Ok(e.compress(compress)))
}
