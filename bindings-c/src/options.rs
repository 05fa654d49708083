//! `sioe_options`: the connection options, set one by one before `sioe_connect`. The names
//! and meanings are the core's `EmitterConfig` ones (core/src/config.rs); durations are
//! whole milliseconds, as the `_ms` suffixes say.

use std::ffi::c_char;
use std::fmt;
use std::time::Duration;

use socketio_emitter::{
    AdapterKind, Compat, DEFAULT_URL, EmitterConfig, QueueFullPolicy, StreamsVersion,
    SubscriptionMode, Topology, redact_url,
};

use crate::error::{Failure, Outcome, sioe_error, sioe_status};
use crate::guard::{self, call};

/// What `sioe_emitter_enqueue` does when its queue is full (`sioe_options_set_queue`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sioe_queue_full {
    /// Wait until there is room (the default).
    Block = 0,
    /// Fail at once with `SIOE_STATUS_QUEUE_FULL`.
    Error = 1,
}

/// Which duration `sioe_options_set_duration_ms` sets.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum sioe_duration {
    /// How long one connection attempt may take (default 5000 ms, more than 0).
    ConnectTimeout = 0,
    /// How long Redis may take to answer a command (default 5000 ms, more than 0).
    ResponseTimeout = 1,
    /// The first reconnection delay (default 100 ms).
    ReconnectMinDelay = 2,
    /// The longest reconnection delay (default 2000 ms, at least the first one).
    ReconnectMaxDelay = 3,
}

/// Connection options. Create with `sioe_options_new`, release with `sioe_options_free`.
/// Not thread-safe: do not use one `sioe_options` from two threads at once. `sioe_connect`
/// copies what it needs, so the options can be freed or reused right after it returns.
///
/// Every setter checks its value against the core's bounds (`EmitterConfig::validate`:
/// durations at most one day, queue capacity 1 to 4294967295, ...) and fails with
/// `SIOE_STATUS_INVALID_ARGUMENT`, naming the option, leaving the options unchanged.
/// Combinations are checked by `sioe_connect`, so that options can be set in any order.
#[derive(Clone, PartialEq)]
pub struct sioe_options {
    pub(crate) key: String,
    pub(crate) adapter: AdapterKind,
    pub(crate) subscription_mode: SubscriptionMode,
    pub(crate) stream_name: String,
    pub(crate) stream_count: u32,
    pub(crate) max_len: u64,
    pub(crate) streams_version: StreamsVersion,
    pub(crate) compat: Compat,
    pub(crate) tls_ca_pem: Option<Vec<u8>>,
    pub(crate) connect_timeout: Duration,
    pub(crate) response_timeout: Duration,
    pub(crate) reconnect_min_delay: Duration,
    pub(crate) reconnect_max_delay: Duration,
    pub(crate) reconnect_attempts: usize,
    pub(crate) queue: (usize, QueueFullPolicy),
    pub(crate) queue_max_bytes: usize,
    pub(crate) max_payload_bytes: usize,
    pub(crate) require_receivers: bool,
    pub(crate) persistent: bool,
    /// Seed nodes of a Redis Cluster (`cluster_nodes`); empty: not a cluster.
    pub(crate) cluster_nodes: Vec<String>,
    /// The name the sentinels monitor the master under (`sentinel_master`); empty: unset.
    pub(crate) sentinel_master: String,
    /// The sentinels (`sentinel_nodes`).
    pub(crate) sentinel_nodes: Vec<String>,
}

/// Node URLs may hold passwords: they are shown redacted, like the core's `Debug`.
impl fmt::Debug for sioe_options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |nodes: &[String]| nodes.iter().map(|n| redact_url(n)).collect::<Vec<_>>();
        f.debug_struct("sioe_options")
            .field("key", &self.key)
            .field("adapter", &self.adapter)
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
            .field("queue", &self.queue)
            .field("queue_max_bytes", &self.queue_max_bytes)
            .field("max_payload_bytes", &self.max_payload_bytes)
            .field("require_receivers", &self.require_receivers)
            .field("persistent", &self.persistent)
            .field("cluster_nodes", &redacted(&self.cluster_nodes))
            .field("sentinel_master", &self.sentinel_master)
            .field("sentinel_nodes", &redacted(&self.sentinel_nodes))
            .finish()
    }
}

impl Default for sioe_options {
    fn default() -> Self {
        let d = EmitterConfig::new("");
        sioe_options {
            key: d.key,
            adapter: d.adapter,
            subscription_mode: d.subscription_mode,
            stream_name: d.stream_name,
            stream_count: d.stream_count,
            max_len: d.max_len,
            streams_version: d.streams_version,
            compat: d.compat,
            tls_ca_pem: None,
            connect_timeout: d.connect_timeout,
            response_timeout: d.response_timeout,
            reconnect_min_delay: d.reconnect_min_delay,
            reconnect_max_delay: d.reconnect_max_delay,
            reconnect_attempts: d.reconnect_attempts,
            queue: (d.queue_capacity, d.queue_full),
            queue_max_bytes: d.queue_max_bytes,
            max_payload_bytes: d.max_payload_bytes,
            require_receivers: d.require_receivers,
            persistent: false,
            cluster_nodes: Vec::new(),
            sentinel_master: String::new(),
            sentinel_nodes: Vec::new(),
        }
    }
}

impl sioe_options {
    /// Whether the options name a Redis Cluster or sentinels: `sioe_connect` then accepts
    /// a NULL URL.
    pub(crate) fn has_topology(&self) -> bool {
        !self.cluster_nodes.is_empty()
            || !self.sentinel_master.is_empty()
            || !self.sentinel_nodes.is_empty()
    }

    /// The core's configuration for `url`. Fails when the reconnection delays are in the
    /// wrong order, or when the topology options do not combine (the other bounds and
    /// combinations are the core's, checked when connecting).
    pub(crate) fn config(&self, url: &str) -> Outcome<EmitterConfig> {
        if self.reconnect_min_delay > self.reconnect_max_delay {
            return Err(invalid(format!(
                "reconnect_min_delay_ms ({}) must not exceed reconnect_max_delay_ms ({})",
                self.reconnect_min_delay.as_secs_f64() * 1000.0,
                self.reconnect_max_delay.as_secs_f64() * 1000.0
            )));
        }
        let given = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        let mut cfg = self.standalone(url);
        cfg.topology = Topology::from_options(
            given(&self.cluster_nodes),
            (!self.sentinel_master.is_empty()).then(|| self.sentinel_master.clone()),
            given(&self.sentinel_nodes),
        )?;
        Ok(cfg)
    }

    /// The configuration of an encode-only emitter (`sioe_offline_with`): no URL, nor
    /// cluster or sentinel, is read.
    pub(crate) fn offline_config(&self) -> EmitterConfig {
        self.standalone("")
    }

    /// What `sioe_offline_with` refuses: the options that shape the output (key, adapter,
    /// subscription mode, the streams options, compat, `max_payload_bytes`) in a
    /// combination the servers cannot have, e.g. compat with a non-classic adapter, or
    /// `stream_count` above 1 with `streams_version` 0.2. The options an encode-only emitter
    /// does not use (URL, timeouts, queue, `require_receivers`, topology) are not checked.
    pub(crate) fn check_offline(&self) -> Outcome {
        EmitterConfig::new(DEFAULT_URL)
            .with_key(self.key.clone())
            .with_adapter(self.adapter)
            .with_subscription_mode(self.subscription_mode)
            .with_streams(self.stream_name.clone(), self.stream_count, self.max_len)
            .with_streams_version(self.streams_version)
            .with_compat(self.compat)
            .with_max_payload_bytes(self.max_payload_bytes)
            .validate()?;
        Ok(())
    }

    /// Every option but the topology.
    fn standalone(&self, url: &str) -> EmitterConfig {
        let mut cfg = EmitterConfig::new(url)
            .with_key(self.key.clone())
            .with_adapter(self.adapter)
            .with_subscription_mode(self.subscription_mode)
            .with_streams(self.stream_name.clone(), self.stream_count, self.max_len)
            .with_streams_version(self.streams_version)
            .with_compat(self.compat)
            .with_connect_timeout(self.connect_timeout)
            .with_response_timeout(self.response_timeout)
            .with_reconnect(
                self.reconnect_min_delay,
                self.reconnect_max_delay,
                self.reconnect_attempts,
            )
            .with_queue(self.queue.0, self.queue.1)
            .with_queue_max_bytes(self.queue_max_bytes)
            .with_max_payload_bytes(self.max_payload_bytes)
            .with_require_receivers(self.require_receivers);
        if let Some(pem) = &self.tls_ca_pem {
            cfg = cfg.with_tls_ca_pem(pem.clone());
        }
        cfg
    }

    /// The core's bounds on every option, each on its own: not the URL, which
    /// `sioe_connect` checks, nor the combinations (the order of the reconnection delays,
    /// a URL or `require_receivers` with cluster nodes, a sentinel master without sentinels
    /// or the reverse), so that the options can be set one at a time, in any order.
    fn check(&self) -> Outcome {
        let base = self.standalone(DEFAULT_URL).with_require_receivers(false);
        // Each value on its own, whatever the adapter; how they combine is for sioe_connect,
        // so that options can be set in any order.
        base.clone()
            .with_adapter(AdapterKind::Streams)
            .with_streams_version(StreamsVersion::V03)
            .with_compat(Compat::RedisAdapter8)
            .validate()?;
        if !self.cluster_nodes.is_empty() {
            base.clone()
                .with_cluster_nodes(self.cluster_nodes.clone())
                .validate()?;
        }
        if !self.sentinel_nodes.is_empty() {
            // Any master name: only the node list is checked here.
            base.with_sentinel("master", self.sentinel_nodes.clone())
                .validate()?;
        }
        Ok(())
    }
}

/// A duration option given in milliseconds: finite, not negative, at most one day
/// (`socketio_emitter::duration_from_millis_f64`); `INVALID_ARGUMENT` names `name` otherwise.
pub(crate) fn millis(name: &str, ms: f64) -> Outcome<Duration> {
    Ok(socketio_emitter::duration_from_millis_f64(name, ms)?)
}

/// New options with every default: key `"socket.io"`, adapter `"classic"` (subscription
/// mode `"dynamic"`), 5000 ms timeouts, reconnect 100 ms
/// to 2000 ms with 6 attempts, a queue of 10000 (64 MiB) that blocks when full, payloads of
/// at most 16 MiB, no strict mode, not persistent. Returns NULL only if the library failed
/// internally.
#[unsafe(no_mangle)]
pub extern "C" fn sioe_options_new() -> *mut sioe_options {
    guard::value(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(sioe_options::default()))
    })
}

/// Releases `opts`. NULL is allowed and does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_free(opts: *mut sioe_options) {
    guard::value((), || {
        if !opts.is_null() {
            // SAFETY: created by `sioe_options_new`, freed once.
            drop(unsafe { Box::from_raw(opts) });
        }
    })
}

/// Runs a setter on a copy of the options and keeps it only when every option is still
/// within the core's bounds.
pub(crate) fn set(
    opts: *mut sioe_options,
    err: *mut *mut sioe_error,
    f: impl FnOnce(&mut sioe_options) -> Outcome,
) -> sioe_status {
    call(err, || {
        // SAFETY: NULL or live options, used by this thread only.
        let opts = unsafe { guard::handle_mut(opts, "opts") }?;
        let mut next = opts.clone();
        f(&mut next)?;
        next.check()?;
        *opts = next;
        Ok(())
    })
}

/// The channel prefix: the adapter's `key` option (UTF-8, may be empty).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_key(
    opts: *mut sioe_options,
    key: *const c_char,
    key_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.key = unsafe { guard::text(key, key_len, "key") }?.to_owned();
        Ok(())
    })
}

/// The Socket.IO servers' Redis adapter, as text: `"classic"` (the default:
/// `@socket.io/redis-adapter` `createAdapter`, and `socket.io-redis` 5.x/6.x; PUBLISH; see
/// `sioe_options_set_compat` for the older stacks), `"sharded"` (`createShardedAdapter`,
/// adapter 8.2+ on Redis 7+; SPUBLISH) or `"streams"` (`@socket.io/redis-streams-adapter`;
/// XADD, see `sioe_options_set_stream_name`), or `"auto"`: detected when connecting from
/// what the servers subscribe to in Redis (on the key and namespace `/`), failing with
/// `SIOE_STATUS_DETECTION_FAILED` when no server or several adapters listen there. Auto
/// picks the sharded `static` subscription mode and the streams version it sees; the
/// stream name, count and `max_len` stay as set. It must be the servers' adapter: each one only
/// hears its own command, so a mismatch reaches no server
/// (`sioe_options_set_require_receivers` turns that into `SIOE_STATUS_NO_SUBSCRIBERS`).
/// Any other text is `SIOE_STATUS_INVALID_ARGUMENT`, naming the accepted values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_adapter(
    opts: *mut sioe_options,
    adapter: *const c_char,
    adapter_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.adapter = unsafe { guard::text(adapter, adapter_len, "adapter") }?.parse()?;
        Ok(())
    })
}

/// The sharded servers' `subscriptionMode`, as text: `"static"`, `"dynamic"` (the default,
/// as on the servers) or `"dynamic-private"`. It decides which channel a broadcast to exactly
/// one room goes to, so it must be the servers' mode. Only the sharded adapter reads it.
/// Any other text is `SIOE_STATUS_INVALID_ARGUMENT`, naming the accepted values.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_subscription_mode(
    opts: *mut sioe_options,
    mode: *const c_char,
    mode_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.subscription_mode =
            unsafe { guard::text(mode, mode_len, "subscription_mode") }?.parse()?;
        Ok(())
    })
}

/// Adds a seed node of a Redis Cluster (the option `cluster_nodes`; call once per node):
/// `redis://[user[:password]@]host[:port]` or `rediss://...`, with the credentials every
/// node takes. The emitter discovers the other nodes from the seeds and follows MOVED, ASK
/// and failovers. With cluster nodes, pass a NULL URL (length 0) to `sioe_connect`: a
/// cluster is reached through its seed nodes, and a URL there is
/// `SIOE_STATUS_INVALID_ARGUMENT`. Both adapters work on a cluster. With the sharded one
/// (`sioe_options_set_adapter`) an emit goes to the master that owns its channel's slot and
/// its count is every server subscribed; with the classic one PUBLISH reaches every node,
/// but its count is only that of the node that received it (possibly 0), so
/// `sioe_options_set_require_receivers` is `SIOE_STATUS_INVALID_ARGUMENT` there. A URL that is not `redis://` or `rediss://` with a host, or that mixes the two schemes
/// with the nodes added before, is `SIOE_STATUS_INVALID_ARGUMENT` naming `cluster_nodes`
/// (the password never shows) and is not added.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_add_cluster_node(
    opts: *mut sioe_options,
    url: *const c_char,
    url_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        let url = unsafe { guard::text(url, url_len, "cluster_nodes") }?;
        o.cluster_nodes.push(url.to_owned());
        Ok(())
    })
}

/// The name the sentinels monitor the master under (the option `sentinel_master`, e.g.
/// `"mymaster"`; not empty): the emitter asks the sentinels (`sioe_options_add_sentinel_node`)
/// where that master is, and follows it through failovers. The master's credentials,
/// database and TLS come from the URL given to `sioe_connect`, whose host and port are not
/// used; a NULL URL (length 0) means none of them. `sioe_connect` fails with
/// `SIOE_STATUS_INVALID_ARGUMENT` when only one of the master and the sentinels is set.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_sentinel_master(
    opts: *mut sioe_options,
    master: *const c_char,
    master_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        let master = unsafe { guard::text(master, master_len, "sentinel_master") }?;
        if master.is_empty() {
            return Err(invalid(
                "sentinel_master must name the master the sentinels monitor",
            ));
        }
        o.sentinel_master = master.to_owned();
        Ok(())
    })
}

/// Adds a sentinel (the option `sentinel_nodes`; call once per sentinel):
/// `redis://[user[:password]@]host[:port]` or `rediss://...`, with the sentinel's own
/// credentials if it has any. Checked like `sioe_options_add_cluster_node`'s URLs
/// (`SIOE_STATUS_INVALID_ARGUMENT` naming `sentinel_nodes`, and not added).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_add_sentinel_node(
    opts: *mut sioe_options,
    url: *const c_char,
    url_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        let url = unsafe { guard::text(url, url_len, "sentinel_nodes") }?;
        o.sentinel_nodes.push(url.to_owned());
        Ok(())
    })
}

/// PEM bundle of the CA that signed the server's certificate, for `rediss://` URLs with a
/// private CA.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_tls_ca_pem(
    opts: *mut sioe_options,
    pem: *const c_char,
    pem_len: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        // SAFETY: (pointer, length) per the conventions.
        o.tls_ca_pem = Some(unsafe { guard::bytes(pem, pem_len, "pem", false) }?.to_vec());
        Ok(())
    })
}

/// How long one connection attempt may take (ms, 1 to 86400000). Every blocking call
/// waits at most connect timeout + response timeout (see the README).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_connect_timeout_ms(
    opts: *mut sioe_options,
    ms: u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.connect_timeout = positive("connect_timeout_ms", ms as f64)?;
        Ok(())
    })
}

/// How long Redis may take to answer a command (ms, 1 to 86400000).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_response_timeout_ms(
    opts: *mut sioe_options,
    ms: u64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.response_timeout = positive("response_timeout_ms", ms as f64)?;
        Ok(())
    })
}

/// Sets one duration option in milliseconds, fractions allowed: `which` is a
/// `sioe_duration` (`SIOE_DURATION_CONNECT_TIMEOUT`, ...). `ms` must be finite, not
/// negative and at most 86400000 (one day), and more than 0 for the two timeouts;
/// otherwise `SIOE_STATUS_INVALID_ARGUMENT` names the option. The reconnection delays
/// may be set in any order; `sioe_connect` checks that the first is not above the longest.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_duration_ms(
    opts: *mut sioe_options,
    which: i32,
    ms: f64,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        match which {
            x if x == sioe_duration::ConnectTimeout as i32 => {
                o.connect_timeout = positive("connect_timeout_ms", ms)?;
            }
            x if x == sioe_duration::ResponseTimeout as i32 => {
                o.response_timeout = positive("response_timeout_ms", ms)?;
            }
            x if x == sioe_duration::ReconnectMinDelay as i32 => {
                o.reconnect_min_delay = millis("reconnect_min_delay_ms", ms)?;
            }
            x if x == sioe_duration::ReconnectMaxDelay as i32 => {
                o.reconnect_max_delay = millis("reconnect_max_delay_ms", ms)?;
            }
            other => return Err(invalid(format!("unknown sioe_duration value {other}"))),
        }
        Ok(())
    })
}

/// Reconnection backoff: the first delay, doubling up to `max_delay_ms` (each at most
/// 86400000 ms), and how many attempts (at most 1000) a reconnection makes before waiting
/// calls fail.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_reconnect(
    opts: *mut sioe_options,
    min_delay_ms: u64,
    max_delay_ms: u64,
    attempts: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        if min_delay_ms > max_delay_ms {
            return Err(invalid("min_delay_ms must not exceed max_delay_ms"));
        }
        o.reconnect_min_delay = millis("reconnect_min_delay_ms", min_delay_ms as f64)?;
        o.reconnect_max_delay = millis("reconnect_max_delay_ms", max_delay_ms as f64)?;
        o.reconnect_attempts = attempts;
        Ok(())
    })
}

/// The capacity of the `sioe_emitter_enqueue` queue (1 to 4294967295) and what happens
/// when it is full: `SIOE_QUEUE_FULL_BLOCK` (0) or `SIOE_QUEUE_FULL_ERROR` (1).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_queue(
    opts: *mut sioe_options,
    capacity: usize,
    when_full: i32,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        let policy = match when_full {
            x if x == sioe_queue_full::Block as i32 => QueueFullPolicy::Block,
            x if x == sioe_queue_full::Error as i32 => QueueFullPolicy::Error,
            other => return Err(invalid(format!("unknown sioe_queue_full value {other}"))),
        };
        o.queue = (capacity, policy);
        Ok(())
    })
}

/// The byte bound of the `sioe_emitter_enqueue` queue (1 to 4294967295; default 64 MiB):
/// a queued operation holds its payload's bytes until Redis answered it, and an enqueue
/// that does not fit waits or fails like a full queue (`sioe_options_set_queue`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_queue_max_bytes(
    opts: *mut sioe_options,
    max_bytes: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.queue_max_bytes = max_bytes;
        Ok(())
    })
}

/// The largest payload one operation may publish (1 to 536870912 bytes; default 16 MiB):
/// a larger emit fails with `SIOE_STATUS_ENCODE` naming `max_payload_bytes`, before
/// anything is sent. Redis disconnects a subscriber whose output buffer passes 32 MB, so
/// one huge message would cut off every Socket.IO server.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_max_payload_bytes(
    opts: *mut sioe_options,
    max_bytes: usize,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.max_payload_bytes = max_bytes;
        Ok(())
    })
}

/// Strict mode: a publish that reaches no Socket.IO server fails with
/// `SIOE_STATUS_NO_SUBSCRIBERS`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_require_receivers(
    opts: *mut sioe_options,
    require: bool,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.require_receivers = require;
        Ok(())
    })
}

/// Persistent mode, for hosts that run many short requests in one long process (PHP-FPM):
/// `sioe_connect` then returns a handle on a connection shared by every persistent
/// `sioe_connect` of this process with the same URL and options, opened on first use and
/// kept after `sioe_emitter_free`. `sioe_emitter_close` closes it for all of them; the next
/// persistent connect opens a new one. A child process created by `fork()` never reuses its
/// parent's connections.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sioe_options_set_persistent(
    opts: *mut sioe_options,
    persistent: bool,
    err: *mut *mut sioe_error,
) -> sioe_status {
    set(opts, err, |o| {
        o.persistent = persistent;
        Ok(())
    })
}

fn invalid(msg: impl Into<String>) -> Failure {
    Failure::new(sioe_status::InvalidArgument, msg)
}

/// A timeout in milliseconds: as [`millis`], and more than zero.
fn positive(name: &str, ms: f64) -> Outcome<Duration> {
    let d = millis(name, ms)?;
    if d.is_zero() {
        return Err(invalid(format!("{name} must be greater than zero")));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_passwords_never_show_in_debug() {
        let o = sioe_options {
            cluster_nodes: vec!["redis://alice:s3cret-pw@10.0.0.1:7000".into()],
            sentinel_nodes: vec![
                "redis://:s3cret-pw@10.0.0.2:26379".into(),
                "bad s3cret-pw".into(),
            ],
            ..Default::default()
        };
        let text = format!("{o:?}");
        assert!(!text.contains("s3cret-pw"), "{text}");
        assert!(text.contains("redis://alice:***@10.0.0.1:7000"), "{text}");
    }

    #[test]
    fn topology_options_combine_only_when_connecting() {
        let mut o = sioe_options {
            cluster_nodes: vec!["redis://10.0.0.1:7000".into()],
            require_receivers: true,
            ..Default::default()
        };
        assert!(o.check().is_ok(), "each value is fine on its own");
        let msg = o
            .config(DEFAULT_URL)
            .unwrap()
            .validate()
            .unwrap_err()
            .to_string();
        assert!(msg.contains("require_receivers"), "{msg}");
        o.sentinel_master = "mymaster".into();
        let failure = o.config(DEFAULT_URL).unwrap_err();
        assert_eq!(failure.status, sioe_status::InvalidArgument);
    }
}
