use socketio_emitter::{AdapterKind, Emitter, EmitterConfig, inspect};

/// Lists who listens on this Redis, then emits with the adapter the servers use.
async fn emit_with_auto(url: &str) -> socketio_emitter::Result<u64> {
    let config = EmitterConfig::new(url).with_adapter(AdapterKind::Auto);
    for group in inspect::survey(&config).await?.listeners {
        println!("{group}"); // sharded adapter, key socket.io, namespace /: 2 servers
    }
    let io = Emitter::with_config(config).await?; // or Err with code DETECTION_FAILED
    println!("publishing for the {} adapter", io.adapter());
    let servers = io.emit("hello", &[]).await?;
    io.close().await?;
    Ok(servers)
}
