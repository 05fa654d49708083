//! Rust client of the interop harness (`tests/harness/harness.js`, protocol in
//! `tests/harness/README.md`): starts it, sends commands, and collects what the real
//! Socket.IO clients and servers observed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub use serde_json::{Value as Json, json};

/// How long a harness command may take before the test fails.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Default)]
struct State {
    replies: HashMap<u64, Json>,
    /// Every asynchronous observation (`event`, `disconnect`, `server_event`, …), in order.
    observed: Vec<Json>,
    exited: bool,
}

/// A running harness; dropping it shuts everything down.
#[allow(missing_debug_implementations)] // holds a child process and pipes; nothing to show
pub struct Harness {
    child: Child,
    stdin: Mutex<ChildStdin>,
    state: Arc<(Mutex<State>, Condvar)>,
    next_id: Mutex<u64>,
    /// `redis://127.0.0.1:PORT` of the harness's Redis.
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
            .stderr(Stdio::inherit())
            .spawn()
            .expect(
                "cannot start node tests/harness/harness.js (is Node installed? run `make deps`)",
            );
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let state: Arc<(Mutex<State>, Condvar)> = Arc::default();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader_state = state.clone();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(msg) = serde_json::from_str::<Json>(&line) else {
                    eprintln!("harness: unparsable line {line}");
                    continue;
                };
                let (lock, cvar) = &*reader_state;
                let mut st = lock.lock().expect("harness state");
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
                    _ => st.observed.push(msg),
                }
                cvar.notify_all();
            }
            let (lock, cvar) = &*reader_state;
            lock.lock().expect("harness state").exited = true;
            cvar.notify_all();
        });
        let ready = ready_rx
            .recv_timeout(REPLY_TIMEOUT)
            .expect("the harness did not become ready in time");
        assert_eq!(ready["type"], "ready", "harness failed to start: {ready}");
        let redis_url = ready["redis_url"].as_str().expect("redis_url").to_owned();
        Harness {
            child,
            stdin: Mutex::new(stdin),
            state,
            next_id: Mutex::new(1),
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
        let id = {
            let mut next = self.next_id.lock().expect("id");
            *next += 1;
            *next
        };
        cmd["id"] = json!(id);
        {
            let mut stdin = self.stdin.lock().expect("stdin");
            writeln!(stdin, "{cmd}").expect("write to the harness");
            stdin.flush().expect("flush to the harness");
        }
        let (lock, cvar) = &*self.state;
        let deadline = Instant::now() + REPLY_TIMEOUT;
        let mut st = lock.lock().expect("harness state");
        loop {
            if let Some(reply) = st.replies.remove(&id) {
                return reply;
            }
            assert!(!st.exited, "the harness exited while running {cmd}");
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no reply to {cmd} within {REPLY_TIMEOUT:?}"
            );
            st = cvar.wait_timeout(st, left).expect("harness state").0;
        }
    }

    /// Connects a recording client to `server` in `nsp`, in `rooms`; returns its socket id.
    pub fn client(&self, name: &str, server: usize, nsp: &str, rooms: Json) -> String {
        let reply = self.request(
            json!({"cmd": "client", "name": name, "server": server, "nsp": nsp, "rooms": rooms}),
        );
        reply["sid"].as_str().unwrap_or_default().to_owned()
    }

    /// Waits until every client and server has seen everything published before this call.
    pub fn flush(&self) {
        self.request(json!({"cmd": "flush"}));
    }

    /// A copy of every observation so far.
    pub fn observed(&self) -> Vec<Json> {
        self.state.0.lock().expect("harness state").observed.clone()
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

    /// Waits until `pred` holds for the observations, or `timeout` passes.
    pub fn wait_until(&self, timeout: Duration, pred: impl Fn(&[Json]) -> bool) -> bool {
        let (lock, cvar) = &*self.state;
        let deadline = Instant::now() + timeout;
        let mut st = lock.lock().expect("harness state");
        loop {
            if pred(&st.observed) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || st.exited {
                return false;
            }
            st = cvar.wait_timeout(st, left).expect("harness state").0;
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Ok(mut stdin) = self.stdin.lock() {
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
