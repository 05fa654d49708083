use socketio_emitter::{AdapterKind, Emitter, EmitterConfig, StreamsVersion, args};

/// An emitter for servers on @socket.io/redis-streams-adapter 0.3, as configured there.
async fn streams(url: &str) -> socketio_emitter::Result<u64> {
    let config = EmitterConfig::new(url)
        .with_adapter(AdapterKind::Streams)
        .with_streams("socket.io", 1, 10_000); // streamName, streamCount, maxLen
    let io = Emitter::with_config(config).await?;
    // The servers that read the namespace (their side-channel subscribers).
    let servers = io.to("room1").emit("chat", &args!["hi"]).await?;
    io.close().await?;
    Ok(servers)
}

/// 0.1/0.2 servers: one stream and no Pub/Sub; an emit resolves to 1 once stored.
fn streams_0_2(url: &str) -> EmitterConfig {
    EmitterConfig::new(url)
        .with_adapter(AdapterKind::Streams)
        .with_streams_version(StreamsVersion::V02)
}

/// socket.io 2.x with socket.io-redis 5.x (compat names parse from the shared spelling). The
/// blocking API needs no runtime: call it from a thread that is not running async code.
fn legacy(url: &str) -> socketio_emitter::Result<()> {
    let config = EmitterConfig::new(url).with_compat("socket.io-redis-5".parse()?);
    let io = socketio_emitter::blocking::Emitter::with_config(config)?;
    match io.except("muted").emit("chat", &args!["hi"]) {
        Err(e) if e.code() == "UNSUPPORTED" => {} // those servers cannot exclude rooms
        other => {
            other?;
        }
    }
    io.close()?;
    Ok(())
}
