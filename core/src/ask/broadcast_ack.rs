//! A broadcast with acknowledgements on the classic adapter (request type 7, msgpack):
//! each server answers once with how many of its clients it targeted (type 8, JSON), then
//! each client that acknowledges is relayed (type 9, msgpack) — the server API's
//! `io.timeout(t).emit(event, ..., callback)`.

use std::time::Duration;

use super::replies::Replies;
use crate::adapter::classic::{PACKET_EVENT, write_broadcast};
use crate::adapter::{Command, EMITTER_UID, Flavour, Output};
use crate::encode::msgpack::{self, Dates};
use crate::error::Result;
use crate::publish::Connection;
use crate::target::Target;
use crate::value::Value;

const BROADCAST: i64 = 7;
const BROADCAST_CLIENT_COUNT: i64 = 8;
const BROADCAST_ACK: i64 = 9;

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
    conn: &Connection,
    replies: &Replies,
    key: &str,
    target: &Target,
    event: &str,
    args: &[Value],
    timeout: Duration,
) -> Result<BroadcastAcks> {
    let nsp = target.namespace();
    let request_id = super::request_id();
    let payload = request(target, event, args, &request_id)?;
    let response = format!("{key}-response#{nsp}#");
    let specific = format!("{response}{}#", super::REQUESTER_UID);
    let mut pending = replies
        .expect(conn, &[response, specific], &request_id)
        .await?;
    let servers = super::server_count(conn, &Flavour::Classic, key, nsp).await?;
    conn.send(&Output {
        command: Command::Publish,
        channel: format!("{key}-request#{nsp}#"),
        payload,
    })
    .await?;
    let mut acks = BroadcastAcks::default();
    let mut counted = 0;
    let deadline = tokio::time::Instant::now() + timeout;
    while counted < servers || (acks.responses.len() as u64) < acks.clients_targeted {
        match tokio::time::timeout_at(deadline, pending.replies.recv()).await {
            Ok(Some(mut reply)) => match reply["type"].as_i64() {
                Some(BROADCAST_CLIENT_COUNT) => {
                    counted += 1;
                    acks.clients_targeted += reply["clientCount"].as_u64().unwrap_or(0);
                }
                Some(BROADCAST_ACK) => acks.responses.push(reply["packet"].take()),
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

/// msgpack `{uid, requestId, type: 7, packet: {type, data, nsp}, opts: {rooms, flags, except}}`:
/// the packet and options exactly as in a plain broadcast message.
fn request(target: &Target, event: &str, args: &[Value], request_id: &str) -> Result<Vec<u8>> {
    crate::adapter::check_sent_event(event)?;
    let encode = || -> std::result::Result<Vec<u8>, crate::encode::Fail> {
        let mut broadcast = Vec::new();
        write_broadcast(
            &mut broadcast,
            target,
            event,
            args,
            PACKET_EVENT,
            Dates::Timestamp,
        )?;
        // The broadcast message is `[uid, packet, opts]`: keep what follows the uid.
        let mut head = Vec::new();
        msgpack::write_array_len(&mut head, 3)?;
        msgpack::write_str(&mut head, EMITTER_UID)?;
        let packet_and_opts = &broadcast[head.len()..];

        let mut out = Vec::with_capacity(broadcast.len() + 64);
        msgpack::write_map_len(&mut out, 5)?;
        msgpack::write_str(&mut out, "uid")?;
        msgpack::write_str(&mut out, super::REQUESTER_UID)?;
        msgpack::write_str(&mut out, "requestId")?;
        msgpack::write_str(&mut out, request_id)?;
        msgpack::write_str(&mut out, "type")?;
        msgpack::write_int(&mut out, BROADCAST);
        msgpack::write_str(&mut out, "packet")?;
        // The packet map, then "opts" and the options map.
        let packet_len = map_len(packet_and_opts);
        out.extend_from_slice(&packet_and_opts[..packet_len]);
        msgpack::write_str(&mut out, "opts")?;
        out.extend_from_slice(&packet_and_opts[packet_len..]);
        Ok(out)
    };
    encode().map_err(|e| e.into_error("args"))
}

/// The length in bytes of the msgpack value at the start of `bytes`.
fn map_len(bytes: &[u8]) -> usize {
    let mut reader = bytes;
    let _ = rmpv::decode::read_value(&mut reader);
    bytes.len() - reader.len()
}
