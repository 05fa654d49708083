//! Making the emitter's [`Link`]: to one server, to the master Sentinel names, or to a
//! Redis Cluster. Each first try is retried with backoff within the caller's budget, since
//! Redis may be starting or failing over; errors that time cannot fix (authentication,
//! bad configuration) end the wait at once.

use std::time::Duration;

use redis::ProtocolVersion;
use tokio::time::Instant;

use super::fate::{Fate, fate, map_error, scrub};
use super::link::Link;
use super::multiplexed::{Multiplexed, Source};
use super::sentinel::Sentinel;

use crate::config::EmitterConfig;
use crate::error::{Error, Result};
use crate::topology::Topology;

/// How long to wait between attempts, and how many to make.
#[derive(Debug, Clone, Copy)]
pub(super) struct Backoff {
    pub(super) min: Duration,
    pub(super) max: Duration,
    pub(super) attempts: usize,
}

impl Backoff {
    pub(super) fn of(cfg: &EmitterConfig) -> Backoff {
        Backoff {
            min: cfg.reconnect_min_delay,
            max: cfg.reconnect_max_delay,
            attempts: cfg.reconnect_attempts,
        }
    }
}

/// Why [`with_backoff`] gave up.
enum GaveUp<E> {
    /// `stop` said the error will not go away by waiting.
    Stopped(E),
    /// The attempts or the budget ran out: the last error, if any attempt ended before the
    /// deadline, and the time spent.
    Exhausted {
        cause: Option<redis::RedisError>,
        elapsed: f64,
    },
}

impl<E: From<Error>> GaveUp<E> {
    /// `Stopped` as it is; `Exhausted` as "cannot connect to {target}" with its cause, or
    /// a timeout when nothing answered at all.
    fn into_error(self, target: &str, secrets: &[String]) -> E {
        match self {
            GaveUp::Stopped(e) => e,
            GaveUp::Exhausted {
                cause: Some(e),
                elapsed,
            } => Error::Connection(format!(
                "cannot connect to {target} (tried for {elapsed:.1} s): {}",
                scrub(&e.to_string(), secrets)
            ))
            .into(),
            GaveUp::Exhausted {
                cause: None,
                elapsed,
            } => Error::Timeout(format!(
                "connecting to {target}: no answer within {elapsed:.1} s"
            ))
            .into(),
        }
    }
}

/// Runs `attempt` until it succeeds, `stop` turns its error into a final one, the attempts
/// of `backoff` are spent or `deadline` passes, waiting twice as long after each failure.
async fn with_backoff<T, E, Fut>(
    deadline: Instant,
    backoff: Backoff,
    mut attempt: impl FnMut() -> Fut,
    mut stop: impl FnMut(&redis::RedisError) -> Option<E>,
) -> std::result::Result<T, GaveUp<E>>
where
    Fut: Future<Output = redis::RedisResult<T>>,
{
    let started = Instant::now();
    let mut delay = backoff.min;
    let mut cause = None;
    for _ in 0..=backoff.attempts {
        let err = match tokio::time::timeout_at(deadline, attempt()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => e,
            Err(_) => break,
        };
        if let Some(final_error) = stop(&err) {
            return Err(GaveUp::Stopped(final_error));
        }
        cause = Some(err);
        if tokio::time::timeout_at(deadline, tokio::time::sleep(delay))
            .await
            .is_err()
        {
            break;
        }
        delay = (delay * 2).min(backoff.max);
    }
    Err(GaveUp::Exhausted {
        cause,
        elapsed: started.elapsed().as_secs_f64(),
    })
}

/// Authentication and configuration errors are final; anything else may pass.
fn refused(e: &redis::RedisError, secrets: &[String]) -> Option<Error> {
    (fate(e) == Fate::Refused).then(|| map_error(e, secrets))
}

/// One server, or the master Sentinel names: probes it (learning whether it speaks RESP3),
/// then makes the emitter's connection.
pub(super) async fn open_single(
    cfg: &EmitterConfig,
    deadline: Instant,
    secrets: &[String],
    health: &std::sync::Arc<super::connection::Health>,
) -> Result<Link> {
    // RESP3 tells of a dropped connection at once, so calls made after a
    // drop wait for the reconnection instead of failing on a dead socket. Servers
    // older than Redis 6 do not speak it; they get RESP2.
    let mut protocol = ProtocolVersion::RESP3;
    let (source, server) = loop {
        let (source, server) = match &cfg.topology {
            Topology::Sentinel { master, nodes } => {
                let sentinel = Sentinel::new(cfg, master, nodes, protocol)
                    .map_err(|e| map_error(&e, secrets))?;
                let server = find_master(&sentinel, master, cfg, deadline, secrets).await?;
                (Source::Sentinel(sentinel), server)
            }
            _ => {
                let client = build_client(cfg, protocol).map_err(|e| map_error(&e, secrets))?;
                (Source::Direct(client.clone()), client)
            }
        };
        match probe(&server, cfg, deadline, secrets).await {
            Ok(()) => break (source, server),
            Err(Probe::NoResp3) if protocol == ProtocolVersion::RESP3 => {
                protocol = ProtocolVersion::RESP2;
            }
            Err(Probe::NoResp3) => {
                return Err(Error::Connection("Redis refused the handshake".into()));
            }
            Err(Probe::Failed(e)) => return Err(e),
        }
    };
    // One attempt per connection; the calls that wait drive the retries (see
    // `Connection::call`), so that each learns the cause and keeps its own deadline.
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(cfg.connect_timeout))
        .set_response_timeout(Some(cfg.response_timeout));
    let resp3 = protocol == ProtocolVersion::RESP3;
    let link = tokio::time::timeout_at(
        deadline,
        Multiplexed::connect(source, server, config, resp3, health.clone()),
    )
    .await
    .map_err(|_| {
        Error::Timeout(format!(
            "connecting to {}: no answer within {:?}",
            cfg.redacted_url(),
            cfg.call_timeout()
        ))
    })?
    .map_err(|e| map_error(&e, secrets))?;
    Ok(Link::Single(Box::new(link)))
}

/// Asks the sentinels for the master until one names a reachable one, or the budget ends
/// (during a failover none does for a few seconds).
async fn find_master(
    sentinel: &Sentinel,
    name: &str,
    cfg: &EmitterConfig,
    deadline: Instant,
    secrets: &[String],
) -> Result<redis::Client> {
    with_backoff(
        deadline,
        Backoff::of(cfg),
        || sentinel.master(),
        |e| refused(e, secrets),
    )
    .await
    .map_err(|gave_up| match gave_up {
        GaveUp::Stopped(e) => e,
        GaveUp::Exhausted { cause, elapsed } => {
            let cause = cause.map_or_else(
                || "no answer".to_owned(),
                |e| scrub(&e.to_string(), secrets),
            );
            Error::Connection(format!(
                "no sentinel named a reachable master {name:?} (tried for {elapsed:.1} s): {cause}"
            ))
        }
    })
}

/// A Redis Cluster: redis-rs reads the slot map from the first seed node that answers.
pub(super) async fn open_cluster(
    cfg: &EmitterConfig,
    nodes: &[String],
    deadline: Instant,
    secrets: &[String],
) -> Result<Link> {
    let client = super::cluster::client(cfg, nodes, ProtocolVersion::RESP2)
        .map_err(|e| map_error(&e, secrets))?;
    with_backoff(
        deadline,
        Backoff::of(cfg),
        || super::cluster::connect(&client),
        |e| refused(e, secrets),
    )
    .await
    .map(Link::Cluster)
    .map_err(|gave_up| gave_up.into_error("the cluster", secrets))
}

fn build_client(
    cfg: &EmitterConfig,
    protocol: ProtocolVersion,
) -> redis::RedisResult<redis::Client> {
    use redis::IntoConnectionInfo;
    let info = cfg.url().into_connection_info()?;
    let settings = info.redis_settings().clone().set_protocol(protocol);
    let info = info.set_redis_settings(settings);
    match &cfg.tls_ca_pem {
        Some(pem) => redis::Client::build_with_tls(
            info,
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.clone()),
            },
        ),
        None => redis::Client::open(info),
    }
}

enum Probe {
    /// The server does not speak RESP3 (Redis < 6).
    NoResp3,
    Failed(Error),
}

impl From<Error> for Probe {
    fn from(e: Error) -> Probe {
        Probe::Failed(e)
    }
}

/// One connection made and dropped before the emitter's own, to learn why Redis cannot
/// be reached (refused, authentication, TLS) instead of only that it was not in time.
/// Only errors that say nothing was sent (a refused connection: Redis may be starting)
/// are retried.
async fn probe(
    client: &redis::Client,
    cfg: &EmitterConfig,
    deadline: Instant,
    secrets: &[String],
) -> std::result::Result<(), Probe> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(cfg.connect_timeout))
        .set_response_timeout(Some(cfg.response_timeout));
    with_backoff(
        deadline,
        Backoff::of(cfg),
        || client.get_multiplexed_async_connection_with_config(&config),
        |e| {
            if is_unknown_hello(e) {
                Some(Probe::NoResp3)
            } else if fate(e) != Fate::NotSent {
                Some(Probe::Failed(map_error(e, secrets)))
            } else {
                None
            }
        },
    )
    .await
    .map(drop)
    .map_err(|gave_up| gave_up.into_error(&cfg.redacted_url(), secrets))
}

fn is_unknown_hello(e: &redis::RedisError) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("unknown command") && text.contains("hello")
}
