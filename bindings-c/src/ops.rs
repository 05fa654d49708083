//! What an emitter does: emit (blocking or queued), the server-side operations, flush and
//! close. The `encode_*` functions, which only say what would be published, are in
//! `encode.rs`.

use std::ffi::c_char;
use std::time::Duration;

use socketio_emitter::blocking::Emitter;
use socketio_emitter::{Error, FlushReport, Room, Value};

use crate::args::{event_args, is_deep, parse_rooms, sioe_buffers};
use crate::emitter::sioe_emitter;
use crate::error::{Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};
use crate::options::millis;

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
pub(crate) struct Event {
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
    pub(crate) unsafe fn new(
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
    pub(crate) fn then<T>(
        self,
        op: impl FnOnce(&Emitter, &str, &[Value]) -> socketio_emitter::Result<T>,
    ) -> impl FnOnce(&Emitter) -> Outcome<T> {
        move |e| {
            // SAFETY: promised to `Event::new`.
            if unsafe { is_deep(self.json, self.json_len) } {
                guard::on_big_stack(move || self.run(e, op))
            } else {
                self.run(e, op)
            }
        }
    }

    /// Reads the event name and arguments, then calls `op`.
    fn run<T>(
        self,
        e: &Emitter,
        op: impl FnOnce(&Emitter, &str, &[Value]) -> socketio_emitter::Result<T>,
    ) -> Outcome<T> {
        {
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
pub(crate) unsafe fn rooms(json: *const c_char, len: usize) -> Outcome<Vec<Room>> {
    // SAFETY: guaranteed by the caller.
    parse_rooms(unsafe { guard::bytes(json, len, "rooms_json", false) }?)
}

/// Emits `event` to the target's clients and waits for Redis. `args_json` is a JSON array
/// of the arguments (NULL with length 0 for none); `{"$bin": i}` anywhere in it stands for
/// buffer `i` of `bufs` (NULL when there is no binary), which clients receive as binary.
/// Writes to `*receivers` (when not NULL) how many Socket.IO servers (not clients) were
/// subscribed to the channel: 0 means nobody listens on this key and namespace.
///
/// Blocks at most connect timeout + response timeout: while Redis is unreachable it waits
/// within that budget for it to come back, then fails with `SIOE_STATUS_CONNECTION`
/// (the message names the cause). `SIOE_STATUS_TIMEOUT` means no answer in time: Redis may
/// still have published it, so a retry may deliver it twice. An empty event name is
/// `SIOE_STATUS_INVALID_ARGUMENT`; a payload over `max_payload_bytes` is
/// `SIOE_STATUS_ENCODE`.
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
/// queue waits for room or fails with `SIOE_STATUS_QUEUE_FULL`, per the options. While
/// Redis is unreachable the queue keeps its order; when Redis stays away for a whole call
/// budget, everything queued then fails at once, each ticket reported.
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

/// What `sioe_emitter_flush_timeout` and `sioe_emitter_close_timeout` report about the
/// queued operations (`sioe_emitter_enqueue`) completed since the previous flush. Written
/// on `SIOE_STATUS_OK` and on `SIOE_STATUS_FLUSH` alike: when some operations failed, the
/// others are still counted here. A plain struct: declare it on your stack.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct sioe_flush_report {
    /// Queued operations Redis accepted.
    pub sent: u64,
    /// The sum of their receivers: Socket.IO servers (not clients) subscribed to each
    /// channel when it was published.
    pub receivers: u64,
    /// Of `sent`, those that reached no Socket.IO server at all (nobody subscribed to that
    /// key and namespace at that moment): published, and lost.
    pub reached_none: u64,
    /// Queued operations that failed; the `SIOE_STATUS_FLUSH` error lists their tickets
    /// (`sioe_error_failure`). 0 with `SIOE_STATUS_OK`.
    pub failed: u64,
}

/// Shared body of flush and close: the report goes to `write` on success and with a
/// `FLUSH` failure (what succeeded is reported even when some failed).
fn report(
    em: *const sioe_emitter,
    err: *mut *mut sioe_error,
    write: impl FnOnce(sioe_flush_report),
    f: impl FnOnce(&Emitter) -> Outcome<socketio_emitter::Result<FlushReport>>,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or a live handle.
        let em = unsafe { guard::handle(em, "em") }?;
        let result = f(em.live()?)?;
        let (r, failed) = match &result {
            Ok(r) => (*r, 0),
            Err(Error::Flush { failures, report }) => (*report, failures.len()),
            Err(_) => return Ok(result.map(drop)?),
        };
        write(sioe_flush_report {
            sent: r.sent,
            receivers: r.receivers,
            reached_none: r.reached_none,
            failed: failed as u64,
        });
        Ok(result.map(drop)?)
    })
}

/// The `timeout_ms` of the `_timeout` functions: `INFINITY` means no limit; otherwise
/// finite, not negative, at most one day.
fn timeout(ms: f64) -> Outcome<Option<Duration>> {
    if ms == f64::INFINITY {
        return Ok(None);
    }
    Ok(Some(millis("timeout_ms", ms)?))
}

/// Waits until everything queued so far by `sioe_emitter_enqueue` (on any handle of this
/// connection) was sent. Writes how many queued operations completed since the previous
/// flush and the sum of their receivers. Fails with `SIOE_STATUS_FLUSH` when some failed
/// (the message gives the count and the first failure); `*sent` and `*receivers` are then
/// written too, for the ones that succeeded. `sioe_emitter_flush_timeout` also bounds the
/// wait and reports `reached_none`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_flush(
    em: *const sioe_emitter,
    sent: *mut u64,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    let write = |r: sioe_flush_report| {
        // SAFETY: NULL or writable.
        unsafe {
            guard::put(sent, r.sent);
            guard::put(receivers, r.receivers);
        }
    };
    report(em, err, write, |e| Ok(e.flush()))
}

/// Like `sioe_emitter_flush`, waiting at most `timeout_ms` milliseconds (fractions allowed,
/// at most 86400000; `INFINITY` for no limit; NaN or negative values are
/// `SIOE_STATUS_INVALID_ARGUMENT`). Writes `*report` (when not NULL) on `SIOE_STATUS_OK`
/// and on `SIOE_STATUS_FLUSH`. When the time runs out it fails with `SIOE_STATUS_TIMEOUT`
/// and writes nothing: the queued operations keep going, and the next flush reports them.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_flush_timeout(
    em: *const sioe_emitter,
    timeout_ms: f64,
    report: *mut sioe_flush_report,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: NULL or writable.
    let write = |r| unsafe { guard::put(report, r) };
    self::report(em, err, write, |e| {
        let limit = timeout(timeout_ms)?;
        Ok(e.flush_within(limit))
    })
}

/// Sends what is queued, then closes the connection shared by every handle derived from
/// the same `sioe_connect`. Later calls fail with `SIOE_STATUS_CLOSED`; closing again does
/// nothing and succeeds. Handles must still be freed. Reports as `sioe_emitter_flush`
/// (also with `SIOE_STATUS_FLUSH`). Without a timeout, a close waits for each queued
/// operation's own bound (connect timeout + response timeout per attempt to reach Redis);
/// `sioe_emitter_close_timeout` bounds the whole close.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_close(
    em: *const sioe_emitter,
    sent: *mut u64,
    receivers: *mut u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    let write = |r: sioe_flush_report| {
        // SAFETY: NULL or writable.
        unsafe {
            guard::put(sent, r.sent);
            guard::put(receivers, r.receivers);
        }
    };
    report(em, err, write, |e| Ok(e.close()))
}

/// Like `sioe_emitter_close`, giving up after `timeout_ms` milliseconds (as for
/// `sioe_emitter_flush_timeout`): what is still queued or unanswered then fails at once,
/// each operation reported in the `SIOE_STATUS_FLUSH` error with its ticket, and the
/// connection is closed. Writes `*report` (when not NULL) on `SIOE_STATUS_OK` and on
/// `SIOE_STATUS_FLUSH`; `sent + failed` then counts every operation queued since the
/// previous flush.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_emitter_close_timeout(
    em: *const sioe_emitter,
    timeout_ms: f64,
    report: *mut sioe_flush_report,
    err: *mut *mut sioe_error,
) -> sioe_status {
    // SAFETY: NULL or writable.
    let write = |r| unsafe { guard::put(report, r) };
    self::report(em, err, write, |e| {
        let limit = timeout(timeout_ms)?;
        Ok(e.close_within(limit))
    })
}
