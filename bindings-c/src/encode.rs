//! The `encode_*` functions: what an operation would publish (command, channel, payload),
//! without sending it, for callers who publish with a Redis client of their own.

use std::ffi::{CStr, CString, c_char};

use socketio_emitter::adapter::{Command, Output};
use socketio_emitter::blocking::Emitter;

use crate::args::sioe_buffers;
use crate::emitter::sioe_emitter;
use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};
use crate::ops::{Event, rooms};

/// What would be published: one Redis command, channel and payload. Immutable; may be read
/// from any thread. Release with `sioe_output_free`.
#[derive(Debug)]
pub struct sioe_output {
    command: Command,
    channel: CString,
    channel_len: usize,
    payload: Vec<u8>,
}

/// The Redis command that publishes this output: `"PUBLISH"` (classic adapter) or
/// `"SPUBLISH"` (sharded adapter; Redis 7+). A static string: never free it. NULL when
/// `output` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_command(output: *const sioe_output) -> *const c_char {
    guard::value(std::ptr::null(), || {
        // SAFETY: NULL or a live output.
        let Some(o) = (unsafe { output.as_ref() }) else {
            return std::ptr::null();
        };
        let name: &'static CStr = match o.command {
            Command::Publish => c"PUBLISH",
            Command::SPublish => c"SPUBLISH",
            Command::XAdd(_) => c"XADD",
        };
        name.as_ptr()
    })
}

/// The channel: NUL-terminated UTF-8, owned by `output`; its length (without the NUL) is
/// written to `*len` when `len` is not NULL. NULL when `output` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_channel(
    output: *const sioe_output,
    len: *mut usize,
) -> *const c_char {
    guard::value(std::ptr::null(), || {
        // SAFETY: NULL or a live output.
        let Some(o) = (unsafe { output.as_ref() }) else {
            return std::ptr::null();
        };
        // SAFETY: NULL or writable.
        unsafe { guard::put(len, o.channel_len) };
        o.channel.as_ptr()
    })
}

/// The payload bytes, owned by `output`; the length is written to `*len`. NULL when
/// `output` is NULL. Classic adapter: msgpack for emit, JSON for the server-side
/// operations. Sharded adapter: JSON, or msgpack when the arguments hold binary.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_payload(
    output: *const sioe_output,
    len: *mut usize,
) -> *const u8 {
    guard::value(std::ptr::null(), || {
        // SAFETY: NULL or a live output.
        let Some(o) = (unsafe { output.as_ref() }) else {
            return std::ptr::null();
        };
        // SAFETY: NULL or writable.
        unsafe { guard::put(len, o.payload.len()) };
        o.payload.as_ptr()
    })
}

/// Releases `output`. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_free(output: *mut sioe_output) {
    guard::value((), || {
        if !output.is_null() {
            // SAFETY: created by this library, freed once.
            drop(unsafe { Box::from_raw(output) });
        }
    })
}

fn encode(
    em: *const sioe_emitter,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter) -> Outcome<Output>,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let o = f(&em.owned.emitter)?;
        let channel_len = o.channel.len();
        let channel = CString::new(o.channel)
            .map_err(|_| Failure::new(sioe_status::InvalidArgument, "the channel contains NUL"))?;
        let output = sioe_output {
            command: o.command,
            channel,
            channel_len,
            payload: o.payload,
        };
        // SAFETY: checked non-NULL above.
        unsafe { out.write(Box::into_raw(Box::new(output))) };
        Ok(())
    })
}

/// What `sioe_emitter_emit` would publish, without sending it (works on any emitter,
/// including `sioe_offline` ones). Publish `payload` to `channel` with your own Redis
/// client, using `sioe_output_command`, to get the same effect.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_encode_emit(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    encode(em, out, err, ev.then(Emitter::encode_emit))
}

/// What `sioe_emitter_server_side_emit` would publish, without sending it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_encode_server_side_emit(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    encode(em, out, err, ev.then(Emitter::encode_server_side_emit))
}

/// What `sioe_emitter_sockets_join` would publish (rooms as for that function), without
/// sending it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_encode_sockets_join(
    em: *const sioe_emitter,
    rooms_json: *const c_char,
    rooms_len: usize,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
) -> sioe_status {
    encode(em, out, err, |e| {
        // SAFETY: (pointer, length) per the conventions.
        Ok(e.encode_sockets_join(unsafe { rooms(rooms_json, rooms_len) }?)?)
    })
}

/// What `sioe_emitter_sockets_leave` would publish, without sending it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_encode_sockets_leave(
    em: *const sioe_emitter,
    rooms_json: *const c_char,
    rooms_len: usize,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
) -> sioe_status {
    encode(em, out, err, |e| {
        // SAFETY: (pointer, length) per the conventions.
        Ok(e.encode_sockets_leave(unsafe { rooms(rooms_json, rooms_len) }?)?)
    })
}

/// What `sioe_emitter_disconnect_sockets` would publish, without sending it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_encode_disconnect_sockets(
    em: *const sioe_emitter,
    close: bool,
    out: *mut *mut sioe_output,
    err: *mut *mut sioe_error,
) -> sioe_status {
    encode(em, out, err, |e| Ok(e.encode_disconnect_sockets(close)?))
}
