//! One request to every classic-adapter server of a namespace, and the replies collected
//! until each counted server answered or the time is up (docs/protocol.md §2.6).

use std::time::Duration;

use serde_json::json;

use super::replies::Replies;
use crate::adapter::{Command, Flavour, Output};
use crate::error::Result;
use crate::publish::Connection;

/// The replies, and how many counted servers gave none in time.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) replies: Vec<serde_json::Value>,
    pub(crate) missing: u64,
}

/// Publishes `{uid, requestId, type: kind, ..fields}` on `key-request#nsp#` and collects the
/// replies: one per server counted just before (PUBSUB NUMSUB of that channel).
pub(crate) async fn ask_every_server(
    conn: &Connection,
    replies: &Replies,
    key: &str,
    nsp: &str,
    kind: u8,
    fields: serde_json::Map<String, serde_json::Value>,
    timeout: Duration,
) -> Result<Collected> {
    let request_id = super::request_id();
    let response = format!("{key}-response#{nsp}#");
    // Servers with publishOnSpecificResponseChannel answer on the requester's own channel.
    let specific = format!("{response}{}#", super::REQUESTER_UID);
    let mut pending = replies
        .expect(conn, &[response, specific], &request_id)
        .await?;
    let expected = super::server_count(conn, &Flavour::Classic, key, nsp).await?;
    let mut request = json!({
        "uid": super::REQUESTER_UID,
        "requestId": request_id,
        "type": kind,
    });
    request.as_object_mut().expect("an object").extend(fields);
    conn.send(&Output {
        command: Command::Publish,
        channel: format!("{key}-request#{nsp}#"),
        payload: request.to_string().into_bytes(),
    })
    .await?;
    let mut collected = Collected::default();
    let deadline = tokio::time::Instant::now() + timeout;
    while (collected.replies.len() as u64) < expected {
        match tokio::time::timeout_at(deadline, pending.replies.recv()).await {
            Ok(Some(reply)) => collected.replies.push(reply),
            _ => break,
        }
    }
    collected.missing = expected.saturating_sub(collected.replies.len() as u64);
    Ok(collected)
}
