//! TLS with a private CA and an ACL user with a password, against a Redis that refuses
//! everything else; delivery observed at a real client through servers using the same
//! credentials.

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, json};
use socketio_emitter::EmitterConfig;
use socketio_emitter::blocking::Emitter;

const PASSWORD: &str = "s3cr3t pass/word";

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        Harness::start(&[
            "--servers",
            "1",
            "--redis-tls",
            "--redis-user",
            "alice",
            "--redis-password",
            PASSWORD,
        ])
    })
}

fn ca_pem() -> Vec<u8> {
    std::fs::read(harness().ready["redis_ca_file"].as_str().expect("CA file")).expect("read CA")
}

fn port() -> u64 {
    harness().ready["redis_port"].as_u64().expect("port")
}

fn quick(url: String) -> EmitterConfig {
    EmitterConfig::new(url)
        .with_connect_timeout(Duration::from_secs(2))
        .with_reconnect(Duration::from_millis(50), Duration::from_millis(100), 1)
}

fn assert_no_secret(err: &socketio_emitter::Error) {
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("s3cr3t%20pass"),
        "secret leaked: {text}"
    );
}

#[test]
fn tls_with_private_ca_and_acl_user_delivers() {
    let h = harness();
    h.client("tls-a", 0, "/", json!(["vip"]));
    assert!(
        h.redis_url.starts_with("rediss://alice:"),
        "{}",
        h.redis_url
    );
    let io = Emitter::with_config(quick(h.redis_url.clone()).with_tls_ca_pem(ca_pem())).unwrap();
    assert_eq!(io.to("vip").emit("secure", &[]).unwrap(), 1);
    h.flush();
    assert_eq!(h.event_names("tls-a"), vec!["secure".to_owned()]);
    assert!(
        !format!("{io:?}").contains("s3cr3t"),
        "Debug output shows the password"
    );
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let err = Emitter::with_config(quick(harness().redis_url.clone())).unwrap_err();
    assert!(["CONNECTION", "TIMEOUT"].contains(&err.code()), "{err:?}");
    assert_no_secret(&err);
}

#[test]
fn a_wrong_password_is_a_connection_error_without_the_password() {
    let url = format!("rediss://alice:s3cr3t-but-wrong@127.0.0.1:{}", port());
    let err = Emitter::with_config(quick(url).with_tls_ca_pem(ca_pem())).unwrap_err();
    assert_eq!(err.code(), "CONNECTION", "{err:?}");
    assert!(
        err.to_string().to_lowercase().contains("auth") || err.to_string().contains("WRONGPASS"),
        "{err}"
    );
    assert_no_secret(&err);
}

#[test]
fn the_default_user_is_refused() {
    // Connecting needs no command, so the refusal (NOAUTH) comes with the first publish.
    let url = format!("rediss://127.0.0.1:{}", port());
    let err = match Emitter::with_config(quick(url).with_tls_ca_pem(ca_pem())) {
        Ok(io) => io.emit("refused", &[]).unwrap_err(),
        Err(err) => err,
    };
    assert!(["CONNECTION", "REDIS"].contains(&err.code()), "{err:?}");
    assert!(
        err.to_string().contains("NOAUTH") || err.to_string().contains("auth"),
        "{err}"
    );
}

#[test]
fn plain_redis_scheme_against_a_tls_port_fails_in_bounded_time() {
    let url = format!("redis://alice:s3cr3t@127.0.0.1:{}", port());
    let t0 = std::time::Instant::now();
    let result = Emitter::with_config(quick(url).with_response_timeout(Duration::from_secs(1)));
    let err = result.unwrap_err();
    assert!(["CONNECTION", "TIMEOUT"].contains(&err.code()), "{err:?}");
    assert_no_secret(&err);
    assert!(t0.elapsed() < Duration::from_secs(15), "{:?}", t0.elapsed());
}
