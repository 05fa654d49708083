//! `serverSideEmit` with an acknowledgement: each server whose handler calls its callback
//! answers once, with the callback's first argument (classic request type 6 with a
//! `requestId`, answered on `P-response#N#`; ClusterAdapter SERVER_SIDE_EMIT 9 answered
//! by 10).

use std::time::Duration;

use super::Asker;
use super::request::{self, Wire};
use crate::adapter::{classic, sharded};
use crate::error::Result;
use crate::target::Target;
use crate::value::Value;

/// The servers' acknowledgements, and how many counted servers gave none in time (their
/// handler did not call back, or too late, or the server is gone).
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Acks {
    /// Each answering server's acknowledgement (its callback's first argument).
    pub responses: Vec<serde_json::Value>,
    pub servers_answered: u64,
    pub servers_missing: u64,
}

impl Acks {
    pub fn complete(&self) -> bool {
        self.servers_missing == 0
    }

    /// `{"responses", "servers_answered", "servers_missing", "complete"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "responses": self.responses,
            "servers_answered": self.servers_answered,
            "servers_missing": self.servers_missing,
            "complete": self.complete(),
        })
    }
}

pub(crate) async fn server_side_emit_with_ack(
    asker: &Asker<'_>,
    target: &Target,
    event: &str,
    args: &[Value],
    timeout: Duration,
) -> Result<Acks> {
    let (flavour, key) = (asker.flavour, asker.key);
    let nsp = target.namespace();
    let route = request::route(flavour, key, nsp, "server_side_emit_with_ack")?;
    // The plain serverSideEmit message, with a request id added: classic servers take it
    // as JSON (binary in Buffer form), ClusterAdapter servers as the sharded message.
    let plain = match route.wire {
        Wire::Classic => classic::server_side_emit(key, target, event, args)?,
        Wire::Cluster => sharded::server_side_emit(key, target, event, args)?,
    };
    let request_id = super::request_id();
    let request = route.with_request_id(&plain.payload, &request_id)?;
    let collected = route
        .send(asker, nsp, &request_id, &request, false)
        .await?
        .one_per_server(timeout)
        .await;
    // Classic replies carry the callback's argument in `data`, ClusterAdapter ones in `packet`.
    let field = match route.wire {
        Wire::Classic => "data",
        Wire::Cluster => "packet",
    };
    Ok(Acks {
        servers_answered: collected.replies.len() as u64,
        responses: collected
            .replies
            .into_iter()
            .map(|mut reply| reply[field].take())
            .collect(),
        servers_missing: collected.missing,
    })
}
