//! The requests themselves, byte for byte as Socket.IO servers write them (checked against
//! the golden vectors captured from real servers): what each question publishes, for the
//! emitter's adapter.

use std::time::Duration;

use rmpv::Value as M;

use super::decode;
use super::request::{self, ClusterData, Route, Wire};
use crate::adapter::cluster_message::{self as cm, Request};
use crate::adapter::{
    EMITTER_UID, Flavour, Output, check_sent_event, check_server_side_event, classic,
};
use crate::encode::{Fail, holds_binary};
use crate::error::{Error, Result};
use crate::target::Target;
use crate::value::{Room, Value};

/// A question to the servers of the target's namespace.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Question<'a> {
    /// `fetchSockets`; `timeout` is written as `flags.timeout` the way
    /// `io.timeout(t).fetchSockets()` writes it (the emitter always gives its own).
    FetchSockets { timeout: Option<Duration> },
    /// `allRooms` (classic adapter only).
    AllRooms,
    /// `serverSideEmit` with an acknowledgement.
    ServerSideEmitWithAck { event: &'a str, args: &'a [Value] },
    /// A broadcast whose clients acknowledge, `io.timeout(t).emitWithAck(...)`.
    EmitWithAck {
        event: &'a str,
        args: &'a [Value],
        timeout: Option<Duration>,
    },
}

impl Question<'_> {
    fn name(&self) -> &'static str {
        match self {
            Question::FetchSockets { .. } => "fetch_sockets",
            Question::AllRooms => "all_rooms",
            Question::ServerSideEmitWithAck { .. } => "server_side_emit_with_ack",
            Question::EmitWithAck { .. } => "emit_with_ack",
        }
    }
}

/// What asking `question` publishes for servers of `flavour` under `key`, with
/// `request_id` as the id its answers carry. `UNSUPPORTED` for what these servers cannot
/// answer; bad events and arguments as for `emit`.
pub fn encode_request(
    flavour: &Flavour,
    key: &str,
    target: &Target,
    question: Question<'_>,
    request_id: &str,
) -> Result<Output> {
    let route = request::route(flavour, key, target.namespace(), question.name())?;
    encode(&route, flavour, key, target, question, request_id)
}

/// Encodes `question` for the emitter's adapter and sends it (subscribed to the answers
/// first, the servers counted): the route (the wire its answers use) and the request.
pub(crate) async fn ask(
    asker: &super::Asker<'_>,
    target: &Target,
    question: Question<'_>,
) -> Result<(Route, request::Sent)> {
    let nsp = target.namespace();
    let route = request::route(asker.flavour, asker.key, nsp, question.name())?;
    let id = super::request_id();
    let output = encode(&route, asker.flavour, asker.key, target, question, &id)?;
    let sent = route.send(asker, nsp, &id, &output).await?;
    Ok((route, sent))
}

fn encode(
    route: &Route,
    flavour: &Flavour,
    key: &str,
    target: &Target,
    question: Question<'_>,
    request_id: &str,
) -> Result<Output> {
    match question {
        Question::ServerSideEmitWithAck { event, .. } => check_server_side_event(event)?,
        Question::EmitWithAck { event, .. } => check_sent_event(event)?,
        Question::FetchSockets { .. } | Question::AllRooms => {}
    }
    match route.wire {
        Wire::Classic => classic_request(route, key, target, question, request_id),
        Wire::Cluster => {
            let nsp = target.namespace();
            let ms =
                |t: Option<Duration>| t.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
            let (kind, binary, data): (u8, bool, Box<dyn ClusterData + '_>) = match question {
                Question::FetchSockets { timeout } => (
                    cm::FETCH_SOCKETS,
                    false,
                    Box::new(Fetch(
                        target,
                        Request {
                            id: request_id,
                            timeout_ms: ms(timeout),
                        },
                    )),
                ),
                Question::ServerSideEmitWithAck { event, args } => (
                    cm::SERVER_SIDE_EMIT,
                    holds_binary(args),
                    Box::new(ServerSide(event, args, request_id)),
                ),
                Question::EmitWithAck {
                    event,
                    args,
                    timeout,
                } => (
                    cm::BROADCAST,
                    holds_binary(args),
                    Box::new(Broadcast(
                        target,
                        event,
                        args,
                        Request {
                            id: request_id,
                            timeout_ms: ms(timeout),
                        },
                    )),
                ),
                Question::AllRooms => {
                    return Err(Error::Unsupported(format!(
                        "all_rooms is answered only by the classic adapter; the {} adapter's \
                         servers have no such request (fetch_sockets lists each socket's rooms)",
                        flavour.adapter().as_str()
                    )));
                }
            };
            route.cluster_output(kind, nsp, binary, data.as_ref())
        }
    }
}

struct Fetch<'a>(&'a Target, Request<'a>);
struct ServerSide<'a>(&'a str, &'a [Value], &'a str);
struct Broadcast<'a>(&'a Target, &'a str, &'a [Value], Request<'a>);

impl ClusterData for Fetch<'_> {
    fn json(&self, out: &mut String) -> Result<(), Fail> {
        cm::fetch_data_json(out, self.0, self.1);
        Ok(())
    }
    fn msgpack(&self, out: &mut Vec<u8>) -> Result<(), Fail> {
        cm::fetch_data_msgpack(out, self.0, self.1)
    }
}

impl ClusterData for ServerSide<'_> {
    fn json(&self, out: &mut String) -> Result<(), Fail> {
        cm::server_side_emit_data_json(out, self.0, self.1, Some(self.2))
    }
    fn msgpack(&self, out: &mut Vec<u8>) -> Result<(), Fail> {
        cm::server_side_emit_data_msgpack(out, self.0, self.1, Some(self.2))
    }
}

impl ClusterData for Broadcast<'_> {
    fn json(&self, out: &mut String) -> Result<(), Fail> {
        cm::broadcast_data_json(out, self.0, self.1, self.2, Some(self.3))
    }
    fn msgpack(&self, out: &mut Vec<u8>) -> Result<(), Fail> {
        cm::broadcast_data_msgpack(out, self.0, self.1, self.2, Some(self.3))
    }
}

/// Classic requests (docs/protocol.md §2.6): `{uid, requestId, type, ..}` in the order
/// servers write them; JSON, but the broadcast with acknowledgements (type 7) is msgpack.
fn classic_request(
    route: &Route,
    key: &str,
    target: &Target,
    question: Question<'_>,
    request_id: &str,
) -> Result<Output> {
    let head = |kind: u8| {
        vec![
            (M::from("uid"), M::from(EMITTER_UID)),
            (M::from("requestId"), M::from(request_id)),
            (M::from("type"), M::from(kind)),
        ]
    };
    let room = |r: &Room| match r {
        Room::Name(name) => M::from(name.as_str()),
        Room::Number(n) => M::from(*n),
    };
    let rooms = |rooms: &indexmap::IndexSet<Room>| M::Array(rooms.iter().map(room).collect());
    Ok(match question {
        Question::AllRooms => route.classic_output(&M::Map(head(1)), false),
        Question::FetchSockets { .. } => {
            let mut fields = head(5);
            fields.push((
                M::from("opts"),
                M::Map(vec![
                    (M::from("rooms"), rooms(target.rooms())),
                    (M::from("except"), rooms(target.excepted())),
                ]),
            ));
            route.classic_output(&M::Map(fields), false)
        }
        // The plain serverSideEmit, `{uid, type: 6, data}`, with the request id after `uid`.
        Question::ServerSideEmitWithAck { event, args } => {
            let plain = classic::server_side_emit(key, target, event, args)?;
            let Some(M::Map(pairs)) = decode::message(&plain.payload) else {
                return Err(Error::Internal(
                    "could not read back a serverSideEmit".into(),
                ));
            };
            let mut fields = head(6);
            fields.extend(
                pairs
                    .into_iter()
                    .filter(|(k, _)| k.as_str() == Some("data")),
            );
            route.classic_output(&M::Map(fields), false)
        }
        // The plain broadcast is `[uid, packet, opts]`: its packet and options, as servers
        // send them in a type-7 request.
        Question::EmitWithAck { event, args, .. } => {
            let plain = classic::broadcast(key, target, event, args)?;
            let Some(M::Array(mut parts)) = decode::message(&plain.payload) else {
                return Err(Error::Internal("could not read back a broadcast".into()));
            };
            let opts = parts.pop().unwrap_or(M::Nil);
            let packet = parts.pop().unwrap_or(M::Nil);
            let mut fields = head(7);
            fields.push((M::from("packet"), packet));
            fields.push((M::from("opts"), opts));
            route.classic_output(&M::Map(fields), true)
        }
    })
}
