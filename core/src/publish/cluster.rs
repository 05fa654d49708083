//! Redis Cluster through redis-rs's `cluster_async`: it routes each command to the master
//! owning its channel's slot, follows MOVED and ASK, refreshes the slot map and reconnects
//! to nodes by itself. What it cannot do is send one pipeline across slots, so the emitter
//! splits its pipelines by slot ([`slot_of`]).

use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::Slot;
use redis::{ProtocolVersion, RedisResult};

use crate::config::EmitterConfig;

/// How often redis-rs may retry a command itself (after MOVED, ASK, TRYAGAIN, or a lost
/// node while the cluster fails over). Each retry stays within the emitter's call budget.
const RETRIES: u32 = 16;

pub(crate) fn client(
    cfg: &EmitterConfig,
    nodes: &[String],
    protocol: ProtocolVersion,
) -> RedisResult<ClusterClient> {
    let mut builder = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
        .connection_timeout(cfg.connect_timeout)
        .response_timeout(cfg.response_timeout)
        .retries(RETRIES)
        .min_retry_wait(cfg.reconnect_min_delay.as_millis() as u64)
        .max_retry_wait(cfg.reconnect_max_delay.as_millis() as u64)
        .use_protocol(protocol);
    if let Some(pem) = &cfg.tls_ca_pem {
        builder = builder.certs(redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(pem.clone()),
        });
    }
    builder.build()
}

pub(crate) async fn connect(client: &ClusterClient) -> RedisResult<ClusterConnection> {
    client.get_async_connection().await
}

/// The hash slot of a channel: sharded channels live on the master that owns it. The
/// channels we publish to have no `{…}` hash tag of their own, but a user's key might, so
/// we apply the same rule as Redis.
pub(crate) fn slot_of(channel: &str) -> Slot {
    Slot::for_key(channel.as_bytes())
}
