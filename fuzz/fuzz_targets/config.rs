//! URL and option checks of the core: `EmitterConfig::new(url)` with any option values,
//! `validate()` and `redact_url`. Nothing panics; invalid URLs and options are
//! INVALID_ARGUMENT; a password in the URL never shows in a message or in `Debug`.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sioe_fuzz::generate;
use sioe_fuzz::secrets::{assert_no_leak, secrets, with_other_password};
use socketio_emitter::{EmitterConfig, QueueFullPolicy, redact_url};

fn config(url: &str, u: &mut Unstructured) -> arbitrary::Result<EmitterConfig> {
    let mut cfg = EmitterConfig::new(url)
        .with_connect_timeout(generate::duration(u)?)
        .with_response_timeout(generate::duration(u)?)
        .with_reconnect(
            generate::duration(u)?,
            generate::duration(u)?,
            generate::size(u)?,
        )
        .with_queue(
            generate::size(u)?,
            if u.arbitrary()? {
                QueueFullPolicy::Block
            } else {
                QueueFullPolicy::Error
            },
        )
        .with_queue_max_bytes(generate::size(u)?)
        .with_require_receivers(u.arbitrary()?);
    if u.arbitrary()? {
        cfg = cfg.with_key(u.arbitrary::<String>()?);
    }
    if u.arbitrary()? {
        cfg = cfg.with_tls_ca_pem(u.arbitrary::<Vec<u8>>()?);
    }
    Ok(cfg)
}

fn message(cfg: &EmitterConfig) -> String {
    match cfg.validate() {
        Ok(()) => String::new(),
        Err(e) => {
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
            e.to_string()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(url) = generate::url(&mut u) else {
        return;
    };
    let parsed = url::Url::parse(&url);
    let url_ok = parsed
        .as_ref()
        .is_ok_and(|p| matches!(p.scheme(), "redis" | "rediss"));

    // With the default options only the URL decides.
    let defaults = EmitterConfig::new(url.as_str());
    let default_msg = message(&defaults);
    assert_eq!(default_msg.is_empty(), url_ok, "{url:?}: {default_msg}");

    // redact_url: unparsable text is replaced whole; otherwise only the password changes.
    let redacted = redact_url(&url);
    assert_eq!(defaults.redacted_url(), redacted);
    match &parsed {
        Err(_) => assert_eq!(redacted, "<unparsable URL>"),
        Ok(p) if p.password().is_none() => assert_eq!(redacted, p.as_str()),
        Ok(p) => {
            let mut want = p.clone();
            want.set_password(Some("***"))
                .expect("a URL with a password takes another");
            assert_eq!(redacted, want.as_str());
        }
    }

    // Any option values: a typed error or Ok, and the documented lower bounds hold.
    let option_bytes = u.take_rest();
    let Ok(cfg) = config(&url, &mut Unstructured::new(option_bytes)) else {
        return;
    };
    let msg = message(&cfg);
    let must_fail = !url_ok
        || cfg.queue_capacity == 0
        || cfg.queue_max_bytes == 0
        || u32::try_from(cfg.queue_max_bytes).is_err()
        || cfg.connect_timeout.is_zero()
        || cfg.response_timeout.is_zero();
    if must_fail {
        assert!(!msg.is_empty(), "validate() accepted {cfg:?}");
    }
    let debug = format!("{cfg:?}");

    // No password in messages, the redacted URL or Debug.
    let secrets = secrets(&url);
    if secrets.is_empty() {
        return;
    }
    let Some(other) = with_other_password(&url) else {
        return;
    };
    // The same options (from the same bytes) with the other URL.
    let Ok(reference) = config(&other, &mut Unstructured::new(option_bytes)) else {
        return;
    };
    assert_no_leak("redact_url", &redacted, &redact_url(&other), &secrets);
    assert_no_leak(
        "the default validate() error",
        &default_msg,
        &message(&EmitterConfig::new(other.as_str())),
        &secrets,
    );
    assert_no_leak("the validate() error", &msg, &message(&reference), &secrets);
    assert_no_leak("Debug", &debug, &format!("{reference:?}"), &secrets);
});
