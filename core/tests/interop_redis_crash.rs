//! Redis SIGKILLed and restarted while emits flow, observed at a real socket.io client.
//! Every emit is accounted for: delivered, reported failed, reported as reaching no
//! server, or lost inside Redis when it died (Pub/Sub is at-most-once; those are only the
//! ones Redis had acknowledged just before the kill). No call may hang, nothing may arrive
//! out of order, and a restart with no downtime must fail nothing that certainly was not
//! sent. The figures are printed; `make test` shows them with `--nocapture`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use interop_harness::{Harness, json};
use socketio_emitter::blocking::Emitter;
use socketio_emitter::{EmitterConfig, Error, FlushReport, args};

/// Longer than one call budget (connect + response timeout below).
const BUDGET: Duration = Duration::from_secs(4);

fn config(url: &str) -> EmitterConfig {
    EmitterConfig::new(url)
        .with_connect_timeout(Duration::from_secs(2))
        .with_response_timeout(Duration::from_secs(2))
        .with_reconnect(Duration::from_millis(50), Duration::from_millis(500), 50)
}

#[derive(Debug, Default)]
struct Counts {
    accepted: u64,
    failed: BTreeSet<u64>,
    reached_none: u64,
    delivered: Vec<u64>,
    slowest: Duration,
}

impl Counts {
    /// Accepted, not delivered, not reported failed.
    fn missing(&self) -> Vec<u64> {
        let got: BTreeSet<u64> = self.delivered.iter().copied().collect();
        (0..self.accepted)
            .filter(|i| !got.contains(i) && !self.failed.contains(i))
            .collect()
    }

    fn inversions(&self) -> usize {
        self.delivered.windows(2).filter(|w| w[0] >= w[1]).count()
    }
}

/// Starts the fixture with one server and one recording client.
fn fixture() -> Harness {
    let h = Harness::start(&["--servers", "1"]);
    h.client("sub", 0, "/", json!([]));
    h
}

fn delivered(h: &Harness) -> Vec<u64> {
    h.flush();
    h.events("sub")
        .into_iter()
        .filter(|(e, _)| e == "seq")
        .filter_map(|(_, a)| a.first().and_then(|v| v.as_u64()))
        .collect()
}

/// Kills Redis once `progress` reaches `at`, keeps it down for `down`, restarts it.
fn crash_when(h: &Harness, progress: &AtomicU64, at: u64, down: Duration) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while progress.load(Ordering::Acquire) < at {
        assert!(Instant::now() < deadline, "the emits never reached {at}");
        std::thread::yield_now();
    }
    h.request(json!({"cmd": "redis_stop"}));
    // The outage itself: its length is the scenario, not a wait for a condition.
    std::thread::sleep(down);
    h.request(json!({"cmd": "redis_start"}));
}

fn queued(total: u64, down: Duration) -> Counts {
    let h = fixture();
    let io = Emitter::with_config(config(&h.redis_url)).unwrap();
    let progress = Arc::new(AtomicU64::new(0));
    let producer = {
        let (io, progress) = (io.clone(), progress.clone());
        std::thread::spawn(move || {
            let mut slowest = Duration::ZERO;
            for i in 0..total {
                let t0 = Instant::now();
                let ticket = io.emit_nowait("seq", &args![i]).unwrap();
                // Tickets count from 1 on a fresh emitter: ticket = i + 1.
                assert_eq!(ticket, i + 1);
                slowest = slowest.max(t0.elapsed());
                progress.store(i + 1, Ordering::Release);
            }
            slowest
        })
    };
    crash_when(&h, &progress, total * 3 / 10, down);
    let slowest = producer.join().unwrap();
    let mut counts = Counts {
        accepted: total,
        slowest,
        ..Counts::default()
    };
    let t0 = Instant::now();
    let report = match io.flush() {
        Ok(report) => report,
        Err(Error::Flush { failures, report }) => {
            counts.failed = failures.iter().map(|f| f.ticket - 1).collect();
            report
        }
        Err(e) => panic!("flush: {e}"),
    };
    counts.slowest = counts.slowest.max(t0.elapsed());
    let FlushReport {
        sent, reached_none, ..
    } = report;
    assert_eq!(
        sent + counts.failed.len() as u64,
        total,
        "every emit is reported once"
    );
    counts.reached_none = reached_none;
    counts.delivered = delivered(&h);
    io.close().unwrap();
    counts
}

fn blocking(total: u64, down: Duration) -> (Counts, Vec<u64>) {
    let h = fixture();
    let io = Emitter::with_config(config(&h.redis_url)).unwrap();
    let progress = Arc::new(AtomicU64::new(0));
    let producer = {
        let (io, progress) = (io.clone(), progress.clone());
        std::thread::spawn(move || {
            let mut counts = Counts::default();
            let mut acknowledged = Vec::new();
            for i in 0..total {
                let t0 = Instant::now();
                match io.emit("seq", &args![i]) {
                    Ok(0) => counts.reached_none += 1,
                    Ok(_) => acknowledged.push(i),
                    Err(e) => {
                        eprintln!("emit {i}: {e}");
                        assert!(["CONNECTION", "TIMEOUT"].contains(&e.code()), "{e}");
                        counts.failed.insert(i);
                    }
                }
                counts.slowest = counts.slowest.max(t0.elapsed());
                progress.store(i + 1, Ordering::Release);
            }
            counts.accepted = total;
            (counts, acknowledged)
        })
    };
    crash_when(&h, &progress, total * 3 / 10, down);
    let (mut counts, acknowledged) = producer.join().unwrap();
    counts.delivered = delivered(&h);
    io.close().unwrap();
    (counts, acknowledged)
}

fn report(what: &str, c: &Counts) {
    eprintln!(
        "{what}: accepted {}, delivered {}, reported failed {}, reached no server {}, \
         lost in Redis at the kill {}, inversions {}, slowest call {:?}",
        c.accepted,
        c.delivered.len(),
        c.failed.len(),
        c.reached_none,
        c.missing().len() as u64 - c.reached_none.min(c.missing().len() as u64),
        c.inversions(),
        c.slowest
    );
}

/// What every scenario must show.
fn check_common(what: &str, c: &Counts) {
    report(what, c);
    let inverted: Vec<_> = c.delivered.windows(2).filter(|w| w[0] >= w[1]).collect();
    assert!(
        inverted.is_empty(),
        "{what}: delivered out of order: {inverted:?}"
    );
    assert!(
        c.slowest < BUDGET + Duration::from_secs(2),
        "{what}: a call hung"
    );
    let delivered: BTreeSet<u64> = c.delivered.iter().copied().collect();
    assert_eq!(delivered.len(), c.delivered.len(), "{what}: duplicates");
}

#[test]
fn queued_emits_survive_a_restart_with_no_downtime() {
    let c = queued(100_000, Duration::ZERO);
    check_common("queued, 0 s down", &c);
    // Only pipelines in flight at the kill (at most two of 512) may be reported: Redis may
    // have published them before it died, so they are never sent again.
    assert!(c.failed.len() <= 1024, "{} failed", c.failed.len());
    let missing = c.missing().len() as u64;
    assert!(
        missing <= c.reached_none + 4096,
        "{missing} emits vanished (reached none: {})",
        c.reached_none
    );
}

#[test]
fn queued_emits_through_outages_are_delivered_or_reported() {
    for secs in [3, 10] {
        let c = queued(100_000, Duration::from_secs(secs));
        check_common(&format!("queued, {secs} s down"), &c);
    }
}

#[test]
fn blocking_emits_survive_restarts() {
    for secs in [0, 3, 10] {
        let (c, acknowledged) = blocking(20_000, Duration::from_secs(secs));
        let what = format!("blocking, {secs} s down");
        check_common(&what, &c);
        // An emit Redis acknowledged to a receiver and that never arrived can only be one
        // Redis held when it was killed: before the first failure or zero-receiver reply.
        let delivered: BTreeSet<u64> = c.delivered.iter().copied().collect();
        let lost: Vec<u64> = acknowledged
            .iter()
            .copied()
            .filter(|i| !delivered.contains(i))
            .collect();
        let first_trouble = c.failed.first().copied().unwrap_or(u64::MAX);
        assert!(
            lost.iter()
                .all(|i| *i < first_trouble || c.failed.is_empty()),
            "{what}: acknowledged emits lost after the crash: {lost:?}"
        );
        if secs == 0 {
            // One call at a time: the one in flight at the kill may be reported, and one made
            // in the moment before the emitter saw the connection drop (its socket looked
            // alive, so the call cannot know that Redis never read it).
            assert!(c.failed.len() <= 2, "{what}: {} failed", c.failed.len());
        }
    }
}

#[test]
fn the_first_call_after_a_restart_is_sent() {
    let h = Harness::start(&["--servers", "1"]);
    h.client("sub", 0, "/", json!([]));
    let io = Emitter::with_config(config(&h.redis_url)).unwrap();
    assert_eq!(io.emit("before", &[]).unwrap(), 1);
    // Delivered before the kill (Redis may die before writing what it acknowledged).
    h.flush();
    h.request(json!({"cmd": "redis_stop"}));
    h.request(json!({"cmd": "redis_start"}));
    // The connection the emitter holds died with Redis; the call reconnects and sends.
    let after = io.emit("after", &[]);
    assert_eq!(after.as_ref().ok(), Some(&1), "{after:?}");
    h.flush();
    // A call made while Redis is down waits for it, within its budget.
    h.request(json!({"cmd": "redis_stop"}));
    let waiting = {
        let io = io.clone();
        std::thread::spawn(move || io.emit("while-down", &[]))
    };
    h.request(json!({"cmd": "redis_start"}));
    // Sent once Redis is back; or, when the call raced the kill, reported as possibly
    // published (never a silent loss, never "refused").
    match waiting.join().unwrap() {
        Ok(servers) => assert!(servers <= 1),
        Err(e) => assert!(e.to_string().contains("may or may not"), "{e}"),
    }
    h.flush();
    let names = h.event_names("sub");
    assert!(
        names.starts_with(&["before".to_owned(), "after".to_owned()]),
        "{names:?}"
    );
    io.close().unwrap();
}
