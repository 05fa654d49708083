//! The Pub/Sub side of a survey: classic servers by their request channel, streams 0.3
//! servers by their side channel, sharded servers by their shard channels.

use std::collections::BTreeMap;

use redis::Value;

use super::channels::{self, Channel};
use super::{Listener, Survey};
use crate::config::{AdapterKind, StreamsVersion, SubscriptionMode};
use crate::error::Result;
use crate::publish::Connection;

pub(super) async fn collect(conn: &Connection, survey: &mut Survey) -> Result<()> {
    let plain = conn
        .per_node(redis::cmd("PUBSUB").arg("CHANNELS").arg("*#"), false)
        .await?;
    survey.nodes = plain.len();
    for (node, answer) in plain {
        let names = texts(&answer);
        let counts = numsub(conn, &node, "NUMSUB", &names).await?;
        for (name, count) in names.iter().zip(counts) {
            if let Some(listener) = plain_listener(name, count) {
                merge(&mut survey.listeners, listener);
            }
        }
    }
    let sharded = conn
        .per_node(redis::cmd("PUBSUB").arg("SHARDCHANNELS").arg("*#"), false)
        .await;
    // Redis before 7 has no sharded Pub/Sub, so no sharded server either.
    let Ok(sharded) = sharded else {
        return Ok(());
    };
    for (node, answer) in sharded {
        for listener in sharded_listeners(conn, &node, &texts(&answer)).await? {
            merge(&mut survey.listeners, listener);
        }
    }
    Ok(())
}

/// A subscribed plain channel: a classic request channel, or a streams 0.3 side channel.
fn plain_listener(name: &str, count: u64) -> Option<Listener> {
    if count == 0 {
        return None;
    }
    let evidence = vec![format!("PUBSUB NUMSUB {name} = {count}")];
    if let Some((key, namespace)) = channels::parse_request(name) {
        return Some(listener(
            AdapterKind::Classic,
            key,
            namespace,
            count,
            evidence,
        ));
    }
    let Channel {
        prefix,
        namespace,
        rest: None,
    } = channels::parse(name)?
    else {
        return None;
    };
    if prefix.ends_with("-response") {
        return None;
    }
    let mut found = listener(AdapterKind::Streams, prefix, namespace, count, evidence);
    found.streams_version = Some(StreamsVersion::V03);
    Some(found)
}

/// The shard channels one node lists, grouped by key and namespace: the main channel
/// counts the servers, room channels show the subscription mode.
async fn sharded_listeners(
    conn: &Connection,
    node: &str,
    names: &[String],
) -> Result<Vec<Listener>> {
    let mut rooms: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut mains = Vec::new();
    for name in names {
        let Some(channel) = channels::parse(name) else {
            continue;
        };
        let group = (channel.prefix, channel.namespace);
        match channel.rest {
            None => mains.push((name.clone(), group)),
            Some(rest) if !channels::is_server_uid(&rest) => {
                rooms.entry(group).or_default().push(rest)
            }
            Some(_) => {}
        }
    }
    let mut found = Vec::new();
    for (name, (key, namespace)) in mains {
        // One channel per call: on a cluster each may live in another slot.
        let count = numsub(conn, node, "SHARDNUMSUB", std::slice::from_ref(&name)).await?;
        let count = count.first().copied().unwrap_or(0);
        if count == 0 {
            continue;
        }
        let evidence = vec![format!("PUBSUB SHARDNUMSUB {name} = {count}")];
        let mut listener = listener(
            AdapterKind::Sharded,
            key.clone(),
            namespace.clone(),
            count,
            evidence,
        );
        listener.subscription_mode = rooms.get(&(key, namespace)).map(|rooms| {
            if rooms.iter().any(|r| channels::looks_like_socket_id(r)) {
                SubscriptionMode::DynamicPrivate
            } else {
                SubscriptionMode::Dynamic
            }
        });
        found.push(listener);
    }
    Ok(found)
}

fn listener(
    adapter: AdapterKind,
    key: String,
    namespace: String,
    servers: u64,
    evidence: Vec<String>,
) -> Listener {
    Listener {
        adapter,
        key,
        namespace,
        servers,
        subscription_mode: None,
        streams_version: None,
        stream: None,
        evidence,
    }
}

/// Adds a node's finding, summing servers over the nodes of a cluster (each server
/// subscribes on one node).
pub(super) fn merge(all: &mut Vec<Listener>, found: Listener) {
    let same = all.iter_mut().find(|l| {
        (l.adapter, &l.key, &l.namespace, l.streams_version)
            == (
                found.adapter,
                &found.key,
                &found.namespace,
                found.streams_version,
            )
    });
    match same {
        Some(known) => {
            known.servers += found.servers;
            known.evidence.extend(found.evidence);
            // Room channels of one node prove a dynamic mode for all; socket ids, private.
            if known.subscription_mode != Some(SubscriptionMode::DynamicPrivate) {
                known.subscription_mode = found.subscription_mode.or(known.subscription_mode);
            }
        }
        None => all.push(found),
    }
}

/// `PUBSUB NUMSUB` (or `SHARDNUMSUB`) of `names` on one node, in their order.
async fn numsub(conn: &Connection, node: &str, which: &str, names: &[String]) -> Result<Vec<u64>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let answer = conn
        .on_node(node, redis::cmd("PUBSUB").arg(which).arg(names))
        .await?;
    let pairs: Vec<(String, u64)> = match answer {
        Value::Map(pairs) => pairs
            .into_iter()
            .map(|(k, v)| (text(&k), number(&v)))
            .collect(),
        Value::Array(items) => items
            .chunks(2)
            .map(|pair| (text(&pair[0]), pair.get(1).map_or(0, number)))
            .collect(),
        _ => Vec::new(),
    };
    Ok(names
        .iter()
        .map(|name| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |(_, count)| *count)
        })
        .collect())
}

pub(super) fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) | Value::Set(items) => items.iter().map(text).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn text(value: &Value) -> String {
    match value {
        Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Value::SimpleString(s) => s.clone(),
        Value::VerbatimString { text, .. } => text.clone(),
        Value::Int(n) => n.to_string(),
        _ => String::new(),
    }
}

pub(super) fn number(value: &Value) -> u64 {
    match value {
        Value::Int(n) => u64::try_from(*n).unwrap_or(0),
        other => text(other).parse().unwrap_or(0),
    }
}
