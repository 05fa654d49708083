//! The defence against the silent loss Redis causes: a Pub/Sub subscriber whose pending
//! output passes `client-output-buffer-limit pubsub` (32 MB hard, 8 MB for 60 s by default)
//! is disconnected, and loses everything until it subscribes again, while PUBLISH still
//! counted it as a receiver. A burst from an emitter faster than a Socket.IO server does
//! exactly that.
//!
//! So while the emitter is publishing, a monitor reads every Pub/Sub client's pending output
//! (`CLIENT LIST TYPE pubsub`, the `omem` field) every few milliseconds. When one passes
//! the high-water mark (half the smaller of the two limits, read with `CONFIG GET`; 4 MB by
//! default), sends hold until every subscriber is back under the low-water mark. A held
//! call waits within its usual budget; when the budget runs out it fails with `TIMEOUT`
//! saying that nothing was published, so the loss is never silent. When the user may not
//! run `CLIENT LIST` (an ACL), pacing turns itself off and says so once on stderr.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::link::Link;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// How often the monitor samples while the emitter publishes.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);
/// How long after the last send the monitor keeps sampling (the buffers drain meanwhile).
const IDLE_AFTER: Duration = Duration::from_millis(500);
/// The high-water mark when the limits cannot be read: half of the default soft limit.
const DEFAULT_HIGH: u64 = 4 << 20;

#[derive(Debug)]
pub(crate) struct Pacer {
    /// `true` while sends may go.
    open: watch::Receiver<bool>,
    /// Wakes the monitor when sends start after a quiet spell.
    activity: Arc<Notify>,
    /// Dropped with the pacer: the monitor then stops (and releases its connection).
    _alive: watch::Sender<()>,
    /// When the last send started, in ms since `epoch`.
    last_send: AtomicU64,
    epoch: Instant,
    /// Pending output of the slowest subscriber at the last sample, for error messages.
    worst: AtomicU64,
    high: AtomicU64,
    sampling: AtomicBool,
}

impl Pacer {
    /// Starts the monitor on the current runtime. It stops when the pacer is dropped.
    pub(crate) fn start(link: Arc<Link>) -> Arc<Pacer> {
        let (gate, open) = watch::channel(true);
        let (alive, gone) = watch::channel(());
        let activity = Arc::new(Notify::new());
        let pacer = Arc::new(Pacer {
            open,
            activity: activity.clone(),
            _alive: alive,
            last_send: AtomicU64::new(0),
            epoch: Instant::now(),
            worst: AtomicU64::new(0),
            high: AtomicU64::new(DEFAULT_HIGH),
            sampling: AtomicBool::new(false),
        });
        tokio::spawn(monitor(Arc::downgrade(&pacer), link, gate, activity, gone));
        pacer
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether sends may go now (without noting activity).
    pub(crate) fn is_open(&self) -> bool {
        *self.open.borrow()
    }

    /// Called before each send: notes the activity, and says whether sends may go now.
    pub(crate) fn may_send(&self) -> bool {
        self.last_send.store(self.now_ms(), Ordering::Relaxed);
        if !self.sampling.load(Ordering::Relaxed) {
            self.activity.notify_one();
        }
        *self.open.borrow()
    }

    /// Waits until sends may go, or `deadline`. On time out, the error says why nothing
    /// was published.
    pub(crate) async fn wait(&self, deadline: Instant) -> Result<(), crate::Error> {
        if self.may_send() {
            return Ok(());
        }
        let started = Instant::now();
        let mut open = self.open.clone();
        match tokio::time::timeout_at(deadline, open.wait_for(|o| *o)).await {
            Ok(_) => Ok(()),
            Err(_) => Err(crate::Error::Timeout(format!(
                "held for {:.1} s and not published: a Socket.IO server is not reading its \
                 Redis subscription ({} bytes pending in Redis, pausing at {}); publishing \
                 more would make Redis disconnect it and lose its events",
                started.elapsed().as_secs_f64(),
                self.worst.load(Ordering::Relaxed),
                self.high.load(Ordering::Relaxed),
            ))),
        }
    }
}

async fn monitor(
    pacer: std::sync::Weak<Pacer>,
    link: Arc<Link>,
    gate: watch::Sender<bool>,
    activity: Arc<Notify>,
    mut gone: watch::Receiver<()>,
) {
    if let Some(high) = configured_high_water(&link).await
        && let Some(p) = pacer.upgrade()
    {
        p.high.store(high, Ordering::Relaxed);
    }
    loop {
        let Some(p) = pacer.upgrade() else { return };
        let quiet = p
            .now_ms()
            .saturating_sub(p.last_send.load(Ordering::Relaxed));
        if quiet > IDLE_AFTER.as_millis() as u64 && *gate.borrow() {
            p.sampling.store(false, Ordering::Relaxed);
            drop(p);
            // Sleep until the next send, or until the emitter is gone.
            tokio::select! {
                _ = activity.notified() => continue,
                _ = gone.changed() => return,
            }
        }
        p.sampling.store(true, Ordering::Relaxed);
        let high = p.high.load(Ordering::Relaxed);
        drop(p);
        let worst = match largest_pending_output(&link).await {
            Ok(worst) => worst,
            Err(Sample::NotAllowed(reason)) => {
                eprintln!(
                    "socketio-emitter: pacing is off: {reason} (the user needs CLIENT LIST to watch slow Socket.IO servers)"
                );
                let _ = gate.send(true);
                return;
            }
            // Redis unreachable: the calls report it and drive the reconnection; keep the
            // gate as it is and look again a little later.
            Err(Sample::Failed) => {
                tokio::time::sleep(IDLE_AFTER).await;
                None
            }
        };
        if let Some(worst) = worst {
            if let Some(p) = pacer.upgrade() {
                p.worst.store(worst, Ordering::Relaxed);
            }
            let open = *gate.borrow();
            if open && worst > high {
                let _ = gate.send(false);
            } else if !open && worst <= high / 4 {
                let _ = gate.send(true);
            }
        }
        tokio::time::sleep(SAMPLE_EVERY).await;
    }
}

enum Sample {
    NotAllowed(String),
    Failed,
}

/// The largest `omem` among Pub/Sub clients.
async fn largest_pending_output(link: &Link) -> Result<Option<u64>, Sample> {
    let mut cmd = redis::cmd("CLIENT");
    cmd.arg("LIST").arg("TYPE").arg("pubsub");
    match link.client_lists(&cmd).await {
        Ok(lists) => Ok(Some(
            lists
                .iter()
                .flat_map(|list| list.lines())
                .filter_map(|line| field(line, "omem"))
                .max()
                .unwrap_or(0),
        )),
        // An error reply (an ACL refusal, a proxy without CLIENT LIST) will not change.
        Err(e) if e.code().is_some() => Err(Sample::NotAllowed(e.to_string())),
        Err(_) => Err(Sample::Failed),
    }
}

/// Half the smaller non-zero Pub/Sub limit (hard or soft), when the user may read it.
async fn configured_high_water(link: &Link) -> Option<u64> {
    let mut cmd = redis::cmd("CONFIG");
    cmd.arg("GET").arg("client-output-buffer-limit");
    let reply: Vec<String> = link.query(&cmd).await.ok()?;
    let text = reply.get(1)?;
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "pubsub")?;
    let hard: u64 = words.get(at + 1)?.parse().ok()?;
    let soft: u64 = words.get(at + 2)?.parse().ok()?;
    let limit = [hard, soft].into_iter().filter(|l| *l > 0).min()?;
    Some(limit / 2)
}

/// `name=value` in one line of `CLIENT LIST`.
fn field(line: &str, name: &str) -> Option<u64> {
    line.split(' ').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn reads_fields_of_client_list() {
        let line = "id=7 addr=127.0.0.1:5 laddr=127.0.0.1:6379 fd=8 name= omem=20504 tot-mem=1 cmd=psubscribe";
        assert_eq!(field(line, "omem"), Some(20504));
        assert_eq!(field(line, "id"), Some(7));
        assert_eq!(field(line, "name"), None);
        assert_eq!(field(line, "missing"), None);
    }
}
