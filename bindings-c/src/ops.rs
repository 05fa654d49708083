//! What an emitter does: emit (blocking or queued), the server-side operations, flush,
//! close, and the `encode_*` functions that only say what would be published.

use std::ffi::{CString, c_char};

use socketio_emitter::blocking::Emitter;
use socketio_emitter::{FlushReport, Room, Value};

use crate::args::{event_args, parse_rooms, sioe_buffers};
use crate::emitter::sioe_emitter;
use crate::error::{Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};

/// Shared body of the operations: checks the handle, runs `f`, writes its count.
fn run(
    em: *const sioe_emitter,
    count: *mut u64,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter) -> Outcome<u64>,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let n = f(em.live()?)?;
        // SAFETY: NULL or writable.
        unsafe { guard::put(count, n) };
        Ok(())
    })
}

/// An event's C arguments: (name, length), (JSON, length) and buffers. They are read
/// only when the operation runs, after the handle was checked.
struct Event {
    name: *const c_char,
    name_len: usize,
    json: *const c_char,
    json_len: usize,
    bufs: *const sioe_buffers,
}

impl Event {
    /// # Safety
    /// (pointer, length) per the conventions; `bufs` NULL or a live list; all valid while
    /// the operation from [`Event::then`] runs.
    unsafe fn new(
        name: *const c_char,
        name_len: usize,
        json: *const c_char,
        json_len: usize,
        bufs: *const sioe_buffers,
    ) -> Event {
        Event {
            name,
            name_len,
            json,
            json_len,
            bufs,
        }
    }

    /// The body for `run` or `encode`: reads the event name and arguments, then calls `op`.
    fn then<T>(
        self,
        op: impl FnOnce(&Emitter, &str, &[Value]) -> socketio_emitter::Result<T>,
    ) -> impl FnOnce(&Emitter) -> Outcome<T> {
        move |e| {
            // SAFETY: promised to `Event::new`.
            let name = unsafe { guard::text(self.name, self.name_len, "event") }?;
            // SAFETY: promised to `Event::new`.
            let args = unsafe { event_args(self.json, self.json_len, self.bufs) }?;
            Ok(op(e, name, &args)?)
        }
    }
}

/// The rooms of `sockets_join`/`sockets_leave`: a JSON room or array of rooms.
///
/// # Safety
/// (pointer, length) per the conventions.
unsafe fn rooms(json: *const c_char, len: usize) -> Outcome<Vec<Room>> {
    // SAFETY: guaranteed by the caller.
    parse_rooms(unsafe { guard::bytes(json, len, "rooms_json", false) }?)
}

/// Emits `event` to the target's clients and waits for Redis. `args_json` is a JSON array
/// of the arguments (NULL with length 0 for none); `{"$bin": i}` anywhere in it stands for
/// buffer `i` of `bufs` (NULL when there is no binary), which clients receive as binary.
/// Writes to `*receivers` (when not NULL) how many Socket.IO servers received it: 0 means
/// nobody listens on this key and namespace.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_emit(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    run(em, receivers, err, ev.then(Emitter::emit))
}

/// Like `sioe_emitter_emit`, but only encodes and queues the event; a background thread
/// sends it. Writes a ticket to `*ticket` (when not NULL); failures are reported by the
/// next `sioe_emitter_flush` with their tickets. Encoding errors are reported here. A full
/// queue waits for room or fails with `SIOE_STATUS_QUEUE_FULL`, per the options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_enqueue(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    ticket: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    run(em, ticket, err, ev.then(Emitter::emit_nowait))
}

/// Emits `event` to the Socket.IO servers themselves (their `serverSideEmit` listeners).
/// Arguments as for `sioe_emitter_emit`; binary reaches the servers as Node's Buffer JSON
/// form. Writes how many servers received it to `*receivers` (when not NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_server_side_emit(
    em: *const sioe_emitter,
    event_name: *const c_char,
    event_len: usize,
    args_json: *const c_char,
    args_len: usize,
    bufs: *const sioe_buffers,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: the caller's arguments, per the conventions.
    let ev = unsafe { Event::new(event_name, event_len, args_json, args_len, bufs) };
    run(em, receivers, err, ev.then(Emitter::server_side_emit))
}

/// Makes the target's sockets join `rooms_json`: a JSON string, integer or array of them
/// (`"room1"`, `7`, `["a","b",7]`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_sockets_join(
    em: *const sioe_emitter,
    rooms_json: *const c_char,
    rooms_len: usize,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    run(em, receivers, err, |e| {
        // SAFETY: (pointer, length) per the conventions.
        Ok(e.sockets_join(unsafe { rooms(rooms_json, rooms_len) }?)?)
    })
}

/// Makes the target's sockets leave `rooms_json` (as for `sioe_emitter_sockets_join`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_sockets_leave(
    em: *const sioe_emitter,
    rooms_json: *const c_char,
    rooms_len: usize,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    run(em, receivers, err, |e| {
        // SAFETY: (pointer, length) per the conventions.
        Ok(e.sockets_leave(unsafe { rooms(rooms_json, rooms_len) }?)?)
    })
}

/// Disconnects the target's sockets; `close` also closes their underlying connection
/// (and so every other socket on it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_disconnect_sockets(
    em: *const sioe_emitter,
    close: bool,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    run(em, receivers, err, |e| Ok(e.disconnect_sockets(close)?))
}

fn report(
    em: *const sioe_emitter,
    sent: *mut u64,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&Emitter) -> socketio_emitter::Result<FlushReport>,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let r = f(em.live()?)?;
        // SAFETY: NULL or writable.
        unsafe {
            guard::put(sent, r.sent);
            guard::put(receivers, r.receivers);
        }
        Ok(())
    })
}

/// Waits until everything queued so far by `sioe_emitter_enqueue` (on any handle of this
/// connection) was sent. Writes how many queued operations completed since the previous
/// flush and the sum of their receivers. Fails with `SIOE_STATUS_FLUSH` when some failed;
/// the message gives the count and the first failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_flush(
    em: *const sioe_emitter,
    sent: *mut u64,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    report(em, sent, receivers, err, Emitter::flush)
}

/// Sends what is queued, then closes the connection shared by every handle derived from
/// the same `sioe_connect`. Later calls fail with `SIOE_STATUS_CLOSED`; closing again does
/// nothing and succeeds. Handles must still be freed. Reports as `sioe_emitter_flush`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_close(
    em: *const sioe_emitter,
    sent: *mut u64,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    report(em, sent, receivers, err, Emitter::close)
}

/// What would be published: one Redis channel and one payload. Immutable; may be read
/// from any thread. Release with `sioe_output_free`.
#[derive(Debug)]
pub struct sioe_output {
    channel: CString,
    channel_len: usize,
    payload: Vec<u8>,
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

/// The payload bytes (msgpack for emit, JSON for server-side operations), owned by
/// `output`; the length is written to `*len`. NULL when `output` is NULL.
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
    f: impl FnOnce(&Emitter) -> Outcome<socketio_emitter::adapter::Output>,
) -> sioe_status {
    call(err, || {
        guard::out_ptr(out, "out")?;
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let o = f(&em.owned.emitter)?;
        let channel_len = o.channel.len();
        let channel = CString::new(o.channel).map_err(|_| {
            crate::error::Failure::new(sioe_status::InvalidArgument, "the channel contains NUL")
        })?;
        let output = sioe_output {
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
/// client to get the same effect.
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
