//! The emitter's connection to Redis, whatever the topology: one server or a master found
//! through Sentinel ([`Multiplexed`], which reconnects itself), or a Redis Cluster
//! (redis-rs's `ClusterConnection`, which does its own routing and reconnection). The rest
//! of `publish/` sees only [`Link`] and [`Conn`], so the queue, the fast lane, the budgets
//! and the error mapping work the same over all three.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo, SingleNodeRoutingInfo};
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};

use super::cluster::slot_of;
use super::multiplexed::Multiplexed;
use crate::adapter::Output;

pub(crate) enum Link {
    Single(Box<Multiplexed>),
    Cluster(ClusterConnection),
}

/// A connection one call runs on.
#[derive(Clone)]
pub(crate) enum Conn {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

impl Link {
    /// Runs `attempt` on the connection (one server: connecting first if needed).
    pub(crate) async fn run<T, F, Fut>(&self, attempt: F) -> RedisResult<T>
    where
        F: FnOnce(Conn) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        match self {
            Link::Single(m) => m.run(|c| attempt(Conn::Single(c))).await,
            Link::Cluster(c) => attempt(Conn::Cluster(c.clone())).await,
        }
    }

    /// One command, for the emitter's own bookkeeping.
    pub(crate) async fn query<T: redis::FromRedisValue>(&self, cmd: &Cmd) -> RedisResult<T> {
        self.run(|mut conn| async move { cmd.query_async(&mut conn).await })
            .await
    }

    /// The server that a blocking caller's own connection should use; `None` on a cluster,
    /// where blocking calls take the multiplexed path (which knows the slot map).
    pub(crate) fn single_server(&self) -> Option<Arc<Mutex<redis::Client>>> {
        match self {
            Link::Single(m) => Some(m.server()),
            Link::Cluster(_) => None,
        }
    }

    /// The `CLIENT LIST` of every server Socket.IO servers may subscribe on (every node of
    /// a cluster), for pacing.
    pub(crate) async fn client_lists(&self, cmd: &Cmd) -> RedisResult<Vec<String>> {
        match self {
            Link::Single(_) => Ok(vec![self.query(cmd).await?]),
            Link::Cluster(c) => {
                let routing = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllNodes, None));
                let reply = c.clone().route_command(cmd.clone(), routing).await?;
                let mut lists = Vec::new();
                collect_texts(reply, &mut lists);
                Ok(lists)
            }
        }
    }

    /// `cmd` on every server Socket.IO servers may subscribe on (every node of a cluster,
    /// or only its masters, which hold the keys): each node's address and answer. The one
    /// server of other topologies answers with an empty address.
    pub(crate) async fn per_node(
        &self,
        cmd: &Cmd,
        masters_only: bool,
    ) -> RedisResult<Vec<(String, Value)>> {
        match self {
            Link::Single(_) => Ok(vec![(String::new(), self.query(cmd).await?)]),
            Link::Cluster(c) => {
                let nodes = if masters_only {
                    MultipleNodeRoutingInfo::AllMasters
                } else {
                    MultipleNodeRoutingInfo::AllNodes
                };
                // No response policy: redis-rs answers with a map of address → answer.
                let routing = RoutingInfo::MultiNode((nodes, None));
                Ok(match c.clone().route_command(cmd.clone(), routing).await? {
                    Value::Map(pairs) => pairs
                        .into_iter()
                        .map(|(address, answer)| (text_of(address), answer))
                        .collect(),
                    other => vec![(String::new(), other)],
                })
            }
        }
    }

    /// `cmd` on the node at `address` (as [`per_node`](Self::per_node) named it).
    pub(crate) async fn on_node(&self, address: &str, cmd: &Cmd) -> RedisResult<Value> {
        let (Link::Cluster(c), Some((host, port))) = (self, address.rsplit_once(':')) else {
            return self.query(cmd).await;
        };
        let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress {
            host: host.to_owned(),
            port: port.parse().unwrap_or(0),
        });
        c.clone().route_command(cmd.clone(), routing).await
    }

    /// Which outputs may share one pipeline, as lists of indices in their original order:
    /// all of them on one server; on a cluster, those whose channels hash to the same slot
    /// (redis-rs refuses a pipeline that crosses slots).
    pub(crate) fn pipeline_groups(&self, outs: &[&Output]) -> Vec<Vec<usize>> {
        match self {
            Link::Single(_) => vec![(0..outs.len()).collect()],
            Link::Cluster(_) => {
                let mut order = Vec::new();
                let mut groups: HashMap<_, Vec<usize>> = HashMap::new();
                for (i, out) in outs.iter().enumerate() {
                    let slot = slot_of(&out.channel);
                    groups
                        .entry(slot)
                        .or_insert_with(|| {
                            order.push(slot);
                            Vec::new()
                        })
                        .push(i);
                }
                order
                    .into_iter()
                    .filter_map(|slot| groups.remove(&slot))
                    .collect()
            }
        }
    }
}

/// Every text in a reply, however redis-rs aggregated the nodes' answers.
fn collect_texts(value: Value, into: &mut Vec<String>) {
    match value {
        Value::BulkString(bytes) => into.push(String::from_utf8_lossy(&bytes).into_owned()),
        Value::SimpleString(s) => into.push(s),
        Value::VerbatimString { text, .. } => into.push(text),
        Value::Array(items) | Value::Set(items) => {
            items.into_iter().for_each(|v| collect_texts(v, into));
        }
        // Node address → that node's answer.
        Value::Map(pairs) => pairs.into_iter().for_each(|(_, v)| collect_texts(v, into)),
        _ => {}
    }
}

fn text_of(value: Value) -> String {
    let mut texts = Vec::new();
    collect_texts(value, &mut texts);
    texts.concat()
}
