use std::time::Duration;

use socketio_emitter::{Emitter, Value};

/// Is user 42 online, and does their browser confirm a message?
async fn ask(url: &str) -> socketio_emitter::Result<(bool, u64)> {
    let io = Emitter::connect(url).await?;
    let timeout = Duration::from_secs(5);
    println!("{} servers serve /", io.server_count().await?);

    let found = io.to("user:42").fetch_sockets(timeout).await?;
    if !found.complete() {
        // Some servers did not answer in time: the list may miss their sockets.
        println!("{} servers did not answer", found.servers_missing);
    }
    for socket in &found.sockets {
        println!("{} in {:?}, data {}", socket.id, socket.rooms, socket.data);
    }

    let acks = io
        .to("user:42")
        .emit_with_ack("confirm", &[Value::from("order 7")], timeout)
        .await?;
    println!(
        "{} of {} clients answered: {:?}",
        acks.responses.len(),
        acks.clients_targeted,
        acks.responses
    );
    io.close().await?;
    Ok((!found.sockets.is_empty(), acks.responses.len() as u64))
}
