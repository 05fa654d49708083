//! What Socket.IO servers listen on, read from Redis's own view: its Pub/Sub
//! subscriptions and its streams. [`survey`] lists every listening group of servers;
//! [`detect`] picks the adapter for one key and namespace, or says why it cannot. The
//! emitter's `adapter = auto` uses [`detect`] on the namespace `/`, which every Socket.IO
//! server has.
//!
//! How each adapter shows itself (the servers, checked against the real ones):
//! - classic (`createAdapter`): each server SUBSCRIBEs `P-request#N#` (and PSUBSCRIBEs
//!   `P#N#*`, which Redis cannot list): `PUBSUB NUMSUB` of the request channel counts them;
//! - sharded (`createShardedAdapter`): each server SSUBSCRIBEs `P#N#`, `PUBSUB SHARDNUMSUB`
//!   counts them; room channels beside it show a dynamic subscription mode;
//! - streams 0.3: each server SUBSCRIBEs `P#N#` (a side channel), `PUBSUB NUMSUB` counts
//!   them;
//! - streams 0.2: no Pub/Sub at all; each server writes heartbeats into its stream, so the
//!   server uids seen in the last [`HEARTBEAT_WINDOW`] count them.
//!
//! What Redis's view cannot tell apart: the classic adapter's server generations (the
//! `compat` option stays the caller's), static from dynamic sharded servers before any room
//! has members, and a streams 0.3 server with `useShardedPubSub` from a sharded one (both
//! SSUBSCRIBE `P#N#`; it is reported as sharded). On a Redis Cluster every node is asked.
//!
//! ```no_run
//! # async fn demo() -> socketio_emitter::Result<()> {
//! use socketio_emitter::{EmitterConfig, inspect};
//! let config = EmitterConfig::new("redis://127.0.0.1:6379");
//! for group in inspect::survey(&config).await?.listeners {
//!     println!("{group}"); // e.g. "classic adapter, key socket.io, namespace /: 2 servers"
//! }
//! let found = inspect::detect(&config, "/").await?; // DETECTION_FAILED says what it saw
//! println!("use adapter {}", found.adapter);
//! # Ok(()) }
//! ```

mod channels;
mod decide;
mod pubsub;
mod streams;

use std::fmt;
use std::time::Duration;

pub use decide::Decision;

use crate::config::{AdapterKind, EmitterConfig, StreamsVersion, SubscriptionMode};
use crate::error::Result;
use crate::publish::Connection;

/// How far back streams 0.2 heartbeats count: twice the servers' default heartbeat
/// timeout (10 s), so a server that beats every 5 s is never missed on a loaded machine.
pub const HEARTBEAT_WINDOW: Duration = Duration::from_secs(20);

/// One group of Socket.IO servers that listen with one adapter on one key and namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listener {
    pub adapter: AdapterKind,
    /// The key (channel prefix). For streams 0.2, which has none, the stream's name.
    pub key: String,
    pub namespace: String,
    /// How many servers listen (Redis counts subscriptions, so one server with two
    /// connections would count twice; the adapters open one each).
    pub servers: u64,
    /// Sharded: the mode the channels prove (`None`: static, or dynamic with no room yet).
    pub subscription_mode: Option<SubscriptionMode>,
    /// Streams: the wire generation.
    pub streams_version: Option<StreamsVersion>,
    /// Streams 0.2: the stream the heartbeats were read from.
    pub stream: Option<String>,
    /// What Redis showed, in its own terms, e.g. `PUBSUB NUMSUB socket.io-request#/# = 2`.
    pub evidence: Vec<String>,
}

/// A stream key found with `SCAN … TYPE stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamInfo {
    pub name: String,
    /// Entries held (`XLEN`).
    pub length: u64,
    /// The namespaces named by its latest entries.
    pub namespaces: Vec<String>,
    /// How long ago its latest entry was added, by Redis's clock.
    pub last_entry_age: Option<Duration>,
}

/// Everything that listens, as [`survey`] found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Survey {
    /// One entry per adapter, key and namespace, sorted by key, namespace and adapter.
    pub listeners: Vec<Listener>,
    /// Every stream key, listened to or not.
    pub streams: Vec<StreamInfo>,
    /// How many Redis nodes were asked (every node of a cluster).
    pub nodes: usize,
}

/// What [`detect`] found: the adapter (and its options) to publish with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Detected {
    pub adapter: AdapterKind,
    /// The group of servers that decided it.
    pub listener: Listener,
}

/// Lists every group of Socket.IO servers that listens on the Redis that `config` names
/// (its URL, or its cluster or sentinel topology; its key and adapter are not read).
/// Opens its own connection and closes it. Redis errors (for example an ACL user without
/// `PUBSUB` or `SCAN`) come back as `REDIS`.
pub async fn survey(config: &EmitterConfig) -> Result<Survey> {
    let conn = Connection::open(&inspection_config(config)).await?;
    survey_on(&conn).await
}

/// Which adapter the servers listening on `config.key` and `namespace` use (streams 0.2
/// servers: on `config.stream_name`), or `DETECTION_FAILED` saying what listens instead.
pub async fn detect(config: &EmitterConfig, namespace: &str) -> Result<Detected> {
    survey(config)
        .await?
        .decide(config, namespace)
        .into_result()
}

/// `config` with `adapter = auto` resolved on the emitter's own connection (namespace
/// `/`), checked again as a whole.
pub(crate) async fn resolve_auto(
    conn: &Connection,
    config: EmitterConfig,
) -> Result<EmitterConfig> {
    let found = survey_on(conn).await?.decide(&config, "/").into_result()?;
    let config = found.apply(config);
    config.validate()?;
    Ok(config)
}

/// The survey on an open connection.
pub(crate) async fn survey_on(conn: &Connection) -> Result<Survey> {
    let mut survey = Survey::default();
    pubsub::collect(conn, &mut survey).await?;
    streams::collect(conn, &mut survey).await?;
    survey.listeners.sort_by(|a, b| {
        (&a.key, &a.namespace, a.adapter.as_str()).cmp(&(&b.key, &b.namespace, b.adapter.as_str()))
    });
    Ok(survey)
}

/// `config` as a connection that only reads: no pacing, and options an `auto` adapter
/// leaves open pass validation.
fn inspection_config(config: &EmitterConfig) -> EmitterConfig {
    let mut cfg = config.clone().with_pacing(false);
    cfg.adapter = AdapterKind::Auto;
    cfg.require_receivers = false;
    cfg
}

impl fmt::Display for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} adapter", self.adapter)?;
        if let Some(version) = self.streams_version {
            write!(f, " {version}")?;
        }
        if let Some(mode) = self.subscription_mode {
            write!(f, " ({mode} subscription mode)")?;
        }
        let servers = if self.servers == 1 {
            "server"
        } else {
            "servers"
        };
        let what = if self.stream.is_some() {
            "stream"
        } else {
            "key"
        };
        write!(
            f,
            ", {what} {}, namespace {}: {} {servers}",
            self.key, self.namespace, self.servers
        )
    }
}
