//! The `encode_*` functions: what an operation would publish (command, channel, payload,
//! and the whole command's arguments), without sending it, for callers who publish with a
//! Redis client of their own.

use std::ffi::{CStr, c_char};

use socketio_emitter::adapter::{Command, Output};
use socketio_emitter::blocking::Emitter;

use crate::args::sioe_buffers;
use crate::emitter::sioe_emitter;
use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};
use crate::ops::{Event, rooms};

/// What would be published: one Redis command, with its channel (or stream key) and payload,
/// and the whole command as an argument list. Immutable; may be read from any thread.
/// Release with `sioe_output_free`.
#[derive(Debug)]
pub struct sioe_output {
    command: Command,
    /// `Output::args()`, each followed by a NUL byte that its length does not count.
    args: Vec<Vec<u8>>,
}

impl sioe_output {
    /// Argument `i` without its trailing NUL.
    fn arg(&self, i: usize) -> Option<&[u8]> {
        self.args.get(i).map(|a| &a[..a.len() - 1])
    }
}

/// The Redis command that publishes this output: `"PUBLISH"` (classic adapter),
/// `"SPUBLISH"` (sharded adapter; Redis 7+) or `"XADD"` (streams adapter: broadcasts and
/// room operations, and serverSideEmit with streams_version 0.2). A static string: never
/// free it. NULL when `output` is NULL.
///
/// For `"XADD"`, channel and payload are not the whole command: send the arguments of
/// `sioe_output_arg` instead (that works for every command).
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

/// The channel (for `"XADD"`: the stream key): NUL-terminated UTF-8, owned by `output`; its
/// length (without the NUL) is written to `*len` when `len` is not NULL. NULL when `output`
/// is NULL.
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
        let channel = o.arg(1).unwrap_or_default();
        // SAFETY: NULL or writable.
        unsafe { guard::put(len, channel.len()) };
        channel.as_ptr().cast()
    })
}

/// The payload bytes, owned by `output`; the length is written to `*len`. NULL when
/// `output` is NULL. Classic adapter: msgpack for emit, JSON for the server-side
/// operations. Sharded adapter: JSON, or msgpack when the arguments hold binary. Streams
/// adapter: for `"XADD"`, the entry's `data` field (JSON text, or base64 of msgpack when
/// the arguments hold binary); for `"PUBLISH"` (serverSideEmit, 0.3), msgpack.
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
        let payload = o.arg(o.args.len() - 1).unwrap_or_default();
        // SAFETY: NULL or writable.
        unsafe { guard::put(len, payload.len()) };
        payload.as_ptr()
    })
}

/// How many arguments the whole Redis command has, the command name included: 3 for
/// `PUBLISH`/`SPUBLISH` (name, channel, payload), 14 for a streams `XADD`
/// (`XADD <key> MAXLEN ~ <max_len> * uid emitter nsp <nsp> type <n> data <data>`).
/// 0 when `output` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_arg_count(output: *const sioe_output) -> usize {
    guard::value(0, || {
        // SAFETY: NULL or a live output.
        unsafe { output.as_ref() }.map_or(0, |o| o.args.len())
    })
}

/// Argument `index` (0 is the command name) of the whole Redis command, to send as one
/// binary-safe argument with your own client (e.g. hiredis' `redisCommandArgv`). Owned by
/// `output` and valid until `sioe_output_free(output)`, like the channel and payload; never
/// free it. Its length is written to `*len` when `len` is not NULL; a NUL byte follows it
/// (not counted), so text arguments can be printed as C strings, but the payload may hold
/// NUL bytes of its own. NULL (and `*len` = 0) when `output` is NULL or `index` is not
/// below `sioe_output_arg_count`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_output_arg(
    output: *const sioe_output,
    index: usize,
    len: *mut usize,
) -> *const u8 {
    guard::value(std::ptr::null(), || {
        // SAFETY: NULL or a live output.
        let arg = unsafe { output.as_ref() }.and_then(|o| o.arg(index));
        // SAFETY: NULL or writable.
        unsafe { guard::put(len, arg.map_or(0, <[u8]>::len)) };
        arg.map_or(std::ptr::null(), <[u8]>::as_ptr)
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
        if o.channel.contains('\0') {
            return Err(Failure::new(
                sioe_status::InvalidArgument,
                "the channel contains NUL",
            ));
        }
        let args = o
            .args()
            .into_iter()
            .map(|mut a| {
                a.push(0);
                a
            })
            .collect();
        let output = sioe_output {
            command: o.command,
            args,
        };
        // SAFETY: checked non-NULL above.
        unsafe { out.write(Box::into_raw(Box::new(output))) };
        Ok(())
    })
}

/// What `sioe_emitter_emit` would publish, without sending it (works on any emitter,
/// including `sioe_offline` ones). Send the arguments of `sioe_output_arg` (0 to
/// `sioe_output_arg_count` - 1) as one command with your own Redis client to get the same
/// effect (for PUBLISH and SPUBLISH that is `payload` published to `channel`).
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
