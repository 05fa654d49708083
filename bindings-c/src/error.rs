//! Status numbers and the error object. A core [`Error`] becomes a status in exactly one
//! place, [`status_of`]; the test below checks that every core code has its own number.

use std::ffi::{CStr, CString, c_char};

use socketio_emitter::Error;

use crate::guard;

/// What a fallible call returns. The numbers are part of the ABI: they are never
/// renumbered or reused, new ones are only added. Names match the core's error codes
/// (`sioe_status_name`), the same strings in every language binding.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sioe_status {
    /// Success: the out-parameters were written.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument (event, room, namespace, URL, JSON text) was not valid UTF-8.
    InvalidUtf8 = 2,
    /// The JSON arguments did not parse.
    InvalidJson = 3,
    /// Something unusable: a bad URL or option, arguments that are not a JSON array, a
    /// `{"$bin": n}` placeholder without buffer n, a room that is not a string or integer.
    InvalidArgument = 4,
    /// An event name Socket.IO reserves (`connect`, `disconnect`, ...).
    ReservedEvent = 5,
    /// A value that cannot be encoded; the message names the path to it.
    Encode = 6,
    /// Redis could not be reached, or the connection broke.
    Connection = 7,
    /// Redis answered with an error (for example a missing ACL permission).
    Redis = 8,
    /// An operation did not finish in time.
    Timeout = 9,
    /// The emitter was closed (or was created in a parent process before `fork()`).
    Closed = 10,
    /// Strict mode (`sioe_options_set_require_receivers`): no Socket.IO server received it.
    NoSubscribers = 11,
    /// The queue of `sioe_emitter_enqueue` is full (policy `SIOE_QUEUE_FULL_ERROR`).
    QueueFull = 12,
    /// `sioe_emitter_flush` or `sioe_emitter_close` found queued operations that failed.
    /// The report of the call is still written (what succeeded, and how many failed);
    /// `sioe_error_failure` gives each failed ticket.
    Flush = 13,
    /// A bug of the library that the core caught and reported (for example its queue
    /// worker stopped); never the caller's fault. Please report it.
    Internal = 14,
    /// The servers' stack (`sioe_options_set_compat`) cannot honour this operation at
    /// all, for example except by room on socket.io 2.x; the message names the stack and
    /// the reason. Nothing was published.
    Unsupported = 15,
    /// Adapter `"auto"` could not choose when connecting: no Socket.IO server listens on
    /// the key and namespace `/`, or servers with different adapters do. The message says
    /// what listens. Last added.
    DetectionFailed = 16,
    /// A bug in the library: it was caught and the process keeps running. Please report it.
    Panic = 99,
}

impl sioe_status {
    /// The name without the `SIOE_STATUS_` prefix: the core's error code.
    pub(crate) fn name(self) -> &'static CStr {
        match self {
            sioe_status::Ok => c"OK",
            sioe_status::NullArgument => c"NULL_ARGUMENT",
            sioe_status::InvalidUtf8 => c"INVALID_UTF8",
            sioe_status::InvalidJson => c"INVALID_JSON",
            sioe_status::InvalidArgument => c"INVALID_ARGUMENT",
            sioe_status::ReservedEvent => c"RESERVED_EVENT",
            sioe_status::Encode => c"ENCODE",
            sioe_status::Connection => c"CONNECTION",
            sioe_status::Redis => c"REDIS",
            sioe_status::Timeout => c"TIMEOUT",
            sioe_status::Closed => c"CLOSED",
            sioe_status::NoSubscribers => c"NO_SUBSCRIBERS",
            sioe_status::QueueFull => c"QUEUE_FULL",
            sioe_status::Flush => c"FLUSH",
            sioe_status::Internal => c"INTERNAL",
            sioe_status::Unsupported => c"UNSUPPORTED",
            sioe_status::DetectionFailed => c"DETECTION_FAILED",
            sioe_status::Panic => c"PANIC",
        }
    }

    const ALL: [sioe_status; 18] = [
        sioe_status::Ok,
        sioe_status::NullArgument,
        sioe_status::InvalidUtf8,
        sioe_status::InvalidJson,
        sioe_status::InvalidArgument,
        sioe_status::ReservedEvent,
        sioe_status::Encode,
        sioe_status::Connection,
        sioe_status::Redis,
        sioe_status::Timeout,
        sioe_status::Closed,
        sioe_status::NoSubscribers,
        sioe_status::QueueFull,
        sioe_status::Flush,
        sioe_status::Internal,
        sioe_status::Unsupported,
        sioe_status::DetectionFailed,
        sioe_status::Panic,
    ];
}

/// The one conversion from a core error. The core's `Error` is `#[non_exhaustive]`, so no
/// match on its variants can be exhaustive outside the core; instead a status is found by
/// its name, which is the core's stable `code()` (the exhaustive match is
/// [`sioe_status::name`]). `every_core_code_has_a_status` fails the tests when the core
/// adds a code without a status here.
pub(crate) fn status_of(e: &Error) -> sioe_status {
    let code = e.code().as_bytes();
    sioe_status::ALL
        .into_iter()
        .find(|s| s.name().to_bytes() == code)
        .unwrap_or(sioe_status::Panic)
}

/// A failure on its way to the caller: its status, a plain-text message, and for `FLUSH`
/// the queued operations that failed (ticket and status each).
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: sioe_status,
    pub message: String,
    pub failures: Vec<(u64, sioe_status)>,
}

impl Failure {
    pub(crate) fn new(status: sioe_status, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
            failures: Vec::new(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let mut f = Failure::new(status_of(&e), e.to_string());
        if let Error::Flush { failures, .. } = e {
            f.failures = failures
                .iter()
                .map(|q| (q.ticket, status_of(&q.error)))
                .collect();
            f.failures.sort_by_key(|&(ticket, _)| ticket);
        }
        f
    }
}

pub(crate) type Outcome<T = ()> = Result<T, Failure>;

/// An error: a status and a message. Created by the library through an `sioe_error **`
/// out-parameter, owned by the caller, released with `sioe_error_free`. Immutable: it may
/// be read from any thread.
#[derive(Debug)]
pub struct sioe_error {
    status: sioe_status,
    message: CString,
    failures: Vec<(u64, sioe_status)>,
}

impl sioe_error {
    pub(crate) fn boxed(f: Failure) -> *mut sioe_error {
        let message = CString::new(f.message.replace('\0', "\\0")).unwrap_or_default();
        Box::into_raw(Box::new(sioe_error {
            status: f.status,
            message,
            failures: f.failures,
        }))
    }
}

/// The status of `err`; `SIOE_STATUS_NULL_ARGUMENT` when `err` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_error_code(err: *const sioe_error) -> sioe_status {
    guard::value(sioe_status::Panic, || {
        // SAFETY: NULL or a live error, per the conventions.
        match unsafe { err.as_ref() } {
            Some(e) => e.status,
            None => sioe_status::NullArgument,
        }
    })
}

/// The message of `err`: NUL-terminated UTF-8, owned by `err` and valid until
/// `sioe_error_free(err)`. An empty string when `err` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_error_message(err: *const sioe_error) -> *const c_char {
    guard::value(c"".as_ptr(), || {
        // SAFETY: NULL or a live error.
        match unsafe { err.as_ref() } {
            Some(e) => e.message.as_ptr(),
            None => c"".as_ptr(),
        }
    })
}

/// How many queued operations failed, for a `SIOE_STATUS_FLUSH` error (from
/// `sioe_emitter_flush*` or `sioe_emitter_close*`): every failed ticket is listed, read them
/// with `sioe_error_failure`. 0 for other errors and for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_error_failure_count(err: *const sioe_error) -> usize {
    guard::value(0, || {
        // SAFETY: NULL or a live error.
        unsafe { err.as_ref() }.map_or(0, |e| e.failures.len())
    })
}

/// Failed operation `index` (0 to `sioe_error_failure_count(err) - 1`, in ticket order) of
/// a `SIOE_STATUS_FLUSH` error: writes the ticket `sioe_emitter_enqueue` gave it to
/// `*ticket` and its own status (`SIOE_STATUS_CONNECTION`, `SIOE_STATUS_TIMEOUT`, ...) to
/// `*status`, each when not NULL. Returns false, writing nothing, when `err` is NULL or
/// `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_error_failure(
    err: *const sioe_error,
    index: usize,
    ticket: *mut u64,
    status: *mut sioe_status,
) -> bool {
    guard::value(false, || {
        // SAFETY: NULL or a live error.
        let Some(&(t, s)) = (unsafe { err.as_ref() }).and_then(|e| e.failures.get(index)) else {
            return false;
        };
        // SAFETY: NULL or writable, per the conventions.
        unsafe {
            guard::put(ticket, t);
            guard::put(status, s);
        }
        true
    })
}

/// Releases `err`. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_error_free(err: *mut sioe_error) {
    guard::value((), || {
        if !err.is_null() {
            // SAFETY: created by Box::into_raw in `sioe_error::boxed`, freed once.
            drop(unsafe { Box::from_raw(err) });
        }
    })
}

/// The name of a status number as a static NUL-terminated string (`"OK"`,
/// `"RESERVED_EVENT"`, ...): the error code every binding reports. `"UNKNOWN"` for a number
/// this version does not define. Never free it.
#[unsafe(no_mangle)]
pub extern "C" fn sioe_status_name(status: i32) -> *const c_char {
    guard::value(c"UNKNOWN".as_ptr(), || {
        sioe_status::ALL
            .into_iter()
            .find(|s| *s as i32 == status)
            .map_or(c"UNKNOWN", sioe_status::name)
            .as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_a_status() {
        for code in Error::CODES {
            let status = sioe_status::ALL
                .iter()
                .find(|s| s.name().to_bytes() == code.as_bytes())
                .unwrap_or_else(|| panic!("no sioe_status named {code}"));
            assert_ne!(*status, sioe_status::Panic);
        }
        for e in [Error::Closed, Error::QueueFull { capacity: 1 }] {
            assert_eq!(status_of(&e).name().to_bytes(), e.code().as_bytes());
        }
    }

    #[test]
    fn names_are_static_and_complete() {
        for s in sioe_status::ALL {
            // SAFETY: static NUL-terminated strings.
            let name = unsafe { std::ffi::CStr::from_ptr(sioe_status_name(s as i32)) };
            assert_eq!(name, s.name());
        }
        // SAFETY: as above.
        let unknown = unsafe { std::ffi::CStr::from_ptr(sioe_status_name(12345)) };
        assert_eq!(unknown.to_bytes(), b"UNKNOWN");
    }
}
