//! One self-reconnecting, multiplexed Redis connection ([`Multiplexed`]), with our error
//! mapping, a bound on how long any call can wait, and a retry of what
//! certainly did not reach Redis.
//!
//! Every call has one budget, [`EmitterConfig::call_timeout`] (connect + response
//! timeout), counted from when it starts. Within it, a call that finds Redis unreachable
//! waits for the connection to come back and is then sent ([`super::fate`] says which
//! failures allow that). A failure after the command was handed to a live connection is
//! reported at once: Redis may have published it, and sending it again could duplicate it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::ProtocolVersion;
use tokio::time::Instant;

use super::fast_lane::FastLane;
use super::fate::{Fate, fate, map_error, scrub};
use super::link::{Conn, Link};
use super::multiplexed::{Multiplexed, Source};
use super::pacing::Pacer;
use super::sentinel::Sentinel;

use crate::adapter::Output;
use crate::config::EmitterConfig;
use crate::error::{Error, Result};
use crate::topology::Topology;

#[derive(Clone)]
pub(crate) struct Connection {
    link: Arc<Link>,
    /// Passwords to scrub from every error message.
    secrets: Arc<[String]>,
    require_receivers: bool,
    /// The most any one call may wait: a reconnection in progress plus the response.
    call_timeout: Duration,
    backoff: Backoff,
    health: Arc<Health>,
    /// Holds sends while a subscriber falls behind (`None` with `pacing` off).
    pacer: Option<Arc<Pacer>>,
    /// The synchronous connection blocking callers use when it is free (`None` on a
    /// cluster).
    fast_lane: Option<Arc<FastLane>>,
}

/// What the connection knows about its own state, shared with the fast lane and the queue.
#[derive(Debug, Default)]
pub(crate) struct Health {
    /// Connections seen to drop (RESP3 tells it at once, even when idle).
    pub(crate) disconnects: AtomicU64,
    /// Counts the times a call found Redis unreachable and waited to try again. The queue
    /// sends nothing new while a pipeline started before the last such wait is unsettled,
    /// so that what is retried still goes out before what was queued after it.
    retries: AtomicU64,
    /// The value of `disconnects` when Redis last answered: when they differ, a
    /// reconnection is under way and a new command may wait for it before it is written.
    answered_generation: AtomicU64,
}

/// What the queue needs to keep pipelines in order. A pipeline started while the
/// connection was steady (connected, not held by pacing) hands its commands to the
/// connection during its first poll, so a later pipeline cannot overtake it; one started
/// otherwise may still be waiting, and nothing newer may start before it is settled. A
/// change of `retries` means some call found Redis unreachable and will send again later.
///
/// Bindings that keep several pipelines in flight themselves (the Node binding) follow the
/// same rule with [`crate::Emitter::pipeline_stamp`]: before starting a pipeline, wait for
/// every older one whose stamp was not `steady` or whose `retries` differs from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub retries: u64,
    pub steady: bool,
}

/// What a pipeline came to.
pub(crate) struct Sent {
    /// One per output, in order.
    pub(crate) results: Vec<Result<u64>>,
    /// Nothing was sent and the budget is spent (Redis unreachable, or sends held for a
    /// slow subscriber): what is queued behind it would fare the same.
    pub(crate) unreachable: bool,
}

/// A failed call, and whether it failed because Redis stayed unreachable.
struct Failure {
    error: Error,
    unreachable: bool,
}

impl Failure {
    fn sent(error: Error) -> Failure {
        Failure {
            error,
            unreachable: false,
        }
    }

    fn unreachable(error: Error) -> Failure {
        Failure {
            error,
            unreachable: true,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Backoff {
    min: Duration,
    max: Duration,
    attempts: usize,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) async fn open(cfg: &EmitterConfig) -> Result<Connection> {
        cfg.validate()?;
        install_crypto_provider();
        let secrets: Arc<[String]> = cfg.secrets().into();
        let deadline = Instant::now() + cfg.call_timeout();
        let backoff = Backoff {
            min: cfg.reconnect_min_delay,
            max: cfg.reconnect_max_delay,
            attempts: cfg.reconnect_attempts,
        };
        let health = Arc::new(Health::default());
        let link = match &cfg.topology {
            Topology::Cluster { nodes } => {
                open_cluster(cfg, nodes, deadline, backoff, &secrets).await?
            }
            _ => open_single(cfg, deadline, backoff, &secrets, &health).await?,
        };
        let link = Arc::new(link);
        let fast_lane = link.single_server().map(|server| {
            Arc::new(FastLane::new(
                server,
                cfg.connect_timeout,
                cfg.response_timeout,
                health.clone(),
            ))
        });
        let pacer = cfg.pacing.then(|| Pacer::start(link.clone()));
        Ok(Connection {
            pacer,
            link,
            secrets,
            require_receivers: cfg.require_receivers,
            call_timeout: cfg.call_timeout(),
            backoff,
            health,
            fast_lane,
        })
    }

    /// The budget of one call.
    pub(crate) fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// When a call that starts now must be done.
    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.call_timeout
    }

    /// Where the connection stands, for the queue's ordering rule (see [`Stamp`]).
    pub(crate) fn stamp(&self) -> Stamp {
        let generation = self.health.disconnects.load(Ordering::Acquire);
        Stamp {
            retries: self.health.retries.load(Ordering::Acquire),
            steady: generation == self.health.answered_generation.load(Ordering::Acquire)
                && self.pacer.as_ref().is_none_or(|p| p.is_open()),
        }
    }

    /// Sends one output; resolves to the number of servers that received it.
    pub(crate) async fn send(&self, out: &Output) -> Result<u64> {
        self.send_until(out, self.deadline()).await
    }

    /// [`send`](Self::send) within a deadline the caller already started.
    pub(crate) async fn send_until(&self, out: &Output, deadline: Instant) -> Result<u64> {
        let cmd = command(out);
        let value = self
            .call(deadline, &out.channel, |mut m| {
                let cmd = &cmd;
                async move { cmd.query_async::<redis::Value>(&mut m).await }
            })
            .await
            .map_err(|f| f.error)?;
        self.receivers(out, value)
    }

    /// For callers on a thread without an async runtime: sends on the calling thread when the
    /// fast lane is free (see [`FastLane`]); `None` means "await [`send_until`](Self::send_until)
    /// with the same deadline instead".
    pub(crate) fn try_send_blocking(
        &self,
        out: &Output,
        deadline: std::time::Instant,
    ) -> Option<Result<u64>> {
        if let Some(pacer) = &self.pacer
            && !pacer.may_send()
        {
            // Held: the async path waits for the subscribers, within the same deadline.
            return None;
        }
        let reply = self
            .fast_lane
            .as_ref()?
            .try_query(&command(out), deadline)?;
        Some(
            reply
                .map_err(|e| self.reported(&e, &out.channel))
                .and_then(|v| self.receivers(out, v)),
        )
    }

    /// Sends many outputs as one pipeline; one result per output, in order.
    pub(crate) async fn send_batch(&self, outs: &[&Output]) -> Vec<Result<u64>> {
        self.send_batch_until(outs, self.deadline()).await
    }

    pub(crate) async fn send_batch_until(
        &self,
        outs: &[&Output],
        deadline: Instant,
    ) -> Vec<Result<u64>> {
        self.send_pipeline(outs, deadline).await.results
    }

    /// Sends `outs` as one pipeline; says whether Redis was unreachable for the whole
    /// budget (then none of them was sent).
    pub(crate) async fn send_pipeline(&self, outs: &[&Output], deadline: Instant) -> Sent {
        let groups = self.link.pipeline_groups(outs);
        if let [_] = groups.as_slice() {
            return self.send_group(outs, deadline).await;
        }
        // A cluster: one pipeline per slot, all in flight at once. Each keeps its own order,
        // which is the order of every channel in it.
        let parts = futures_util::future::join_all(groups.iter().map(|group| {
            let part: Vec<&Output> = group.iter().map(|&i| outs[i]).collect();
            async move { self.send_group(&part, deadline).await }
        }))
        .await;
        let mut results: Vec<Option<Result<u64>>> = outs.iter().map(|_| None).collect();
        let unreachable = parts.iter().all(|p| p.unreachable);
        for (group, part) in groups.iter().zip(parts) {
            for (&i, result) in group.iter().zip(part.results) {
                results[i] = Some(result);
            }
        }
        Sent {
            results: results
                .into_iter()
                .map(|r| r.unwrap_or_else(|| Err(Error::Redis("no reply".into()))))
                .collect(),
            unreachable,
        }
    }

    /// Sends `outs` as one pipeline (they share a slot on a cluster).
    async fn send_group(&self, outs: &[&Output], deadline: Instant) -> Sent {
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for out in outs {
            pipe.add_command(command(out));
        }
        let what = match outs {
            [one] => one.channel.clone(),
            _ => format!("a pipeline of {} operations", outs.len()),
        };
        let reply = self
            .call(deadline, &what, |mut m| {
                let pipe = &pipe;
                async move { pipe.query_async::<Vec<redis::Value>>(&mut m).await }
            })
            .await;
        let results = match reply {
            Ok(values) if values.len() == outs.len() => outs
                .iter()
                .zip(values)
                .map(|(out, v)| self.receivers(out, v))
                .collect(),
            Ok(values) => {
                let err = Error::Redis(format!(
                    "expected {} replies, got {}",
                    outs.len(),
                    values.len()
                ));
                outs.iter().map(|_| Err(err.clone())).collect()
            }
            Err(failure) => {
                return Sent {
                    results: outs.iter().map(|_| Err(failure.error.clone())).collect(),
                    unreachable: failure.unreachable,
                };
            }
        };
        Sent {
            results,
            unreachable: false,
        }
    }

    /// Runs `attempt` until it succeeds, fails in a way that must be reported, or the
    /// deadline passes. Attempts that certainly did not reach Redis are retried after a
    /// backoff, at most `reconnect_attempts` times.
    async fn call<T, F, Fut>(
        &self,
        deadline: Instant,
        what: &str,
        attempt: F,
    ) -> std::result::Result<T, Failure>
    where
        F: Fn(Conn) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let started = Instant::now();
        let mut cause: Option<redis::RedisError> = None;
        let mut delay = self.backoff.min;
        let mut retries = 0;
        loop {
            if let Some(pacer) = &self.pacer
                && let Err(held) = pacer.wait(deadline).await
            {
                // Nothing was sent, and the budget is spent: like an unreachable Redis.
                break Err(Failure::unreachable(held));
            }
            let generation = self.health.disconnects.load(Ordering::Acquire);
            let outcome = tokio::time::timeout_at(deadline, self.link.run(&attempt)).await;
            let err = match outcome {
                Ok(Ok(value)) => {
                    self.health
                        .answered_generation
                        .fetch_max(generation, Ordering::AcqRel);
                    break Ok(value);
                }
                Ok(Err(e)) => e,
                Err(_elapsed) => break Err(self.out_of_time(cause.as_ref(), what, started)),
            };
            if fate(&err) != Fate::NotSent {
                break Err(Failure::sent(self.reported(&err, what)));
            }
            // Redis is unreachable: nothing was sent. Wait, then try again.
            self.health.retries.fetch_add(1, Ordering::AcqRel);
            cause = Some(err);
            retries += 1;
            if retries > self.backoff.attempts {
                break Err(Failure::unreachable(self.unreachable(
                    cause.as_ref(),
                    started,
                    retries,
                )));
            }
            if tokio::time::timeout_at(deadline, tokio::time::sleep(delay))
                .await
                .is_err()
            {
                break Err(self.out_of_time(cause.as_ref(), what, started));
            }
            delay = (delay * 2).min(self.backoff.max);
        }
    }

    /// The error of a call whose budget ran out.
    fn out_of_time(
        &self,
        cause: Option<&redis::RedisError>,
        what: &str,
        started: Instant,
    ) -> Failure {
        match cause {
            Some(_) => Failure::unreachable(self.unreachable(cause, started, 0)),
            None => Failure::sent(Error::Timeout(format!(
                "no answer from Redis within {:.1} s for {what}; it may still have been published, so a retry may duplicate it",
                started.elapsed().as_secs_f64()
            ))),
        }
    }

    fn unreachable(
        &self,
        cause: Option<&redis::RedisError>,
        started: Instant,
        attempts: usize,
    ) -> Error {
        let cause = cause.map_or_else(
            || "no connection".to_owned(),
            |e| scrub(&e.to_string(), &self.secrets),
        );
        let attempts = if attempts > 0 {
            format!(", {attempts} attempts")
        } else {
            String::new()
        };
        Error::Connection(format!(
            "Redis unreachable for {:.1} s{attempts}: {cause}; nothing was sent",
            started.elapsed().as_secs_f64()
        ))
    }

    /// The error to report for a failure that is not retried.
    fn reported(&self, e: &redis::RedisError, what: &str) -> Error {
        match fate(e) {
            Fate::MaybeSent => Error::Connection(format!(
                "the connection to Redis broke before it answered for {what} ({}); it may or may not have been published",
                scrub(&e.to_string(), &self.secrets)
            )),
            Fate::NoAnswer => Error::Timeout(format!(
                "no answer from Redis in time for {what}; it may still have been published, so a retry may duplicate it"
            )),
            Fate::NotSent | Fate::Refused => map_error(e, &self.secrets),
        }
    }

    fn receivers(&self, out: &Output, value: redis::Value) -> Result<u64> {
        let count = match value {
            redis::Value::Int(n) => u64::try_from(n).unwrap_or(0),
            redis::Value::ServerError(e) => {
                return Err(Error::Redis(scrub(&e.to_string(), &self.secrets)));
            }
            other => return Err(Error::Redis(format!("unexpected reply {other:?}"))),
        };
        if count == 0 && self.require_receivers {
            return Err(Error::NoSubscribers {
                channel: out.channel.clone(),
            });
        }
        Ok(count)
    }
}

/// One server, or the master Sentinel names: probes it (learning whether it speaks RESP3),
/// then makes the emitter's connection.
async fn open_single(
    cfg: &EmitterConfig,
    deadline: Instant,
    backoff: Backoff,
    secrets: &[String],
    health: &Arc<Health>,
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
                let server = find_master(&sentinel, master, deadline, backoff, secrets).await?;
                (Source::Sentinel(sentinel), server)
            }
            _ => {
                let client = build_client(cfg, protocol).map_err(|e| map_error(&e, secrets))?;
                (Source::Direct(client.clone()), client)
            }
        };
        match probe(&server, cfg, deadline, backoff, secrets).await {
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
    // One attempt per connection; the calls that wait drive the retries (see `call`),
    // so that each learns the cause and keeps its own deadline.
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
    deadline: Instant,
    backoff: Backoff,
    secrets: &[String],
) -> Result<redis::Client> {
    let started = Instant::now();
    let mut delay = backoff.min;
    let mut cause = None;
    for _ in 0..=backoff.attempts {
        let err = match tokio::time::timeout_at(deadline, sentinel.master()).await {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(e)) => e,
            Err(_) => break,
        };
        if fate(&err) == Fate::Refused {
            return Err(map_error(&err, secrets));
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
    let cause = cause.map_or_else(
        || "no answer".to_owned(),
        |e| scrub(&e.to_string(), secrets),
    );
    Err(Error::Connection(format!(
        "no sentinel named a reachable master {name:?} (tried for {:.1} s): {cause}",
        started.elapsed().as_secs_f64()
    )))
}

/// A Redis Cluster: redis-rs reads the slot map from the first seed node that answers.
/// Connecting is retried with backoff within the budget, like a single server.
async fn open_cluster(
    cfg: &EmitterConfig,
    nodes: &[String],
    deadline: Instant,
    backoff: Backoff,
    secrets: &[String],
) -> Result<Link> {
    let client = super::cluster::client(cfg, nodes, ProtocolVersion::RESP2)
        .map_err(|e| map_error(&e, secrets))?;
    let started = Instant::now();
    let mut delay = backoff.min;
    let mut cause = None;
    for _ in 0..=backoff.attempts {
        let err = match tokio::time::timeout_at(deadline, super::cluster::connect(&client)).await {
            Ok(Ok(conn)) => return Ok(Link::Cluster(conn)),
            Ok(Err(e)) => e,
            Err(_) => break,
        };
        if fate(&err) == Fate::Refused {
            return Err(map_error(&err, secrets));
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
    let elapsed = started.elapsed().as_secs_f64();
    Err(match cause {
        Some(e) => Error::Connection(format!(
            "cannot connect to the cluster (tried for {elapsed:.1} s): {}",
            scrub(&e.to_string(), secrets)
        )),
        None => Error::Timeout(format!(
            "connecting to the cluster: no answer within {elapsed:.1} s"
        )),
    })
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

/// One connection made and dropped before the emitter's own, to learn why Redis cannot
/// be reached (refused, authentication, TLS) instead of only that it was not in time.
/// A refused connection is retried with backoff until the deadline: Redis may be starting.
async fn probe(
    client: &redis::Client,
    cfg: &EmitterConfig,
    deadline: Instant,
    backoff: Backoff,
    secrets: &[String],
) -> std::result::Result<(), Probe> {
    let started = Instant::now();
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(cfg.connect_timeout))
        .set_response_timeout(Some(cfg.response_timeout));
    let mut delay = backoff.min;
    let mut cause = None;
    for _ in 0..=backoff.attempts {
        let attempt = tokio::time::timeout_at(
            deadline,
            client.get_multiplexed_async_connection_with_config(&config),
        )
        .await;
        let err = match attempt {
            Ok(Ok(_conn)) => return Ok(()),
            Ok(Err(e)) => e,
            Err(_) => break,
        };
        if is_unknown_hello(&err) {
            return Err(Probe::NoResp3);
        }
        if fate(&err) != Fate::NotSent {
            return Err(Probe::Failed(map_error(&err, secrets)));
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
    let elapsed = started.elapsed().as_secs_f64();
    Err(Probe::Failed(match cause {
        Some(e) => Error::Connection(format!(
            "cannot connect to {} (tried for {elapsed:.1} s): {}",
            cfg.redacted_url(),
            scrub(&e.to_string(), secrets)
        )),
        None => Error::Timeout(format!(
            "connecting to {}: no answer within {elapsed:.1} s",
            cfg.redacted_url()
        )),
    }))
}

fn is_unknown_hello(e: &redis::RedisError) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    text.contains("unknown command") && text.contains("hello")
}

/// rustls needs a process-wide crypto provider for `rediss://`. Install ring's unless the
/// application already chose one (then `install_default` fails, which is fine).
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// PUBLISH and SPUBLISH take the same arguments and both answer with the number of
/// subscribers reached, so [`Connection::receivers`] reads either the same way.
fn command(out: &Output) -> redis::Cmd {
    let mut cmd = redis::cmd(out.command.name());
    cmd.arg(&out.channel).arg(&out.payload);
    cmd
}
