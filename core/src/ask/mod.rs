//! Asking the Socket.IO cluster instead of telling it: what a server can learn about its
//! peers, from outside. This first part needs no reply channel: how many servers serve a
//! namespace, as Redis itself counts their subscriptions.

mod server_count;

pub(crate) use server_count::server_count;
