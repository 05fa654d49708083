//! `allRooms` on the classic adapter (request type 1): every server answers with the rooms
//! of its namespace, socket ids' own rooms included. The ClusterAdapter (sharded and
//! streams adapters) has no such request, so they get `UNSUPPORTED`.

use std::time::Duration;

use super::Asker;
use super::encode::{self, Question};

use crate::error::Result;
use crate::target::Target;
use crate::value::Room;

/// The union of every answering server's rooms, and how many servers did not answer.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Rooms {
    /// Each room once, in the order first seen. A number stays a number.
    pub rooms: Vec<Room>,
    pub servers_answered: u64,
    /// Counted servers that did not answer in time: when not 0, the list is partial.
    pub servers_missing: u64,
}

impl Rooms {
    pub fn complete(&self) -> bool {
        self.servers_missing == 0
    }

    /// `{"rooms": [...], "servers_answered", "servers_missing", "complete"}`; a numeric room
    /// stays a JSON number.
    pub fn to_json(&self) -> serde_json::Value {
        let rooms: Vec<_> = self
            .rooms
            .iter()
            .map(|r| match r {
                Room::Name(name) => serde_json::json!(name),
                Room::Number(n) => serde_json::json!(n),
            })
            .collect();
        serde_json::json!({
            "rooms": rooms,
            "servers_answered": self.servers_answered,
            "servers_missing": self.servers_missing,
            "complete": self.complete(),
        })
    }
}

pub(crate) async fn all_rooms(asker: &Asker<'_>, nsp: &str, timeout: Duration) -> Result<Rooms> {
    let target = Target::new(nsp);
    let (_, sent) = encode::ask(asker, &target, Question::AllRooms).await?;
    let collected = sent.one_per_server(timeout).await;
    let mut rooms: Vec<Room> = Vec::new();
    for reply in &collected.replies {
        for room in reply["rooms"].as_array().into_iter().flatten() {
            let room = match room {
                serde_json::Value::String(s) => Room::Name(s.clone()),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(n) => Room::Number(n),
                    None => Room::Name(n.to_string()),
                },
                other => Room::Name(other.to_string()),
            };
            if !rooms.contains(&room) {
                rooms.push(room);
            }
        }
    }
    Ok(Rooms {
        rooms,
        servers_answered: collected.replies.len() as u64,
        servers_missing: collected.missing,
    })
}
