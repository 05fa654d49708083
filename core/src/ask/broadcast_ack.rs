//! A broadcast with acknowledgements, the server API's `io.timeout(t).emit(event, ...,
//! callback)`: each server answers once with how many of its clients it targeted, then each
//! client that acknowledges is relayed (classic request type 7, replies 8 and 9; the
//! ClusterAdapter's BROADCAST with a `requestId`, replies 11 and 12).

use std::time::Duration;

use rmpv::Value as M;

use super::Asker;
use super::decode;
use super::request::{self, Sent, Wire};
use crate::adapter::{classic, sharded};
use crate::config::SubscriptionMode;
use crate::error::{Error, Result};
use crate::target::Target;
use crate::value::Value;

/// The clients' acknowledgements, how many clients were targeted, and what is missing.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct BroadcastAcks {
    /// Each acknowledging client's first callback argument, in arrival order.
    pub responses: Vec<serde_json::Value>,
    /// The clients the answering servers sent the event to.
    pub clients_targeted: u64,
    /// Targeted clients whose acknowledgement did not arrive in time.
    pub clients_missing: u64,
    /// Counted servers that did not say how many clients they targeted: their clients are
    /// in neither number.
    pub servers_missing: u64,
}

impl BroadcastAcks {
    /// Every targeted client answered and every counted server said how many it targeted.
    pub fn complete(&self) -> bool {
        self.servers_missing == 0 && self.clients_missing == 0
    }

    /// `{"responses", "clients_targeted", "clients_missing", "servers_missing", "complete"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "responses": self.responses,
            "clients_targeted": self.clients_targeted,
            "clients_missing": self.clients_missing,
            "servers_missing": self.servers_missing,
            "complete": self.complete(),
        })
    }
}

pub(crate) async fn emit_with_ack(
    asker: &Asker<'_>,
    target: &Target,
    event: &str,
    args: &[Value],
    timeout: Duration,
) -> Result<BroadcastAcks> {
    let (flavour, key) = (asker.flavour, asker.key);
    let nsp = target.namespace();
    let route = request::route(flavour, key, nsp, "emit_with_ack")?;
    let request_id = super::request_id();
    let (request, codes) = match route.wire {
        Wire::Classic => (
            classic_request(key, target, event, args, &request_id)?,
            CLASSIC,
        ),
        Wire::Cluster => {
            // Servers send a broadcast with acknowledgements on the main channel only: the
            // static mode's channel choice.
            let plain = sharded::broadcast(key, SubscriptionMode::Static, target, event, args)?;
            (route.with_request_id(&plain.payload, &request_id)?, CLUSTER)
        }
    };
    let Sent {
        mut pending,
        servers,
    } = route.send(asker, nsp, &request_id, &request, true).await?;
    let mut acks = BroadcastAcks::default();
    let mut counted = 0;
    let deadline = tokio::time::Instant::now() + timeout;
    while counted < servers || (acks.responses.len() as u64) < acks.clients_targeted {
        match tokio::time::timeout_at(deadline, pending.replies.recv()).await {
            Ok(Some(mut reply)) => match reply["type"].as_u64() {
                Some(t) if t == codes.client_count => {
                    counted += 1;
                    acks.clients_targeted += reply["clientCount"].as_u64().unwrap_or(0);
                }
                Some(t) if t == codes.ack => acks.responses.push(reply["packet"].take()),
                _ => {}
            },
            _ => break,
        }
    }
    acks.servers_missing = servers.saturating_sub(counted);
    acks.clients_missing = acks
        .clients_targeted
        .saturating_sub(acks.responses.len() as u64);
    Ok(acks)
}

/// The reply types: how many clients a server targeted, and one client's acknowledgement.
struct Codes {
    client_count: u64,
    ack: u64,
}

const CLASSIC: Codes = Codes {
    client_count: 8,
    ack: 9,
};
const CLUSTER: Codes = Codes {
    client_count: 11,
    ack: 12,
};

/// `{uid, requestId, type: 7, packet: {type, data, nsp}, opts: {rooms, flags, except}}`: the
/// packet and options of the plain broadcast message `[uid, packet, opts]`.
fn classic_request(
    key: &str,
    target: &Target,
    event: &str,
    args: &[Value],
    request_id: &str,
) -> Result<M> {
    let plain = classic::broadcast(key, target, event, args)?;
    let Some(M::Array(mut parts)) = decode::message(&plain.payload) else {
        return Err(Error::Internal("could not read back a broadcast".into()));
    };
    let opts = parts.pop().unwrap_or(M::Nil);
    let packet = parts.pop().unwrap_or(M::Nil);
    Ok(M::Map(vec![
        (M::from("uid"), M::from(super::REQUESTER_UID)),
        (M::from("requestId"), M::from(request_id)),
        (M::from("type"), M::from(7)),
        (M::from("packet"), packet),
        (M::from("opts"), opts),
    ]))
}
