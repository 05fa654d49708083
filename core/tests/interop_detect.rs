//! `inspect::survey`, `inspect::detect` and `adapter = auto` against real Socket.IO
//! servers: each adapter and topology the harness starts is found from Redis's own view,
//! and an emitter with `auto` delivers to a real client there. No server, or two adapters
//! on one key and namespace, is `DETECTION_FAILED` saying what listens.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use interop_harness::{Harness, Json, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::inspect::{self, Listener, Survey};
use socketio_emitter::{
    AdapterKind, DEFAULT_URL, EmitterConfig, StreamsVersion, SubscriptionMode, args,
};

const WAIT: Duration = Duration::from_secs(20);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn survey(config: &EmitterConfig) -> Survey {
    runtime()
        .block_on(inspect::survey(config))
        .expect("survey the harness's Redis")
}

fn auto(config: EmitterConfig) -> EmitterConfig {
    config.with_adapter(AdapterKind::Auto)
}

/// Connects a client to server 0 in `/`, waits until every server listens there, emits
/// with `config` (adapter auto) and asserts the client received it. Returns the emitter.
fn auto_delivers(h: &Harness, config: EmitterConfig, client: &str) -> Emitter {
    h.client(client, 0, "/", json!([]));
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let io = Emitter::with_config(auto(config)).expect("auto detects the servers' adapter");
    io.emit("detected", &args!["hello"]).expect("emit");
    assert!(
        h.wait_for_event_count(client, 1, WAIT),
        "the client received the emit of an auto emitter"
    );
    assert_eq!(h.event_names(client), vec!["detected".to_owned()]);
    io
}

fn nodes(h: &Harness, field: &str) -> Vec<String> {
    h.ready[field]
        .as_array()
        .expect("a node list")
        .iter()
        .map(|n| n.as_str().expect("a URL").to_owned())
        .collect()
}

mod classic {
    use super::*;

    #[test]
    fn survey_finds_the_servers_and_auto_delivers_with_the_classic_adapter() {
        let h = Harness::start(&["--servers", "2", "--key", "my-app"]);
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let config = EmitterConfig::new(&h.redis_url).with_key("my-app");
        let found = survey(&config);
        let here: Vec<_> = found
            .listeners
            .iter()
            .filter(|l| l.key == "my-app" && l.namespace == "/")
            .collect();
        assert_eq!(here.len(), 1, "{:?}", found.listeners);
        assert_eq!(here[0].adapter, AdapterKind::Classic);
        assert_eq!(here[0].servers, 2);
        assert_eq!(
            here[0].to_string(),
            "classic adapter, key my-app, namespace /: 2 servers"
        );

        let io = auto_delivers(&h, config.clone(), "classic-auto");
        assert_eq!(io.adapter(), AdapterKind::Classic);

        // The default key has no server: the error names the key that has.
        let err = Emitter::with_config(auto(EmitterConfig::new(&h.redis_url))).unwrap_err();
        assert_eq!(err.code(), "DETECTION_FAILED");
        assert_eq!(
            err.to_string(),
            "adapter detection failed: no Socket.IO server listens on key socket.io, namespace /; \
             servers listen on: classic adapter, key my-app, namespace /: 2 servers"
        );

        // A sharded subscriber on the same key and namespace: two adapters, no one choice.
        let _sharded = subscribe(&h.redis_url, "SSUBSCRIBE", "my-app#/#");
        let err = socketio_emitter::blocking::detect(&config, "/").unwrap_err();
        assert_eq!(err.code(), "DETECTION_FAILED");
        assert_eq!(
            err.to_string(),
            "adapter detection failed: servers with different adapters listen on key my-app, \
             namespace / (classic adapter, key my-app, namespace /: 2 servers; sharded adapter, \
             key my-app, namespace /: 1 server); set the adapter option to the one the servers \
             should all use"
        );
    }
}

/// A raw connection subscribed to `channel` with `command` (SUBSCRIBE or SSUBSCRIBE), as
/// another server would be; it stays subscribed until dropped.
fn subscribe(url: &str, command: &str, channel: &str) -> TcpStream {
    let address = url.trim_start_matches("redis://").trim_end_matches('/');
    let mut stream = TcpStream::connect(address).expect("connect to the harness's Redis");
    stream.set_read_timeout(Some(WAIT)).expect("a read timeout");
    let line = format!(
        "*2\r\n${}\r\n{command}\r\n${}\r\n{channel}\r\n",
        command.len(),
        channel.len()
    );
    stream.write_all(line.as_bytes()).expect("send");
    // The confirmation is an array of three; its last line is the subscription count.
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut lines = Vec::new();
    while lines.last().is_none_or(|l: &String| !l.starts_with(':')) {
        let mut l = String::new();
        reader
            .read_line(&mut l)
            .expect("the subscription is confirmed");
        assert!(!l.is_empty(), "Redis closed the connection");
        lines.push(l);
    }
    stream
}

/// The one listener on key `config.key`, namespace `/`, checked with `expected`. Called
/// after `wait_subscribed`, which returns once every server holds every channel it should
/// (room channels too, in the sharded dynamic modes).
fn listener_on(config: &EmitterConfig, expected: impl Fn(&Listener) -> bool) -> Listener {
    let found = survey(config);
    let here: Vec<&Listener> = found
        .listeners
        .iter()
        .filter(|l| l.key == config.key && l.namespace == "/")
        .collect();
    match here.as_slice() {
        [one] if expected(one) => (*one).clone(),
        _ => panic!("survey: {:?}", found.listeners),
    }
}

mod sharded {
    use super::*;

    fn check(mode: &str, rooms: Json, expected: Option<SubscriptionMode>) {
        let h = Harness::start(&[
            "--servers",
            "2",
            "--adapter",
            "sharded",
            "--subscription-mode",
            mode,
        ]);
        let config = EmitterConfig::new(&h.redis_url);
        h.client("sharded-member", 1, "/", rooms);
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let found = listener_on(&config, |l| l.subscription_mode == expected);
        assert_eq!(found.adapter, AdapterKind::Sharded);
        assert_eq!(found.servers, 2, "{found:?}");
        let io = auto_delivers(&h, config, "sharded-auto");
        assert_eq!(io.adapter(), AdapterKind::Sharded);
    }

    #[test]
    fn static_servers_are_found_and_reached() {
        check("static", json!(["room1"]), None);
    }

    #[test]
    fn dynamic_servers_show_their_room_channels() {
        check("dynamic", json!(["room1"]), Some(SubscriptionMode::Dynamic));
    }

    #[test]
    fn dynamic_private_servers_show_socket_id_channels() {
        check(
            "dynamic-private",
            json!([]),
            Some(SubscriptionMode::DynamicPrivate),
        );
    }
}

mod streams {
    use super::*;

    fn check(version: &str, expected: StreamsVersion) {
        let h = Harness::start(&[
            "--servers",
            "2",
            "--adapter",
            "streams",
            "--streams-version",
            version,
        ]);
        let config = EmitterConfig::new(&h.redis_url);
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let found = listener_on(&config, |l| l.servers == 2);
        assert_eq!(found.adapter, AdapterKind::Streams);
        assert_eq!(found.streams_version, Some(expected));
        let stream = survey(&config);
        assert!(
            stream.streams.iter().any(|s| s.name == "socket.io"),
            "{:?}",
            stream.streams
        );
        let io = auto_delivers(&h, config, "streams-auto");
        assert_eq!(io.adapter(), AdapterKind::Streams);
    }

    #[test]
    fn streams_0_3_servers_are_found_by_their_side_channel() {
        check("0.3", StreamsVersion::V03);
    }

    #[test]
    fn streams_0_2_servers_are_found_by_their_heartbeats() {
        check("0.2", StreamsVersion::V02);
    }
}

mod topologies {
    use super::*;

    #[test]
    fn classic_servers_on_a_cluster_are_counted_over_every_node() {
        let h = Harness::start(&["--servers", "2", "--topology", "cluster"]);
        let config = EmitterConfig::new(DEFAULT_URL).with_cluster_nodes(nodes(&h, "redis_nodes"));
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let found = listener_on(&config, |l| l.servers == 2);
        assert_eq!(found.adapter, AdapterKind::Classic);
        assert_eq!(
            auto_delivers(&h, config, "cluster-classic").adapter(),
            AdapterKind::Classic
        );
    }

    #[test]
    fn sharded_servers_on_a_cluster_are_found_on_their_shard() {
        let h = Harness::start(&[
            "--servers",
            "2",
            "--topology",
            "cluster",
            "--adapter",
            "sharded",
        ]);
        let config = EmitterConfig::new(DEFAULT_URL).with_cluster_nodes(nodes(&h, "redis_nodes"));
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let found = listener_on(&config, |l| l.servers == 2);
        assert_eq!(found.adapter, AdapterKind::Sharded);
        assert_eq!(
            auto_delivers(&h, config, "cluster-sharded").adapter(),
            AdapterKind::Sharded
        );
    }

    #[test]
    fn servers_behind_sentinel_are_found_on_the_master() {
        let h = Harness::start(&["--servers", "2", "--topology", "sentinel"]);
        let master = h.ready["sentinel_master"]
            .as_str()
            .expect("sentinel_master");
        let config =
            EmitterConfig::new(DEFAULT_URL).with_sentinel(master, nodes(&h, "sentinel_urls"));
        h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
        let found = listener_on(&config, |l| l.servers == 2);
        assert_eq!(found.adapter, AdapterKind::Classic);
        assert_eq!(
            auto_delivers(&h, config, "sentinel-classic").adapter(),
            AdapterKind::Classic
        );
    }
}

#[test]
fn nothing_listening_is_detection_failed() {
    let h = Harness::start(&["--servers", "1", "--adapter", "sharded"]);
    let config = EmitterConfig::new(&h.redis_url).with_key("other");
    h.request(json!({"cmd": "wait_subscribed", "nsp": "/"}));
    let err = Emitter::with_config(auto(config)).unwrap_err();
    assert_eq!(err.code(), "DETECTION_FAILED");
    assert!(
        err.to_string().starts_with(
            "adapter detection failed: no Socket.IO server listens on key other, namespace /; \
             servers listen on: sharded adapter"
        ),
        "{err}"
    );
    // Unused, so that its import stays checked by the compiler.
    let _ = (
        DEFAULT_URL,
        StreamsVersion::V03,
        SubscriptionMode::Static,
        nodes,
    );
}
