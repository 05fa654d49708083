//! One Socket.IO adapter message, decoded from what Redis carried, whatever the adapter.

use serde_json::{Map, Value as Json, json};

use super::value;

/// A decoded message. `op` names the operation the way the Socket.IO API does
/// (`broadcast`, `socketsJoin`, `serverSideEmit`…); fields an operation does not have stay
/// empty.
#[derive(Debug, Default)]
pub struct Message {
    /// Where it came from: `PUBLISH socket.io#/#`, `SPUBLISH …`, `XADD socket.io 1700-0`.
    pub via: String,
    pub op: String,
    pub nsp: Option<String>,
    pub uid: Option<String>,
    pub rooms: Vec<Json>,
    pub except: Vec<Json>,
    pub flags: Map<String, Json>,
    /// The event and its arguments, for broadcasts and serverSideEmit.
    pub event: Option<Json>,
    pub args: Vec<Json>,
    /// Whatever else the message holds (requestId, close, rooms to join, a reply's data…).
    pub extra: Map<String, Json>,
}

impl Message {
    fn new(via: String, op: &str) -> Message {
        Message {
            via,
            op: op.to_owned(),
            ..Message::default()
        }
    }

    /// A payload nothing here understands: still shown, so nothing passes unseen.
    pub fn undecodable(via: String, payload: &[u8]) -> Message {
        let mut m = Message::new(via, "unknown");
        let shown = match std::str::from_utf8(payload) {
            Ok(text) if payload.len() <= 200 => Json::String(text.to_owned()),
            _ => Json::String(value::bytes_summary(payload)),
        };
        m.extra.insert("payload".into(), shown);
        m
    }

    /// A classic-adapter broadcast: `[uid, packet, opts]`.
    pub fn classic_broadcast(via: String, decoded: &Json) -> Option<Message> {
        let [uid, packet, opts] = decoded.as_array()?.as_slice() else {
            return None;
        };
        let mut m = Message::new(via, "broadcast");
        m.uid = uid.as_str().map(str::to_owned);
        m.set_packet(packet);
        m.nsp = m.nsp.take().or_else(|| Some("/".into()));
        m.set_opts(opts);
        Some(m)
    }

    /// A request or response on the classic adapter's request/response channels.
    pub fn classic_request(via: String, decoded: &Json) -> Option<Message> {
        let fields = decoded.as_object()?;
        // socket.io-redis 5.x writes `requestid` and numbers its requests differently.
        let legacy = fields.contains_key("requestid");
        let code = fields.get("type").and_then(Json::as_u64);
        let op = match (legacy, code) {
            (true, Some(c)) => legacy_request_name(c),
            (false, Some(c)) => request_name(c),
            (_, None) => "response",
        };
        let mut m = Message::new(via, op);
        m.uid = fields.get("uid").and_then(Json::as_str).map(str::to_owned);
        for (key, v) in fields {
            match key.as_str() {
                "uid" | "type" => {}
                "opts" => m.set_opts(v),
                "packet" if v.is_object() => m.set_packet(v),
                "data" if code == Some(6) => m.set_event(v),
                _ => {
                    m.extra.insert(key.clone(), v.clone());
                }
            }
        }
        m.name_room_changes();
        Some(m)
    }

    /// socketsJoin/socketsLeave carry two room lists: `opts.rooms` selects the sockets,
    /// the other one is what they join or leave. Shown as `join=`/`leave=` so they differ.
    fn name_room_changes(&mut self) {
        let label = match self.op.as_str() {
            "socketsJoin" => "join",
            "socketsLeave" => "leave",
            _ => return,
        };
        if let Some(rooms) = self.extra.remove("rooms") {
            self.extra.insert(label.into(), rooms);
        }
    }

    /// A ClusterAdapter message (sharded adapter, streams side channel): `{type, data, uid, nsp}`.
    pub fn cluster(via: String, decoded: &Json) -> Option<Message> {
        let fields = decoded.as_object()?;
        let code = fields.get("type").and_then(type_code)?;
        let mut m = Message::new(via, cluster_name(code));
        m.uid = fields.get("uid").and_then(Json::as_str).map(str::to_owned);
        m.nsp = fields.get("nsp").and_then(Json::as_str).map(str::to_owned);
        if let Some(data) = fields.get("data") {
            m.set_cluster_data(code, data);
        }
        Some(m)
    }

    /// A streams entry: fields `uid`, `nsp`, `type` and, usually, `data`.
    pub fn stream_entry(via: String, fields: &[(String, Vec<u8>)]) -> Message {
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let text = |name: &str| field(name).map(|v| String::from_utf8_lossy(v).into_owned());
        let code = text("type")
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        let mut m = Message::new(via, cluster_name(code));
        m.uid = text("uid");
        m.nsp = text("nsp");
        if let Some(raw) = field("data") {
            match value::stream_data(raw) {
                Some(data) => m.set_cluster_data(code, &data),
                None => {
                    let summary = value::bytes_summary(raw);
                    m.extra.insert("data".into(), Json::String(summary));
                }
            }
        }
        m
    }

    fn set_cluster_data(&mut self, code: u64, data: &Json) {
        let Some(fields) = data.as_object() else {
            self.extra.insert("data".into(), data.clone());
            return;
        };
        for (key, v) in fields {
            match key.as_str() {
                "opts" => self.set_opts(v),
                "packet" if code == 3 => self.set_packet(v),
                "packet" if code == 9 => self.set_event(v),
                _ => {
                    self.extra.insert(key.clone(), v.clone());
                }
            }
        }
        self.name_room_changes();
    }

    /// `{type, data:[event, ...args], nsp}`.
    fn set_packet(&mut self, packet: &Json) {
        if let Some(nsp) = packet.get("nsp").and_then(Json::as_str) {
            self.nsp = Some(nsp.to_owned());
        }
        if let Some(data) = packet.get("data") {
            self.set_event(data);
        }
        if let Some(t) = packet.get("type").and_then(Json::as_u64)
            && t != 2
        {
            self.extra.insert("packetType".into(), json!(t));
        }
    }

    /// `[event, ...args]`.
    fn set_event(&mut self, data: &Json) {
        match data.as_array().map(Vec::as_slice) {
            Some([event, args @ ..]) => {
                self.event = Some(event.clone());
                self.args = args.to_vec();
            }
            _ => {
                self.extra.insert("data".into(), data.clone());
            }
        }
    }

    /// `{rooms, except, flags}`.
    fn set_opts(&mut self, opts: &Json) {
        let list = |key: &str| {
            opts.get(key)
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default()
        };
        self.rooms = list("rooms");
        self.except = list("except");
        if let Some(flags) = opts.get("flags").and_then(Json::as_object) {
            self.flags = flags.clone();
        }
    }

    /// One JSON object, for `--json`.
    pub fn to_json(&self) -> Json {
        let mut out = json!({"via": self.via, "op": self.op});
        let obj = out.as_object_mut().expect("an object");
        if let Some(nsp) = &self.nsp {
            obj.insert("nsp".into(), json!(nsp));
        }
        if let Some(uid) = &self.uid {
            obj.insert("uid".into(), json!(uid));
        }
        if !self.rooms.is_empty() {
            obj.insert("rooms".into(), json!(self.rooms));
        }
        if !self.except.is_empty() {
            obj.insert("except".into(), json!(self.except));
        }
        if !self.flags.is_empty() {
            obj.insert("flags".into(), json!(self.flags));
        }
        if let Some(event) = &self.event {
            obj.insert("event".into(), event.clone());
            obj.insert("args".into(), json!(self.args));
        }
        for (k, v) in &self.extra {
            obj.insert(k.clone(), v.clone());
        }
        out
    }

    /// One line for people: `PUBLISH socket.io#/#room1#  broadcast nsp=/ rooms=[room1] chat({"a":1})`.
    pub fn to_line(&self) -> String {
        let mut line = format!("{}  {}", self.via, self.op);
        if let Some(nsp) = &self.nsp {
            line.push_str(&format!(" nsp={nsp}"));
        }
        if !self.rooms.is_empty() {
            line.push_str(&format!(" rooms={}", compact(&self.rooms)));
        }
        if !self.except.is_empty() {
            line.push_str(&format!(" except={}", compact(&self.except)));
        }
        if !self.flags.is_empty() {
            line.push_str(&format!(" flags={}", Json::Object(self.flags.clone())));
        }
        for (k, v) in &self.extra {
            line.push_str(&format!(" {k}={v}"));
        }
        if let Some(event) = &self.event {
            let name = event
                .as_str()
                .map_or_else(|| event.to_string(), str::to_owned);
            let args: Vec<String> = self.args.iter().map(Json::to_string).collect();
            line.push_str(&format!(" {name}({})", args.join(", ")));
        }
        if let Some(uid) = &self.uid {
            line.push_str(&format!(" from={uid}"));
        }
        line
    }
}

fn compact(list: &[Json]) -> String {
    let items: Vec<String> = list
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    format!("[{}]", items.join(","))
}

/// ClusterAdapter types arrive as numbers (pub/sub) or decimal strings (streams).
fn type_code(v: &Json) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

fn request_name(code: u64) -> &'static str {
    match code {
        0 => "sockets",
        1 => "allRooms",
        2 => "socketsJoin",
        3 => "socketsLeave",
        4 => "disconnectSockets",
        5 => "fetchSockets",
        6 => "serverSideEmit",
        7 => "broadcastWithAck",
        8 => "broadcastClientCount",
        9 => "broadcastAck",
        _ => "request",
    }
}

fn legacy_request_name(code: u64) -> &'static str {
    match code {
        0 => "clients (socket.io-redis 5)",
        1 => "clientRooms (socket.io-redis 5)",
        2 => "allRooms (socket.io-redis 5)",
        3 => "remoteJoin (socket.io-redis 5)",
        4 => "remoteLeave (socket.io-redis 5)",
        5 => "customRequest (socket.io-redis 5)",
        6 => "remoteDisconnect (socket.io-redis 5)",
        _ => "request (socket.io-redis 5)",
    }
}

fn cluster_name(code: u64) -> &'static str {
    match code {
        1 => "initialHeartbeat",
        2 => "heartbeat",
        3 => "broadcast",
        4 => "socketsJoin",
        5 => "socketsLeave",
        6 => "disconnectSockets",
        7 => "fetchSockets",
        8 => "fetchSocketsResponse",
        9 => "serverSideEmit",
        10 => "serverSideEmitResponse",
        11 => "broadcastClientCount",
        12 => "broadcastAck",
        13 => "adapterClose",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_requests_keep_their_own_names() {
        let m = Message::classic_request(
            "PUBLISH socket.io-request#/#".into(),
            &json!({"requestid": "abc", "type": 2}),
        )
        .unwrap();
        assert_eq!(m.op, "allRooms (socket.io-redis 5)");
        assert_eq!(m.extra["requestid"], "abc");
    }

    #[test]
    fn undecodable_payloads_are_still_shown() {
        let m = Message::undecodable("PUBLISH socket.io#/#".into(), b"\xc1\xff");
        assert_eq!(
            m.to_line(),
            r#"PUBLISH socket.io#/#  unknown payload="<bytes 2: c1ff>""#
        );
        assert!(Message::classic_broadcast("x".into(), &json!([1, 2])).is_none());
        assert!(Message::cluster("x".into(), &json!({"data": {}})).is_none());
    }

    #[test]
    fn stream_entries_decode_json_data() {
        let fields = vec![
            ("uid".to_owned(), b"emitter".to_vec()),
            ("nsp".to_owned(), b"/".to_vec()),
            ("type".to_owned(), b"4".to_vec()),
            (
                "data".to_owned(),
                br#"{"opts":{"rooms":["a"],"except":[],"flags":{}},"rooms":["b"]}"#.to_vec(),
            ),
        ];
        let m = Message::stream_entry("XADD socket.io 1-0".into(), &fields);
        assert_eq!(
            m.to_line(),
            r#"XADD socket.io 1-0  socketsJoin nsp=/ rooms=[a] join=["b"] from=emitter"#
        );
    }
}
