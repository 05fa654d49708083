//! Who listens on this Redis, from the core's survey (`socketio_emitter::inspect`), in the
//! shape doctor reports and judges.

use socketio_emitter::inspect::Listener;
use socketio_emitter::{AdapterKind, StreamsVersion};

/// Servers found under one key and namespace, with one adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The key (channel prefix); for streams 0.2, which has none, the stream's name.
    pub key: String,
    pub nsp: String,
    /// `classic`, `sharded`, `streams` (0.3) or `streams 0.2`.
    pub adapter: String,
    /// The sharded servers' subscription mode, when their channels show it.
    pub mode: Option<String>,
    pub servers: u64,
    /// What Redis showed, e.g. `PUBSUB NUMSUB socket.io-request#/# = 2`.
    pub evidence: Vec<String>,
}

impl Group {
    pub fn from(l: &Listener) -> Group {
        let adapter = match (l.adapter, l.streams_version) {
            (AdapterKind::Streams, Some(StreamsVersion::V02)) => "streams 0.2".to_owned(),
            (kind, _) => kind.to_string(),
        };
        Group {
            key: l.key.clone(),
            nsp: l.namespace.clone(),
            adapter,
            mode: l.subscription_mode.map(|m| m.to_string()),
            servers: l.servers,
            evidence: l.evidence.clone(),
        }
    }

    /// Streams 0.2 groups are named by their stream, the others by their key.
    pub fn is_streams_02(&self) -> bool {
        self.adapter == "streams 0.2"
    }
}
