//! Asking the Socket.IO cluster instead of telling it: what a server can learn about its
//! peers, from outside.
//! - [`server_count`]: how many servers serve a namespace, as Redis counts their
//!   subscriptions (no reply needed);
//! - `fetch_sockets`: the matching sockets of every server, collected from their replies;
//! - `all_rooms`: every room of every server (the classic adapter's ALL_ROOMS request);
//! - `server_side_emit_with_ack`: the acknowledgements of the servers' handlers;
//! - `emit_with_ack`: a broadcast whose clients acknowledge.
//!
//! Where requests go per adapter is in `request`; the shared reply subscription in
//! `replies`, over the connection in `reply_link`.

mod all_rooms;
mod broadcast_ack;
mod decode;
mod encode;
mod fetch_sockets;
mod replies;
mod reply_link;
mod request;
mod server_count;
mod server_side_ack;
mod stream_replies;

pub use all_rooms::Rooms;
pub(crate) use all_rooms::all_rooms;
pub use broadcast_ack::BroadcastAcks;
pub(crate) use broadcast_ack::emit_with_ack;
pub use encode::{Question, encode_request};
pub(crate) use fetch_sockets::fetch_sockets;
pub use fetch_sockets::{Fetched, RemoteSocket};
pub(crate) use replies::Replies;
pub(crate) use server_count::server_count;
pub use server_side_ack::Acks;
pub(crate) use server_side_ack::server_side_emit_with_ack;

// Requests carry the emitter's usual uid (`adapter::EMITTER_UID`). Servers answer on
// `P-response#N#<uid>#` (classic, with `publishOnSpecificResponseChannel`) or `P#N#<uid>#`;
// every emitter shares that channel, and replies are told apart by their `requestId`.

/// What every request needs from the emitter that makes it.
pub(crate) struct Asker<'a> {
    pub(crate) conn: &'a crate::publish::Connection,
    pub(crate) replies: &'a Replies,
    pub(crate) flavour: &'a crate::adapter::Flavour,
    pub(crate) key: &'a str,
}

/// A fresh request id: 128 random bits, in hex. Ids must not collide across emitters, which
/// share the reply channels.
pub(crate) fn request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    // RandomState is seeded from the OS's randomness once per process; a counter and the
    // clock make each id of this process different.
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let half = |salt: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u64(salt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("{:016x}{:016x}", half(1), half(2))
}
