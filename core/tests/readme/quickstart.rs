use socketio_emitter::{Emitter, Value, args};

#[tokio::main]
async fn main() -> socketio_emitter::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let io = Emitter::connect(&url).await?;

    // Every client of the default namespace.
    let servers = io.emit("news", &args!["hello", 42]).await?;
    println!("{servers} Socket.IO server(s) received it"); // servers, not clients; 0: nobody listens

    // Rooms, exclusions, namespaces and flags build immutable targets that can be reused.
    let admins = io.of("/admin").to("room1").except("muted");
    admins.volatile().emit("ping", &[]).await?;
    admins.emit("file", &[Value::bytes(vec![1, 2, 3])]).await?; // arrives as binary

    // Act on the matching sockets of every server.
    io.to("room1").sockets_join("room2").await?;
    io.to("banned").disconnect_sockets(false).await?; // only the sockets in room "banned"
    io.server_side_emit("refresh-cache", &args!["users"]).await?;

    // Fire-and-forget with a bounded queue; flush() reports every failure.
    for i in 0..1000 {
        io.emit_nowait("tick", &args![i])?;
    }
    io.flush().await?;
    io.close().await?;
    Ok(())
}
