//! `server_count`: how many Socket.IO servers serve a namespace, as Redis counts them, for
//! each adapter, against three real servers (async and blocking APIs).

use interop_harness::{Harness, json};
use socketio_emitter::{AdapterKind, EmitterConfig, StreamsVersion, SubscriptionMode};

/// Starts three servers with `args`, gives namespace `/counted` a client on each, and checks
/// that both APIs count three servers there and none in a namespace no server has.
fn counts_three(args: &[&str], config: impl Fn(&str) -> EmitterConfig) {
    let mut all = vec!["--servers", "3"];
    all.extend_from_slice(args);
    let h = Harness::start(&all);
    for server in 0..3 {
        h.client(&format!("counted-{server}"), server, "/counted", json!([]));
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/counted"}));

    let io = socketio_emitter::blocking::Emitter::with_config(config(&h.redis_url)).unwrap();
    assert_eq!(
        io.of("/counted").server_count().unwrap(),
        3,
        "{args:?}\n{}",
        h.logs()
    );
    assert_eq!(io.of("/nobody-here").server_count().unwrap(), 0, "{args:?}");
    io.close().unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let io = socketio_emitter::Emitter::with_config(config(&h.redis_url))
            .await
            .unwrap();
        assert_eq!(
            io.of("/counted").server_count().await.unwrap(),
            3,
            "{args:?}"
        );
        io.close().await.unwrap();
    });
}

#[test]
fn classic() {
    counts_three(&[], |url: &str| EmitterConfig::new(url));
}

#[test]
fn sharded_dynamic() {
    counts_three(&["--adapter", "sharded"], |url: &str| {
        EmitterConfig::new(url).with_adapter(AdapterKind::Sharded)
    });
}

#[test]
fn sharded_static() {
    counts_three(
        &["--adapter", "sharded", "--subscription-mode", "static"],
        |url: &str| {
            EmitterConfig::new(url)
                .with_adapter(AdapterKind::Sharded)
                .with_subscription_mode(SubscriptionMode::Static)
        },
    );
}

#[test]
fn streams_0_3() {
    counts_three(&["--adapter", "streams"], |url: &str| {
        EmitterConfig::new(url).with_adapter(AdapterKind::Streams)
    });
}

#[test]
fn streams_0_2() {
    counts_three(
        &["--adapter", "streams", "--streams-version", "0.2"],
        |url: &str| {
            EmitterConfig::new(url)
                .with_adapter(AdapterKind::Streams)
                .with_streams_version(StreamsVersion::V02)
        },
    );
}

#[test]
fn classic_on_a_redis_cluster() {
    let h = Harness::start(&["--servers", "3", "--topology", "cluster"]);
    for server in 0..3 {
        h.client(&format!("cl-{server}"), server, "/counted", json!([]));
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/counted"}));
    let config = EmitterConfig::new("redis://127.0.0.1:6379").with_cluster_nodes(h.redis_nodes());
    let io = socketio_emitter::blocking::Emitter::with_config(config).unwrap();
    assert_eq!(io.of("/counted").server_count().unwrap(), 3, "{}", h.logs());
    io.close().unwrap();
}
