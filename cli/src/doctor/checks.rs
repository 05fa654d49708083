//! What doctor reads about Redis itself: version and topology, the Pub/Sub output-buffer
//! limit, and what the connecting user may do.

use redis::Connection;
use serde_json::{Value as Json, json};
use socketio_emitter::Error;

use crate::redis_link::query;

/// `INFO server`: the version and the mode (standalone, cluster or sentinel). A user
/// without INFO gets "unknown" and standalone.
pub fn version_and_mode(con: &mut Connection) -> Result<(String, String), Error> {
    let info: String = match query(con, redis::cmd("INFO").arg("server")) {
        Err(Error::Redis(_)) => String::new(),
        other => other?,
    };
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
    };
    Ok((
        field("redis_version").unwrap_or_else(|| "unknown".into()),
        field("redis_mode").unwrap_or_else(|| "standalone".into()),
    ))
}

/// `CLUSTER NODES`: the live masters' addresses (`host:port`).
pub fn cluster_masters(con: &mut Connection) -> Result<Vec<String>, Error> {
    let text: String = query(con, redis::cmd("CLUSTER").arg("NODES"))?;
    let mut masters = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (Some(addr), Some(flags)) = (parts.get(1), parts.get(2)) else {
            continue;
        };
        if flags.contains("fail") || flags.contains("noaddr") {
            continue;
        }
        // `127.0.0.1:30001@40001[,hostname]`: the client port is before the `@`.
        let addr = addr.split(['@', ',']).next().unwrap_or_default().to_owned();
        if flags.contains("master") {
            masters.push(addr);
        }
    }
    Ok(masters)
}

/// `SENTINEL MASTERS`: each monitored master's name and address.
pub fn sentinel_masters(con: &mut Connection) -> Result<Vec<(String, String)>, Error> {
    let masters: Vec<Vec<String>> = query(con, redis::cmd("SENTINEL").arg("MASTERS"))?;
    Ok(masters
        .into_iter()
        .map(|flat| {
            let get = |k: &str| {
                flat.chunks(2)
                    .find(|kv| kv[0] == k)
                    .and_then(|kv| kv.get(1).cloned())
                    .unwrap_or_default()
            };
            (get("name"), format!("{}:{}", get("ip"), get("port")))
        })
        .collect())
}

/// The `pubsub` class of `client-output-buffer-limit`: Redis drops a subscriber (a Socket.IO
/// server) whose unread output passes the hard limit, or the soft one for that long.
pub fn pubsub_buffer(con: &mut Connection) -> Json {
    let reply: Result<Vec<String>, Error> = query(
        con,
        redis::cmd("CONFIG")
            .arg("GET")
            .arg("client-output-buffer-limit"),
    );
    let value = match reply {
        Ok(pair) => pair.get(1).cloned().unwrap_or_default(),
        Err(e) => return json!({"error": e.to_string()}),
    };
    let words: Vec<&str> = value.split_whitespace().collect();
    let Some(i) = words.iter().position(|w| *w == "pubsub") else {
        return json!({"error": format!("no pubsub class in {value:?}")});
    };
    let number = |k: usize| {
        words
            .get(i + k)
            .and_then(|w| w.parse::<u64>().ok())
            .unwrap_or(0)
    };
    json!({"hard_bytes": number(1), "soft_bytes": number(2), "soft_seconds": number(3)})
}

/// One permission the connecting user needs for the target.
#[derive(Debug)]
pub struct Permission {
    pub command: String,
    /// `None` when Redis would not say (ACL DRYRUN refused or missing).
    pub allowed: Option<bool>,
    pub detail: String,
}

/// `ACL WHOAMI`, then `ACL DRYRUN` for each of `commands` (each a full command line).
pub fn acl(con: &mut Connection, commands: &[Vec<String>]) -> (Option<String>, Vec<Permission>) {
    let user: Option<String> = query(con, &redis::cmd("ACL").arg("WHOAMI").clone()).ok();
    let mut checks = Vec::new();
    for line in commands {
        let command = line.join(" ");
        let Some(user) = &user else {
            checks.push(Permission {
                command,
                allowed: None,
                detail: "ACL WHOAMI refused".into(),
            });
            continue;
        };
        let answer: Result<String, Error> =
            query(con, redis::cmd("ACL").arg("DRYRUN").arg(user).arg(line));
        // A denial comes back as a plain string (not an error), naming what is missing.
        checks.push(match answer {
            Ok(text) if text == "OK" => Permission {
                command,
                allowed: Some(true),
                detail: "allowed".into(),
            },
            Ok(text) => Permission {
                command,
                allowed: Some(false),
                detail: text,
            },
            Err(e) => Permission {
                command,
                allowed: None,
                detail: format!("cannot check ({e})"),
            },
        });
    }
    (user, checks)
}
