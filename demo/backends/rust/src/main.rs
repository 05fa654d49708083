//! The demo's Rust backend: emits to everyone, to rooms, to /admin and a PNG, once a second.
//!
//!     REDIS_URL=redis://127.0.0.1:6379 cargo run --manifest-path demo/backends/rust/Cargo.toml

use std::time::Duration;

use socketio_emitter::{Emitter, Value};

const LANG: &str = "Rust";
const IMAGE: &[u8] = include_bytes!("../../image.png");

/// The event's payload: who sent it, to which room (if any), and a line of text.
fn payload(room: Option<&str>, text: &str) -> Value {
    let mut fields = vec![("lang", Value::from(LANG)), ("text", Value::from(text))];
    if let Some(room) = room {
        fields.push(("room", Value::from(room)));
    }
    Value::map(fields)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> socketio_emitter::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let interval_ms = std::env::var("DEMO_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse().ok());
    let interval = Duration::from_millis(interval_ms.unwrap_or(1000));

    let io = Emitter::connect(&url).await?;
    for tick in 1.. {
        let text = format!("hello from {LANG} #{tick}");
        io.emit("message", &[payload(None, &text)]).await?;
        io.to("news")
            .emit("message", &[payload(Some("news"), &text)])
            .await?;
        io.to("sports")
            .emit("message", &[payload(Some("sports"), &text)])
            .await?;
        io.of("/admin")
            .emit("message", &[payload(None, &text)])
            .await?;
        // Value::bytes arrives at the client as binary.
        io.emit("image", &[payload(None, &text), Value::bytes(IMAGE)])
            .await?;
        tokio::time::sleep(interval).await;
    }
    Ok(())
}
