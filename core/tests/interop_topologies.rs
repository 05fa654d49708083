//! The classic adapter on a Redis Cluster, both adapters behind Sentinel, and failovers on
//! both: real Redis nodes and sentinels, real Socket.IO 4.8 servers (node-redis
//! `createCluster` on the cluster; a connection that follows Sentinel's master otherwise),
//! real socket.io clients. The sharded adapter's full scenario list runs on the cluster in
//! `interop_sharded.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use interop_harness::{Harness, Json, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{AdapterKind, DEFAULT_URL, EmitterConfig, Value, args};

fn list(h: &Harness, field: &str) -> Vec<String> {
    h.ready[field]
        .as_array()
        .unwrap_or_else(|| panic!("the ready line lists {field}: {}", h.ready))
        .iter()
        .map(|n| n.as_str().expect("a URL").to_owned())
        .collect()
}

fn cluster_config(h: &Harness) -> EmitterConfig {
    EmitterConfig::new(DEFAULT_URL).with_cluster_nodes(list(h, "redis_nodes"))
}

fn sentinel_config(h: &Harness) -> EmitterConfig {
    let master = h.ready["sentinel_master"]
        .as_str()
        .expect("sentinel_master");
    // The master's credentials would come from this URL; its host and port are not used.
    EmitterConfig::new(DEFAULT_URL).with_sentinel(master, list(h, "sentinel_urls"))
}

fn clients(h: &Harness, nsp: &str, list: &[(&str, usize, Json)]) {
    for (name, server, rooms) in list {
        h.client(name, *server, nsp, rooms.clone());
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
}

fn received(h: &Harness, names: &[&str]) -> Vec<Vec<String>> {
    h.flush();
    names.iter().map(|n| h.event_names(n)).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

mod classic_on_a_cluster {
    use super::*;

    fn harness() -> &'static Harness {
        static H: OnceLock<Harness> = OnceLock::new();
        H.get_or_init(|| Harness::start(&["--servers", "2", "--topology", "cluster"]))
    }

    fn emitter() -> Emitter {
        Emitter::with_config(cluster_config(harness())).expect("connect to the cluster")
    }

    #[test]
    fn broadcast_and_rooms_reach_the_right_clients_once() {
        let h = harness();
        clients(
            h,
            "/ccl",
            &[
                ("ccl-a", 0, json!(["r1"])),
                ("ccl-b", 1, json!(["r2"])),
                ("ccl-c", 1, json!([])),
            ],
        );
        let io = emitter().of("/ccl");
        // PUBLISH on a cluster reaches every node's subscribers, but only counts the
        // receiving node's: the count is not asserted here (see the README).
        io.emit("all", &args![1]).unwrap();
        io.to("r1").emit("one", &[]).unwrap();
        io.to("r1").to("r2").emit("two", &[]).unwrap();
        io.except("r2").emit("not-r2", &[]).unwrap();
        assert_eq!(
            received(h, &["ccl-a", "ccl-b", "ccl-c"]),
            vec![
                names(&["all", "one", "two", "not-r2"]),
                names(&["all", "two"]),
                names(&["all", "not-r2"]),
            ]
        );
    }

    #[test]
    fn binary_arrives_as_binary_and_server_side_emit_reaches_both_handlers() {
        let h = harness();
        clients(h, "/cbin", &[("cbin-a", 0, json!([]))]);
        let io = emitter().of("/cbin");
        io.emit("blob", &[Value::map([("f", Value::bytes([1u8, 2]))])])
            .unwrap();
        io.server_side_emit("server_event", &args!["hi", 3])
            .unwrap();
        h.flush();
        assert_eq!(
            h.events("cbin-a"),
            vec![("blob".to_owned(), vec![json!({"f": bytes_json(&[1, 2])})])]
        );
        let servers: Vec<Json> = h
            .observed()
            .into_iter()
            .filter(|m| m["type"] == "server_event" && m["nsp"] == "/cbin")
            .map(|m| m["server"].clone())
            .collect();
        assert_eq!(servers.len(), 2, "{servers:?}");
    }

    #[test]
    fn queued_emits_cross_slots_in_one_flush() {
        let h = harness();
        // Namespaces hash to different slots, so the queue's pipelines are split by slot.
        let spaces: Vec<String> = (0..8).map(|i| format!("/cq{i}")).collect();
        for (i, nsp) in spaces.iter().enumerate() {
            clients(h, nsp, &[(&format!("cq-{i}"), i % 2, json!([]))]);
        }
        let io = emitter();
        for round in 0..20 {
            for nsp in &spaces {
                io.of(nsp).emit_nowait("n", &args![round]).unwrap();
            }
        }
        let report = io.flush().unwrap();
        assert_eq!(report.sent, 160);
        h.flush();
        for i in 0..8 {
            let got: Vec<Json> = h
                .events(&format!("cq-{i}"))
                .into_iter()
                .map(|(_, a)| a[0].clone())
                .collect();
            let want: Vec<Json> = (0..20).map(|r| json!(r)).collect();
            assert_eq!(got, want, "client cq-{i}");
        }
    }

    #[test]
    fn require_receivers_is_refused_for_classic_and_streams_on_a_cluster() {
        for adapter in [AdapterKind::Classic, AdapterKind::Streams] {
            let config = cluster_config(harness())
                .with_adapter(adapter)
                .with_require_receivers(true);
            let err = Emitter::with_config(config).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT");
            assert!(err.to_string().contains("require_receivers"), "{err}");
        }
    }
}

mod behind_sentinel {
    use super::*;

    #[test]
    fn both_adapters_deliver_through_the_master_sentinel_names() {
        for adapter in [AdapterKind::Classic, AdapterKind::Sharded] {
            let h = Harness::start(&[
                "--servers",
                "2",
                "--topology",
                "sentinel",
                "--adapter",
                adapter.as_str(),
            ]);
            clients(
                &h,
                "/snt",
                &[("snt-a", 0, json!(["r"])), ("snt-b", 1, json!([]))],
            );
            let io = Emitter::with_config(
                sentinel_config(&h)
                    .with_adapter(adapter)
                    .with_require_receivers(true),
            )
            .expect("connect through the sentinels")
            .of("/snt");
            assert_eq!(io.emit("all", &[Value::bytes([7u8])]).unwrap(), 2);
            io.to("r").emit("room", &[]).unwrap();
            assert_eq!(
                received(&h, &["snt-a", "snt-b"]),
                vec![names(&["all", "room"]), names(&["all"])],
                "{adapter}"
            );
            assert_eq!(h.events("snt-b")[0].1, vec![bytes_json(&[7])]);
        }
    }
}

/// What became of each emit of a run during which a master was killed.
#[derive(Default, Debug)]
struct Tally {
    /// Resolved with at least one server reached.
    reported_delivered: Vec<u64>,
    /// Resolved with no server reached (the servers were re-subscribing): the caller knows.
    reported_none: Vec<u64>,
    /// Failed with a typed error, by code.
    failed: HashMap<String, u64>,
    /// The first emit that failed or reached no server.
    first_trouble: Option<u64>,
    /// Calls that took longer than their budget (plus slack).
    hung: u64,
}

/// When the kill is asked for; the master dies some time after.
const KILL_AT: u64 = 2_000;

/// 20 000 emits in one namespace, the harness's master killed after the first 2 000; then
/// every emit reported as reaching a server must have reached the client, but for the one
/// the dying master acknowledged in its last instant: Redis answers PUBLISH before it has
/// written the message to its subscribers, so a SIGKILL in between loses an acknowledged
/// message, which no Redis client can see (Pub/Sub is at-most-once; the README says so).
/// Emits are made one at a time, so at most one is in that window. Returns the report.
fn failover_run(h: &Harness, config: EmitterConfig, kill: Json) -> String {
    const TOTAL: u64 = 20_000;
    clients(h, "/", &[("fo", 0, json!([]))]);
    let budget = config.call_timeout();
    let io = Emitter::with_config(config).expect("connect");
    let mut tally = Tally::default();
    let mut killed = None;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let killer = s.spawn(move || {
            rx.recv().ok()?;
            Some(h.request(kill))
        });
        let mut tx = Some(tx);
        for seq in 0..TOTAL {
            if seq == KILL_AT
                && let Some(go) = tx.take()
            {
                let _ = go.send(());
            }
            let started = Instant::now();
            let outcome = io.emit("fo", &args![seq]);
            if started.elapsed() > budget + Duration::from_secs(5) {
                tally.hung += 1;
            }
            match &outcome {
                Ok(0) => tally.reported_none.push(seq),
                Ok(_) => tally.reported_delivered.push(seq),
                Err(e) => *tally.failed.entry(e.code().to_owned()).or_default() += 1,
            }
            if !matches!(outcome, Ok(n) if n > 0) {
                tally.first_trouble.get_or_insert(seq);
            }
        }
        drop(tx);
        killed = killer.join().expect("the kill thread");
    });
    let killed = killed.expect("the master was killed during the run");
    h.flush();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    for (_, a) in h.events("fo") {
        if let Some(seq) = a.first().and_then(Json::as_u64) {
            *seen.entry(seq).or_default() += 1;
        }
    }
    let lost: Vec<u64> = tally
        .reported_delivered
        .iter()
        .copied()
        .filter(|seq| !seen.contains_key(seq))
        .collect();
    let duplicated = seen.values().filter(|&&n| n > 1).count();
    // The one acknowledged just before the kill took effect: after the kill was asked for,
    // and before any call saw trouble.
    let lost_in_redis = |seq: u64| seq >= KILL_AT && tally.first_trouble.is_none_or(|t| seq < t);
    let (at_kill, silent): (Vec<u64>, Vec<u64>) = lost.iter().partition(|&&s| lost_in_redis(s));
    let report = format!(
        "killed {killed}; {TOTAL} emits: {} reported delivered, {} reported reaching no server, \
         failed {:?}, {} hung; delivered {} distinct ({duplicated} more than once); \
         lost in Redis at the kill {at_kill:?}; lost silently {}",
        tally.reported_delivered.len(),
        tally.reported_none.len(),
        tally.failed,
        tally.hung,
        seen.len(),
        silent.len(),
    );
    eprintln!("failover: {report}");
    assert_eq!(tally.hung, 0, "{report}");
    assert!(
        silent.is_empty() && at_kill.len() <= 1,
        "{report}; lost: {lost:?}"
    );
    // After the failover, the emitter works again.
    assert!(io.emit("fo-after", &[]).unwrap() >= 1, "{report}");
    report
}

#[test]
fn a_cluster_master_killed_mid_run_loses_nothing_silently() {
    let h = Harness::start(&[
        "--servers",
        "1",
        "--topology",
        "cluster",
        "--adapter",
        "sharded",
    ]);
    let config = cluster_config(&h)
        .with_adapter(AdapterKind::Sharded)
        .with_connect_timeout(Duration::from_secs(10));
    failover_run(
        &h,
        config,
        json!({"cmd": "kill_master", "channel": "socket.io#/#"}),
    );
}

#[test]
fn a_sentinel_master_killed_mid_run_loses_nothing_silently() {
    let h = Harness::start(&["--servers", "1", "--topology", "sentinel"]);
    let config = sentinel_config(&h).with_connect_timeout(Duration::from_secs(10));
    failover_run(&h, config, json!({"cmd": "kill_master"}));
}
