//! Who listens on this Redis: every Socket.IO server, found from its subscriptions and its
//! streams, grouped by key (channel prefix), namespace and adapter.

use std::collections::BTreeMap;

use redis::Connection;
use socketio_emitter::Error;

use crate::redis_link::query;

/// Servers found under one key and namespace, with one adapter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    pub key: String,
    pub nsp: String,
    /// `classic`, `sharded`, `streams` (0.3) or `streams 0.2`.
    pub adapter: String,
    pub servers: u64,
}

/// Surveys one Redis node (every node of a cluster is surveyed and the counts summed).
pub fn node(con: &mut Connection, sharded: bool) -> Result<Vec<Group>, Error> {
    let mut found: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    // Classic servers (every version) SUBSCRIBE to `key-request#nsp#`.
    for channel in channels(con, "*-request#*#")? {
        if let Some((key, nsp)) = split_request(&channel) {
            let n = numsub(con, "NUMSUB", &channel)?;
            *found.entry((key, nsp, "classic".into())).or_default() += n;
        }
    }
    // Streams 0.3 servers SUBSCRIBE to their main channel `key#nsp#` (classic servers only
    // PSUBSCRIBE there, so a plain subscriber of a main channel is a streams server).
    for channel in channels(con, "*#*#")? {
        let Some((key, nsp)) = split_main(&channel) else {
            continue;
        };
        // A classic server's own `key-request#nsp#` and `key-response#nsp#` look alike.
        let classic_own = ["-request", "-response"].iter().any(|suffix| {
            key.strip_suffix(suffix).is_some_and(|k| {
                found.contains_key(&(k.to_owned(), nsp.clone(), "classic".to_owned()))
            })
        });
        if !classic_own {
            let n = numsub(con, "NUMSUB", &channel)?;
            *found.entry((key, nsp, "streams".into())).or_default() += n;
        }
    }
    // Sharded servers SSUBSCRIBE to `key#nsp#` (and to room and reply channels).
    if sharded {
        let list: Vec<String> = query(con, redis::cmd("PUBSUB").arg("SHARDCHANNELS").arg("*#*#"))?;
        for channel in list {
            if let Some((key, nsp)) = split_main(&channel) {
                let n = numsub(con, "SHARDNUMSUB", &channel)?;
                *found.entry((key, nsp, "sharded".into())).or_default() += n;
            }
        }
    }
    Ok(found
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|((key, nsp, adapter), servers)| Group {
            key,
            nsp,
            adapter,
            servers,
        })
        .collect())
}

/// Streams 0.2 servers have no Pub/Sub: they announce themselves with heartbeat entries
/// (types 1 and 2) in the stream. Counts the distinct uids among the latest entries.
pub fn streams_02(con: &mut Connection) -> Result<Vec<Group>, Error> {
    let keys: Vec<String> = query(
        con,
        redis::cmd("SCAN")
            .arg(0)
            .arg("TYPE")
            .arg("stream")
            .arg("COUNT")
            .arg(10_000),
    )
    .map(|(_, keys): (String, Vec<String>)| keys)?;
    let mut found: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for key in keys {
        let entries: Vec<(String, BTreeMap<String, String>)> = query(
            con,
            redis::cmd("XREVRANGE")
                .arg(&key)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(200),
        )?;
        for (_, fields) in entries {
            let heartbeat = matches!(fields.get("type").map(String::as_str), Some("1" | "2"));
            if let (true, Some(uid), Some(nsp)) = (heartbeat, fields.get("uid"), fields.get("nsp"))
            {
                let uids = found.entry((key.clone(), nsp.clone())).or_default();
                if !uids.contains(uid) {
                    uids.push(uid.clone());
                }
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|((key, nsp), uids)| Group {
            key,
            nsp,
            adapter: "streams 0.2".into(),
            servers: uids.len() as u64,
        })
        .collect())
}

/// Adds up the groups of several nodes.
pub fn merge(all: Vec<Group>) -> Vec<Group> {
    let mut sums: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for g in all {
        *sums.entry((g.key, g.nsp, g.adapter)).or_default() += g.servers;
    }
    sums.into_iter()
        .map(|((key, nsp, adapter), servers)| Group {
            key,
            nsp,
            adapter,
            servers,
        })
        .collect()
}

fn channels(con: &mut Connection, pattern: &str) -> Result<Vec<String>, Error> {
    query(con, redis::cmd("PUBSUB").arg("CHANNELS").arg(pattern))
}

fn numsub(con: &mut Connection, which: &str, channel: &str) -> Result<u64, Error> {
    let reply: (String, u64) = query(con, redis::cmd("PUBSUB").arg(which).arg(channel))?;
    Ok(reply.1)
}

/// `key-request#nsp#` into (key, nsp).
fn split_request(channel: &str) -> Option<(String, String)> {
    let (key, rest) = channel.split_once("-request#")?;
    let nsp = rest.strip_suffix('#')?;
    (nsp.starts_with('/') && !nsp.contains('#')).then(|| (key.to_owned(), nsp.to_owned()))
}

/// A main channel `key#nsp#` (not a room or reply channel `key#nsp#x#`) into (key, nsp).
fn split_main(channel: &str) -> Option<(String, String)> {
    let body = channel.strip_suffix('#')?;
    let (key, nsp) = body.rsplit_once('#')?;
    let plausible = nsp.starts_with('/') && !key.is_empty() && !key.contains('#');
    plausible.then(|| (key.to_owned(), nsp.to_owned()))
}
