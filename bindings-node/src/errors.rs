//! The one place where core errors become JavaScript errors: an `Error` whose `code` is the
//! core's stable code, plus the details each kind carries (`path`, `channel`, `failures`,
//! `report`).

use std::ffi::c_char;
use std::ptr;

use napi::{Env, Status, Unknown, sys};
use socketio_emitter::{Error, FlushReport};

/// The message notepack throws for a value it cannot encode (a function, a Symbol, a
/// BigInt). Kept as the whole JavaScript message so code written against the official
/// emitter still recognises it; the path is in `error.path`.
pub(crate) const COULD_NOT_ENCODE: &str = "Could not encode";

/// The JavaScript error for a core error, ready to be returned from a `#[napi]` function
/// (it is thrown, or rejects the promise, as the object built here).
pub(crate) fn to_napi(env: &Env, err: &Error) -> napi::Error {
    match build(env.raw(), err) {
        Ok(value) => napi::Error::from(unsafe { Unknown::from_raw_unchecked(env.raw(), value) }),
        // Building the object failed (out of memory, a pending exception): fall back to
        // napi's own error, which still carries the code.
        Err(_) => napi::Error::new(Status::GenericFailure, format!("{} [{}]", err, err.code())),
    }
}

/// The JavaScript error object for a core error (to reject a promise with). Falls back to
/// a bare error with the code in its message, then to `undefined`, if building it fails.
pub(crate) fn value(env: sys::napi_env, err: &Error) -> sys::napi_value {
    if let Ok(obj) = build(env, err) {
        return obj;
    }
    let text = format!("{} [{}]", err, err.code());
    if let Ok(obj) = string(env, &text).and_then(|m| {
        let mut out = ptr::null_mut();
        check(unsafe { sys::napi_create_error(env, ptr::null_mut(), m, &mut out) })?;
        Ok(out)
    }) {
        return obj;
    }
    let mut undefined = ptr::null_mut();
    unsafe { sys::napi_get_undefined(env, &mut undefined) };
    undefined
}

/// An `INVALID_ARGUMENT` error for the binding's own argument checks.
pub(crate) fn invalid_argument(env: &Env, message: impl Into<String>) -> napi::Error {
    to_napi(env, &Error::InvalidArgument(message.into()))
}

fn build(env: sys::napi_env, err: &Error) -> napi::Result<sys::napi_value> {
    let message = match err {
        Error::Encode { reason, .. } if reason == COULD_NOT_ENCODE => reason.clone(),
        other => other.to_string(),
    };
    let obj = create_error(env, err.code(), &message)?;
    // Exhaustive over the kinds this version knows; the core may add kinds, which then
    // still get their code and message.
    match err {
        Error::Encode { path, reason } => {
            set(env, obj, "path", string(env, path)?)?;
            set(env, obj, "reason", string(env, reason)?)?;
        }
        Error::NoSubscribers { channel } => set(env, obj, "channel", string(env, channel)?)?,
        Error::QueueFull { capacity } => set(env, obj, "capacity", number(env, *capacity as f64)?)?,
        Error::Flush { failures, report } => {
            let mut list = ptr::null_mut();
            check(unsafe { sys::napi_create_array_with_length(env, failures.len(), &mut list) })?;
            for (i, failure) in failures.iter().enumerate() {
                let item = build(env, &failure.error)?;
                set(env, item, "ticket", number(env, failure.ticket as f64)?)?;
                set(env, item, "channel", string(env, &failure.channel)?)?;
                check(unsafe { sys::napi_set_element(env, list, i as u32, item) })?;
            }
            set(env, obj, "failures", list)?;
            let report = self::report(env, report, failures.len() as u64)?;
            set(env, obj, "report", report)?;
        }
        // A bug of ours (a panic caught at the boundary): the code and message say so.
        Error::Internal(_) => {}
        Error::InvalidArgument(_)
        | Error::ReservedEvent(_)
        | Error::Connection(_)
        | Error::Redis(_)
        | Error::Timeout(_)
        | Error::Closed
        | Error::Unsupported(_)
        | Error::DetectionFailed(_) => {}
        // `Error` is `#[non_exhaustive]`: a kind added to the core later still gets its code
        // and message here.
        _ => {}
    }
    Ok(obj)
}

/// The `report` of a `FLUSH` error: `{ sent, receivers, reachedNone, failed }`, the shape
/// `flush()` and `close()` resolve to in `emitter.js`.
fn report(env: sys::napi_env, report: &FlushReport, failed: u64) -> napi::Result<sys::napi_value> {
    let mut obj = ptr::null_mut();
    check(unsafe { sys::napi_create_object(env, &mut obj) })?;
    set(env, obj, "sent", number(env, report.sent as f64)?)?;
    set(env, obj, "receivers", number(env, report.receivers as f64)?)?;
    set(
        env,
        obj,
        "reachedNone",
        number(env, report.reached_none as f64)?,
    )?;
    set(env, obj, "failed", number(env, failed as f64)?)?;
    Ok(obj)
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            Status::from(status),
            "building an error object failed",
        ))
    }
}

fn string(env: sys::napi_env, s: &str) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check(unsafe {
        sys::napi_create_string_utf8(env, s.as_ptr().cast::<c_char>(), s.len() as isize, &mut out)
    })?;
    Ok(out)
}

fn number(env: sys::napi_env, n: f64) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check(unsafe { sys::napi_create_double(env, n, &mut out) })?;
    Ok(out)
}

fn set(
    env: sys::napi_env,
    obj: sys::napi_value,
    name: &str,
    value: sys::napi_value,
) -> napi::Result<()> {
    let key = string(env, name)?;
    check(unsafe { sys::napi_set_property(env, obj, key, value) })
}

/// An `Error` with `code`; a `TypeError` for `INVALID_ARGUMENT`, like the argument checks
/// made in JavaScript (and JavaScript's own convention for a bad argument).
fn create_error(env: sys::napi_env, code: &str, message: &str) -> napi::Result<sys::napi_value> {
    let type_error = code == "INVALID_ARGUMENT";
    let (code, message) = (string(env, code)?, string(env, message)?);
    let mut out = ptr::null_mut();
    check(unsafe {
        if type_error {
            sys::napi_create_type_error(env, code, message, &mut out)
        } else {
            sys::napi_create_error(env, code, message, &mut out)
        }
    })?;
    Ok(out)
}
