//! Faults for real: Redis killed and restarted under load, Redis absent, bad credentials.
//! This file has its own harness because it stops Redis.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use interop_harness::{Harness, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{EmitterConfig, args};

// redis-rs is a dependency of the crate under test; the byte-bound test drives Redis with it.

fn quick(url: &str) -> EmitterConfig {
    EmitterConfig::new(url)
        .with_connect_timeout(Duration::from_millis(500))
        .with_response_timeout(Duration::from_millis(1000))
        .with_reconnect(Duration::from_millis(50), Duration::from_millis(200), 3)
}

#[test]
fn redis_restart_during_emits_reports_failures_and_recovers() {
    let h = Harness::start(&["--servers", "2"]);
    h.client("rs-a", 0, "/", json!([]));
    h.client("rs-b", 1, "/", json!([]));
    let io = Emitter::with_config(quick(&h.redis_url)).unwrap();
    assert_eq!(io.emit("before", &[]).unwrap(), 2);

    // A thread emits continuously; every call must return, success or typed error.
    let stop = Arc::new(AtomicBool::new(false));
    type Outcome = (Duration, Result<u64, &'static str>);
    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let worker = {
        let (io, stop, outcomes) = (io.clone(), stop.clone(), outcomes.clone());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let t0 = Instant::now();
                let r = io.emit("during", &args![i]).map_err(|e| e.code());
                outcomes.lock().unwrap().push((t0.elapsed(), r));
                i += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    // Emits flow before the crash.
    let wait_for = |pred: &dyn Fn(&[Outcome]) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !pred(&outcomes.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "the emitting thread made no progress"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for(&|o| o.iter().filter(|(_, r)| r.is_ok()).count() >= 10);
    h.request(json!({"cmd": "redis_stop"}));
    // Queued operations during the outage are reported by flush, with their tickets.
    let ticket = io.emit_nowait("queued-during-outage", &[]).unwrap();
    let flushed = io.flush();
    // The outage: its length is the scenario. Emits made during it must fail (typed).
    std::thread::sleep(Duration::from_millis(1500));
    let failed_so_far = outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, r)| r.is_err())
        .count();
    h.request(json!({"cmd": "redis_start"}));
    // Run until emits succeed again after the restart.
    let before_restart = outcomes.lock().unwrap().len();
    wait_for(&|o| o.len() > before_restart && o.last().is_some_and(|(_, r)| r.is_ok()));
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();

    let outcomes = outcomes.lock().unwrap();
    let failures: Vec<&str> = outcomes.iter().filter_map(|(_, r)| r.err()).collect();
    // Three reconnection attempts take well under the outage: calls made during it fail.
    assert!(failed_so_far > 0, "emits while Redis was down must fail");
    assert!(
        failures
            .iter()
            .all(|c| ["CONNECTION", "TIMEOUT"].contains(c)),
        "typed failures only: {failures:?}"
    );
    let slowest = outcomes.iter().map(|(d, _)| *d).max().unwrap();
    assert!(
        slowest < Duration::from_secs(10),
        "a call hung for {slowest:?}"
    );
    match flushed {
        Err(socketio_emitter::Error::Flush {
            failures: failed, ..
        }) => {
            assert_eq!(failed.len(), 1);
            assert_eq!(failed[0].ticket, ticket);
            assert_eq!(failed[0].channel, "socket.io#/#");
        }
        other => panic!("flush during the outage must report the failure: {other:?}"),
    }

    // After the restart, emits are delivered again.
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = loop {
        match io.emit("after-restart", &[]) {
            Ok(n) => break n,
            Err(e) if Instant::now() < deadline => eprintln!("retrying after restart: {e}"),
            Err(e) => panic!("emits do not recover after a restart: {e}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(after, 2);
    h.flush();
    for client in ["rs-a", "rs-b"] {
        let names = h.event_names(client);
        assert_eq!(names.first().map(String::as_str), Some("before"));
        assert_eq!(
            names.last().map(String::as_str),
            Some("after-restart"),
            "{client}: {names:?}"
        );
    }
    io.close().unwrap();
}

#[test]
fn redis_absent_at_start_fails_fast_with_a_typed_error() {
    // A port nothing listens on: bind, read the port, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t0 = Instant::now();
    let err = Emitter::with_config(quick(&format!("redis://127.0.0.1:{port}"))).unwrap_err();
    assert!(["CONNECTION", "TIMEOUT"].contains(&err.code()), "{err:?}");
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t0.elapsed()
    );
}

#[test]
fn bad_urls_and_passwords_never_leak() {
    let h = Harness::start(&["--servers", "1"]);
    let port = h.ready["redis_port"].as_u64().unwrap();
    let url = format!("redis://alice:Sup3r-Secret@127.0.0.1:{port}");
    let err = Emitter::with_config(quick(&url)).unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("Sup3r-Secret"),
        "the password leaked: {text}"
    );
    assert_eq!(err.code(), "CONNECTION", "{err:?}");

    for bad in ["http://localhost", "not a url", "redis://:pw-Sup3r-Secret@"] {
        let err = Emitter::with_config(quick(bad)).unwrap_err();
        assert!(
            ["INVALID_ARGUMENT", "CONNECTION"].contains(&err.code()),
            "{bad}: {err:?}"
        );
        assert!(!err.to_string().contains("Sup3r-Secret"), "{err}");
    }
}

#[test]
fn the_queue_is_bounded_in_bytes_too() {
    use socketio_emitter::{QueueFullPolicy, Value};
    let h = Harness::start(&["--servers", "1"]);
    h.client("qb", 0, "/", json!([]));
    let io = Emitter::with_config(
        quick(&h.redis_url)
            .with_response_timeout(Duration::from_secs(5))
            .with_queue(10_000, QueueFullPolicy::Error)
            .with_queue_max_bytes(4096),
    )
    .unwrap();
    // Hold every publish in Redis for a moment, so queued operations keep their bytes.
    let admin = redis::Client::open(h.redis_url.as_str()).unwrap();
    let mut admin = admin.get_connection().unwrap();
    redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1500)
        .arg("WRITE")
        .exec(&mut admin)
        .unwrap();
    let payload = Value::bytes(vec![7u8; 1000]);
    let mut accepted = 0;
    let mut full = None;
    for _ in 0..20 {
        match io.emit_nowait("big", std::slice::from_ref(&payload)) {
            Ok(_) => accepted += 1,
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    assert!(
        (1..=4).contains(&accepted),
        "4096 bytes hold at most four 1 kB emits, took {accepted}"
    );
    assert_eq!(full.map(|e| e.code()), Some("QUEUE_FULL"));
    let report = io.flush().unwrap();
    assert_eq!(report.sent, accepted);
    // Once answered, the bytes are free again.
    io.emit_nowait("big", std::slice::from_ref(&payload))
        .unwrap();
    io.flush().unwrap();
    h.flush();
    assert_eq!(h.event_names("qb").len() as u64, accepted + 1);
}
