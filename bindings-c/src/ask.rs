//! Asking the cluster: the server count, and the questions whose answers come back as JSON
//! text (the core result's `to_json`), owned by the caller and freed with
//! `sioe_string_free`. JSON because every language above the C ABI (PHP, Go, Java) has a
//! parser for it, and the answers hold arbitrary `socket.data` and acknowledgement values.

use std::ffi::{CString, c_char};
use std::time::Duration;

use socketio_emitter::Error;
use socketio_emitter::blocking::Emitter;

use crate::args::sioe_buffers;
use crate::emitter::sioe_emitter;
use crate::error::{Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};
use crate::ops::Event;

/// Shared body of the JSON questions: checks the handle and the out-pointer, runs `f`,
/// hands the answer's text to `*result_json` (NULL on any failure).
fn answer(
    em: *const sioe_emitter,
    result_json: *mut *mut c_char,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter) -> Outcome<serde_json::Value>,
) -> sioe_status {
    // SAFETY: NULL or writable, per the conventions.
    unsafe { guard::put(result_json, std::ptr::null_mut()) };
    call(err, || {
        guard::out_ptr(result_json, "result_json")?;
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let json = f(em.live()?)?;
        // JSON text never holds a NUL byte: serde_json escapes it.
        let text = CString::new(json.to_string()).map_err(|e| Error::Internal(e.to_string()))?;
        // SAFETY: checked writable above.
        unsafe { guard::put(result_json, text.into_raw()) };
        Ok(())
    })
}

/// `timeout_ms`: more than 0, finite, at most one day.
fn wait(ms: u64) -> Outcome<Duration> {
    if ms == 0 {
        return Err(Error::InvalidArgument("timeout_ms must be more than 0".into()).into());
    }
    crate::options::millis("timeout_ms", ms as f64)
}

/// How many Socket.IO servers serve the target's namespace with the emitter's adapter, as
/// Redis counts their subscriptions (nothing is published). Writes it to `*count` (when not
/// NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_server_count(
    em: *const sioe_emitter,
    count: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let n = em.live()?.server_count()?;
        // SAFETY: NULL or writable.
        unsafe { guard::put(count, n) };
        Ok(())
    })
}

/// The target's sockets on every server, waiting at most `timeout_ms` for the answers.
/// `*result_json` receives `{"sockets":[{"id","rooms":[...],"data","handshake"}],
/// "servers_answered","servers_missing","complete"}`: when some servers did not answer in
/// time, `servers_missing` counts them and `complete` is false. Free it with
/// `sioe_string_free`; it is NULL after a failure. A `timeout_ms` of 0 is
/// `SIOE_STATUS_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_fetch_sockets(
    em: *const sioe_emitter,
    timeout_ms: u64,
    result_json: *mut *mut c_char,
    err: *mut *mut sioe_error,
) -> sioe_status {
    answer(em, result_json, err, |e| {
        Ok(e.fetch_sockets(wait(timeout_ms)?)?.to_json())
    })
}

/// Every room of the namespace on every server (classic adapter only, else
/// `SIOE_STATUS_UNSUPPORTED`): `{"rooms":[...],"servers_answered","servers_missing",
/// "complete"}` (a numeric room stays a number). As for `sioe_emitter_fetch_sockets`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_all_rooms(
    em: *const sioe_emitter,
    timeout_ms: u64,
    result_json: *mut *mut c_char,
    err: *mut *mut sioe_error,
) -> sioe_status {
    answer(em, result_json, err, |e| {
        Ok(e.all_rooms(wait(timeout_ms)?)?.to_json())
    })
}

/// `sioe_emitter_server_side_emit`, collecting what each server's handler acknowledges for
/// at most `timeout_ms`: `{"responses":[...],"servers_answered","servers_missing",
/// "complete"}`. Arguments as for `sioe_emitter_emit`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn sioe_emitter_server_side_emit_with_ack(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    timeout_ms: u64,
    result_json: *mut *mut c_char,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    answer(em, result_json, err, |e| {
        let t = wait(timeout_ms)?;
        let acks = ev.then(|e, event, args| e.server_side_emit_with_ack(event, args, t))(e)?;
        Ok(acks.to_json())
    })
}

/// Emits to the target's clients, each asked to acknowledge, and collects their answers for
/// at most `timeout_ms`: `{"responses":[...],"clients_targeted","clients_missing",
/// "servers_missing","complete"}`. Arguments as for `sioe_emitter_emit`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn sioe_emitter_emit_with_ack(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    timeout_ms: u64,
    result_json: *mut *mut c_char,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    answer(em, result_json, err, |e| {
        let t = wait(timeout_ms)?;
        let acks = ev.then(|e, event, args| e.emit_with_ack(event, args, t))(e)?;
        Ok(acks.to_json())
    })
}

/// Frees a string this library returned (`result_json`). NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_string_free(s: *mut c_char) {
    guard::value((), || {
        if !s.is_null() {
            // SAFETY: made by `CString::into_raw` above, freed once, per the conventions.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}
