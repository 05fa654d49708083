//! A broadcast with acknowledgements, the server API's `io.timeout(t).emit(event, ...,
//! callback)`: each server answers once with how many of its clients it targeted, then each
//! client that acknowledges is relayed (classic request type 7, replies 8 and 9; the
//! ClusterAdapter's BROADCAST with a `requestId`, replies 11 and 12).

use std::time::Duration;

use super::Asker;
use super::encode::{self, Question};
use super::request::{Sent, Wire};
use crate::error::Result;
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
    let question = Question::EmitWithAck {
        event,
        args,
        timeout: Some(timeout),
    };
    let (
        route,
        Sent {
            mut pending,
            servers,
        },
    ) = encode::ask(asker, target, question).await?;
    let codes = match route.wire {
        Wire::Classic => CLASSIC,
        Wire::Cluster => CLUSTER,
    };
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
