//! The listeners: one thread per Redis delivery path, each sending what it hears to the
//! printer. Pub/Sub listeners speak RESP2 so that one reply shape covers every kind of push.

use std::sync::mpsc::Sender;
use std::time::Duration;

use redis::Value;
use socketio_emitter::Error;

use super::message::Message;
use super::value;
use crate::redis_link::{classify, glob_escape};

/// What a listener reports to the printer.
#[derive(Debug)]
pub enum Event {
    Ready(String),
    Heard(Box<Message>),
    Failed(Error),
}

/// How long a blocking read waits before a listener looks around (new sharded channels).
const POLL: Duration = Duration::from_millis(500);

/// PSUBSCRIBE to every channel of prefix `key`: classic broadcasts and requests/responses,
/// and the streams adapter's side channel (`key#nsp#`).
pub fn classic(mut con: redis::Connection, key: &str, tx: Sender<Event>) {
    let k = glob_escape(key);
    let patterns = [
        format!("{k}#*"),
        format!("{k}-request#*"),
        format!("{k}-response#*"),
    ];
    let result = (|| {
        send(&mut con, redis::cmd("PSUBSCRIBE").arg(&patterns[..]))?;
        for _ in &patterns {
            confirmation(&mut con)?;
        }
        let _ = tx.send(Event::Ready(format!("PSUBSCRIBE {}", patterns.join(" "))));
        con.set_read_timeout(Some(POLL)).map_err(classify)?;
        loop {
            let Some(push) = next_push(&mut con)? else {
                continue;
            };
            if let [kind, _pattern, channel, payload] = push.as_slice()
                && bulk(kind) == Some(b"pmessage".as_slice())
            {
                let channel = String::from_utf8_lossy(bulk(channel).unwrap_or_default());
                let payload = bulk(payload).unwrap_or_default();
                if tx
                    .send(Event::Heard(Box::new(pubsub_message(
                        key, &channel, payload,
                    ))))
                    .is_err()
                {
                    return Ok(());
                }
            }
        }
    })();
    if let Err(e) = result {
        let _ = tx.send(Event::Failed(e));
    }
}

/// SSUBSCRIBE to the sharded channels of prefix `key`: those `PUBSUB SHARDCHANNELS` lists
/// now and later (looked up again whenever Redis is quiet), plus `wanted` from the start.
pub fn sharded(
    mut con: redis::Connection,
    mut lookup: redis::Connection,
    key: &str,
    wanted: Vec<String>,
    tx: Sender<Event>,
) {
    let pattern = format!("{}#*", glob_escape(key));
    let mut known: Vec<String> = Vec::new();
    // Messages that arrive while a new SSUBSCRIBE waits for its confirmation are kept here.
    let mut early: Vec<Vec<Value>> = Vec::new();
    let mut subscribe = |con: &mut redis::Connection,
                         lookup: &mut redis::Connection,
                         early: &mut Vec<Vec<Value>>| {
        let mut found: Vec<String> = redis::cmd("PUBSUB")
            .arg("SHARDCHANNELS")
            .arg(&pattern)
            .query(lookup)
            .map_err(classify)?;
        found.extend(wanted.iter().cloned());
        found.retain(|c| !known.contains(c));
        found.sort();
        found.dedup();
        // One SSUBSCRIBE per channel: in a cluster, channels of one command share a slot.
        for channel in found {
            send(con, redis::cmd("SSUBSCRIBE").arg(&channel))?;
            known.push(channel);
            loop {
                match con.recv_response().map_err(classify)? {
                    Value::Array(push) if is_kind(&push, b"smessage") => early.push(push),
                    Value::Array(_) => break,
                    other => return Err(Error::Redis(format!("unexpected answer {other:?}"))),
                }
            }
        }
        Ok::<_, Error>(())
    };
    let result = (|| {
        subscribe(&mut con, &mut lookup, &mut early)?;
        let _ = tx.send(Event::Ready(format!(
            "SSUBSCRIBE {pattern} (found and new)"
        )));
        con.set_read_timeout(Some(POLL)).map_err(classify)?;
        loop {
            let push = match early.pop() {
                Some(push) => push,
                None => match next_push(&mut con)? {
                    Some(push) => push,
                    None => {
                        subscribe(&mut con, &mut lookup, &mut early)?;
                        early.reverse();
                        continue;
                    }
                },
            };
            if let [kind, channel, payload] = push.as_slice()
                && bulk(kind) == Some(b"smessage".as_slice())
            {
                let channel = String::from_utf8_lossy(bulk(channel).unwrap_or_default());
                let payload = bulk(payload).unwrap_or_default();
                let via = format!("SPUBLISH {channel}");
                let m = value::json_or_msgpack(payload)
                    .and_then(|d| Message::cluster(via.clone(), &d))
                    .unwrap_or_else(|| Message::undecodable(via, payload));
                if tx.send(Event::Heard(Box::new(m))).is_err() {
                    return Ok(());
                }
            }
        }
    })();
    if let Err(e) = result {
        let _ = tx.send(Event::Failed(e));
    }
}

/// XREAD on the streams adapter's stream keys, from the entries added after start-up.
pub fn streams(mut con: redis::Connection, keys: Vec<String>, tx: Sender<Event>) {
    let result = (|| {
        // The last entry now, rather than `$`: nothing added between "ready" and the first
        // XREAD is missed.
        let mut ids = Vec::new();
        for key in &keys {
            let last: Vec<(String, Value)> = redis::cmd("XREVRANGE")
                .arg(key)
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1)
                .query(&mut con)
                .map_err(classify)?;
            ids.push(
                last.first()
                    .map_or_else(|| "0-0".to_owned(), |(id, _)| id.clone()),
            );
        }
        let _ = tx.send(Event::Ready(format!("XREAD {}", keys.join(" "))));
        loop {
            let reply: Value = redis::cmd("XREAD")
                .arg("BLOCK")
                .arg(POLL.as_millis() as u64)
                .arg("STREAMS")
                .arg(&keys)
                .arg(&ids)
                .query(&mut con)
                .map_err(classify)?;
            for (key, entries) in stream_reply(reply) {
                let Some(slot) = keys.iter().position(|k| *k == key) else {
                    continue;
                };
                for (id, fields) in entries {
                    let m = Message::stream_entry(format!("XADD {key} {id}"), &fields);
                    ids[slot] = id;
                    if tx.send(Event::Heard(Box::new(m))).is_err() {
                        return Ok(());
                    }
                }
            }
        }
    })();
    if let Err(e) = result {
        let _ = tx.send(Event::Failed(e));
    }
}

/// Decodes a PUBLISH on one of the prefix's channels, by its channel and first byte.
fn pubsub_message(key: &str, channel: &str, payload: &[u8]) -> Message {
    let via = format!("PUBLISH {channel}");
    let decoded = value::json_or_msgpack(payload);
    let is_request = channel.starts_with(&format!("{key}-request#"))
        || channel.starts_with(&format!("{key}-response#"));
    let message = decoded.as_ref().and_then(|d| {
        if is_request {
            Message::classic_request(via.clone(), d)
        } else if d.is_array() {
            Message::classic_broadcast(via.clone(), d)
        } else {
            Message::cluster(via.clone(), d)
        }
    });
    let mut m = message.unwrap_or_else(|| Message::undecodable(via, payload));
    if m.nsp.is_none() {
        m.nsp = namespace_of(key, channel);
    }
    m
}

/// The namespace part of `key#nsp#…`, `key-request#nsp#`, `key-response#nsp#…`.
fn namespace_of(key: &str, channel: &str) -> Option<String> {
    let rest = channel.strip_prefix(key)?;
    let rest = rest
        .strip_prefix("-request#")
        .or_else(|| rest.strip_prefix("-response#"))
        .or_else(|| rest.strip_prefix('#'))?;
    rest.split('#').next().map(str::to_owned)
}

fn send(con: &mut redis::Connection, cmd: &redis::Cmd) -> Result<(), Error> {
    con.send_packed_command(&cmd.get_packed_command())
        .map_err(classify)
}

fn confirmation(con: &mut redis::Connection) -> Result<(), Error> {
    match con.recv_response().map_err(classify)? {
        Value::Array(_) => Ok(()),
        other => Err(Error::Redis(format!("unexpected answer {other:?}"))),
    }
}

/// The next push, or None when the read timed out.
fn next_push(con: &mut redis::Connection) -> Result<Option<Vec<Value>>, Error> {
    match con.recv_response() {
        Ok(Value::Array(items)) | Ok(Value::Push { data: items, .. }) => Ok(Some(items)),
        Ok(_) => Ok(None),
        Err(e) if e.is_timeout() => Ok(None),
        Err(e) => Err(classify(e)),
    }
}

fn is_kind(push: &[Value], kind: &[u8]) -> bool {
    push.first().and_then(bulk) == Some(kind)
}

fn bulk(v: &Value) -> Option<&[u8]> {
    match v {
        Value::BulkString(b) => Some(b),
        _ => None,
    }
}

type Entry = (String, Vec<(String, Vec<u8>)>);

/// `XREAD`'s answer as (key, [(id, [(field, value)])]); nil (timeout) gives nothing.
fn stream_reply(reply: Value) -> Vec<(String, Vec<Entry>)> {
    let text = |v: &Value| String::from_utf8_lossy(bulk(v).unwrap_or_default()).into_owned();
    let Value::Array(streams) = reply else {
        return Vec::new();
    };
    streams
        .into_iter()
        .filter_map(|s| {
            let Value::Array(pair) = s else { return None };
            let [key, Value::Array(entries)] = pair.as_slice() else {
                return None;
            };
            let entries = entries
                .iter()
                .filter_map(|e| {
                    let Value::Array(e) = e else { return None };
                    let [id, Value::Array(flat)] = e.as_slice() else {
                        return None;
                    };
                    let fields = flat
                        .chunks(2)
                        .filter_map(|kv| Some((text(&kv[0]), bulk(kv.get(1)?)?.to_vec())))
                        .collect();
                    Some((text(id), fields))
                })
                .collect();
            Some((text(key), entries))
        })
        .collect()
}
