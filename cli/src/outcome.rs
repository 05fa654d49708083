//! What the command prints and its exit code.

use socketio_emitter::Error;

/// Exit code for command lines clap refuses (and `INVALID_ARGUMENT`).
pub const USAGE: i32 = 2;

/// The exit code of an error, by its stable code (the table is in `--help` and the README).
pub fn exit_code(code: &str) -> i32 {
    match code {
        "INTERNAL" => 1,
        "INVALID_ARGUMENT" | "USAGE" => USAGE,
        "RESERVED_EVENT" | "ENCODE" => 3,
        "UNSUPPORTED" => 4,
        "CONNECTION" => 5,
        "REDIS" => 6,
        "TIMEOUT" => 7,
        "NO_SUBSCRIBERS" => 8,
        "DETECTION_FAILED" => 10,
        _ => 9,
    }
}

/// Replaces every secret in `text` with `***`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    let mut secrets: Vec<&String> = secrets.iter().collect();
    // Longest first, so that a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(s.as_str(), "***");
    }
    out
}

/// Prints a success and returns the exit code.
pub fn success(servers: u64, json: bool) -> i32 {
    if json {
        println!("{}", serde_json::json!({"ok": true, "servers": servers}));
    } else {
        println!("{servers}");
        if servers == 0 {
            eprintln!(
                "socketio-emit: warning: no Socket.IO server received it. Check that --key, \
                 --of and --adapter match the servers', and that they are running \
                 (--require-receivers makes this an error)"
            );
        }
    }
    0
}

/// Prints a failure (code and message) and returns the exit code.
pub fn failure(code: &str, message: &str, json: bool, secrets: &[String]) -> i32 {
    let message = scrub(message, secrets);
    if json {
        println!(
            "{}",
            serde_json::json!({"ok": false, "code": code, "message": message})
        );
    } else {
        eprintln!("socketio-emit: error [{code}]: {message}");
    }
    exit_code(code)
}

pub fn error(e: &Error, json: bool, secrets: &[String]) -> i32 {
    failure(e.code(), &e.to_string(), json, secrets)
}
