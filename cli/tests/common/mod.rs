//! Runs the built `socketio-emit` binary and reads what it printed.

#![allow(dead_code, unused_imports)] // each test file uses a part

use std::process::{Command, Output};

pub use interop_harness::{Harness, Json, bytes_json, json};

/// What one run printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The one JSON object `--json` prints on stdout.
    pub fn json(&self) -> Json {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {self:?}"))
    }

    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub fn command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socketio-emit"));
    cmd.env_remove("REDIS_URL");
    cmd
}

pub fn output(out: Output) -> Run {
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Run {
    output(command().args(args).output().expect("run socketio-emit"))
}

/// Runs the binary with `args` against `url`, and asserts it succeeded.
pub fn ok(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--url", url];
    all.extend_from_slice(args);
    let r = run(&all);
    assert_eq!(r.code, 0, "socketio-emit {args:?} failed: {r:?}");
    r
}

/// Connects clients `(name, server, rooms)` in `nsp` and waits for the servers to listen there.
pub fn clients(h: &Harness, nsp: &str, list: &[(&str, usize, Json)]) {
    for (name, server, rooms) in list {
        h.client(name, *server, nsp, rooms.clone());
    }
    h.request(json!({"cmd": "wait_subscribed", "nsp": nsp}));
}

/// The event names each client received, after the harness's barrier.
pub fn received(h: &Harness, names: &[&str]) -> Vec<Vec<String>> {
    h.flush();
    names.iter().map(|n| h.event_names(n)).collect()
}

pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}
