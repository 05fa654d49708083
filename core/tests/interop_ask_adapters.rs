//! Asking the cluster on every adapter that answers (classic on a Redis Cluster, sharded in
//! each mode on one Redis and on a cluster, streams 0.3 and 0.2), against two real Socket.IO servers
//! and real clients: fetch_sockets with filters and socket data, server_count, handlers that
//! acknowledge and one that does not, clients that acknowledge and one that does not, 100
//! concurrent requests, and a killed server; also classic on `@socket.io/redis-adapter` 7.2.
//! Streams 0.2 answers through its stream. socket.io-redis, and allRooms off the classic
//! adapter, give UNSUPPORTED.

use std::time::Duration;

use interop_harness::{Harness, json};
use socketio_emitter::{AdapterKind, EmitterConfig, StreamsVersion, SubscriptionMode, Value};

const TIMEOUT: Duration = Duration::from_secs(10);
/// For answers that must not come: long enough for any server to have answered.
const SHORT: Duration = Duration::from_millis(1500);

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn ids(fetched: &socketio_emitter::ask::Fetched) -> Vec<String> {
    sorted(fetched.sockets.iter().map(|s| s.id.clone()).collect())
}

fn scenario(args: &[&str], config: impl Fn(&Harness) -> EmitterConfig) {
    let mut all = vec!["--servers", "2", "--server-acks", "ask_me"];
    all.extend_from_slice(args);
    let h = Harness::start(&all);
    let nsp = "/ask";
    let a = h.client_with(
        "ask-a",
        0,
        nsp,
        json!(["r1"]),
        Some(json!({"user": 1})),
        Some(json!({"from": 1})),
    );
    let b = h.client_with(
        "ask-b",
        1,
        nsp,
        json!(["r1", "muted"]),
        None,
        Some(json!({"from": 2})),
    );
    let c = h.client_with("ask-c", 1, nsp, json!(["r2"]), None, None);
    h.request(json!({"cmd": "wait_subscribed", "nsp": nsp}));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let root = socketio_emitter::Emitter::with_config(config(&h))
            .await
            .unwrap();
        let io = root.of(nsp);
        let ctx = format!("{args:?}");
        assert_eq!(io.server_count().await.unwrap(), 2, "{ctx}\n{}", h.logs());

        let everyone = io.fetch_sockets(TIMEOUT).await.unwrap();
        assert!(everyone.complete(), "{ctx} {everyone:?}\n{}", h.logs());
        assert_eq!(everyone.servers_answered, 2, "{ctx} {everyone:?}");
        assert_eq!(
            ids(&everyone),
            sorted(vec![a.clone(), b.clone(), c.clone()]),
            "{ctx}"
        );
        let of_a = everyone.sockets.iter().find(|s| s.id == a).unwrap();
        assert_eq!(of_a.data, json!({"user": 1}), "{ctx}");
        assert_eq!(
            sorted(of_a.rooms.clone()),
            sorted(vec![a.clone(), "r1".into()])
        );

        let filtered = io
            .to("r1")
            .except("muted")
            .fetch_sockets(TIMEOUT)
            .await
            .unwrap();
        assert_eq!(
            (ids(&filtered), filtered.servers_answered),
            (vec![a.clone()], 2),
            "{ctx}"
        );

        // Handlers of ask_me acknowledge; those of server_event never do.
        let acks = io
            .server_side_emit_with_ack("ask_me", &[Value::from(1)], TIMEOUT)
            .await
            .unwrap();
        let servers = sorted(
            acks.responses
                .iter()
                .map(|r| r["server"].as_i64().unwrap())
                .collect(),
        );
        assert_eq!(
            (servers, acks.servers_missing),
            (vec![0, 1], 0),
            "{ctx} {acks:?}"
        );
        let silent = io
            .server_side_emit_with_ack("server_event", &[], SHORT)
            .await
            .unwrap();
        assert_eq!(
            (silent.responses.len(), silent.servers_missing),
            (0, 2),
            "{ctx}"
        );

        // Clients a and b acknowledge, c does not.
        let r1 = io
            .to("r1")
            .emit_with_ack("question", &[Value::from("?")], TIMEOUT)
            .await
            .unwrap();
        let from = sorted(
            r1.responses
                .iter()
                .map(|r| r["from"].as_i64().unwrap())
                .collect(),
        );
        assert_eq!(
            (from, r1.clients_targeted, r1.complete()),
            (vec![1, 2], 2, true),
            "{ctx} {r1:?}"
        );
        let all_three = io.emit_with_ack("question", &[], SHORT).await.unwrap();
        assert_eq!(
            (
                all_three.responses.len(),
                all_three.clients_targeted,
                all_three.clients_missing,
                all_three.servers_missing
            ),
            (2, 3, 1, 0),
            "{ctx} {all_three:?}"
        );

        // 100 requests at once from one emitter: each gets its own replies.
        let requests = (0..100).map(|i| {
            let target = if i % 2 == 0 { io.to("r2") } else { io.to("r1") };
            async move { (i, target.fetch_sockets(TIMEOUT).await.unwrap()) }
        });
        for (i, got) in futures_util::future::join_all(requests).await {
            let want = if i % 2 == 0 {
                vec![c.clone()]
            } else {
                sorted(vec![a.clone(), b.clone()])
            };
            assert_eq!(
                (ids(&got), got.complete()),
                (want, true),
                "{ctx} request {i}"
            );
        }

        // A killed server is no longer counted, so nothing waits for it. Streams 0.2 counts
        // servers by their heartbeats, so it still counts the killed one for a while (and
        // reports it missing).
        h.kill_server(1);
        if args.contains(&"0.2") {
            let after = io.fetch_sockets(SHORT).await.unwrap();
            assert_eq!(
                (ids(&after), after.servers_answered),
                (vec![a.clone()], 1),
                "{ctx}"
            );
            assert!(after.servers_missing <= 1, "{ctx} {after:?}");
            root.close().await.unwrap();
            return;
        }
        let after = io.fetch_sockets(TIMEOUT).await.unwrap();
        assert_eq!(
            (ids(&after), after.servers_answered, after.servers_missing),
            (vec![a.clone()], 1, 0),
            "{ctx}"
        );
        root.close().await.unwrap();
    });
}

fn sharded(mode: SubscriptionMode) -> impl Fn(&Harness) -> EmitterConfig {
    move |h| {
        EmitterConfig::new(&h.redis_url)
            .with_adapter(AdapterKind::Sharded)
            .with_subscription_mode(mode)
    }
}

#[test]
fn sharded_dynamic() {
    scenario(
        &["--adapter", "sharded"],
        sharded(SubscriptionMode::Dynamic),
    );
}

#[test]
fn sharded_static() {
    scenario(
        &["--adapter", "sharded", "--subscription-mode", "static"],
        sharded(SubscriptionMode::Static),
    );
}

#[test]
fn sharded_dynamic_private() {
    scenario(
        &[
            "--adapter",
            "sharded",
            "--subscription-mode",
            "dynamic-private",
        ],
        sharded(SubscriptionMode::DynamicPrivate),
    );
}

#[test]
fn sharded_on_a_redis_cluster() {
    scenario(&["--adapter", "sharded", "--topology", "cluster"], |h| {
        EmitterConfig::new("redis://127.0.0.1:6379")
            .with_adapter(AdapterKind::Sharded)
            .with_cluster_nodes(h.redis_nodes())
    });
}

#[test]
fn classic_on_a_redis_cluster() {
    scenario(&["--topology", "cluster"], |h| {
        EmitterConfig::new("redis://127.0.0.1:6379").with_cluster_nodes(h.redis_nodes())
    });
}

#[test]
fn streams_0_3() {
    scenario(&["--adapter", "streams"], |h| {
        EmitterConfig::new(&h.redis_url).with_adapter(AdapterKind::Streams)
    });
}

#[test]
fn streams_0_2_answers_through_the_stream() {
    scenario(&["--adapter", "streams", "--streams-version", "0.2"], |h| {
        EmitterConfig::new(&h.redis_url)
            .with_adapter(AdapterKind::Streams)
            .with_streams_version(StreamsVersion::V02)
    });
}

#[test]
fn what_an_adapter_cannot_answer_is_unsupported() {
    let h = Harness::start(&["--servers", "1", "--adapter", "sharded"]);
    let io = socketio_emitter::blocking::Emitter::with_config(
        EmitterConfig::new(&h.redis_url).with_adapter(AdapterKind::Sharded),
    )
    .unwrap();
    let err = io.all_rooms(TIMEOUT).unwrap_err();
    assert_eq!(err.code(), "UNSUPPORTED", "{err}");
    assert!(err.to_string().contains("sharded"), "{err}");
    io.close().unwrap();

    // The socket.io-redis generations number their requests differently: refused before
    // anything is published.
    let io = socketio_emitter::blocking::Emitter::with_config(
        EmitterConfig::new(&h.redis_url).with_compat("socket.io-redis-6.1".parse().unwrap()),
    )
    .unwrap();
    let err = io.emit_with_ack("question", &[], TIMEOUT).unwrap_err();
    assert_eq!(err.code(), "UNSUPPORTED", "{err}");
    assert!(err.to_string().contains("socket.io-redis"), "{err}");
    io.close().unwrap();
}

#[test]
fn classic_redis_adapter_7() {
    scenario(&["--stack", "redis-adapter-7"], |h| {
        EmitterConfig::new(&h.redis_url).with_compat("redis-adapter-7".parse().unwrap())
    });
}

fn behind_sentinel(h: &Harness) -> EmitterConfig {
    let master = h.ready["sentinel_master"]
        .as_str()
        .expect("sentinel_master");
    EmitterConfig::new("redis://127.0.0.1:6379").with_sentinel(master, h.sentinel_urls())
}

#[test]
fn classic_behind_sentinel() {
    scenario(&["--topology", "sentinel"], behind_sentinel);
}

#[test]
fn sharded_behind_sentinel() {
    scenario(&["--adapter", "sharded", "--topology", "sentinel"], |h| {
        behind_sentinel(h).with_adapter(AdapterKind::Sharded)
    });
}
