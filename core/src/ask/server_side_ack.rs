//! `serverSideEmit` with an acknowledgement on the classic adapter (request type 6 with a
//! `requestId`): each server whose handler calls its callback answers once, with the
//! callback's first argument, on `P-response#N#`.

use std::time::Duration;

use super::classic_request::ask_every_server;
use super::replies::Replies;
use crate::adapter::Output;
use crate::error::{Error, Result};
use crate::publish::Connection;

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

/// `request` is what a plain serverSideEmit of the same event would publish.
pub(crate) async fn server_side_emit_with_ack(
    conn: &Connection,
    replies: &Replies,
    key: &str,
    nsp: &str,
    request: Output,
    timeout: Duration,
) -> Result<Acks> {
    // A JSON request carries `data` as JSON; one with binary arguments is msgpack.
    let Ok(serde_json::Value::Object(mut plain)) = serde_json::from_slice(&request.payload) else {
        return Err(Error::Unsupported(
            "serverSideEmit with an acknowledgement and binary arguments is not implemented yet"
                .into(),
        ));
    };
    let mut fields = serde_json::Map::new();
    fields.insert("data".into(), plain.remove("data").unwrap_or_default());
    let collected = ask_every_server(conn, replies, key, nsp, 6, fields, timeout).await?;
    Ok(Acks {
        servers_answered: collected.replies.len() as u64,
        responses: collected
            .replies
            .into_iter()
            .map(|mut reply| reply["data"].take())
            .collect(),
        servers_missing: collected.missing,
    })
}
