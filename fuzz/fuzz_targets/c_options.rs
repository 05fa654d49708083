//! The C API's options (bindings-c/src/options.rs) and `sioe_connect`'s URL check: every
//! setter returns OK or the typed status its documentation gives (never a panic), and a
//! URL that cannot work fails with INVALID_UTF8 or INVALID_ARGUMENT before any network
//! access, with the core's message and without the password.
//!
//! `sioe_connect` is only called for URLs the core's `validate()` refuses (or that are not
//! UTF-8), and with a NULL URL only while no cluster node or sentinel was set: the fuzzer
//! never opens a connection. Node URLs (`sioe_options_add_cluster_node`,
//! `sioe_options_add_sentinel_node`) are refused without their password in the message.
#![no_main]

use std::ffi::CStr;
use std::ptr;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use sioe_c::*;
use sioe_fuzz::generate;
use sioe_fuzz::secrets::{assert_no_leak, secrets, with_other_password};
use socketio_emitter::EmitterConfig;

/// One day, in ms: no option below it is too large.
const DAY_MS: u64 = 86_400_000;

/// The status of a call and its message; the error object is checked and freed.
fn finish(status: sioe_status, err: *mut sioe_error) -> (sioe_status, String) {
    assert_ne!(status, sioe_status::Panic, "the library panicked");
    if status == sioe_status::Ok {
        assert!(err.is_null(), "OK with an error object");
        return (status, String::new());
    }
    assert!(!err.is_null(), "{status:?} without an error object");
    // SAFETY: a live error from the library, freed once.
    unsafe {
        assert_eq!(sioe_error_code(err), status);
        let msg = CStr::from_ptr(sioe_error_message(err))
            .to_str()
            .expect("error messages are UTF-8")
            .to_owned();
        sioe_error_free(err);
        (status, msg)
    }
}

/// What a setter may return: exactly `want`, or either OK or INVALID_ARGUMENT where the
/// documentation sets no upper bound and one may be added (`None`).
fn check(status: sioe_status, want: Option<sioe_status>, what: &str) {
    match want {
        Some(w) => assert_eq!(status, w, "{what}"),
        None => assert!(
            matches!(status, sioe_status::Ok | sioe_status::InvalidArgument),
            "{what}: {status:?}"
        ),
    }
}

fn within(ok: bool) -> Option<sioe_status> {
    ok.then_some(sioe_status::Ok)
}

/// `sioe_connect` for a URL that must be refused before any network access.
fn connect_refused(url: &[u8], opts: *const sioe_options) -> (sioe_status, String) {
    let mut em = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: a live slice, NULL or live options, writable out-pointers.
    let status = unsafe { sioe_connect(url.as_ptr().cast(), url.len(), opts, &mut em, &mut err) };
    let (status, msg) = finish(status, err);
    assert!(em.is_null(), "a handle for a URL that cannot work");
    (status, msg)
}

fn bytes(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(match u.int_in_range(0u8..=2)? {
        0 => u.arbitrary::<String>()?.into_bytes(),
        1 => b"\xff\xfeab\xc3".to_vec(),
        _ => u.arbitrary()?,
    })
}

type AddNode = unsafe extern "C" fn(
    *mut sioe_options,
    *const std::ffi::c_char,
    usize,
    *mut *mut sioe_error,
) -> sioe_status;

/// Adds a node URL (arbitrary, or shaped like a URL) with `add`: NULL_ARGUMENT for NULL,
/// INVALID_UTF8, or OK or INVALID_ARGUMENT, whose message names `option` and holds no more
/// of the password than it does for the same URL with another one. Sets `topology` on OK.
///
/// # Safety
/// `opts` is NULL or live options.
unsafe fn add_node(
    u: &mut Unstructured,
    opts: *mut sioe_options,
    add: AddNode,
    option: &str,
    topology: &mut bool,
) -> Result<()> {
    let url = if u.ratio(1u8, 4)? {
        bytes(u)?
    } else {
        generate::url(u)?.into_bytes()
    };
    let null_url = u.ratio(1u8, 32)?;
    let mut err = ptr::null_mut();
    // SAFETY: NULL or live options; a live slice or NULL.
    let status = unsafe {
        if null_url {
            add(opts, ptr::null(), url.len(), &mut err)
        } else {
            add(opts, url.as_ptr().cast(), url.len(), &mut err)
        }
    };
    let (status, msg) = finish(status, err);
    if opts.is_null() || null_url {
        assert_eq!(status, sioe_status::NullArgument, "{option}: {msg}");
        return Ok(());
    }
    let Ok(text) = std::str::from_utf8(&url) else {
        assert_eq!(status, sioe_status::InvalidUtf8, "{option}: {msg}");
        return Ok(());
    };
    match status {
        sioe_status::Ok => *topology = true,
        sioe_status::InvalidArgument => {
            assert!(msg.contains(option), "{option} not named: {msg}");
            let secrets = secrets(text);
            if let Some(other) = with_other_password(text).filter(|_| !secrets.is_empty()) {
                let mut err = ptr::null_mut();
                // SAFETY: live options and slice; refused values leave the options as they were.
                let again = unsafe { add(opts, other.as_ptr().cast(), other.len(), &mut err) };
                let (again, reference) = finish(again, err);
                if again == sioe_status::Ok {
                    *topology = true;
                }
                assert_no_leak(option, &msg, &reference, &secrets);
            }
        }
        other => panic!("{option}: {other:?} ({msg})"),
    }
    Ok(())
}

/// One setter call with arbitrary values on `opts` (which may be NULL). `topology` is set
/// once a cluster node, a sentinel master or a sentinel was accepted.
///
/// # Safety
/// `opts` is NULL or live options.
unsafe fn set_one(
    u: &mut Unstructured,
    opts: *mut sioe_options,
    topology: &mut bool,
) -> Result<()> {
    let null = opts.is_null();
    let invalid = Some(sioe_status::InvalidArgument);
    let mut err = ptr::null_mut();
    // SAFETY: pointers are NULL or live; (pointer, length) pairs come from live slices.
    unsafe {
        let (status, want, what) = match u.int_in_range(0u8..=11)? {
            0 => {
                let key = bytes(u)?;
                let null_key = u.ratio(1u8, 16)?;
                let s = if null_key {
                    sioe_options_set_key(opts, ptr::null(), 0, &mut err)
                } else {
                    sioe_options_set_key(opts, key.as_ptr().cast(), key.len(), &mut err)
                };
                let want = if null_key {
                    sioe_status::NullArgument
                } else if std::str::from_utf8(&key).is_ok() {
                    sioe_status::Ok
                } else {
                    sioe_status::InvalidUtf8
                };
                (s, Some(want), "set_key")
            }
            1 => {
                let pem = bytes(u)?;
                let s = sioe_options_set_tls_ca_pem(opts, pem.as_ptr().cast(), pem.len(), &mut err);
                (s, Some(sioe_status::Ok), "set_tls_ca_pem")
            }
            2 | 3 => {
                let ms: u64 = if u.arbitrary()? {
                    u.arbitrary()?
                } else {
                    u.int_in_range(0..=2)?
                };
                let s = if u.arbitrary()? {
                    sioe_options_set_connect_timeout_ms(opts, ms, &mut err)
                } else {
                    sioe_options_set_response_timeout_ms(opts, ms, &mut err)
                };
                let want = if ms == 0 {
                    invalid
                } else {
                    within(ms <= DAY_MS)
                };
                (s, want, "set_*_timeout_ms")
            }
            4 => {
                let (min, max): (u64, u64) = (u.arbitrary()?, u.arbitrary()?);
                let (min, max) = if u.arbitrary()? {
                    (min % 5000, max % 5000)
                } else {
                    (min, max)
                };
                let attempts = generate::size(u)?;
                let s = sioe_options_set_reconnect(opts, min, max, attempts, &mut err);
                let want = if min > max {
                    invalid
                } else {
                    within(max <= DAY_MS && attempts <= 1000)
                };
                (s, want, "set_reconnect")
            }
            5 => {
                let capacity = generate::size(u)?;
                let when_full: i32 = if u.arbitrary()? {
                    u.int_in_range(-1..=2)?
                } else {
                    u.arbitrary()?
                };
                let s = sioe_options_set_queue(opts, capacity, when_full, &mut err);
                let want = if capacity == 0 || !(0..=1).contains(&when_full) {
                    invalid
                } else {
                    within(u32::try_from(capacity).is_ok())
                };
                (s, want, "set_queue")
            }
            6 => {
                let max_bytes = generate::size(u)?;
                let s = sioe_options_set_queue_max_bytes(opts, max_bytes, &mut err);
                let ok = max_bytes != 0 && u32::try_from(max_bytes).is_ok();
                (
                    s,
                    if ok { Some(sioe_status::Ok) } else { invalid },
                    "set_queue_max_bytes",
                )
            }
            7 => {
                let s = sioe_options_set_require_receivers(opts, u.arbitrary()?, &mut err);
                (s, Some(sioe_status::Ok), "set_require_receivers")
            }
            9 => {
                return add_node(
                    u,
                    opts,
                    sioe_options_add_cluster_node,
                    "cluster_nodes",
                    topology,
                );
            }
            10 => {
                return add_node(
                    u,
                    opts,
                    sioe_options_add_sentinel_node,
                    "sentinel_nodes",
                    topology,
                );
            }
            11 => {
                let master = bytes(u)?;
                let s = sioe_options_set_sentinel_master(
                    opts,
                    master.as_ptr().cast(),
                    master.len(),
                    &mut err,
                );
                let want = match std::str::from_utf8(&master) {
                    Err(_) => sioe_status::InvalidUtf8,
                    Ok("") => sioe_status::InvalidArgument,
                    Ok(_) => {
                        *topology = !null || *topology;
                        sioe_status::Ok
                    }
                };
                (s, Some(want), "set_sentinel_master")
            }
            8 => {
                let s = sioe_options_set_persistent(opts, u.arbitrary()?, &mut err);
                (s, Some(sioe_status::Ok), "set_persistent")
            }
            _ => unreachable!("int_in_range(0..=11)"),
        };
        let (status, _) = finish(status, err);
        let want = if null {
            Some(sioe_status::NullArgument)
        } else {
            want
        };
        check(status, want, what);
    }
    Ok(())
}

fn run(u: &mut Unstructured, opts: *mut sioe_options) -> Result<()> {
    let mut topology = false;
    for _ in 0..u.int_in_range(0u8..=8)? {
        let target = if u.ratio(1u8, 32)? {
            ptr::null_mut()
        } else {
            opts
        };
        // SAFETY: `opts` is live until freed below.
        unsafe { set_one(u, target, &mut topology)? };
    }

    let url = if u.ratio(1u8, 8)? {
        bytes(u)?
    } else {
        generate::url(u)?.into_bytes()
    };
    let text = std::str::from_utf8(&url).ok();
    // Only URLs that fail before any network access: not UTF-8, or refused by the core.
    let core_msg = match text.map(|t| EmitterConfig::new(t).validate()) {
        Some(Ok(())) => None,
        Some(Err(e)) => Some(e.to_string()),
        None => Some(String::new()),
    };
    if core_msg.is_some() {
        let pass_opts = if u.arbitrary()? {
            opts.cast_const()
        } else {
            ptr::null()
        };
        let (status, msg) = connect_refused(&url, pass_opts);
        match text {
            None => assert_eq!(status, sioe_status::InvalidUtf8),
            Some(t) => {
                assert_eq!(status, sioe_status::InvalidArgument, "{msg}");
                let secrets = secrets(t);
                if let Some(other) = with_other_password(t).filter(|_| !secrets.is_empty()) {
                    let (_, reference) = connect_refused(other.as_bytes(), pass_opts);
                    assert_no_leak("the sioe_connect error", &msg, &reference, &secrets);
                }
            }
        }
    }

    // NULL out-pointer and NULL URL (without a cluster or sentinels) are refused first.
    let mut err = ptr::null_mut();
    // SAFETY: a live slice; the NULL out-pointer is what is tested.
    let status = unsafe {
        sioe_connect(
            url.as_ptr().cast(),
            url.len(),
            opts,
            ptr::null_mut(),
            &mut err,
        )
    };
    assert_eq!(finish(status, err).0, sioe_status::NullArgument);
    if topology {
        return Ok(()); // a NULL URL is allowed there, and would connect
    }
    let mut em = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: NULL URL with length 0, writable out-pointers.
    let status = unsafe { sioe_connect(ptr::null(), 0, opts, &mut em, &mut err) };
    assert_eq!(finish(status, err).0, sioe_status::NullArgument);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let opts = sioe_options_new();
    assert!(!opts.is_null());
    // Running out of input ends the case early; that is not a finding.
    let _ = run(&mut Unstructured::new(data), opts);
    // SAFETY: created above, freed once.
    unsafe { sioe_options_free(opts) };
});
