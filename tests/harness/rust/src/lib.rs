//! Rust client of the interop harness (`tests/harness/harness.js`, protocol in
//! `tests/harness/README.md`): starts it, sends commands, and collects what the real
//! Socket.IO clients and servers observed.
//!
//! The harness keeps Redis' and the servers' output (warnings, crash stacks) to itself. When a
//! thread panics (a failing test), a panic hook asks every live harness for that output and
//! prints it with the failure, so green runs stay quiet. `HARNESS_VERBOSE=1` shows it live.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, TryLockError, Weak};
use std::time::{Duration, Instant};

pub use serde_json::{Value as Json, json};

/// How long a harness command may take before the test fails. Only a last resort against a
/// wedged harness: the harness bounds its own commands (`flush` by time without progress, so
/// a large backlog may legitimately take longer than a minute on a loaded machine).
const REPLY_TIMEOUT: Duration = Duration::from_secs(300);

/// How long the panic hook waits for the harness's logs.
const LOGS_ON_PANIC_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    replies: HashMap<u64, Json>,
    /// Every asynchronous observation (`event`, `disconnect`, `server_event`, …), in order.
    observed: Vec<Json>,
    /// How many events each client received, kept as they arrive so that waiting for a
    /// large burst does not rescan every observation on each new one.
    events_per_client: HashMap<String, u64>,
    exited: bool,
}

/// What the reader thread, the test threads and the panic hook share.
struct Shared {
    stdin: Mutex<ChildStdin>,
    state: Mutex<State>,
    changed: Condvar,
    next_id: AtomicU64,
    /// Set once `shutdown` was sent: the panic hook leaves this harness alone.
    closing: AtomicBool,
    /// Which harness this is (several may run at once), for the panic hook's output.
    label: std::sync::OnceLock<String>,
}

/// Every started harness, for the panic hook.
static LIVE: Mutex<Vec<Weak<Shared>>> = Mutex::new(Vec::new());

/// Locks, ignoring poisoning: nothing here is left half-updated by a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Locks without blocking forever: the panicking thread may hold the lock itself.
fn lock_until<'a, T>(m: &'a Mutex<T>, deadline: Instant) -> Option<MutexGuard<'a, T>> {
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}

impl Shared {
    /// Writes one command line; returns its id.
    fn send(&self, mut cmd: Json) -> Result<(u64, Json), String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        cmd["id"] = json!(id);
        let mut stdin = lock(&self.stdin);
        writeln!(stdin, "{cmd}")
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("cannot write {cmd} to the harness: {e}"))?;
        Ok((id, cmd))
    }

    /// Waits for the reply `id`; never panics (the caller does, with no lock held).
    fn wait_reply(&self, id: u64, cmd: &Json) -> Result<Json, String> {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut st = lock(&self.state);
        loop {
            if let Some(reply) = st.replies.remove(&id) {
                return Ok(reply);
            }
            if st.exited {
                return Err(format!("the harness exited while running {cmd}"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!("no reply to {cmd} within {REPLY_TIMEOUT:?}"));
            }
            st = self
                .changed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The harness's buffered logs, for the panic hook: bounded in time, never blocks on a
    /// lock this thread may hold, never panics. `None` when they cannot be had.
    fn logs_for_panic(&self) -> Option<String> {
        let deadline = Instant::now() + LOGS_ON_PANIC_TIMEOUT;
        if self.closing.load(Ordering::Relaxed) || lock_until(&self.state, deadline)?.exited {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut stdin = lock_until(&self.stdin, deadline)?;
            let cmd = json!({"id": id, "cmd": "logs", "clear": true});
            writeln!(stdin, "{cmd}").ok()?;
            stdin.flush().ok()?;
        }
        let mut st = lock_until(&self.state, deadline)?;
        loop {
            if let Some(reply) = st.replies.remove(&id) {
                return reply["logs"].as_str().map(str::to_owned);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if st.exited || left.is_zero() {
                return None;
            }
            st = match self.changed.wait_timeout(st, left) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
    }
}

/// Prints the logs of every live harness; runs in the panic hook.
fn print_logs_of_live_harnesses() {
    let Some(live) = lock_until(&LIVE, Instant::now() + Duration::from_secs(1)) else {
        return;
    };
    let harnesses: Vec<Arc<Shared>> = live.iter().filter_map(Weak::upgrade).collect();
    drop(live);
    for shared in harnesses {
        let label = shared.label.get().map_or("", String::as_str);
        match shared.logs_for_panic() {
            Some(text) if !text.is_empty() => eprintln!(
                "----- harness logs ({label}; since the last failure shown) -----\n{text}\
                 ----- end of harness logs ({label}) -----"
            ),
            _ => {}
        }
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            previous(info);
            print_logs_of_live_harnesses();
        }));
    });
}

/// A running harness; dropping it shuts everything down.
#[allow(missing_debug_implementations)] // holds a child process and pipes; nothing to show
pub struct Harness {
    child: Child,
    shared: Arc<Shared>,
    /// `redis://127.0.0.1:PORT` of the harness's Redis (with `--topology cluster`, its first
    /// master; with `sentinel`, the master at startup).
    pub redis_url: String,
    /// The `ready` line, as sent.
    pub ready: Json,
}

/// The repository root (this crate lives in tests/harness/rust).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

impl Harness {
    /// Starts `node tests/harness/harness.js` with extra command-line arguments.
    pub fn start(args: &[&str]) -> Harness {
        let script = repo_root().join("tests/harness/harness.js");
        let mut child = Command::new("node")
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Quiet unless the harness itself fails (or HARNESS_VERBOSE=1).
            .stderr(Stdio::inherit())
            .spawn()
            .expect(
                "cannot start node tests/harness/harness.js (is Node installed? run `make deps`)",
            );
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let shared = Arc::new(Shared {
            stdin: Mutex::new(stdin),
            state: Mutex::default(),
            changed: Condvar::new(),
            next_id: AtomicU64::new(1),
            closing: AtomicBool::new(false),
            label: std::sync::OnceLock::new(),
        });
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader = Arc::downgrade(&shared);
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(msg) = serde_json::from_str::<Json>(&line) else {
                    eprintln!("harness: unparsable line {line}");
                    continue;
                };
                let Some(shared) = reader.upgrade() else {
                    return;
                };
                let mut st = lock(&shared.state);
                match msg["type"].as_str() {
                    Some("ready") | Some("fatal") => {
                        if let Some(tx) = ready_tx.take() {
                            let _ = tx.send(msg);
                        }
                    }
                    Some("reply") => {
                        if let Some(id) = msg["id"].as_u64() {
                            st.replies.insert(id, msg);
                        }
                    }
                    _ => {
                        if msg["type"] == "event"
                            && let Some(client) = msg["client"].as_str()
                        {
                            *st.events_per_client.entry(client.to_owned()).or_default() += 1;
                        }
                        st.observed.push(msg)
                    }
                }
                shared.changed.notify_all();
            }
            if let Some(shared) = reader.upgrade() {
                lock(&shared.state).exited = true;
                shared.changed.notify_all();
            }
        });
        let ready = ready_rx
            .recv_timeout(REPLY_TIMEOUT)
            .expect("the harness did not become ready in time");
        assert_eq!(ready["type"], "ready", "harness failed to start: {ready}");
        let redis_url = ready["redis_url"].as_str().expect("redis_url").to_owned();
        let _ = shared.label.set(format!(
            "harness pid {}, redis port {}",
            ready["pid"], ready["redis_port"]
        ));
        {
            let mut live = lock(&LIVE);
            live.retain(|w| w.strong_count() > 0);
            live.push(Arc::downgrade(&shared));
        }
        install_panic_hook();
        Harness {
            child,
            shared,
            redis_url,
            ready,
        }
    }

    /// Sends a command and returns its reply; panics when the harness reports an error.
    pub fn request(&self, mut cmd: Json) -> Json {
        let reply = self.try_request(&mut cmd);
        assert_eq!(reply["ok"], true, "harness command {cmd} failed: {reply}");
        reply
    }

    /// Sends a command and returns its reply, `ok` or not.
    pub fn try_request(&self, cmd: &mut Json) -> Json {
        let result = self.shared.send(cmd.take()).and_then(|(id, sent)| {
            *cmd = sent;
            self.shared.wait_reply(id, cmd)
        });
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Connects a recording client to `server` in `nsp`, in `rooms`; returns its socket id.
    pub fn client(&self, name: &str, server: usize, nsp: &str, rooms: Json) -> String {
        let reply = self.request(
            json!({"cmd": "client", "name": name, "server": server, "nsp": nsp, "rooms": rooms}),
        );
        reply["sid"].as_str().unwrap_or_default().to_owned()
    }

    /// Like [`Harness::client`], with the socket's `data` (the server sets it as `socket.data`,
    /// so `fetchSockets` reports it) and an `ack` value (the client acknowledges every event
    /// that asks for it with that value; `None`: it leaves them unanswered).
    pub fn client_with(
        &self,
        name: &str,
        server: usize,
        nsp: &str,
        rooms: Json,
        data: Option<Json>,
        ack: Option<Json>,
    ) -> String {
        let mut cmd =
            json!({"cmd": "client", "name": name, "server": server, "nsp": nsp, "rooms": rooms});
        if let Some(data) = data {
            cmd["data"] = data;
        }
        if let Some(ack) = ack {
            cmd["ack"] = ack;
        }
        let reply = self.request(cmd);
        reply["sid"].as_str().unwrap_or_default().to_owned()
    }

    /// `server_query`: a cluster request made by Socket.IO server `server` itself, for
    /// comparing with an emitter's answer. `query` holds `op` and its fields, e.g.
    /// `json!({"op": "fetchSockets", "nsp": "/", "to": ["room1"]})`; returns the reply
    /// (`sockets`, `count`, `rooms`, or `error` and `responses`).
    pub fn server_query(&self, server: usize, query: Json) -> Json {
        let mut cmd = query;
        cmd["cmd"] = json!("server_query");
        cmd["server"] = json!(server);
        self.request(cmd)
    }

    /// `kill_server`: stops Socket.IO server `server` and returns once Redis no longer holds
    /// any of its connections or subscriptions, so the next request counts the servers left.
    pub fn kill_server(&self, server: usize) -> Json {
        self.request(json!({"cmd": "kill_server", "server": server}))
    }

    /// Every `server_event` line so far for `event` (see `--server-events` and
    /// `--server-acks`): `server`, `nsp`, `args`, and `ack`/`acked` when one was asked for.
    pub fn server_events(&self, event: &str) -> Vec<Json> {
        self.observed()
            .into_iter()
            .filter(|m| m["type"] == "server_event" && m["event"] == event)
            .collect()
    }

    /// Waits until every client and server has seen everything published before this call.
    pub fn flush(&self) {
        self.request(json!({"cmd": "flush"}));
    }

    /// The `ready` line's `topology`: `standalone`, `cluster` or `sentinel`.
    pub fn topology(&self) -> &str {
        self.ready["topology"].as_str().unwrap_or("standalone")
    }

    /// With `--topology cluster`: the URLs of every node, masters first (empty otherwise).
    pub fn redis_nodes(&self) -> Vec<String> {
        self.string_list("redis_nodes")
    }

    /// With `--topology sentinel`: the sentinels' URLs (empty otherwise).
    pub fn sentinel_urls(&self) -> Vec<String> {
        self.string_list("sentinel_urls")
    }

    fn string_list(&self, field: &str) -> Vec<String> {
        self.ready[field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `kill_master` (cluster or sentinel): SIGKILLs the master of `channel`'s slot (cluster;
    /// `None`: the first master) or the current master (sentinel) and returns the reply once the
    /// failover is over (`killed_port`, `new_master_port`, `redis_url`, ...). On a cluster, send
    /// `wait_subscribed` before publishing: the servers may still be moving their subscriptions.
    pub fn kill_master(&self, channel: Option<&str>) -> Json {
        let mut cmd = json!({"cmd": "kill_master"});
        if let Some(channel) = channel {
            cmd["channel"] = json!(channel);
        }
        self.request(cmd)
    }

    /// The harness's buffered diagnostics (its own messages, Redis' log, every server's stderr),
    /// oldest first. The panic hook prints them for failing tests; this is for tests that
    /// assert on them.
    pub fn logs(&self) -> String {
        let reply = self.request(json!({"cmd": "logs"}));
        reply["logs"].as_str().unwrap_or_default().to_owned()
    }

    /// A copy of every observation so far.
    pub fn observed(&self) -> Vec<Json> {
        lock(&self.shared.state).observed.clone()
    }

    /// `(event, args)` of every event client `name` received, in order.
    pub fn events(&self, name: &str) -> Vec<(String, Vec<Json>)> {
        self.observed()
            .into_iter()
            .filter(|m| m["type"] == "event" && m["client"] == name)
            .map(|m| {
                let args = m["args"].as_array().cloned().unwrap_or_default();
                (m["event"].as_str().unwrap_or_default().to_owned(), args)
            })
            .collect()
    }

    /// Names of the events client `name` received, in order.
    pub fn event_names(&self, name: &str) -> Vec<String> {
        self.events(name).into_iter().map(|(e, _)| e).collect()
    }

    /// Waits until client `name` has received at least `count` events, or `timeout` passes.
    /// Cheap however many events arrive (for bursts of thousands).
    pub fn wait_for_event_count(&self, name: &str, count: u64, timeout: Duration) -> bool {
        self.wait_for_state(timeout, |st| {
            st.events_per_client.get(name).copied().unwrap_or(0) >= count
        })
    }

    /// Waits until `pred` holds for the observations, or `timeout` passes. `pred` sees every
    /// observation each time one arrives: for bursts, use `wait_for_event_count`.
    pub fn wait_until(&self, timeout: Duration, pred: impl Fn(&[Json]) -> bool) -> bool {
        self.wait_for_state(timeout, |st| pred(&st.observed))
    }

    /// Re-checks `holds` each time the reader records something, until it holds, the
    /// harness exits, or `timeout` passes.
    fn wait_for_state(&self, timeout: Duration, holds: impl Fn(&State) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared.state);
        loop {
            if holds(&st) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || st.exited {
                return false;
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::Relaxed);
        {
            let mut stdin = lock(&self.shared.stdin);
            let _ = writeln!(stdin, "{}", json!({"id": 0, "cmd": "shutdown"}));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Shorthand for the harness's tagged binary encoding.
pub fn bytes_json(data: &[u8]) -> Json {
    json!({"$bytes": data.iter().map(|b| format!("{b:02x}")).collect::<String>()})
}
