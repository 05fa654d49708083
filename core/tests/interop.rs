//! End to end: our emitter publishes into a real Redis; two real Socket.IO 4.8 servers with
//! `@socket.io/redis-adapter` 8.3.0 deliver; real socket.io clients record what arrives.
//! One harness is shared by the tests of this file; each test works in its own namespace.

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, Json, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{EmitterConfig, Value, args};

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::start(&["--servers", "2"]))
}

fn emitter() -> Emitter {
    Emitter::connect(&harness().redis_url).expect("connect to the harness's Redis")
}

/// Connects clients `(name, server, rooms)` in `nsp`, and waits for both servers to listen there.
fn clients(nsp: &str, list: &[(&str, usize, Json)]) {
    let h = harness();
    for (name, server, rooms) in list {
        h.client(name, *server, nsp, rooms.clone());
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
}

/// The events each client received, after a barrier.
fn received(names: &[&str]) -> Vec<Vec<String>> {
    let h = harness();
    h.flush();
    names.iter().map(|n| h.event_names(n)).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Whether a client's events `got` are `sent`, in order, except that the `volatile` ones may
/// be missing: a server drops a volatile packet while the client's transport is busy, so
/// whether one arrives is not deterministic. None may arrive twice or out of order.
fn arrived_as_sent(got: &[String], sent: &[&str], volatile: &[&str]) -> bool {
    let mut got = got.iter().peekable();
    for event in sent {
        if got.peek().is_some_and(|g| g == event) {
            got.next();
        } else if !volatile.contains(event) {
            return false;
        }
    }
    got.next().is_none()
}

#[test]
fn broadcast_reaches_every_client_on_both_servers_once() {
    clients("/bc", &[("bc-a", 0, json!([])), ("bc-b", 1, json!([]))]);
    let io = emitter().of("/bc");
    let servers = io.emit("hello", &args!["world", 42]).unwrap();
    assert_eq!(
        servers, 2,
        "both servers subscribe to the namespace pattern"
    );
    assert_eq!(
        received(&["bc-a", "bc-b"]),
        vec![names(&["hello"]), names(&["hello"])]
    );
    let (_, args) = &harness().events("bc-a")[0];
    assert_eq!(args, &vec![json!("world"), json!(42)]);
}

#[test]
fn one_room_reaches_only_its_members() {
    clients(
        "/room",
        &[
            ("rm-in0", 0, json!(["room1"])),
            ("rm-in1", 1, json!(["room1"])),
            ("rm-out", 0, json!(["room2"])),
        ],
    );
    emitter()
        .of("room")
        .to("room1")
        .emit("only-room1", &[])
        .unwrap();
    assert_eq!(
        received(&["rm-in0", "rm-in1", "rm-out"]),
        vec![names(&["only-room1"]), names(&["only-room1"]), vec![]]
    );
}

#[test]
fn two_rooms_deliver_once_to_a_socket_in_both() {
    clients(
        "/two",
        &[
            ("tw-both", 0, json!(["a", "b"])),
            ("tw-a", 1, json!(["a"])),
            ("tw-none", 1, json!(["c"])),
        ],
    );
    emitter().of("/two").to(["a", "b"]).emit("ab", &[]).unwrap();
    assert_eq!(
        received(&["tw-both", "tw-a", "tw-none"]),
        vec![names(&["ab"]), names(&["ab"]), vec![]]
    );
}

#[test]
fn except_excludes_rooms() {
    clients(
        "/exc",
        &[
            ("ex-keep", 0, json!(["r"])),
            ("ex-skip", 1, json!(["r", "muted"])),
            ("ex-all", 1, json!([])),
        ],
    );
    let io = emitter().of("/exc");
    io.except("muted").emit("not-muted", &[]).unwrap();
    io.to("r").except("muted").emit("r-not-muted", &[]).unwrap();
    assert_eq!(
        received(&["ex-keep", "ex-skip", "ex-all"]),
        vec![
            names(&["not-muted", "r-not-muted"]),
            vec![],
            names(&["not-muted"])
        ]
    );
}

#[test]
fn namespaces_are_separate_and_normalised() {
    clients("/ns-a", &[("ns-a", 0, json!([]))]);
    clients("/ns-b", &[("ns-b", 1, json!([]))]);
    emitter().of("ns-a").emit("for-a", &[]).unwrap();
    assert_eq!(received(&["ns-a", "ns-b"]), vec![names(&["for-a"]), vec![]]);
}

#[test]
fn numeric_and_string_rooms_are_different_rooms() {
    clients(
        "/num",
        &[("num-7", 0, json!([7])), ("num-s7", 1, json!(["7"]))],
    );
    let io = emitter().of("/num");
    io.to(7).emit("number", &[]).unwrap();
    io.to("7").emit("string", &[]).unwrap();
    assert_eq!(
        received(&["num-7", "num-s7"]),
        vec![names(&["number"]), names(&["string"])]
    );
}

#[test]
fn volatile_is_accepted_and_compress_false_is_delivered() {
    clients("/flags", &[("fl-a", 0, json!([])), ("fl-b", 1, json!([]))]);
    let io = emitter().of("/flags");
    // A server drops a volatile packet whenever the client's transport is still writing, by
    // design: a volatile emit is only asserted to be accepted by both servers, never to
    // arrive (its bytes are checked against the official emitter in golden_vectors.rs).
    // compress(false) is not volatile: it must arrive.
    assert_eq!(io.volatile().emit("v", &[]).unwrap(), 2);
    assert_eq!(
        io.compress(false)
            .emit("c", &args!["x".repeat(2048)])
            .unwrap(),
        2
    );
    assert_eq!(io.volatile().compress(true).emit("vc", &[]).unwrap(), 2);
    for got in received(&["fl-a", "fl-b"]) {
        assert!(
            arrived_as_sent(&got, &["v", "c", "vc"], &["v", "vc"]),
            "{got:?}"
        );
    }
}

#[test]
fn nested_binary_arrives_as_binary() {
    clients("/bin", &[("bin-a", 1, json!([]))]);
    let nested = Value::map([
        ("file", Value::bytes([1u8, 2, 3])),
        (
            "parts",
            Value::Array(vec![Value::bytes([4u8]), Value::Int(5)]),
        ),
    ]);
    emitter()
        .of("/bin")
        .emit("blob", &[Value::bytes([0xffu8, 0]), nested])
        .unwrap();
    harness().flush();
    let events = harness().events("bin-a");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        events[0].1,
        vec![
            bytes_json(&[0xff, 0]),
            json!({"file": bytes_json(&[1, 2, 3]), "parts": [bytes_json(&[4]), 5]})
        ]
    );
}

#[test]
fn sockets_join_then_emit_to_the_new_room() {
    clients(
        "/join",
        &[
            ("jn-a", 0, json!(["old"])),
            ("jn-b", 1, json!([])),
            ("jn-c", 1, json!(["old"])),
        ],
    );
    let io = emitter().of("/join");
    io.to("old").sockets_join("new").unwrap();
    io.to("new").emit("in-new", &[]).unwrap();
    assert_eq!(
        received(&["jn-a", "jn-b", "jn-c"]),
        vec![names(&["in-new"]), vec![], names(&["in-new"])]
    );
}

#[test]
fn sockets_leave_removes_the_room() {
    clients(
        "/leave",
        &[("lv-a", 0, json!(["r", "keep"])), ("lv-b", 1, json!(["r"]))],
    );
    let io = emitter().of("/leave");
    io.except("keep").sockets_leave("r").unwrap();
    io.to("r").emit("still-in-r", &[]).unwrap();
    assert_eq!(
        received(&["lv-a", "lv-b"]),
        vec![names(&["still-in-r"]), vec![]]
    );
}

fn disconnect_reason(client: &str) -> Option<String> {
    let h = harness();
    h.wait_until(Duration::from_secs(10), |obs| {
        obs.iter()
            .any(|m| m["type"] == "disconnect" && m["client"] == client)
    });
    h.observed()
        .into_iter()
        .find(|m| m["type"] == "disconnect" && m["client"] == client)
        .and_then(|m| m["reason"].as_str().map(str::to_owned))
}

#[test]
fn disconnect_sockets_with_and_without_close() {
    // Each target socket has a sibling in another namespace on the same connection: only
    // close=true takes the underlying connection, and with it the sibling, down.
    let h = harness();
    clients(
        "/dc",
        &[
            ("dc-soft", 0, json!(["soft"])),
            ("dc-hard", 1, json!(["hard"])),
            ("dc-stay", 1, json!([])),
        ],
    );
    for (sibling, of) in [("dc-soft-sib", "dc-soft"), ("dc-hard-sib", "dc-hard")] {
        h.request(
            json!({"cmd": "client", "name": sibling, "share": of, "nsp": "/dc-side", "rooms": []}),
        );
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/dc-side"}));
    let io = emitter().of("/dc");
    io.to("soft").disconnect_sockets(false).unwrap();
    io.to("hard").disconnect_sockets(true).unwrap();
    assert_eq!(
        disconnect_reason("dc-soft").as_deref(),
        Some("io server disconnect")
    );
    assert_eq!(
        disconnect_reason("dc-hard").as_deref(),
        Some("io server disconnect")
    );
    assert!(
        disconnect_reason("dc-hard-sib").is_some(),
        "close=true drops every socket of the connection"
    );
    io.emit("after", &[]).unwrap();
    emitter().of("/dc-side").emit("side", &[]).unwrap();
    assert_eq!(
        received(&["dc-stay", "dc-soft", "dc-soft-sib", "dc-hard-sib"]),
        vec![names(&["after"]), vec![], names(&["side"]), vec![]]
    );
}

#[test]
fn server_side_emit_reaches_every_server_handler() {
    let h = harness();
    clients("/sse", &[("sse-a", 0, json!([]))]);
    emitter()
        .of("/sse")
        .server_side_emit("server_event", &args!["payload", 7])
        .unwrap();
    h.flush(); // covers server_event lines too
    let ev: Vec<Json> = h
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "server_event" && m["nsp"] == "/sse")
        .collect();
    let mut servers: Vec<u64> = ev.iter().filter_map(|m| m["server"].as_u64()).collect();
    servers.sort_unstable();
    assert_eq!(
        servers,
        [0, 1],
        "both servers' handlers run once: {:?}",
        h.observed()
    );
    for line in &ev {
        assert_eq!(line["event"], "server_event");
        assert_eq!(line["args"], json!(["payload", 7]));
    }
    assert!(
        h.events("sse-a").is_empty(),
        "clients do not see server-side events"
    );
}

#[test]
fn reserved_names_are_refused_with_the_official_message() {
    let io = emitter();
    for name in [
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
    ] {
        let err = io.emit(name, &[]).unwrap_err();
        assert_eq!(err.code(), "RESERVED_EVENT");
        assert_eq!(
            err.to_string(),
            format!("\"{name}\" is a reserved event name")
        );
    }
    for name in ["connection", "new_namespace", "error"] {
        assert_eq!(
            io.server_side_emit(name, &[]).unwrap_err().code(),
            "RESERVED_EVENT"
        );
    }
}

#[test]
fn zero_receivers_when_no_server_listens_on_the_prefix() {
    let io =
        Emitter::with_config(EmitterConfig::new(&harness().redis_url).with_key("nobody-listens"))
            .unwrap();
    assert_eq!(io.emit("lost", &[]).unwrap(), 0);
    let strict = Emitter::with_config(
        EmitterConfig::new(&harness().redis_url)
            .with_key("nobody-listens")
            .with_require_receivers(true),
    )
    .unwrap();
    let err = strict.emit("lost", &[]).unwrap_err();
    assert_eq!(err.code(), "NO_SUBSCRIBERS");
    assert!(err.to_string().contains("nobody-listens#/#"), "{err}");
}

#[test]
fn queued_emits_are_delivered_in_order_after_flush() {
    clients("/queue", &[("q-a", 0, json!([])), ("q-b", 1, json!([]))]);
    let io = emitter().of("/queue");
    let tickets: Vec<u64> = (0..300)
        .map(|i| io.emit_nowait("n", &args![i]).unwrap())
        .collect();
    assert!(tickets.windows(2).all(|w| w[0] < w[1]), "tickets increase");
    let report = io.flush().unwrap();
    assert_eq!(report.sent, 300);
    assert_eq!(report.receivers, 600);
    harness().flush();
    for client in ["q-a", "q-b"] {
        let got: Vec<Json> = harness()
            .events(client)
            .into_iter()
            .map(|(_, a)| a[0].clone())
            .collect();
        assert_eq!(
            got,
            (0..300).map(|i| json!(i)).collect::<Vec<_>>(),
            "{client} in order"
        );
    }
}

#[test]
fn async_emits_awaited_concurrently_are_all_delivered() {
    clients("/conc", &[("cc-a", 1, json!([]))]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = harness().redis_url.clone();
    rt.block_on(async move {
        let io = socketio_emitter::Emitter::connect(&url)
            .await
            .unwrap()
            .of("/conc");
        let sends = (0..200).map(|i| {
            let io = io.clone();
            async move { io.emit("c", &args![i]).await }
        });
        let results = futures_util::future::join_all(sends).await;
        assert!(results.iter().all(|r| matches!(r, Ok(2))), "{results:?}");
        io.close().await.unwrap();
    });
    harness().flush();
    let mut got: Vec<i64> = harness()
        .events("cc-a")
        .iter()
        .map(|(_, a)| a[0].as_i64().unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
}

#[test]
fn closed_emitters_refuse_work_and_close_twice_is_fine() {
    let io = emitter();
    let child = io.to("room");
    io.close().unwrap();
    io.close().unwrap();
    for err in [
        child.emit("x", &[]).unwrap_err(),
        io.emit_nowait("x", &[]).unwrap_err(),
        io.flush().unwrap_err(),
    ] {
        assert_eq!(err.code(), "CLOSED");
    }
}

#[test]
fn custom_prefix_reaches_servers_using_that_key() {
    let h = Harness::start(&["--servers", "1", "--key", "my-app"]);
    h.client("px", 0, "/", json!([]));
    let io = Emitter::with_config(EmitterConfig::new(&h.redis_url).with_key("my-app")).unwrap();
    assert_eq!(io.emit("prefixed", &[]).unwrap(), 1);
    assert_eq!(emitter_for(&h).emit("default-key", &[]).unwrap(), 0);
    h.flush();
    assert_eq!(h.event_names("px"), names(&["prefixed"]));
}

fn emitter_for(h: &Harness) -> Emitter {
    Emitter::connect(&h.redis_url).unwrap()
}

#[test]
fn close_sends_what_is_still_queued() {
    clients("/drain", &[("dr-a", 0, json!([]))]);
    let io = emitter().of("/drain");
    for i in 0..1000 {
        io.emit_nowait("d", &args![i]).unwrap();
    }
    let report = io.close().unwrap();
    assert_eq!(report.sent, 1000, "close reports what it sent");
    assert_eq!(io.emit_nowait("late", &[]).unwrap_err().code(), "CLOSED");
    harness().flush();
    assert_eq!(harness().events("dr-a").len(), 1000);
}

#[test]
fn blocking_emits_from_many_threads_arrive_once_in_per_thread_order() {
    // Threads contend for the synchronous lane; losers go through the multiplexed connection.
    // Each call completes before its thread's next one, so per-thread order must hold.
    clients(
        "/threads",
        &[("th-a", 0, json!([])), ("th-b", 1, json!([]))],
    );
    let io = emitter().of("/threads");
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let io = io.clone();
            std::thread::spawn(move || {
                for i in 0..100 {
                    assert_eq!(io.emit("t", &args![t, i]).unwrap(), 2);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    harness().flush();
    for client in ["th-a", "th-b"] {
        let events = harness().events(client);
        assert_eq!(events.len(), 800, "{client}");
        for t in 0..8 {
            let seq: Vec<i64> = events
                .iter()
                .filter(|(_, a)| a[0] == t)
                .map(|(_, a)| a[1].as_i64().unwrap())
                .collect();
            assert_eq!(seq, (0..100).collect::<Vec<_>>(), "{client}, thread {t}");
        }
    }
}

#[test]
fn send_outputs_pipelines_in_order_with_a_result_each() {
    clients("/batch", &[("ba-a", 0, json!([]))]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = harness().redis_url.clone();
    rt.block_on(async move {
        let io = socketio_emitter::Emitter::connect(&url)
            .await
            .unwrap()
            .of("/batch");
        let outputs: Vec<_> = (0..300)
            .map(|i| io.encode_emit("b", &args![i]).unwrap())
            .collect();
        let results = io.send_outputs(&outputs).await;
        assert_eq!(results.len(), 300);
        assert!(results.iter().all(|r| matches!(r, Ok(2))), "{results:?}");
        io.close().await.unwrap();
        let closed = io.send_outputs(&outputs[..2]).await;
        assert!(
            closed
                .iter()
                .all(|r| matches!(r, Err(e) if e.code() == "CLOSED"))
        );
    });
    harness().flush();
    let got: Vec<i64> = harness()
        .events("ba-a")
        .iter()
        .map(|(_, a)| a[0].as_i64().unwrap())
        .collect();
    assert_eq!(got, (0..300).collect::<Vec<_>>());
}

#[test]
fn a_full_queue_blocks_and_loses_nothing() {
    use socketio_emitter::QueueFullPolicy;
    clients("/tiny", &[("tq-a", 1, json!([]))]);
    let config = EmitterConfig::new(&harness().redis_url).with_queue(2, QueueFullPolicy::Block);
    let io = Emitter::with_config(config).unwrap().of("/tiny");
    for i in 0..200 {
        io.emit_nowait("t", &args![i]).unwrap();
    }
    assert_eq!(io.flush().unwrap().sent, 200);
    harness().flush();
    let got: Vec<i64> = harness()
        .events("tq-a")
        .iter()
        .map(|(_, a)| a[0].as_i64().unwrap())
        .collect();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
}
