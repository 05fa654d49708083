//! The streams side of a survey: every stream key, and the streams 0.2 servers found by
//! their heartbeats (0.3 servers write none: they are found by their side channel).

use std::collections::BTreeMap;
use std::time::Duration;

use redis::Value;

use super::pubsub::{merge, number, text, texts};
use super::{HEARTBEAT_WINDOW, Listener, StreamInfo, Survey};
use crate::config::{AdapterKind, StreamsVersion};
use crate::error::Result;
use crate::publish::Connection;

/// SCAN calls per node at most, so that a huge keyspace bounds the survey's time.
const MAX_SCAN_CALLS: usize = 200;
/// Entries read per stream, newest first.
const ENTRIES_READ: usize = 1000;
/// The uid our emitter and the official tools write with; never a server.
const EMITTER_UID: &str = "emitter";
/// ClusterAdapter message types: heartbeats (only streams 0.2 servers put them in the
/// stream) and the goodbye of a closing server.
const HEARTBEATS: [&str; 2] = ["1", "2"];
const ADAPTER_CLOSE: &str = "13";

pub(super) async fn collect(conn: &Connection, survey: &mut Survey) -> Result<()> {
    let masters = conn.per_node(&redis::cmd("TIME"), true).await?;
    for (node, time) in masters {
        let now_ms = redis_time_ms(&time);
        for name in stream_keys(conn, &node).await? {
            let length = conn
                .on_node(&node, redis::cmd("XLEN").arg(&name))
                .await
                .map_or(0, |v| number(&v));
            let entries = conn
                .on_node(
                    &node,
                    redis::cmd("XREVRANGE")
                        .arg(&name)
                        .arg("+")
                        .arg("-")
                        .arg("COUNT")
                        .arg(ENTRIES_READ),
                )
                .await?;
            let entries = parse_entries(&entries);
            for listener in heartbeat_listeners(&name, &entries, now_ms) {
                merge(&mut survey.listeners, listener);
            }
            survey.streams.push(info(name, length, &entries, now_ms));
        }
    }
    survey.streams.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(())
}

/// Every stream key on one node (`SCAN … TYPE stream`, Redis 6+).
async fn stream_keys(conn: &Connection, node: &str) -> Result<Vec<String>> {
    let mut keys = Vec::new();
    let mut cursor = "0".to_owned();
    for _ in 0..MAX_SCAN_CALLS {
        let cmd = redis::cmd("SCAN")
            .arg(&cursor)
            .arg("COUNT")
            .arg(1000)
            .arg("TYPE")
            .arg("stream")
            .clone();
        let answer = conn.on_node(node, &cmd).await?;
        let Value::Array(parts) = answer else { break };
        cursor = parts.first().map(text).unwrap_or_default();
        keys.extend(parts.get(1).map(texts).unwrap_or_default());
        if cursor == "0" || cursor.is_empty() {
            break;
        }
    }
    Ok(keys)
}

/// One stream entry: its id's milliseconds and its fields.
struct Entry {
    millis: u64,
    uid: String,
    nsp: String,
    kind: String,
}

fn parse_entries(answer: &Value) -> Vec<Entry> {
    let Value::Array(entries) = answer else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let Value::Array(parts) = entry else {
                return None;
            };
            let id = text(parts.first()?);
            let fields = texts(parts.get(1)?);
            let field = |name: &str| {
                fields
                    .chunks(2)
                    .find(|kv| kv[0] == name)
                    .and_then(|kv| kv.get(1).cloned())
                    .unwrap_or_default()
            };
            Some(Entry {
                millis: id.split('-').next()?.parse().ok()?,
                uid: field("uid"),
                nsp: field("nsp"),
                kind: field("type"),
            })
        })
        .collect()
}

/// Streams 0.2 servers per namespace: uids that heartbeat into this stream, wrote within
/// [`HEARTBEAT_WINDOW`], and did not say goodbye last. (A busy server skips heartbeats, so
/// any heartbeat among the entries read marks the uid as a server.)
fn heartbeat_listeners(stream: &str, entries: &[Entry], now_ms: u64) -> Vec<Listener> {
    let since = now_ms.saturating_sub(HEARTBEAT_WINDOW.as_millis() as u64);
    let beats: Vec<&str> = entries
        .iter()
        .filter(|e| HEARTBEATS.contains(&e.kind.as_str()) && e.uid != EMITTER_UID)
        .map(|e| e.uid.as_str())
        .collect();
    // Newest first: the first entry of each (namespace, uid) is its latest.
    let mut latest: BTreeMap<(&str, &str), &Entry> = BTreeMap::new();
    for e in entries.iter().filter(|e| beats.contains(&e.uid.as_str())) {
        latest.entry((e.nsp.as_str(), e.uid.as_str())).or_insert(e);
    }
    let mut per_namespace: BTreeMap<&str, u64> = BTreeMap::new();
    for ((nsp, _), e) in latest {
        if e.millis >= since && e.kind != ADAPTER_CLOSE && !nsp.is_empty() {
            *per_namespace.entry(nsp).or_default() += 1;
        }
    }
    per_namespace
        .into_iter()
        .map(|(nsp, servers)| Listener {
            adapter: AdapterKind::Streams,
            key: stream.to_owned(),
            namespace: nsp.to_owned(),
            servers,
            subscription_mode: None,
            streams_version: Some(StreamsVersion::V02),
            stream: Some(stream.to_owned()),
            evidence: vec![format!(
                "stream {stream}: {servers} server uid(s) with heartbeats for {nsp}, \
                 active in the last {} s",
                HEARTBEAT_WINDOW.as_secs()
            )],
        })
        .collect()
}

fn info(name: String, length: u64, entries: &[Entry], now_ms: u64) -> StreamInfo {
    let mut namespaces: Vec<String> = entries
        .iter()
        .take(100)
        .map(|e| e.nsp.clone())
        .filter(|n| !n.is_empty())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    StreamInfo {
        name,
        length,
        namespaces,
        last_entry_age: entries
            .first()
            .map(|e| Duration::from_millis(now_ms.saturating_sub(e.millis))),
    }
}

/// `TIME`'s seconds and microseconds, as milliseconds.
fn redis_time_ms(time: &Value) -> u64 {
    let parts = texts(time);
    let secs: u64 = parts.first().and_then(|s| s.parse().ok()).unwrap_or(0);
    let micros: u64 = parts.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    secs * 1000 + micros / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(millis: u64, uid: &str, nsp: &str, kind: &str) -> Entry {
        Entry {
            millis,
            uid: uid.to_owned(),
            nsp: nsp.to_owned(),
            kind: kind.to_owned(),
        }
    }

    #[test]
    fn heartbeating_uids_are_servers_until_they_close_or_go_quiet() {
        let now = 100_000;
        // Newest first, as XREVRANGE gives them.
        let entries = [
            entry(99_000, "a", "/", "3"), // busy: no heartbeat lately, but one below
            entry(98_000, "emitter", "/", "3"), // our own entries never count
            entry(97_000, "c", "/", "13"), // closed
            entry(96_000, "b", "/", "2"),
            entry(95_000, "c", "/", "2"),
            entry(90_000, "a", "/", "1"),
            entry(50_000, "old", "/", "2"), // silent for longer than the window
            entry(40_000, "x", "/", "3"),   // 0.3 servers write no heartbeats
        ];
        let found = heartbeat_listeners("socket.io", &entries, now);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].servers, 2, "a and b: {found:?}");
        assert_eq!(found[0].streams_version, Some(StreamsVersion::V02));
        assert_eq!(found[0].stream.as_deref(), Some("socket.io"));
    }
}
