//! TLS with a private CA and passwords (an ACL user where Redis has them), against Redis
//! that refuses everything else: one server, a Redis Cluster and a master behind Sentinel.
//! Delivery is observed at a real client through servers using the same credentials;
//! refusals are typed and never show the password.

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{AdapterKind, DEFAULT_URL, EmitterConfig, Value};

const PASSWORD: &str = "s3cr3t pass/word";

/// One Socket.IO server over Redis that listens with TLS only and takes `PASSWORD`, with
/// more harness arguments (the topology, an ACL user).
fn secure_harness(more: &[&str]) -> Harness {
    let mut args = vec![
        "--servers",
        "1",
        "--redis-tls",
        "--redis-password",
        PASSWORD,
    ];
    args.extend_from_slice(more);
    Harness::start(&args)
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| secure_harness(&["--redis-user", "alice"]))
}

fn ca_pem_of(h: &Harness) -> Vec<u8> {
    std::fs::read(h.ready["redis_ca_file"].as_str().expect("CA file")).expect("read CA")
}

fn ca_pem() -> Vec<u8> {
    ca_pem_of(harness())
}

fn port() -> u64 {
    harness().ready["redis_port"].as_u64().expect("port")
}

/// Quick to give up, so that refusals are reported fast.
fn quick_config(cfg: EmitterConfig) -> EmitterConfig {
    cfg.with_connect_timeout(Duration::from_secs(2))
        .with_reconnect(Duration::from_millis(50), Duration::from_millis(100), 1)
}

fn quick(url: String) -> EmitterConfig {
    quick_config(EmitterConfig::new(url))
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

/// `url` with the password replaced: the same user, a wrong password.
fn with_wrong_password(url: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("a URL");
    parsed.set_password(Some("s3cr3t-but-wrong")).unwrap();
    parsed.to_string()
}

mod cluster {
    use super::*;

    /// Six TLS nodes that only know the ACL user `alice`; one sharded server.
    fn harness() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(|| {
            secure_harness(&[
                "--topology",
                "cluster",
                "--adapter",
                "sharded",
                "--redis-user",
                "alice",
            ])
        })
    }

    fn config(nodes: Vec<String>) -> EmitterConfig {
        quick_config(EmitterConfig::new(DEFAULT_URL))
            .with_adapter(AdapterKind::Sharded)
            .with_cluster_nodes(nodes)
    }

    #[test]
    fn tls_and_an_acl_user_deliver_to_the_clients() {
        let h = harness();
        let nodes = h.redis_nodes();
        assert!(
            nodes.iter().all(|n| n.starts_with("rediss://alice:")),
            "{nodes:?}"
        );
        h.client("ctls-a", 0, "/ctls", json!(["vip"]));
        h.client("ctls-b", 0, "/ctls", json!([]));
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/ctls"}));
        let emitter = Emitter::with_config(
            config(nodes)
                .with_tls_ca_pem(ca_pem_of(h))
                .with_require_receivers(true),
        )
        .expect("connect to the TLS cluster as alice");
        assert!(!format!("{emitter:?}").contains("s3cr3t"));
        let io = emitter.of("/ctls");
        assert_eq!(io.emit("all", &[Value::bytes([1u8, 2])]).unwrap(), 1);
        assert_eq!(io.to("vip").emit("vip", &[]).unwrap(), 1);
        h.flush();
        assert_eq!(h.event_names("ctls-a"), vec!["all", "vip"]);
        assert_eq!(h.event_names("ctls-b"), vec!["all"]);
        assert_eq!(h.events("ctls-b")[0].1, vec![bytes_json(&[1, 2])]);
    }

    #[test]
    fn an_untrusted_certificate_is_refused_without_waiting() {
        let err = Emitter::with_config(config(harness().redis_nodes())).unwrap_err();
        assert_eq!(err.code(), "CONNECTION", "{err:?}");
        let text = err.to_string();
        assert!(text.contains("certificate"), "{text}");
        // Final at the first attempt: no "(tried for … s)" of a wait for the cluster.
        assert!(!text.contains("tried for"), "{text}");
        assert_no_secret(&err);
    }

    #[test]
    fn a_wrong_password_is_a_connection_error_without_the_password() {
        let h = harness();
        let nodes = h
            .redis_nodes()
            .iter()
            .map(|n| with_wrong_password(n))
            .collect();
        let err = Emitter::with_config(config(nodes).with_tls_ca_pem(ca_pem_of(h))).unwrap_err();
        assert_eq!(err.code(), "CONNECTION", "{err:?}");
        let text = err.to_string();
        assert!(
            text.to_lowercase().contains("auth") || text.contains("WRONGPASS"),
            "{text}"
        );
        assert!(!text.contains("tried for"), "retried a refusal: {text}");
        assert_no_secret(&err);
    }
}

mod sentinel {
    use super::*;

    /// A TLS master and replica that take a password, three TLS sentinels; one sharded
    /// server.
    fn harness() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(|| secure_harness(&["--topology", "sentinel", "--adapter", "sharded"]))
    }

    /// The master's credentials and scheme come from `url`; its host and port are not used,
    /// so they are made up here.
    fn config(h: &Harness, url: &str) -> EmitterConfig {
        let mut url = url::Url::parse(url).expect("a URL");
        url.set_host(Some("unused.invalid")).unwrap();
        url.set_port(Some(1)).unwrap();
        quick_config(EmitterConfig::new(url.as_str()))
            .with_adapter(AdapterKind::Sharded)
            .with_tls_ca_pem(ca_pem_of(h))
            .with_sentinel(
                h.ready["sentinel_master"].as_str().expect("master name"),
                h.sentinel_urls(),
            )
    }

    #[test]
    fn tls_and_a_password_deliver_to_the_clients() {
        let h = harness();
        assert!(h.redis_url.starts_with("rediss://"), "{}", h.redis_url);
        assert!(h.sentinel_urls().iter().all(|u| u.starts_with("rediss://")));
        h.client("stls-a", 0, "/stls", json!(["vip"]));
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/stls"}));
        let emitter = Emitter::with_config(config(h, &h.redis_url).with_require_receivers(true))
            .expect("connect to the master the sentinels name");
        assert!(!format!("{emitter:?}").contains("s3cr3t"));
        let io = emitter.of("/stls");
        assert_eq!(io.to("vip").emit("vip", &[]).unwrap(), 1);
        h.flush();
        assert_eq!(h.event_names("stls-a"), vec!["vip"]);
    }

    #[test]
    fn a_wrong_master_password_is_a_connection_error_without_the_password() {
        let h = harness();
        let err = match Emitter::with_config(config(h, &with_wrong_password(&h.redis_url))) {
            // The master may only be asked once a command goes out.
            Ok(io) => io.emit("refused", &[]).unwrap_err(),
            Err(err) => err,
        };
        assert!(["CONNECTION", "REDIS"].contains(&err.code()), "{err:?}");
        let text = err.to_string();
        assert!(
            text.to_lowercase().contains("auth") || text.contains("WRONGPASS"),
            "{text}"
        );
        assert_no_secret(&err);
    }
}
