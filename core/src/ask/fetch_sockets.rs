//! `fetchSockets`: every server answers once, with its matching sockets (classic request
//! type 5, docs/protocol.md §2.6; ClusterAdapter FETCH_SOCKETS 7 answered by 8, §3.2).

use std::time::Duration;

use serde_json::json;

use super::Asker;
use super::encode::{self, Question};

use crate::error::Result;
use crate::target::Target;

/// A socket of some server of the cluster, as that server described it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RemoteSocket {
    pub id: String,
    pub rooms: Vec<String>,
    /// `socket.data`, as the server set it.
    pub data: serde_json::Value,
    /// `socket.handshake` (headers, query, address, ...).
    pub handshake: serde_json::Value,
}

/// What the servers answered, and how many did not answer in time.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Fetched {
    pub sockets: Vec<RemoteSocket>,
    /// Servers that were counted before the request and answered.
    pub servers_answered: u64,
    /// Servers that were counted before the request but did not answer in time: when it is
    /// not 0 the list is partial.
    pub servers_missing: u64,
}

impl Fetched {
    pub fn complete(&self) -> bool {
        self.servers_missing == 0
    }

    /// `{"sockets": [{"id", "rooms", "data", "handshake"}], "servers_answered",
    /// "servers_missing", "complete"}`: the form the bindings hand to their languages.
    pub fn to_json(&self) -> serde_json::Value {
        let sockets: Vec<_> = self
            .sockets
            .iter()
            .map(
                |s| json!({"id": s.id, "rooms": s.rooms, "data": s.data, "handshake": s.handshake}),
            )
            .collect();
        json!({
            "sockets": sockets,
            "servers_answered": self.servers_answered,
            "servers_missing": self.servers_missing,
            "complete": self.complete(),
        })
    }
}

pub(crate) async fn fetch_sockets(
    asker: &Asker<'_>,
    target: &Target,
    timeout: Duration,
) -> Result<Fetched> {
    let question = Question::FetchSockets {
        timeout: Some(timeout),
    };
    let (_, sent) = encode::ask(asker, target, question).await?;
    let collected = sent.one_per_server(timeout).await;
    let servers_answered = collected.replies.len() as u64;
    Ok(Fetched {
        sockets: collected
            .replies
            .into_iter()
            .flat_map(|mut reply| match reply["sockets"].take() {
                serde_json::Value::Array(sockets) => sockets,
                _ => Vec::new(),
            })
            .map(remote_socket)
            .collect(),
        servers_answered,
        servers_missing: collected.missing,
    })
}

/// Takes the socket's parts out of its reply (answers can be large: no copies).
fn remote_socket(mut socket: serde_json::Value) -> RemoteSocket {
    let text = |v: serde_json::Value| match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    };
    RemoteSocket {
        id: text(socket["id"].take()),
        rooms: match socket["rooms"].take() {
            serde_json::Value::Array(rooms) => rooms.into_iter().map(text).collect(),
            _ => Vec::new(),
        },
        data: socket["data"].take(),
        handshake: socket["handshake"].take(),
    }
}
