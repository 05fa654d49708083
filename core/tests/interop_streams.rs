//! End to end on the Redis Streams adapter: our emitter XADDs into a real Redis; two real
//! Socket.IO 4.8 servers with `@socket.io/redis-streams-adapter` (0.3.1 with one stream and
//! with four, and 0.2.3), connection-state recovery on, deliver; real socket.io clients record
//! what arrives. Each scenario works in its own namespace, chosen so that with four streams it
//! hashes to a stream the servers read (the one that does not is tested on purpose).

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, Json, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{AdapterKind, EmitterConfig, StreamsVersion, Value, args};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stack {
    /// 0.3.1, one stream.
    V03,
    /// 0.3.1, four streams.
    V03Four,
    /// 0.2.3 (one stream, no Pub/Sub).
    V02,
}

struct Servers {
    harness: Harness,
    stack: Stack,
}

fn servers(stack: Stack) -> &'static Servers {
    static CELLS: [OnceLock<Servers>; 3] = [const { OnceLock::new() }; 3];
    let (index, version, count) = match stack {
        Stack::V03 => (0, "0.3", "1"),
        Stack::V03Four => (1, "0.3", "4"),
        Stack::V02 => (2, "0.2", "1"),
    };
    CELLS[index].get_or_init(|| Servers {
        harness: Harness::start(&[
            "--servers",
            "2",
            "--adapter",
            "streams",
            "--streams-version",
            version,
            "--stream-count",
            count,
        ]),
        stack,
    })
}

impl Servers {
    fn config(&self) -> EmitterConfig {
        let (version, count) = match self.stack {
            Stack::V03 => (StreamsVersion::V03, 1),
            Stack::V03Four => (StreamsVersion::V03, 4),
            Stack::V02 => (StreamsVersion::V02, 1),
        };
        EmitterConfig::new(&self.harness.redis_url)
            .with_adapter(AdapterKind::Streams)
            .with_streams_version(version)
            .with_streams("socket.io", count, 10_000)
    }

    fn emitter(&self) -> Emitter {
        Emitter::with_config(self.config()).expect("connect to the harness's Redis")
    }

    /// What an emit to a namespace both servers have resolves to: the servers counted on
    /// the side channel (0.3), or 1, the entry stored (0.2).
    fn both(&self) -> u64 {
        match self.stack {
            Stack::V02 => 1,
            Stack::V03 | Stack::V03Four => 2,
        }
    }

    /// Connects clients `(name, server, rooms)` in `nsp`, and waits until both servers have
    /// the namespace and read its stream; returns their socket ids.
    fn clients(&self, nsp: &str, list: &[(&str, usize, Json)]) -> Vec<String> {
        let ids = list
            .iter()
            .map(|(name, server, rooms)| self.harness.client(name, *server, nsp, rooms.clone()))
            .collect();
        let reply = self
            .harness
            .request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
        assert_eq!(
            reply["stream_read"], true,
            "{nsp} must hash to a stream servers read"
        );
        ids
    }

    /// The events each client received, after a barrier.
    fn received(&self, names: &[&str]) -> Vec<Vec<String>> {
        self.harness.flush();
        names.iter().map(|n| self.harness.event_names(n)).collect()
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn broadcast(s: &Servers) {
    s.clients("/bc", &[("bc-a", 0, json!([])), ("bc-b", 1, json!([]))]);
    let io = s.emitter().of("/bc");
    assert_eq!(io.emit("hello", &args!["world", 42]).unwrap(), s.both());
    assert_eq!(
        s.received(&["bc-a", "bc-b"]),
        vec![names(&["hello"]), names(&["hello"])]
    );
    let (_, args) = &s.harness.events("bc-b")[0];
    assert_eq!(args, &vec![json!("world"), json!(42)]);
    // The entry's ID is the offset the clients receive with the event.
    let delivery = io.emit_detailed("with-id", &[]).unwrap();
    assert_eq!(delivery.servers, s.both());
    let id = delivery.entry_id.expect("an XADD has an entry ID");
    s.harness.flush();
    let offsets: Vec<Json> = s
        .harness
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "event" && m["event"] == "with-id")
        .map(|m| m["offset"].clone())
        .collect();
    assert_eq!(offsets, [json!(id), json!(id)]);
}

fn rooms_and_except(s: &Servers) {
    s.clients(
        "/room",
        &[
            ("rm-1", 0, json!(["r1"])),
            ("rm-12", 1, json!(["r1", "r2"])),
            ("rm-2", 0, json!(["r2", "muted"])),
            ("rm-none", 1, json!([])),
        ],
    );
    let io = s.emitter().of("/room");
    io.to("r1").emit("r1", &[]).unwrap();
    io.to(["r1", "r2"]).emit("r1-or-r2", &[]).unwrap();
    io.except("muted").emit("not-muted", &[]).unwrap();
    io.to("r2").except("r1").emit("r2-not-r1", &[]).unwrap();
    assert_eq!(
        s.received(&["rm-1", "rm-12", "rm-2", "rm-none"]),
        vec![
            names(&["r1", "r1-or-r2", "not-muted"]),
            names(&["r1", "r1-or-r2", "not-muted"]),
            names(&["r1-or-r2", "r2-not-r1"]),
            names(&["not-muted"]),
        ]
    );
}

fn namespaces(s: &Servers) {
    s.clients("/ns-a", &[("ns-a", 0, json!([]))]);
    s.clients("/ns-b", &[("ns-b", 1, json!([]))]);
    assert_eq!(s.emitter().of("ns-a").emit("for-a", &[]).unwrap(), s.both());
    assert_eq!(
        s.received(&["ns-a", "ns-b"]),
        vec![names(&["for-a"]), vec![]]
    );
}

fn binary_and_dates(s: &Servers) {
    s.clients(
        "/bin",
        &[("bin-a", 1, json!(["r"])), ("bin-b", 0, json!([]))],
    );
    let nested = Value::map([
        ("file", Value::bytes([1u8, 2, 3])),
        (
            "parts",
            Value::Array(vec![Value::bytes([4u8]), Value::Int(5)]),
        ),
        ("at", Value::Date(1_700_000_000_123)),
    ]);
    let io = s.emitter().of("/bin");
    io.emit("blob", &[Value::bytes([0xffu8, 0]), nested.clone()])
        .unwrap();
    io.to("r")
        .emit("date", &[Value::Date(1_700_000_000_123)])
        .unwrap();
    s.harness.flush();
    let date = json!("2023-11-14T22:13:20.123Z");
    let want = json!({"file": bytes_json(&[1, 2, 3]), "parts": [bytes_json(&[4]), 5], "at": date});
    assert_eq!(
        s.harness.events("bin-a"),
        vec![
            (
                "blob".to_owned(),
                vec![bytes_json(&[0xff, 0]), want.clone()]
            ),
            ("date".to_owned(), vec![date.clone()]),
        ]
    );
    assert_eq!(s.harness.event_names("bin-b"), names(&["blob"]));
}

fn volatile_accepted_and_compress_delivered(s: &Servers) {
    s.clients("/flags", &[("fl-a", 0, json!([])), ("fl-b", 1, json!([]))]);
    let io = s.emitter().of("/flags");
    // A server may drop a volatile packet by design: only its acceptance is asserted.
    assert_eq!(io.volatile().emit("v", &[]).unwrap(), s.both());
    assert_eq!(io.compress(false).emit("c", &args!["x"]).unwrap(), s.both());
    for got in s.received(&["fl-a", "fl-b"]) {
        let kept: Vec<&String> = got.iter().filter(|e| *e != "v").collect();
        assert_eq!(kept, ["c"], "{got:?}");
    }
}

fn sockets_join_leave_then_emit(s: &Servers) {
    s.clients(
        "/join",
        &[
            ("jn-a", 0, json!(["old"])),
            ("jn-b", 1, json!([])),
            ("jn-c", 1, json!(["old", "gone"])),
        ],
    );
    let io = s.emitter().of("/join");
    assert_eq!(io.to("old").sockets_join("new").unwrap(), s.both());
    assert_eq!(io.sockets_leave("gone").unwrap(), s.both());
    io.to("new").emit("in-new", &[]).unwrap();
    io.to("gone").emit("in-gone", &[]).unwrap();
    // Entries of one stream are applied in order: the join before the emit.
    assert_eq!(
        s.received(&["jn-a", "jn-b", "jn-c"]),
        vec![names(&["in-new"]), vec![], names(&["in-new"])]
    );
}

fn disconnect_sockets(s: &Servers) {
    let h = &s.harness;
    s.clients(
        "/dc",
        &[("dc-soft", 0, json!(["soft"])), ("dc-stay", 1, json!([]))],
    );
    let io = s.emitter().of("/dc");
    assert_eq!(io.to("soft").disconnect_sockets(false).unwrap(), s.both());
    let gone = |m: &Json| m["type"] == "disconnect" && m["client"] == "dc-soft";
    assert!(h.wait_until(Duration::from_secs(10), |obs| obs.iter().any(gone)));
    let reason = h.observed().into_iter().find(gone).unwrap()["reason"].clone();
    assert_eq!(reason, "io server disconnect");
    io.emit("after", &[]).unwrap();
    assert_eq!(s.received(&["dc-stay"]), vec![names(&["after"])]);
}

fn server_side_emit(s: &Servers) {
    let h = &s.harness;
    s.clients("/sse", &[("sse-a", 0, json!([]))]);
    let io = s.emitter().of("/sse");
    // 0.3 publishes it on the side channel (two subscribers); 0.2 writes it to the stream.
    assert_eq!(
        io.server_side_emit("server_event", &args!["payload", 7])
            .unwrap(),
        s.both()
    );
    io.server_side_emit("server_event", &[Value::bytes([9u8, 8])])
        .unwrap();
    h.flush();
    let lines: Vec<Json> = h
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "server_event" && m["nsp"] == "/sse")
        .collect();
    for server in [0, 1] {
        let args: Vec<&Json> = lines
            .iter()
            .filter(|m| m["server"] == server)
            .map(|m| &m["args"])
            .collect();
        assert_eq!(
            args,
            [&json!(["payload", 7]), &json!([bytes_json(&[9, 8])])],
            "server {server}"
        );
    }
    assert!(
        h.events("sse-a").is_empty(),
        "clients do not see server-side events"
    );
}

/// Connection-state recovery: a client loses its connection; what we emit meanwhile to its
/// rooms, to its own socket id, with binary, reaches it on reconnection (on the other
/// server), in order, exactly once; what was not for it does not.
fn recovery_replays_what_was_missed(s: &Servers) {
    let h = &s.harness;
    let sid = h.request(
        json!({"cmd": "client", "name": "csr-a", "server": 0, "nsp": "/csr", "rooms": ["r1"], "recovery": true}),
    )["sid"]
        .as_str()
        .expect("sid")
        .to_owned();
    s.clients("/csr", &[("csr-b", 1, json!(["r2"]))]);
    let io = s.emitter().of("/csr");
    io.emit("before", &[]).unwrap();
    h.flush();
    h.request(json!({"cmd": "client_drop", "name": "csr-a"}));
    io.emit("m1", &args![1]).unwrap();
    io.to("r1").emit("m2", &args!["two"]).unwrap();
    io.to("r2").emit("not-for-a", &[]).unwrap();
    io.except("r1").emit("also-not-for-a", &[]).unwrap();
    io.to("r1").emit("m3", &[Value::bytes([1u8, 2])]).unwrap();
    io.to(sid.as_str()).emit("m4", &[]).unwrap();
    let back = h.request(json!({"cmd": "client_reconnect", "name": "csr-a", "server": 1}));
    assert_eq!(back["recovered"], true, "{back}");
    assert_eq!(back["sid"], sid.as_str());
    io.emit("after", &[]).unwrap();
    h.flush();
    assert_eq!(
        h.events("csr-a"),
        vec![
            ("before".to_owned(), vec![]),
            ("m1".to_owned(), vec![json!(1)]),
            ("m2".to_owned(), vec![json!("two")]),
            ("m3".to_owned(), vec![bytes_json(&[1, 2])]),
            ("m4".to_owned(), vec![]),
            ("after".to_owned(), vec![]),
        ]
    );
    // Every replayed event came with its stream offset, as live ones do.
    let offsets: Vec<Json> = h
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "event" && m["client"] == "csr-a")
        .map(|m| m["offset"].clone())
        .collect();
    assert!(offsets.iter().all(Json::is_string), "{offsets:?}");
    assert_eq!(
        s.received(&["csr-b"]),
        vec![names(&[
            "before",
            "m1",
            "not-for-a",
            "also-not-for-a",
            "after"
        ])]
    );
}

/// With four streams `/notifications` hashes to index -3: servers write its entries to
/// `socket.io--3` and never read that stream. We write exactly there: the emit resolves
/// to 0 and reaches no live client, and recovery still replays it from that stream.
fn a_namespace_no_server_reads(s: &Servers) {
    let h = &s.harness;
    h.request(json!({"cmd": "client", "name": "neg", "server": 0, "nsp": "/notifications", "recovery": true}));
    let reply = h.request(json!({"cmd": "wait_subscribed", "nsp": "/notifications"}));
    assert_eq!(reply["stream"], "socket.io--3");
    assert_eq!(reply["stream_read"], false);
    // A server delivers its own broadcast to its own client, with an offset in that stream:
    // the session's starting point.
    h.request(
        json!({"cmd": "server_emit", "server": 0, "nsp": "/notifications", "event": "from-server"}),
    );
    assert!(h.wait_for_event_count("neg", 1, Duration::from_secs(10)));
    let io = s.emitter().of("/notifications");
    assert_eq!(io.emit("live", &[]).unwrap(), 0);
    h.request(json!({"cmd": "client_drop", "name": "neg"}));
    assert_eq!(
        h.event_names("neg"),
        names(&["from-server"]),
        "nobody reads that stream live"
    );
    io.emit("missed", &[]).unwrap();
    let back = h.request(json!({"cmd": "client_reconnect", "name": "neg"}));
    assert_eq!(back["recovered"], true, "{back}");
    // Replayed from socket.io--3, after the session's offset: both of ours, once each.
    assert_eq!(
        h.event_names("neg"),
        names(&["from-server", "live", "missed"])
    );
}

fn queued_emits(s: &Servers) {
    s.clients("/queue", &[("q-a", 0, json!([])), ("q-b", 1, json!(["r"]))]);
    let io = s.emitter().of("/queue");
    for i in 0..100 {
        io.emit_nowait("n", &args![i]).unwrap();
    }
    io.to("r").emit_nowait("r", &[]).unwrap();
    let report = io.flush().unwrap();
    assert_eq!(report.sent, 101);
    assert_eq!(report.receivers, 101 * s.both());
    s.harness.flush();
    let got = s.harness.events("q-a");
    assert_eq!(got.len(), 100);
    // In order: a stream is read in order.
    for (i, (_, args)) in got.iter().enumerate() {
        assert_eq!(args, &vec![json!(i)]);
    }
    assert_eq!(s.harness.events("q-b").len(), 101);
}

macro_rules! every_scenario_in {
    ($module:ident, $stack:expr) => {
        mod $module {
            use super::*;

            fn s() -> &'static Servers {
                servers($stack)
            }

            #[test]
            fn broadcast_reaches_every_client_on_both_servers_once() {
                broadcast(s());
            }
            #[test]
            fn rooms_deliver_once_and_except_excludes() {
                rooms_and_except(s());
            }
            #[test]
            fn namespaces_are_separate() {
                namespaces(s());
            }
            #[test]
            fn nested_binary_arrives_as_binary_and_dates_as_iso_text() {
                binary_and_dates(s());
            }
            #[test]
            fn volatile_is_accepted_and_compress_is_delivered() {
                volatile_accepted_and_compress_delivered(s());
            }
            #[test]
            fn sockets_join_and_leave_then_emit() {
                sockets_join_leave_then_emit(s());
            }
            #[test]
            fn disconnect_sockets_disconnects_the_target() {
                disconnect_sockets(s());
            }
            #[test]
            fn server_side_emit_reaches_every_server() {
                server_side_emit(s());
            }
            #[test]
            fn recovery_replays_what_a_dropped_client_missed() {
                recovery_replays_what_was_missed(s());
            }
            #[test]
            fn queued_emits_arrive_in_order() {
                queued_emits(s());
            }
        }
    };
}

every_scenario_in!(v03_one_stream, Stack::V03);
every_scenario_in!(v03_four_streams, Stack::V03Four);
every_scenario_in!(v02, Stack::V02);

#[test]
fn four_streams_a_namespace_no_server_reads_still_recovers() {
    a_namespace_no_server_reads(servers(Stack::V03Four));
}
