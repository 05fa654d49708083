//! `serverSideEmit` with an acknowledgement: each server whose handler calls its callback
//! answers once, with the callback's first argument (classic request type 6 with a
//! `requestId`, answered on `P-response#N#`; ClusterAdapter SERVER_SIDE_EMIT 9 answered
//! by 10).

use std::time::Duration;

use super::Asker;
use super::encode::{self, Question};
use super::request::Wire;
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
    let question = Question::ServerSideEmitWithAck { event, args };
    let (route, sent) = encode::ask(asker, target, question).await?;
    let collected = sent.one_per_server(timeout).await;
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
