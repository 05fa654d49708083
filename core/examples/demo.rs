//! `make demo`: starts a local Redis and a real Socket.IO 4.8 server (through the test
//! harness), connects a socket.io client to it, emits a few events from Rust and prints
//! what the client received.

use std::time::Duration;

use interop_harness::{Harness, json};
use socketio_emitter::{Emitter, Value, args};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("starting redis-server and a Socket.IO server (tests/harness/harness.js)…");
    let harness = tokio::task::spawn_blocking(|| Harness::start(&["--servers", "1"])).await?;
    harness.client("browser", 0, "/", json!(["news"]));
    harness.client("other-room", 0, "/", json!(["sports"]));
    println!(
        "redis at {}; two clients connected: `browser` in room news, `other-room` in room sports\n",
        harness.redis_url
    );

    let io = Emitter::connect(&harness.redis_url).await?;
    let reached = io.emit("greeting", &args!["hello from Rust", 2026]).await?;
    println!("emit(\"greeting\") to everyone           → {reached} server(s) received it");
    let reached = io
        .to("news")
        .emit(
            "headline",
            &args![Value::map([("title", Value::from("Rust emitter ships"))])],
        )
        .await?;
    println!("to(\"news\").emit(\"headline\")            → {reached} server(s)");
    let reached = io
        .to("news")
        .emit("avatar", &[Value::bytes([0x89, b'P', b'N', b'G'])])
        .await?;
    println!("to(\"news\").emit(\"avatar\", <4 bytes>)   → {reached} server(s)");
    io.close().await?;

    let harness = tokio::task::spawn_blocking(move || {
        harness.flush();
        std::thread::sleep(Duration::from_millis(50));
        harness
    })
    .await?;
    for client in ["browser", "other-room"] {
        println!("\nclient `{client}` received:");
        let events = harness.events(client);
        if events.is_empty() {
            println!("  (nothing)");
        }
        for (event, args) in events {
            println!("  {event} {}", serde_json::Value::Array(args));
        }
    }
    Ok(())
}
