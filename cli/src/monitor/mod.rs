//! `socketio-emit monitor`: listens like a server on every Redis path an adapter uses and
//! prints each Socket.IO message it hears, decoded.

mod listen;
mod message;
mod value;

use std::io::Write;
use std::sync::mpsc;

use socketio_emitter::Error;

use crate::cli::Options;
use crate::redis_link::{connect_to, listening_points};
use listen::Event;

/// Listens until Redis goes away (or stdout is closed) and returns the error that ended it.
pub fn run(options: &Options, of: Option<&str>) -> Result<(), Error> {
    let key = options.key.clone().unwrap_or_else(|| "socket.io".into());
    let adapters: Vec<&str> = match options.adapter.as_deref() {
        Some(one) if one != "auto" => vec![one],
        _ => vec!["classic", "sharded", "streams"],
    };
    let (main, masters) = listening_points(options)?;
    let connect_main = || connect_to(options, &main);
    let (tx, rx) = mpsc::channel();
    let mut listeners = 0;
    // The streams adapter's side channel (`key#nsp#`) is heard by the classic listener.
    if adapters.iter().any(|a| *a == "classic" || *a == "streams") {
        let con = connect_main()?;
        let (key, tx) = (key.clone(), tx.clone());
        std::thread::spawn(move || listen::classic(con, &key, tx));
        listeners += 1;
    }
    if adapters.contains(&"sharded") && sharded_pubsub_available(connect_main()?, &adapters)? {
        // On a cluster each master lists and serves the sharded channels of its slots;
        // a channel asked for by name (--of) is only certain to be served on one Redis.
        let one = masters.len() == 1;
        for master in &masters {
            let (con, lookup) = (connect_to(options, master)?, connect_to(options, master)?);
            let wanted = of
                .filter(|_| one)
                .map(|nsp| format!("{key}#{nsp}#"))
                .into_iter()
                .collect();
            let (key, tx) = (key.clone(), tx.clone());
            std::thread::spawn(move || listen::sharded(con, lookup, &key, wanted, tx));
            listeners += 1;
        }
    }
    if adapters.contains(&"streams") {
        let con = connect_main()?;
        let keys = stream_keys(options);
        let tx = tx.clone();
        std::thread::spawn(move || listen::streams(con, keys, tx));
        listeners += 1;
    }
    drop(tx);

    let mut ready = Vec::new();
    let stdout = std::io::stdout();
    for event in rx {
        let mut out = stdout.lock();
        let written = match event {
            Event::Failed(e) => return Err(e),
            Event::Ready(what) => {
                ready.push(what);
                if ready.len() < listeners {
                    continue;
                }
                if options.json {
                    let line = serde_json::json!({"op": "ready", "listening": ready});
                    writeln!(out, "{line}")
                } else {
                    writeln!(out, "ready: {}", ready.join("; "))
                }
            }
            Event::Heard(m) => {
                if of.is_some() && m.nsp.as_deref() != of {
                    continue;
                }
                if options.json {
                    writeln!(out, "{}", m.to_json())
                } else {
                    writeln!(out, "{}", m.to_line())
                }
            }
        };
        // A closed pipe (`| head`) ends the monitor quietly.
        if written.and_then(|_| out.flush()).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Sharded Pub/Sub needs Redis 7; without an explicit `--adapter sharded`, older Redis is
/// simply not listened to that way.
fn sharded_pubsub_available(mut con: redis::Connection, adapters: &[&str]) -> Result<bool, Error> {
    let probe: redis::RedisResult<redis::Value> = redis::cmd("PUBSUB")
        .arg("SHARDCHANNELS")
        .arg("-")
        .query(&mut con);
    match probe {
        Ok(_) => Ok(true),
        Err(_) if adapters.len() > 1 => Ok(false),
        Err(e) => Err(Error::Redis(format!(
            "this Redis has no sharded Pub/Sub (Redis 7 or later): {e}"
        ))),
    }
}

/// The stream keys the streams adapter writes: `name`, or `name-0` … `name-(count-1)`.
fn stream_keys(options: &Options) -> Vec<String> {
    let name = options
        .stream_name
        .clone()
        .unwrap_or_else(|| "socket.io".into());
    match options.stream_count.unwrap_or(1) {
        0 | 1 => vec![name],
        n => (0..n).map(|i| format!("{name}-{i}")).collect(),
    }
}
