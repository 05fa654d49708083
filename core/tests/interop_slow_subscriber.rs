//! A Socket.IO server that stops reading its Redis subscription during a burst. Redis would
//! disconnect it past 32 MB of pending output and its clients would silently miss events;
//! with pacing on (the default), the emitter holds until the server reads again, and the
//! whole burst arrives, in order, at the slow server's client as at the other one.

use std::time::Duration;

use interop_harness::{Harness, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{EmitterConfig, Value};

const TOTAL: u64 = 10_000;

fn seqs(h: &Harness, client: &str) -> Vec<u64> {
    h.events(client)
        .into_iter()
        .filter(|(e, _)| e == "burst")
        .filter_map(|(_, a)| a.first().and_then(|v| v.as_u64()))
        .collect()
}

#[test]
fn a_stalled_server_gets_the_whole_burst() {
    let h = Harness::start(&["--servers", "2"]);
    h.client("slow", 0, "/", json!([]));
    h.client("fast", 1, "/", json!([]));
    let io = Emitter::with_config(EmitterConfig::new(&h.redis_url)).unwrap();
    // 10k events of 4 kB: 40 MB, more than Redis lets a subscriber fall behind.
    let filler = Value::from("x".repeat(4000));

    std::thread::scope(|s| {
        s.spawn(|| h.request(json!({"cmd": "server_stall", "server": 0, "ms": 4000})));
        for i in 0..TOTAL {
            io.emit_nowait("burst", &[Value::from(i), filler.clone()])
                .unwrap();
        }
        let report = io.flush().expect("every queued emit is sent");
        assert_eq!(report.sent, TOTAL);
        assert_eq!(report.reached_none, 0);
    });

    let all = ["slow", "fast"]
        .iter()
        .all(|c| h.wait_for_event_count(c, TOTAL, Duration::from_secs(120)));
    if !all {
        let (slow, fast) = (seqs(&h, "slow").len(), seqs(&h, "fast").len());
        panic!(
            "the slow server's client missed events: slow {slow}, fast {fast}\n{}",
            h.logs()
        );
    }
    h.flush();
    for client in ["slow", "fast"] {
        let got = seqs(&h, client);
        assert_eq!(got.len() as u64, TOTAL, "{client}");
        let inverted: Vec<_> = got.windows(2).filter(|w| w[0] >= w[1]).take(5).collect();
        assert!(inverted.is_empty(), "{client}: out of order: {inverted:?}");
    }
    io.close().unwrap();
}
