use socketio_emitter::{Emitter, args};

/// Sends "message" to room1 of /chat, except the sockets in room "muted".
async fn notify(url: &str) -> socketio_emitter::Result<u64> {
    let io = Emitter::connect(url).await?; // e.g. "redis://127.0.0.1:6379"
    let chat = io.of("/chat").to("room1").except("muted");
    let servers = chat.emit("message", &args!["hi"]).await?;
    io.close().await?;
    Ok(servers) // how many Socket.IO servers (not clients) received it
}
