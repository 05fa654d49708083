//! Emitter options. These names are the same in every language binding; this file is
//! where they are documented.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};
pub use crate::stacks::{Compat, StreamsVersion};
use crate::topology::Topology;

/// The `url` every binding defaults to.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// What `emit_nowait` does when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFullPolicy {
    /// Wait for room (blocking APIs only; async callers get `QUEUE_FULL`).
    #[default]
    Block,
    /// Fail at once with `QUEUE_FULL`.
    Error,
}

/// Which Redis adapter the Socket.IO servers run, and so which wire format and Redis
/// command the emitter uses. It must match the servers: each adapter only hears its own
/// command, so a mismatch reaches nobody (`require_receivers` makes that `NO_SUBSCRIBERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdapterKind {
    /// `@socket.io/redis-adapter` `createAdapter` (and `socket.io-redis` 5.x/6.x): PUBLISH,
    /// byte-identical to `@socket.io/redis-emitter` 5.1.0.
    #[default]
    Classic,
    /// `@socket.io/redis-adapter` 8.2+ `createShardedAdapter` on Redis 7+: SPUBLISH of
    /// ClusterAdapter messages (docs/protocol.md §3). Set [`SubscriptionMode`] to the servers' too.
    Sharded,
    /// `@socket.io/redis-streams-adapter`: broadcasts are XADDed to the servers' stream,
    /// where connection-state recovery can replay them. Set the stream options and
    /// [`StreamsVersion`] to the servers' too.
    Streams,
    /// Detect the servers' adapter when connecting ([`crate::inspect::detect`] on the
    /// namespace `/`, which every Socket.IO server has). It picks the sharded `static`
    /// subscription mode (heard in every mode) and the streams version it sees; the stream
    /// name, count and `max_len` stay as configured. `DETECTION_FAILED` when no server
    /// listens on the key, or servers with different adapters do. An offline emitter has
    /// nothing to look at: it encodes for the classic adapter.
    Auto,
}

/// The sharded adapter's `subscriptionMode`: which channels its servers subscribe to, and
/// so where the emitter may publish a broadcast to one room. Ignored by the classic adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubscriptionMode {
    /// Servers hear only `key#nsp#`: every message goes there.
    Static,
    /// The servers' default. Servers also subscribe to `key#nsp#room#` while the room has
    /// members, except for rooms that are socket ids; a broadcast to exactly one room that
    /// does not look like a socket id goes to that room's channel.
    #[default]
    Dynamic,
    /// Like `Dynamic`, for every room including socket ids (adapter 8.3.0+).
    DynamicPrivate,
}

/// Parses an option value from the names every binding uses; `INVALID_ARGUMENT` names the
/// option, the bad value and the accepted ones.
pub(crate) fn parse_choice<T: Copy>(option: &str, value: &str, choices: &[(&str, T)]) -> Result<T> {
    choices
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            Error::InvalidArgument(format!(
                "{option} must be one of {}, got {value:?}",
                names.join(", ")
            ))
        })
}

impl AdapterKind {
    const CHOICES: &[(&str, AdapterKind)] = &[
        ("classic", AdapterKind::Classic),
        ("sharded", AdapterKind::Sharded),
        ("streams", AdapterKind::Streams),
        ("auto", AdapterKind::Auto),
    ];

    /// The option's spelling in every language: `classic`, `sharded`, `streams` or `auto`.
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterKind::Classic => "classic",
            AdapterKind::Sharded => "sharded",
            AdapterKind::Streams => "streams",
            AdapterKind::Auto => "auto",
        }
    }
}

impl std::str::FromStr for AdapterKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<AdapterKind> {
        parse_choice("adapter", s, AdapterKind::CHOICES)
    }
}

impl fmt::Display for AdapterKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SubscriptionMode {
    const CHOICES: &[(&str, SubscriptionMode)] = &[
        ("static", SubscriptionMode::Static),
        ("dynamic", SubscriptionMode::Dynamic),
        ("dynamic-private", SubscriptionMode::DynamicPrivate),
    ];

    /// The servers' own spelling: `static`, `dynamic` or `dynamic-private`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionMode::Static => "static",
            SubscriptionMode::Dynamic => "dynamic",
            SubscriptionMode::DynamicPrivate => "dynamic-private",
        }
    }
}

impl std::str::FromStr for SubscriptionMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<SubscriptionMode> {
        parse_choice("subscription_mode", s, SubscriptionMode::CHOICES)
    }
}

impl fmt::Display for SubscriptionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to reach Redis and how to behave. Build with [`EmitterConfig::new`] and the
/// `with_*` methods.
#[derive(Clone)]
pub struct EmitterConfig {
    /// `redis://[user[:password]@]host[:port][/db]` or `rediss://…` for TLS. Kept private:
    /// it may hold a password, and nothing prints it.
    url: String,
    /// Channel prefix: the adapter's `key` option (`channelPrefix` for the sharded adapter).
    /// Default `socket.io`.
    pub key: String,
    /// The servers' adapter: `classic` (default), `sharded`, `streams` or `auto`. See
    /// [`AdapterKind`].
    pub adapter: AdapterKind,
    /// One Redis (default), a Redis Cluster or Sentinel: see [`Topology`].
    pub topology: Topology,
    /// The sharded servers' `subscriptionMode`: `static`, `dynamic` (default, as on the
    /// servers) or `dynamic-private`. Only the sharded adapter reads it. See
    /// [`SubscriptionMode`].
    pub subscription_mode: SubscriptionMode,
    /// The streams adapter's `streamName`: the stream key, or its prefix when
    /// `stream_count` > 1. Default `socket.io`.
    pub stream_name: String,
    /// The streams adapter's `streamCount` (0.3+): how many streams the namespaces are
    /// spread over. Default 1.
    pub stream_count: u32,
    /// The streams adapter's `maxLen`: XADD trims the stream to about this many entries
    /// (`MAXLEN ~`), as the servers do. Default 10 000. It bounds how far back
    /// connection-state recovery can replay.
    pub max_len: u64,
    /// The streams adapter's wire generation: `0.3` (default) or `0.2`.
    pub streams_version: StreamsVersion,
    /// The classic adapter's server stack: `redis-adapter-8` (default) or an older one
    /// (see [`Compat`]).
    pub compat: Compat,
    /// PEM bundle of the CA that signed the server's certificate, for `rediss://` with a
    /// private CA. `None` uses the system and webpki roots.
    pub tls_ca_pem: Option<Vec<u8>>,
    /// How long one connection attempt may take. Default 5 s.
    pub connect_timeout: Duration,
    /// How long Redis may take to answer a command. Default 5 s.
    pub response_timeout: Duration,
    /// Reconnection backoff: the first delay, doubling up to `reconnect_max_delay`.
    pub reconnect_min_delay: Duration,
    pub reconnect_max_delay: Duration,
    /// Connection attempts per reconnection before the waiting calls fail. Default 6.
    pub reconnect_attempts: usize,
    /// Capacity of the `emit_nowait` queue, in operations. Default 10 000.
    pub queue_capacity: usize,
    /// Capacity of the `emit_nowait` queue, in payload bytes (at most 4 GiB). Default 64 MiB.
    pub queue_max_bytes: usize,
    pub queue_full: QueueFullPolicy,
    /// Fail with `NO_SUBSCRIBERS` when a publish reaches no server. Default false.
    pub require_receivers: bool,
    /// The largest payload one operation may publish, in bytes. Default 16 MiB: Redis cuts
    /// off a subscriber whose output buffer passes 32 MB (`client-output-buffer-limit
    /// pubsub`), so one larger message would disconnect every Socket.IO server. Bindings
    /// also stop converting arguments once this much has been built. At most 512 MiB
    /// (Redis's `proto-max-bulk-len`).
    pub max_payload_bytes: usize,
    /// Hold sends while a Socket.IO server is not reading its subscription, so that Redis
    /// does not disconnect it (and silently lose its events): see the README's "slow
    /// servers". Needs `CLIENT LIST`; turns itself off without it. Default true.
    pub pacing: bool,
}

/// The longest duration any option accepts (one day): longer values are surely a unit
/// mistake, and they would overflow deadlines.
pub const MAX_DURATION: Duration = Duration::from_secs(86_400);

/// The most `queue_capacity` accepts.
pub const MAX_QUEUE_CAPACITY: usize = u32::MAX as usize;

/// The most `max_payload_bytes` accepts (Redis's default `proto-max-bulk-len`).
pub const MAX_PAYLOAD_LIMIT: usize = 512 << 20;

/// A duration option given in seconds by a binding, checked: finite, not negative, at most
/// [`MAX_DURATION`]. `INVALID_ARGUMENT` names the option otherwise. Never panics.
pub fn duration_from_secs_f64(name: &str, secs: f64) -> Result<Duration> {
    if !secs.is_finite() || secs < 0.0 || secs > MAX_DURATION.as_secs_f64() {
        return Err(Error::InvalidArgument(format!(
            "{name} must be a number of seconds between 0 and {}, got {secs:?}",
            MAX_DURATION.as_secs()
        )));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| Error::InvalidArgument(format!("{name}: {e}")))
}

/// Like [`duration_from_secs_f64`], for bindings whose convention is milliseconds.
pub fn duration_from_millis_f64(name: &str, millis: f64) -> Result<Duration> {
    if !millis.is_finite() || millis < 0.0 || millis > MAX_DURATION.as_secs_f64() * 1000.0 {
        return Err(Error::InvalidArgument(format!(
            "{name} must be a number of milliseconds between 0 and {}, got {millis:?}",
            MAX_DURATION.as_millis()
        )));
    }
    duration_from_secs_f64(name, millis / 1000.0)
}

impl EmitterConfig {
    pub fn new(url: impl Into<String>) -> EmitterConfig {
        EmitterConfig {
            url: url.into(),
            key: "socket.io".to_owned(),
            adapter: AdapterKind::Classic,
            topology: Topology::Standalone,
            subscription_mode: SubscriptionMode::Dynamic,
            stream_name: "socket.io".to_owned(),
            stream_count: 1,
            max_len: 10_000,
            streams_version: StreamsVersion::V03,
            compat: Compat::RedisAdapter8,
            tls_ca_pem: None,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(5),
            reconnect_min_delay: Duration::from_millis(100),
            reconnect_max_delay: Duration::from_secs(2),
            reconnect_attempts: 6,
            queue_capacity: 10_000,
            queue_max_bytes: 64 << 20,
            queue_full: QueueFullPolicy::Block,
            require_receivers: false,
            max_payload_bytes: 16 << 20,
            pacing: true,
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    pub fn with_adapter(mut self, adapter: AdapterKind) -> Self {
        self.adapter = adapter;
        self
    }

    /// Publishes to a Redis Cluster found through these seed nodes (`redis://` or
    /// `rediss://` URLs with the nodes' credentials) instead of the `url`, which must then
    /// be left unset.
    pub fn with_cluster_nodes<I, S>(mut self, nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.topology = Topology::Cluster {
            nodes: nodes.into_iter().map(Into::into).collect(),
        };
        self
    }

    /// Publishes to the master that these sentinels monitor under `master`, and follows it
    /// through failovers. The master's credentials, database and TLS come from the `url`
    /// (its host and port are not used).
    pub fn with_sentinel<I, S>(mut self, master: impl Into<String>, nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.topology = Topology::Sentinel {
            master: master.into(),
            nodes: nodes.into_iter().map(Into::into).collect(),
        };
        self
    }

    pub fn with_subscription_mode(mut self, mode: SubscriptionMode) -> Self {
        self.subscription_mode = mode;
        self
    }

    /// The streams adapter's `streamName`, `streamCount` and `maxLen`, as on the servers.
    pub fn with_streams(
        mut self,
        stream_name: impl Into<String>,
        stream_count: u32,
        max_len: u64,
    ) -> Self {
        self.stream_name = stream_name.into();
        self.stream_count = stream_count;
        self.max_len = max_len;
        self
    }

    pub fn with_streams_version(mut self, version: StreamsVersion) -> Self {
        self.streams_version = version;
        self
    }

    pub fn with_compat(mut self, compat: Compat) -> Self {
        self.compat = compat;
        self
    }

    pub fn with_tls_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls_ca_pem = Some(pem.into());
        self
    }

    pub fn with_connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    pub fn with_response_timeout(mut self, d: Duration) -> Self {
        self.response_timeout = d;
        self
    }

    pub fn with_reconnect(
        mut self,
        min_delay: Duration,
        max_delay: Duration,
        attempts: usize,
    ) -> Self {
        self.reconnect_min_delay = min_delay;
        self.reconnect_max_delay = max_delay;
        self.reconnect_attempts = attempts;
        self
    }

    pub fn with_queue_max_bytes(mut self, max_bytes: usize) -> Self {
        self.queue_max_bytes = max_bytes;
        self
    }

    pub fn with_queue(mut self, capacity: usize, when_full: QueueFullPolicy) -> Self {
        self.queue_capacity = capacity;
        self.queue_full = when_full;
        self
    }

    pub fn with_pacing(mut self, pacing: bool) -> Self {
        self.pacing = pacing;
        self
    }

    pub fn with_max_payload_bytes(mut self, max: usize) -> Self {
        self.max_payload_bytes = max;
        self
    }

    /// The most one call can wait: for the connection to come back, then for the answer.
    /// Every call is bounded by it (the README documents this formula).
    pub fn call_timeout(&self) -> Duration {
        self.connect_timeout + self.response_timeout
    }

    pub fn with_require_receivers(mut self, require: bool) -> Self {
        self.require_receivers = require;
        self
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// The passwords in the URL and the node URLs, as written and percent-decoded, so that
    /// errors can be scrubbed of them.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut all = url_secrets(&self.url);
        all.extend(self.topology.secrets());
        all
    }

    /// Checks every option and the URL, as connecting does first: `INVALID_ARGUMENT` naming
    /// the problem. Never panics, whatever the values.
    pub fn validate(&self) -> Result<()> {
        let parsed = url::Url::parse(&self.url).map_err(|e| {
            Error::InvalidArgument(format!(
                "cannot parse the Redis URL {}: {e}",
                self.redacted_url()
            ))
        })?;
        if !matches!(parsed.scheme(), "redis" | "rediss") {
            return Err(Error::InvalidArgument(format!(
                "the Redis URL must start with redis:// or rediss://, got {}",
                self.redacted_url()
            )));
        }
        self.topology.validate()?;
        if matches!(self.topology, Topology::Cluster { .. }) {
            if self.url != DEFAULT_URL {
                return Err(Error::InvalidArgument(
                    "set either url or cluster_nodes, not both: a cluster is reached through its seed nodes".into(),
                ));
            }
            if self.require_receivers
                && !matches!(self.adapter, AdapterKind::Sharded | AdapterKind::Auto)
            {
                return Err(Error::InvalidArgument(format!(
                    "require_receivers cannot be used with the {} adapter on a Redis Cluster: \
                     PUBLISH and PUBSUB NUMSUB there count only the subscribers of the node \
                     that answers",
                    self.adapter
                )));
            }
        }
        self.validate_adapter()?;
        if self.queue_max_bytes == 0 || u32::try_from(self.queue_max_bytes).is_err() {
            return Err(Error::InvalidArgument(
                "queue_max_bytes must be between 1 and 4294967295".into(),
            ));
        }
        if self.queue_capacity == 0 || self.queue_capacity > MAX_QUEUE_CAPACITY {
            return Err(Error::InvalidArgument(format!(
                "queue_capacity must be between 1 and {MAX_QUEUE_CAPACITY}, got {}",
                self.queue_capacity
            )));
        }
        if self.max_payload_bytes == 0 || self.max_payload_bytes > MAX_PAYLOAD_LIMIT {
            return Err(Error::InvalidArgument(format!(
                "max_payload_bytes must be between 1 and {MAX_PAYLOAD_LIMIT}, got {}",
                self.max_payload_bytes
            )));
        }
        if self.reconnect_attempts > 1000 {
            return Err(Error::InvalidArgument(format!(
                "reconnect_attempts must be at most 1000, got {}",
                self.reconnect_attempts
            )));
        }
        for (name, d) in [
            ("connect_timeout", self.connect_timeout),
            ("response_timeout", self.response_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be greater than zero"
                )));
            }
        }
        for (name, d) in [
            ("connect_timeout", self.connect_timeout),
            ("response_timeout", self.response_timeout),
            ("reconnect_min_delay", self.reconnect_min_delay),
            ("reconnect_max_delay", self.reconnect_max_delay),
        ] {
            if d > MAX_DURATION {
                return Err(Error::InvalidArgument(format!(
                    "{name} must be at most {} s, got {} s",
                    MAX_DURATION.as_secs(),
                    d.as_secs_f64()
                )));
            }
        }
        Ok(())
    }
}

impl EmitterConfig {
    /// The adapter-specific options: each only where its adapter reads it.
    fn validate_adapter(&self) -> Result<()> {
        // With `auto`, the stack options are checked again once the adapter is known.
        if self.compat != Compat::RedisAdapter8
            && !matches!(self.adapter, AdapterKind::Classic | AdapterKind::Auto)
        {
            return Err(Error::InvalidArgument(format!(
                "compat \"{}\" names a classic adapter stack; the {} adapter has no older stacks",
                self.compat, self.adapter
            )));
        }
        if self.adapter != AdapterKind::Streams {
            return Ok(());
        }
        if self.stream_name.is_empty() {
            return Err(Error::InvalidArgument(
                "stream_name must not be empty".into(),
            ));
        }
        if !(1..=MAX_STREAM_COUNT).contains(&self.stream_count) {
            return Err(Error::InvalidArgument(format!(
                "stream_count must be between 1 and {MAX_STREAM_COUNT}, got {}",
                self.stream_count
            )));
        }
        if self.stream_count > 1 && self.streams_version == StreamsVersion::V02 {
            return Err(Error::InvalidArgument(
                "stream_count needs streams_version 0.3: 0.2 servers read one stream".into(),
            ));
        }
        if self.max_len == 0 || self.max_len > MAX_STREAM_LEN {
            return Err(Error::InvalidArgument(format!(
                "max_len must be between 1 and {MAX_STREAM_LEN}, got {}",
                self.max_len
            )));
        }
        if self.require_receivers && self.streams_version == StreamsVersion::V02 {
            return Err(Error::InvalidArgument(
                "require_receivers cannot be used with streams_version 0.2: those servers only \
                 read the stream, and Redis cannot tell who reads a stream"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The most `stream_count` accepts (far more streams than any deployment polls).
pub const MAX_STREAM_COUNT: u32 = 1024;

/// The most `max_len` accepts.
pub const MAX_STREAM_LEN: u64 = 1 << 40;

impl fmt::Debug for EmitterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmitterConfig")
            .field("url", &self.redacted_url())
            .field("key", &self.key)
            .field("adapter", &self.adapter)
            .field("topology", &self.topology)
            .field("subscription_mode", &self.subscription_mode)
            .field("stream_name", &self.stream_name)
            .field("stream_count", &self.stream_count)
            .field("max_len", &self.max_len)
            .field("streams_version", &self.streams_version)
            .field("compat", &self.compat)
            .field("tls_ca_pem", &self.tls_ca_pem.as_ref().map(|_| "set"))
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_min_delay", &self.reconnect_min_delay)
            .field("reconnect_max_delay", &self.reconnect_max_delay)
            .field("reconnect_attempts", &self.reconnect_attempts)
            .field("queue_capacity", &self.queue_capacity)
            .field("queue_max_bytes", &self.queue_max_bytes)
            .field("queue_full", &self.queue_full)
            .field("require_receivers", &self.require_receivers)
            .field("max_payload_bytes", &self.max_payload_bytes)
            .field("pacing", &self.pacing)
            .finish()
    }
}

/// The password in `url`, as written and percent-decoded.
pub(crate) fn url_secrets(url: &str) -> Vec<String> {
    let Some(raw) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    else {
        return Vec::new();
    };
    let decoded = percent_encoding::percent_decode_str(&raw)
        .decode_utf8_lossy()
        .into_owned();
    if decoded == raw {
        vec![raw]
    } else {
        vec![raw, decoded]
    }
}

/// Replaces the password of a URL with `***`; text that does not parse as a URL is
/// replaced whole, since we cannot tell where a password would be.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_options_are_invalid_arguments() {
        let base = || EmitterConfig::new("redis://127.0.0.1:6379");
        for cfg in [
            base().with_connect_timeout(Duration::from_secs(86_401)),
            base().with_connect_timeout(Duration::MAX),
            base().with_queue(0, QueueFullPolicy::Block),
            base().with_queue(1 << 40, QueueFullPolicy::Block),
            base().with_max_payload_bytes(0),
            base().with_max_payload_bytes(usize::MAX),
            base().with_reconnect(Duration::ZERO, Duration::MAX, 3),
        ] {
            let err = cfg.validate().unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        }
        base().validate().unwrap();
        for bad in [f64::NAN, -1.0, 1e19, f64::INFINITY, 86_401.0] {
            let err = duration_from_secs_f64("connect_timeout", bad).unwrap_err();
            assert!(err.to_string().contains("connect_timeout"), "{err}");
        }
        assert_eq!(
            duration_from_millis_f64("t", 1500.0).unwrap(),
            Duration::from_millis(1500)
        );
        assert!(duration_from_millis_f64("t", 1e300).is_err());
    }

    #[test]
    fn adapter_options_parse_from_the_shared_names() {
        assert_eq!(
            "classic".parse::<AdapterKind>().unwrap(),
            AdapterKind::Classic
        );
        assert_eq!(
            "sharded".parse::<AdapterKind>().unwrap(),
            AdapterKind::Sharded
        );
        for mode in [
            SubscriptionMode::Static,
            SubscriptionMode::Dynamic,
            SubscriptionMode::DynamicPrivate,
        ] {
            assert_eq!(mode.as_str().parse::<SubscriptionMode>().unwrap(), mode);
        }
        let cfg = EmitterConfig::new("redis://h");
        assert_eq!(cfg.adapter, AdapterKind::Classic);
        assert_eq!(cfg.subscription_mode, SubscriptionMode::Dynamic);
    }

    #[test]
    fn bad_adapter_options_name_the_value_and_the_choices() {
        let err = "Sharded".parse::<AdapterKind>().unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert_eq!(
            err.to_string(),
            "invalid argument: adapter must be one of \"classic\", \"sharded\", \"streams\", \"auto\", got \"Sharded\""
        );
        // The servers spell it with a hyphen; an underscore is a likely slip, refused loudly.
        let err = "dynamic_private".parse::<SubscriptionMode>().unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert_eq!(
            err.to_string(),
            "invalid argument: subscription_mode must be one of \"static\", \"dynamic\", \"dynamic-private\", got \"dynamic_private\""
        );
        assert!("".parse::<SubscriptionMode>().is_err());
    }

    #[test]
    fn passwords_never_show() {
        let cfg = EmitterConfig::new("redis://alice:s3cret-pw@localhost:6379/0");
        assert_eq!(cfg.redacted_url(), "redis://alice:***@localhost:6379/0");
        assert!(!format!("{cfg:?}").contains("s3cret-pw"));
        let bad = EmitterConfig::new("http://u:s3cret-pw@x");
        let err = bad.validate().unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(!err.to_string().contains("s3cret-pw"), "{err}");
        assert!(!redact_url("::not a url s3cret-pw").contains("s3cret-pw"));
    }
}
