//! TLS with a private CA and passwords on a Redis Cluster (with an ACL user) and behind
//! Sentinel, the way they work for one Redis (`interop_security.rs`): delivery observed at
//! a real client through Socket.IO servers that use the same credentials, and refusals
//! that are typed and never show the password.

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{AdapterKind, DEFAULT_URL, EmitterConfig, Value};

const PASSWORD: &str = "s3cr3t pass/word";

fn ca_pem(h: &Harness) -> Vec<u8> {
    std::fs::read(h.ready["redis_ca_file"].as_str().expect("CA file")).expect("read CA")
}

/// Quick to give up, so that the refusals below are reported fast.
fn quick(cfg: EmitterConfig) -> EmitterConfig {
    cfg.with_connect_timeout(Duration::from_secs(2))
        .with_reconnect(Duration::from_millis(50), Duration::from_millis(100), 1)
}

fn assert_no_secret(err: &socketio_emitter::Error) {
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("s3cr3t%20pass"),
        "secret leaked: {text}"
    );
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
            Harness::start(&[
                "--servers",
                "1",
                "--topology",
                "cluster",
                "--adapter",
                "sharded",
                "--redis-tls",
                "--redis-user",
                "alice",
                "--redis-password",
                PASSWORD,
            ])
        })
    }

    fn config(nodes: Vec<String>) -> EmitterConfig {
        quick(EmitterConfig::new(DEFAULT_URL))
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
                .with_tls_ca_pem(ca_pem(h))
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
        let err = Emitter::with_config(config(nodes).with_tls_ca_pem(ca_pem(h))).unwrap_err();
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
        H.get_or_init(|| {
            Harness::start(&[
                "--servers",
                "1",
                "--topology",
                "sentinel",
                "--adapter",
                "sharded",
                "--redis-tls",
                "--redis-password",
                PASSWORD,
            ])
        })
    }

    /// The master's credentials and scheme come from `url`; its host and port are not used,
    /// so they are made up here.
    fn config(h: &Harness, url: &str) -> EmitterConfig {
        let mut url = url::Url::parse(url).expect("a URL");
        url.set_host(Some("unused.invalid")).unwrap();
        url.set_port(Some(1)).unwrap();
        quick(EmitterConfig::new(url.as_str()))
            .with_adapter(AdapterKind::Sharded)
            .with_tls_ca_pem(ca_pem(h))
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
