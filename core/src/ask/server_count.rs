//! How many Socket.IO servers serve a namespace, from Redis's own view: the subscriptions
//! each adapter makes (the same evidence `inspect` reads), for the adapter the emitter
//! publishes for.

use redis::Value;

use crate::adapter::Flavour;
use crate::config::{AdapterKind, StreamsVersion};
use crate::error::Result;
use crate::publish::Connection;

/// The servers of `nsp` under `key` that an operation of `flavour` reaches.
///
/// - classic (every generation): subscribers of `key-request#nsp#`;
/// - sharded: shard subscribers of `key#nsp#`;
/// - streams 0.3: subscribers of the side channel `key#nsp#`;
/// - streams 0.2: the servers whose heartbeats for `nsp` are in the stream (no Pub/Sub).
///
/// Every node of a Redis Cluster is asked and the counts are added: a server's
/// subscription lives on the one node it is connected to.
pub(crate) async fn server_count(
    conn: &Connection,
    flavour: &Flavour,
    key: &str,
    nsp: &str,
) -> Result<u64> {
    match flavour {
        Flavour::Classic | Flavour::Legacy(_) => {
            subscribers(conn, "NUMSUB", &format!("{key}-request#{nsp}#")).await
        }
        Flavour::Sharded(_) => subscribers(conn, "SHARDNUMSUB", &format!("{key}#{nsp}#")).await,
        Flavour::Streams(s) if s.version == StreamsVersion::V03 => {
            subscribers(conn, "NUMSUB", &format!("{key}#{nsp}#")).await
        }
        Flavour::Streams(s) => {
            let survey = crate::inspect::survey_on(conn).await?;
            Ok(survey
                .listeners
                .iter()
                .filter(|l| {
                    l.adapter == AdapterKind::Streams
                        && l.streams_version == Some(StreamsVersion::V02)
                        && l.key == s.stream_name
                        && l.namespace == nsp
                })
                .map(|l| l.servers)
                .sum())
        }
    }
}

/// `PUBSUB <which> <channel>` on every node, summed.
async fn subscribers(conn: &Connection, which: &str, channel: &str) -> Result<u64> {
    let answers = conn
        .per_node(redis::cmd("PUBSUB").arg(which).arg(channel), false)
        .await?;
    Ok(answers.iter().map(|(_, answer)| count_of(answer)).sum())
}

/// The count in a `[channel, count]` reply (RESP2 list or RESP3 map).
fn count_of(answer: &Value) -> u64 {
    let number = |v: &Value| match v {
        Value::Int(n) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    match answer {
        Value::Array(items) => items.get(1).map_or(0, number),
        Value::Map(pairs) => pairs.first().map_or(0, |(_, v)| number(v)),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_either_reply_shape() {
        let channel = Value::BulkString(b"socket.io-request#/#".to_vec());
        assert_eq!(
            count_of(&Value::Array(vec![channel.clone(), Value::Int(3)])),
            3
        );
        assert_eq!(count_of(&Value::Map(vec![(channel, Value::Int(2))])), 2);
        assert_eq!(count_of(&Value::Nil), 0);
    }
}
