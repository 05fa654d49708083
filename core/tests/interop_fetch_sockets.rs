//! `fetch_sockets` and `all_rooms` on the classic adapter: three real Socket.IO servers answer
//! with their matching sockets, with either response-channel setting; filters by room and
//! except; concurrent requests do not mix their replies.

use std::time::Duration;

use interop_harness::{Harness, json};
use socketio_emitter::blocking::Emitter;

const TIMEOUT: Duration = Duration::from_secs(10);

fn sorted_ids(fetched: &socketio_emitter::ask::Fetched) -> Vec<String> {
    let mut ids: Vec<String> = fetched.sockets.iter().map(|s| s.id.clone()).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn scenario(extra: &[&str]) {
    let mut args = vec!["--servers", "3"];
    args.extend_from_slice(extra);
    let h = Harness::start(&args);
    let a = h.client("fs-a", 0, "/fetch", json!(["room1"]));
    let b = h.client("fs-b", 1, "/fetch", json!(["room1", "muted"]));
    let c = h.client("fs-c", 2, "/fetch", json!(["room2"]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/fetch"}));
    let io = Emitter::connect(&h.redis_url).unwrap();
    let nsp = io.of("/fetch");

    let all = nsp.fetch_sockets(TIMEOUT).unwrap();
    assert!(all.complete(), "{all:?}\n{}", h.logs());
    assert_eq!(all.servers_answered, 3);
    assert_eq!(
        sorted_ids(&all),
        sorted(vec![a.clone(), b.clone(), c.clone()])
    );
    let of_b = all.sockets.iter().find(|s| s.id == b).unwrap();
    assert_eq!(
        sorted(of_b.rooms.clone()),
        sorted(vec![b.clone(), "room1".into(), "muted".into()])
    );

    let room1 = nsp
        .to("room1")
        .except("muted")
        .fetch_sockets(TIMEOUT)
        .unwrap();
    assert_eq!(sorted_ids(&room1), vec![a.clone()]);
    assert_eq!(
        room1.servers_answered, 3,
        "servers with no match answer too"
    );

    // allRooms: the union of every server's rooms, socket ids' own rooms included.
    let rooms = nsp.all_rooms(TIMEOUT).unwrap();
    assert_eq!(rooms.servers_answered, 3);
    let mut names: Vec<String> = rooms.rooms.iter().map(|r| r.to_string()).collect();
    names.sort();
    let mut want = vec![
        a.clone(),
        b.clone(),
        c.clone(),
        "muted".into(),
        "room1".into(),
        "room2".into(),
    ];
    want.sort();
    assert_eq!(names, want);

    // A namespace no server has: nobody to ask, nothing missing.
    let none = io.of("/nobody").fetch_sockets(TIMEOUT).unwrap();
    assert_eq!(
        (
            none.sockets.len(),
            none.servers_answered,
            none.servers_missing
        ),
        (0, 0, 0)
    );

    // Concurrent requests from one emitter get their own replies.
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let target = if i % 2 == 0 {
                    nsp.to("room2")
                } else {
                    nsp.to("room1")
                };
                s.spawn(move || (i, target.fetch_sockets(TIMEOUT).unwrap()))
            })
            .collect();
        for handle in handles {
            let (i, got) = handle.join().unwrap();
            let want = if i % 2 == 0 {
                vec![c.clone()]
            } else {
                sorted(vec![a.clone(), b.clone()])
            };
            assert_eq!(sorted_ids(&got), want, "request {i}");
            assert!(got.complete());
        }
    });
    io.close().unwrap();
}

#[test]
fn classic_default_response_channel() {
    scenario(&[]);
}

#[test]
fn classic_specific_response_channel() {
    scenario(&["--specific-response-channel"]);
}

#[test]
fn server_side_emit_with_ack_reports_handlers_that_do_not_acknowledge() {
    // The fixture's handlers for server_event record it and never call back.
    let h = Harness::start(&["--servers", "2"]);
    let io = Emitter::connect(&h.redis_url).unwrap();
    let acks = io
        .server_side_emit_with_ack(
            "server_event",
            &[socketio_emitter::Value::from("hi")],
            Duration::from_millis(500),
        )
        .unwrap();
    assert_eq!(acks.responses, Vec::<serde_json::Value>::new());
    assert_eq!(
        acks.servers_missing, 2,
        "both servers counted, neither acknowledged"
    );
    assert!(
        h.wait_until(Duration::from_secs(10), |lines| {
            lines
                .iter()
                .filter(|l| l["type"] == "server_event" && l["event"] == "server_event")
                .count()
                == 2
        }),
        "both handlers ran: {}",
        h.logs()
    );
    io.close().unwrap();
}

#[test]
fn socket_data_acks_and_a_killed_server() {
    let h = Harness::start(&["--servers", "3", "--server-acks", "ask_me"]);
    let a = h.client_with(
        "sd-a",
        0,
        "/",
        json!(["vip"]),
        Some(json!({"user": 42})),
        None,
    );
    h.client_with("sd-b", 1, "/", json!([]), Some(json!({"user": 7})), None);
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let io = Emitter::connect(&h.redis_url).unwrap();

    // socket.data as the server set it.
    let vip = io.to("vip").fetch_sockets(TIMEOUT).unwrap();
    assert_eq!(vip.sockets.len(), 1, "{vip:?}");
    assert_eq!(
        (vip.sockets[0].id.as_str(), &vip.sockets[0].data),
        (a.as_str(), &json!({"user": 42}))
    );

    // Every server's handler acknowledges ask_me.
    let acks = io
        .server_side_emit_with_ack("ask_me", &[socketio_emitter::Value::from(1)], TIMEOUT)
        .unwrap();
    let mut servers: Vec<i64> = acks
        .responses
        .iter()
        .map(|r| r["server"].as_i64().unwrap())
        .collect();
    servers.sort();
    assert_eq!(
        (servers, acks.servers_missing),
        (vec![0, 1, 2], 0),
        "{acks:?}"
    );

    // A server that is gone is not counted, so nothing waits for it.
    h.kill_server(2);
    let after = io.fetch_sockets(TIMEOUT).unwrap();
    assert_eq!(
        (after.servers_answered, after.servers_missing),
        (2, 0),
        "{after:?}"
    );
    assert_eq!(io.server_count().unwrap(), 2);
    io.close().unwrap();
}

#[test]
fn broadcast_with_acks_reports_clients_that_did_not_answer() {
    let h = Harness::start(&["--servers", "2"]);
    h.client_with(
        "ba-1",
        0,
        "/acks",
        json!(["r"]),
        None,
        Some(json!({"from": 1})),
    );
    h.client_with(
        "ba-2",
        1,
        "/acks",
        json!(["r"]),
        None,
        Some(json!({"from": 2})),
    );
    h.client_with("ba-silent", 1, "/acks", json!(["r"]), None, None);
    h.client_with(
        "ba-out",
        0,
        "/acks",
        json!([]),
        None,
        Some(json!({"from": 0})),
    );
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/acks"}));
    let io = Emitter::connect(&h.redis_url).unwrap();
    let acks = io
        .of("/acks")
        .to("r")
        .emit_with_ack(
            "question",
            &[socketio_emitter::Value::from("?")],
            Duration::from_secs(3),
        )
        .unwrap();
    let mut from: Vec<i64> = acks
        .responses
        .iter()
        .map(|r| r["from"].as_i64().unwrap())
        .collect();
    from.sort();
    assert_eq!(from, vec![1, 2], "{acks:?}");
    assert_eq!(
        (
            acks.clients_targeted,
            acks.clients_missing,
            acks.servers_missing
        ),
        (3, 1, 0),
        "{acks:?}"
    );
    io.close().unwrap();
}

/// Subscribers of the classic response channel, as Redis counts them.
fn response_subscribers(url: &str) -> i64 {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let (_, n): (String, i64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg("socket.io-response#/#")
        .query(&mut con)
        .unwrap();
    n
}

#[test]
fn the_reply_subscription_opens_on_the_first_request_and_closes_with_the_emitter() {
    let h = Harness::start(&["--servers", "2"]);
    let io = Emitter::connect(&h.redis_url).unwrap();
    io.emit("not-a-request", &[]).unwrap();
    assert_eq!(
        response_subscribers(&h.redis_url),
        2,
        "only the servers: emitting asks nothing"
    );
    io.fetch_sockets(TIMEOUT).unwrap();
    io.all_rooms(TIMEOUT).unwrap();
    assert_eq!(
        response_subscribers(&h.redis_url),
        3,
        "one subscription, shared"
    );
    io.close().unwrap();
    // Redis drops the subscriber once its connection is closed: poll until it has.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut gone = false;
    while !gone && std::time::Instant::now() < deadline {
        gone = response_subscribers(&h.redis_url) == 2;
    }
    assert!(gone, "closing the emitter ends its subscription");
}

/// Kills the emitter's reply connection (by its client name), as a network failure would.
fn kill_reply_connection(url: &str) {
    let mut con = redis::Client::open(url).unwrap().get_connection().unwrap();
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut con).unwrap();
    let id = list
        .lines()
        .find(|line| line.contains(" name=socketio-emitter-replies "))
        .and_then(|line| line.split(' ').find_map(|f| f.strip_prefix("id=")))
        .expect("the reply connection is open")
        .to_owned();
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(&id)
        .query(&mut con)
        .unwrap();
    assert_eq!(killed, 1);
}

#[test]
fn the_reply_subscription_comes_back_after_its_connection_is_lost() {
    let h = Harness::start(&["--servers", "2"]);
    h.client("rc-a", 0, "/", json!([]));
    h.client("rc-b", 1, "/", json!([]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let io = Emitter::connect(&h.redis_url).unwrap();
    assert_eq!(io.fetch_sockets(TIMEOUT).unwrap().sockets.len(), 2);
    for round in 0..3 {
        kill_reply_connection(&h.redis_url);
        let again = io.fetch_sockets(TIMEOUT).unwrap();
        assert_eq!(
            (again.sockets.len(), again.servers_missing),
            (2, 0),
            "round {round}: {again:?}"
        );
    }
    io.close().unwrap();
}
