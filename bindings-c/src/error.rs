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
    Flush = 13,
    /// A bug of the library that the core caught and reported. Last added.
    Internal = 14,
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
            sioe_status::Panic => c"PANIC",
        }
    }

    const ALL: [sioe_status; 16] = [
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

/// A failure on its way to the caller: its status and a plain-text message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: sioe_status,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(status: sioe_status, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(status_of(&e), e.to_string())
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
}

impl sioe_error {
    pub(crate) fn boxed(f: Failure) -> *mut sioe_error {
        let message = CString::new(f.message.replace('\0', "\\0")).unwrap_or_default();
        Box::into_raw(Box::new(sioe_error {
            status: f.status,
            message,
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
