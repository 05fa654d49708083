//! I/O: sending [`Output`](crate::adapter::Output)s to Redis over redis-rs.
//!
//! [`Connection`] wraps one multiplexed, self-reconnecting connection ([`link`]: one server,
//! Sentinel or a Redis Cluster): concurrent awaited publishes share it and are pipelined by
//! redis-rs. [`queue`] adds the non-blocking path,
//! which batches queued outputs into explicit pipelines.

mod cluster;
mod connection;
mod fast_lane;
mod fate;
mod link;
mod multiplexed;
mod open;
mod pacing;
pub(crate) mod queue;
mod sentinel;
pub(crate) mod sigpipe;

pub(crate) use cluster::client as cluster_client;
pub use connection::Stamp as PipelineStamp;
pub(crate) use connection::{Connection, ReplySource};
