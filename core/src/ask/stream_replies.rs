//! Replies through a stream: the streams adapter 0.2 has no Pub/Sub, so its servers answer
//! a request by adding entries to the stream the request went to (docs/protocol.md §4.4).
//! One reader per stream polls it (XREAD BLOCK on a connection of its own, since a blocked
//! read would hold up every other command sharing a connection), starting from the last
//! entry that was there when it started, so no reply to a later request can slip past.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use redis::Value;
use tokio::sync::mpsc;

use super::reply_link::Event;
use crate::error::Result;
use crate::publish::{Connection, ReplySource};

/// How long one XREAD waits for entries before asking again.
const BLOCK_MS: usize = 1000;

/// Starts reading `stream`, sending each entry as a ClusterAdapter message to `events`
/// (and `Event::Lost` when the connection fails). Returns once the start point is fixed.
pub(crate) async fn start(
    conn: &Connection,
    stream: &str,
    events: mpsc::UnboundedSender<Event>,
) -> Result<tokio::task::JoinHandle<()>> {
    let fail = |e: redis::RedisError| conn.error(&e);
    let ReplySource::Single(server) = conn.reply_source() else {
        return Err(crate::error::Error::Unsupported(
            "the streams adapter runs on one Redis server, not a cluster".into(),
        ));
    };
    let client = server.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(conn.call_timeout()))
        // A blocked XREAD answers after BLOCK_MS at the latest.
        .set_response_timeout(Some(
            conn.call_timeout() + std::time::Duration::from_millis(BLOCK_MS as u64),
        ));
    let mut link = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .map_err(fail)?;
    let last: Value = redis::cmd("XREVRANGE")
        .arg(stream)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(&mut link)
        .await
        .map_err(fail)?;
    let mut from = entries(&last)
        .first()
        .map_or_else(|| "0-0".to_owned(), |(id, _)| id.clone());
    let stream = stream.to_owned();
    Ok(tokio::spawn(async move {
        loop {
            let read: redis::RedisResult<Value> = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(100)
                .arg("BLOCK")
                .arg(BLOCK_MS)
                .arg("STREAMS")
                .arg(&stream)
                .arg(&from)
                .query_async(&mut link)
                .await;
            match read {
                Ok(reply) => {
                    for (id, fields) in entries(&reply) {
                        from = id;
                        if let Some(message) = message(&fields) {
                            let _ = events.send(Event::Decoded(message));
                        }
                    }
                }
                Err(_) => {
                    let _ = events.send(Event::Lost);
                    return;
                }
            }
        }
    }))
}

/// An entry `uid, nsp, type, data` as the message `{type, data, uid, nsp}`; `data` is JSON
/// text, or base64 of msgpack when it holds binary.
fn message(fields: &[(String, String)]) -> Option<serde_json::Value> {
    let text = |field: &str| {
        fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
    };
    let kind: u64 = text("type")?.parse().ok()?;
    let data = text("data")?;
    let data = if data.starts_with('{') {
        serde_json::from_str(&data).ok()?
    } else {
        super::decode::reply(&BASE64.decode(data).ok()?)?
    };
    Some(serde_json::json!({
        "type": kind,
        "data": data,
        "uid": text("uid")?,
        "nsp": text("nsp")?,
    }))
}

/// The entries `(id, [(field, value)])` anywhere in an XREAD or XRANGE reply, whichever
/// protocol shaped it (RESP2 nests arrays, RESP3 puts the streams in a map).
fn entries(reply: &Value) -> Vec<(String, Vec<(String, String)>)> {
    let text = |v: &Value| match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    };
    let mut found = Vec::new();
    match reply {
        Value::Array(items) => match items.as_slice() {
            [id, Value::Array(flat)] if text(id).is_some_and(|id| is_entry_id(&id)) => {
                let fields = flat
                    .chunks(2)
                    .filter_map(|pair| Some((text(pair.first()?)?, text(pair.get(1)?)?)))
                    .collect();
                found.push((text(id).unwrap_or_default(), fields));
            }
            _ => items.iter().for_each(|v| found.extend(entries(v))),
        },
        Value::Map(pairs) => pairs.iter().for_each(|(_, v)| found.extend(entries(v))),
        _ => {}
    }
    found
}

fn is_entry_id(text: &str) -> bool {
    text.split_once('-').is_some_and(|(ms, seq)| {
        !ms.is_empty()
            && !seq.is_empty()
            && ms.bytes().all(|b| b.is_ascii_digit())
            && seq.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn entries_are_found_in_either_reply_shape() {
        let entry = Value::Array(vec![
            bulk("1-0"),
            Value::Array(vec![bulk("type"), bulk("8"), bulk("data"), bulk("{}")]),
        ]);
        let resp2 = Value::Array(vec![Value::Array(vec![
            bulk("socket.io"),
            Value::Array(vec![entry.clone()]),
        ])]);
        let resp3 = Value::Map(vec![(bulk("socket.io"), Value::Array(vec![entry]))]);
        for reply in [resp2, resp3] {
            let got = entries(&reply);
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].0, "1-0");
            assert_eq!(got[0].1[0], ("type".into(), "8".into()));
        }
        assert!(entries(&Value::Nil).is_empty());
    }
}
