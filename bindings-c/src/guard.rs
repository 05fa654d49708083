//! The one panic and NULL boundary every exported function goes through, and the helpers
//! that turn (pointer, length) arguments into Rust values.

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Failure, Outcome, sioe_error, sioe_status};

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error (please report it): {what}")
}

/// Runs a fallible body: success is `SIOE_STATUS_OK`; a failure or a panic becomes its
/// status, and an error object in `*err` when `err` is not NULL.
pub(crate) fn call(err: *mut *mut sioe_error, body: impl FnOnce() -> Outcome) -> sioe_status {
    let outcome = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|p| Err(Failure::new(sioe_status::Panic, panic_message(&*p))));
    match outcome {
        Ok(()) => sioe_status::Ok,
        Err(failure) => {
            let status = failure.status;
            if !err.is_null() {
                let boxed = sioe_error::boxed(failure);
                // SAFETY: `err` is a writable `sioe_error **` per the conventions.
                unsafe { err.write(boxed) };
            }
            status
        }
    }
}

/// Runs an infallible body; a panic returns `on_panic` instead.
pub(crate) fn value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// The stack of the thread [`on_big_stack`] runs on: room for the deepest arguments the
/// core accepts (512 levels), several times over, even in a debug build.
const BIG_STACK: usize = 64 << 20;

/// A value moved to the helper thread of [`on_big_stack`]: the caller's raw pointers, which
/// stay valid because the caller waits for that thread.
struct AssertSend<T>(T);

// SAFETY: only used by `on_big_stack`, whose caller blocks until the thread is joined.
unsafe impl<T> Send for AssertSend<T> {}

/// Runs `f` on a new thread with a large stack and waits for it; a panic there resumes
/// here (and `call` reports it). The thread blocks SIGPIPE like every thread of ours.
pub(crate) fn on_big_stack<T>(f: impl FnOnce() -> T) -> T {
    let cell = std::sync::Mutex::new(Some(AssertSend(f)));
    let take = || {
        cell.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .map(|f| f.0)
    };
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("socketio-emitter-deep".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(scope, || {
                socketio_emitter::block_sigpipe_on_current_thread();
                take().map(|f| AssertSend(f()))
            });
        let out = match spawned {
            Ok(handle) => match handle.join() {
                Ok(out) => out.map(|o| o.0),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(_) => None,
        };
        // No thread to be had: run it on this one.
        out.unwrap_or_else(|| {
            take()
                .map(|f| f())
                .expect("on_big_stack: the body ran nowhere")
        })
    })
}

fn null(what: &str) -> Failure {
    Failure::new(sioe_status::NullArgument, format!("{what} is NULL"))
}

/// A shared reference to a handle, or `NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` for `'a`.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, what: &str) -> Outcome<&'a T> {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr.as_ref() }.ok_or_else(|| null(what))
}

/// A mutable reference to a handle, or `NULL_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing else uses for `'a`.
pub(crate) unsafe fn handle_mut<'a, T>(ptr: *mut T, what: &str) -> Outcome<&'a mut T> {
    // SAFETY: guaranteed by the caller.
    unsafe { ptr.as_mut() }.ok_or_else(|| null(what))
}

/// Checks that a required out-pointer is not NULL, before any work is done.
pub(crate) fn out_ptr<T>(ptr: *mut T, what: &str) -> Outcome<()> {
    if ptr.is_null() {
        return Err(null(what));
    }
    Ok(())
}

/// Writes an optional out-parameter.
///
/// # Safety
/// `ptr` is NULL or writable.
pub(crate) unsafe fn put<T>(ptr: *mut T, v: T) {
    if !ptr.is_null() {
        // SAFETY: guaranteed by the caller.
        unsafe { ptr.write(v) };
    }
}

/// Borrowed bytes; NULL is allowed only with length 0 when `null_ok` says so.
///
/// # Safety
/// `ptr` is NULL or valid for reading `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const c_char,
    len: usize,
    what: &str,
    null_ok: bool,
) -> Outcome<&'a [u8]> {
    if ptr.is_null() {
        return if null_ok && len == 0 {
            Ok(&[])
        } else {
            Err(null(what))
        };
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            sioe_status::InvalidArgument,
            format!("{what}: length {len} is too large"),
        ));
    }
    // SAFETY: guaranteed by the caller; the length fits in isize.
    Ok(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// A borrowed UTF-8 string given as (pointer, length); NULL is `NULL_ARGUMENT`.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const c_char, len: usize, what: &str) -> Outcome<&'a str> {
    // SAFETY: guaranteed by the caller.
    let raw = unsafe { bytes(ptr, len, what, false) }?;
    utf8(raw, what)
}

pub(crate) fn utf8<'a>(raw: &'a [u8], what: &str) -> Outcome<&'a str> {
    std::str::from_utf8(raw).map_err(|e| {
        Failure::new(
            sioe_status::InvalidUtf8,
            format!(
                "{what} is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_a_status_and_an_error() {
        let mut err: *mut sioe_error = std::ptr::null_mut();
        let status = call(&mut err, || panic!("boom"));
        assert_eq!(status, sioe_status::Panic);
        assert!(!err.is_null());
        // SAFETY: the error was just created.
        unsafe {
            let msg = std::ffi::CStr::from_ptr(crate::error::sioe_error_message(err));
            assert!(msg.to_str().unwrap().contains("boom"));
            crate::error::sioe_error_free(err);
        }
        assert_eq!(value(7, || panic!("boom")), 7);
    }
}
