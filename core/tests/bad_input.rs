//! Bad input, table-driven: each row is a call and the error code (and a fragment of the
//! message) it must give. Nothing here needs Redis: options are checked before connecting,
//! and the offline emitter encodes exactly what a connected one would send.

use std::time::Duration;

use socketio_emitter::{
    Emitter, EmitterConfig, QueueFullPolicy, Value, duration_from_millis_f64,
    duration_from_secs_f64,
};

const URL: &str = "redis://127.0.0.1:1";

struct Row {
    what: &'static str,
    result: Result<(), socketio_emitter::Error>,
    code: &'static str,
    says: &'static str,
}

fn row<T>(
    what: &'static str,
    result: socketio_emitter::Result<T>,
    code: &'static str,
    says: &'static str,
) -> Row {
    Row {
        what,
        result: result.map(|_| ()),
        code,
        says,
    }
}

fn nested(levels: usize) -> Value {
    (0..levels).fold(Value::Nil, |v, _| Value::Array(vec![v]))
}

fn options(cfg: EmitterConfig) -> socketio_emitter::Result<()> {
    cfg.validate()
}

#[test]
fn every_bad_input_gets_its_typed_error() {
    let io = Emitter::offline("socket.io");
    let base = || EmitterConfig::new(URL);
    let rows = [
        // Options.
        row(
            "connect_timeout over a day",
            options(base().with_connect_timeout(Duration::from_secs(86_401))),
            "INVALID_ARGUMENT",
            "connect_timeout",
        ),
        row(
            "response_timeout zero",
            options(base().with_response_timeout(Duration::ZERO)),
            "INVALID_ARGUMENT",
            "response_timeout",
        ),
        row(
            "reconnect_max_delay huge",
            options(base().with_reconnect(Duration::ZERO, Duration::MAX, 1)),
            "INVALID_ARGUMENT",
            "reconnect_max_delay",
        ),
        row(
            "reconnect_attempts huge",
            options(base().with_reconnect(Duration::ZERO, Duration::ZERO, 1 << 40)),
            "INVALID_ARGUMENT",
            "reconnect_attempts",
        ),
        row(
            "queue_capacity 0",
            options(base().with_queue(0, QueueFullPolicy::Block)),
            "INVALID_ARGUMENT",
            "queue_capacity",
        ),
        row(
            "queue_capacity 2^62",
            options(base().with_queue(1 << 62, QueueFullPolicy::Block)),
            "INVALID_ARGUMENT",
            "queue_capacity",
        ),
        row(
            "queue_max_bytes 0",
            options(base().with_queue_max_bytes(0)),
            "INVALID_ARGUMENT",
            "queue_max_bytes",
        ),
        row(
            "max_payload_bytes 0",
            options(base().with_max_payload_bytes(0)),
            "INVALID_ARGUMENT",
            "max_payload_bytes",
        ),
        row(
            "max_payload_bytes over 512 MiB",
            options(base().with_max_payload_bytes(1 << 30)),
            "INVALID_ARGUMENT",
            "max_payload_bytes",
        ),
        row(
            "NaN seconds",
            duration_from_secs_f64("connect_timeout", f64::NAN),
            "INVALID_ARGUMENT",
            "connect_timeout",
        ),
        row(
            "1e19 seconds",
            duration_from_secs_f64("connect_timeout", 1e19),
            "INVALID_ARGUMENT",
            "1e19",
        ),
        row(
            "negative seconds",
            duration_from_secs_f64("response_timeout", -1.0),
            "INVALID_ARGUMENT",
            "response_timeout",
        ),
        row(
            "1e300 milliseconds",
            duration_from_millis_f64("connect_timeout", 1e300),
            "INVALID_ARGUMENT",
            "1e300",
        ),
        // URLs.
        row(
            "http URL",
            options(EmitterConfig::new("http://localhost")),
            "INVALID_ARGUMENT",
            "redis://",
        ),
        row(
            "not a URL",
            options(EmitterConfig::new("not a url")),
            "INVALID_ARGUMENT",
            "URL",
        ),
        row(
            "empty URL",
            options(EmitterConfig::new("")),
            "INVALID_ARGUMENT",
            "URL",
        ),
        // Events and arguments.
        row(
            "reserved emit",
            io.encode_emit("connect", &[]),
            "RESERVED_EVENT",
            "\"connect\" is a reserved event name",
        ),
        row(
            "reserved serverSideEmit",
            io.encode_server_side_emit("connection", &[]),
            "RESERVED_EVENT",
            "connection",
        ),
        row(
            "nested past the limit",
            io.encode_emit("ev", &[nested(513)]),
            "ENCODE",
            "512",
        ),
        row(
            "nested past the limit, serverSideEmit",
            io.encode_server_side_emit("ev", &[nested(513)]),
            "ENCODE",
            "512",
        ),
        row(
            "payload over max_payload_bytes",
            io.encode_emit("ev", &[Value::bytes(vec![0; 17 << 20])]),
            "ENCODE",
            "max_payload_bytes",
        ),
        // Sending needs a connection; an offline emitter refuses with CLOSED, after the checks.
        row(
            "emit of an empty event",
            futures_block_on(io.emit("", &[])),
            "INVALID_ARGUMENT",
            "must not be empty",
        ),
        row(
            "serverSideEmit of an empty event",
            futures_block_on(io.server_side_emit("", &[])),
            "INVALID_ARGUMENT",
            "must not be empty",
        ),
        row(
            "emit_nowait of an empty event",
            io.emit_nowait("", &[]),
            "INVALID_ARGUMENT",
            "must not be empty",
        ),
        row(
            "emit offline",
            futures_block_on(io.emit("ev", &[])),
            "CLOSED",
            "closed",
        ),
    ];
    let mut wrong = Vec::new();
    for r in rows {
        match r.result {
            Ok(()) => wrong.push(format!("{}: accepted", r.what)),
            Err(e) if e.code() != r.code || !e.to_string().contains(r.says) => {
                wrong.push(format!("{}: {} {e}", r.what, e.code()));
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Encoding an empty event name still gives the official bytes.
    io.encode_emit("", &[]).unwrap();
}

#[test]
fn a_password_never_shows() {
    for url in [
        "http://alice:Sup3r-Secret@localhost",
        "redis://alice:Sup3r-Secret@127.0.0.1:1/not-a-db",
    ] {
        let cfg = EmitterConfig::new(url).with_queue(0, QueueFullPolicy::Block);
        let text = format!("{:?} {cfg:?}", cfg.validate());
        assert!(!text.contains("Sup3r-Secret"), "{text}");
    }
}

/// Runs a future that never waits on I/O (the offline emitter answers at once).
fn futures_block_on<F: Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(fut)
}
