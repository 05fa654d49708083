//! End to end on the classic adapter's older server stacks (`compat`): our emitter PUBLISHes
//! into a real Redis; two real servers of each stack deliver to real clients of the matching
//! major version. Every scenario of the classic suite runs on every stack; where a stack
//! cannot honour one, the typed error is asserted instead. The default stack
//! (`redis-adapter-8`) has its own suites.

use std::sync::OnceLock;
use std::time::Duration;

use interop_harness::{Harness, Json, bytes_json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{Compat, EmitterConfig, Value, args};

struct Servers {
    harness: Harness,
    compat: Compat,
}

fn servers(compat: Compat) -> &'static Servers {
    static CELLS: [OnceLock<Servers>; 4] = [const { OnceLock::new() }; 4];
    let index = match compat {
        Compat::RedisAdapter7 => 0,
        Compat::SocketIoRedis61 => 1,
        Compat::SocketIoRedis60 => 2,
        Compat::SocketIoRedis5 => 3,
        other => panic!("{other} has its own suites"),
    };
    CELLS[index].get_or_init(|| Servers {
        harness: Harness::start(&["--servers", "2", "--stack", compat.as_str()]),
        compat,
    })
}

impl Servers {
    fn emitter(&self) -> Emitter {
        let config = EmitterConfig::new(&self.harness.redis_url).with_compat(self.compat);
        Emitter::with_config(config).expect("connect to the harness's Redis")
    }

    /// socket.io 2.x and 3.x servers (socket.io-redis 5 and 6.0) act on one socket id.
    fn by_socket_id_only(&self) -> bool {
        matches!(
            self.compat,
            Compat::SocketIoRedis5 | Compat::SocketIoRedis60
        )
    }

    fn has_server_side_emit(&self) -> bool {
        self.compat == Compat::RedisAdapter7
    }

    fn clients(&self, nsp: &str, list: &[(&str, usize, Json)]) -> Vec<String> {
        let ids = list
            .iter()
            .map(|(name, server, rooms)| self.harness.client(name, *server, nsp, rooms.clone()))
            .collect();
        self.harness
            .request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
        ids
    }

    fn received(&self, names: &[&str]) -> Vec<Vec<String>> {
        self.harness.flush();
        names.iter().map(|n| self.harness.event_names(n)).collect()
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn unsupported(result: socketio_emitter::Result<u64>, stack: &str) {
    let err = result.expect_err("this stack cannot honour it");
    assert_eq!(err.code(), "UNSUPPORTED", "{err}");
    assert!(err.to_string().contains(stack), "{err}");
}

fn broadcast_rooms_and_namespaces(s: &Servers) {
    s.clients(
        "/bc",
        &[
            ("bc-a", 0, json!(["r1"])),
            ("bc-b", 1, json!(["r1", "r2"])),
            ("bc-c", 1, json!([])),
        ],
    );
    s.clients("/bc-other", &[("bc-o", 0, json!([]))]);
    let io = s.emitter().of("/bc");
    assert_eq!(io.emit("all", &args!["x", 1]).unwrap(), 2);
    let delivery = io.emit_detailed("detailed", &[]).unwrap();
    assert_eq!(
        (delivery.servers, delivery.entry_id),
        (2, None),
        "Pub/Sub has no entry"
    );
    assert_eq!(io.to("r1").emit("r1", &[]).unwrap(), 2);
    assert_eq!(io.to(["r1", "r2"]).emit("r1-or-r2", &[]).unwrap(), 2);
    io.volatile().emit("v", &[]).unwrap();
    assert_eq!(
        s.received(&["bc-a", "bc-b", "bc-c", "bc-o"])
            .into_iter()
            .map(|got| got.into_iter().filter(|e| e != "v").collect::<Vec<_>>())
            .collect::<Vec<_>>(),
        vec![
            names(&["all", "detailed", "r1", "r1-or-r2"]),
            names(&["all", "detailed", "r1", "r1-or-r2"]),
            names(&["all", "detailed"]),
            vec![],
        ]
    );
    assert_eq!(s.harness.events("bc-c")[0].1, vec![json!("x"), json!(1)]);
}

fn except(s: &Servers) {
    s.clients(
        "/exc",
        &[
            ("ex-keep", 0, json!(["r"])),
            ("ex-skip", 1, json!(["r", "muted"])),
        ],
    );
    let io = s.emitter().of("/exc");
    if s.by_socket_id_only() {
        unsupported(io.except("muted").emit("ev", &[]), "socket.io-redis");
        return;
    }
    io.except("muted").emit("not-muted", &[]).unwrap();
    assert_eq!(
        s.received(&["ex-keep", "ex-skip"]),
        vec![names(&["not-muted"]), vec![]]
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
    ]);
    let io = s.emitter().of("/bin");
    io.emit("blob", &[Value::bytes([0xffu8, 0]), nested])
        .unwrap();
    io.to("r")
        .emit("date", &[Value::Date(1_700_000_000_123), Value::Date(0)])
        .unwrap();
    s.harness.flush();
    let want = json!({"file": bytes_json(&[1, 2, 3]), "parts": [bytes_json(&[4]), 5]});
    assert_eq!(
        s.harness.events("bin-a"),
        vec![
            ("blob".to_owned(), vec![bytes_json(&[0xff, 0]), want]),
            (
                "date".to_owned(),
                vec![
                    json!("2023-11-14T22:13:20.123Z"),
                    json!("1970-01-01T00:00:00.000Z")
                ]
            ),
        ]
    );
    assert_eq!(s.harness.event_names("bin-b"), names(&["blob"]));
}

fn sockets_join_leave_then_emit(s: &Servers) {
    let ids = s.clients(
        "/join",
        &[
            ("jn-a", 0, json!(["old"])),
            ("jn-b", 1, json!([])),
            ("jn-c", 1, json!(["old", "gone"])),
        ],
    );
    let io = s.emitter().of("/join");
    if s.by_socket_id_only() {
        unsupported(io.to("old").sockets_join("new"), "socket.io-redis");
        unsupported(io.sockets_leave("gone"), "socket.io-redis");
        unsupported(
            io.to(ids[0].as_str()).sockets_join(["new", "x"]),
            "one room per request",
        );
        // One socket at a time, by its id: what these servers can do.
        assert_eq!(io.to(ids[0].as_str()).sockets_join("new").unwrap(), 2);
        assert_eq!(io.to(ids[2].as_str()).sockets_join("new").unwrap(), 2);
        assert_eq!(io.to(ids[2].as_str()).sockets_leave("gone").unwrap(), 2);
    } else {
        assert_eq!(io.to("old").sockets_join("new").unwrap(), 2);
        assert_eq!(io.sockets_leave("gone").unwrap(), 2);
    }
    // The requests and the broadcasts travel on different channels of one connection per
    // server, read in order.
    io.to("new").emit("in-new", &[]).unwrap();
    io.to("gone").emit("in-gone", &[]).unwrap();
    assert_eq!(
        s.received(&["jn-a", "jn-b", "jn-c"]),
        vec![names(&["in-new"]), vec![], names(&["in-new"])]
    );
}

fn disconnect_sockets(s: &Servers) {
    let h = &s.harness;
    let ids = s.clients(
        "/dc",
        &[("dc-soft", 0, json!(["soft"])), ("dc-stay", 1, json!([]))],
    );
    let io = s.emitter().of("/dc");
    if s.by_socket_id_only() {
        unsupported(io.to("soft").disconnect_sockets(false), "socket.io-redis");
        assert_eq!(io.to(ids[0].as_str()).disconnect_sockets(false).unwrap(), 2);
    } else {
        assert_eq!(io.to("soft").disconnect_sockets(false).unwrap(), 2);
    }
    let gone = |m: &Json| m["type"] == "disconnect" && m["client"] == "dc-soft";
    assert!(h.wait_until(Duration::from_secs(10), |obs| obs.iter().any(gone)));
    io.emit("after", &[]).unwrap();
    assert_eq!(
        s.received(&["dc-stay", "dc-soft"]),
        vec![names(&["after"]), vec![]]
    );
}

fn server_side_emit(s: &Servers) {
    let h = &s.harness;
    s.clients("/sse", &[("sse-a", 0, json!([]))]);
    let io = s.emitter().of("/sse");
    if !s.has_server_side_emit() {
        unsupported(
            io.server_side_emit("server_event", &args![1]),
            "redis-adapter 7.0",
        );
        return;
    }
    assert_eq!(
        io.server_side_emit("server_event", &args!["payload", 7])
            .unwrap(),
        2
    );
    h.flush();
    let servers: Vec<Json> = h
        .observed()
        .into_iter()
        .filter(|m| m["type"] == "server_event" && m["nsp"] == "/sse")
        .map(|m| m["server"].clone())
        .collect();
    assert_eq!(servers.len(), 2, "{servers:?}");
}

macro_rules! every_scenario_on {
    ($module:ident, $compat:expr) => {
        mod $module {
            use super::*;

            fn s() -> &'static Servers {
                servers($compat)
            }

            #[test]
            fn broadcast_rooms_namespaces_and_volatile() {
                broadcast_rooms_and_namespaces(s());
            }
            #[test]
            fn except_excludes_or_is_refused() {
                except(s());
            }
            #[test]
            fn binary_arrives_as_binary_and_dates_as_dates() {
                binary_and_dates(s());
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
            fn server_side_emit_reaches_every_server_or_is_refused() {
                server_side_emit(s());
            }
        }
    };
}

every_scenario_on!(redis_adapter_7, Compat::RedisAdapter7);
every_scenario_on!(socket_io_redis_6_1, Compat::SocketIoRedis61);
every_scenario_on!(socket_io_redis_6_0, Compat::SocketIoRedis60);
every_scenario_on!(socket_io_redis_5, Compat::SocketIoRedis5);
