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

use tokio::time::Instant;

use super::fast_lane::FastLane;
use super::fate::{Fate, fate, map_error, scrub};
use super::link::{Conn, Link};
use super::open::{Backoff, open_cluster, open_single};
use super::pacing::Pacer;

use crate::adapter::{Command, Delivery, Output, Readers};
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
    /// What a reply subscription connects to (see [`ReplySource`]).
    reply_source: ReplySource,
}

/// Where the subscription that collects the servers' replies connects: the one server, or
/// the cluster (its own RESP3 connection, which redis-rs resubscribes after a failover).
#[derive(Clone)]
pub(crate) enum ReplySource {
    Single(Arc<std::sync::Mutex<redis::Client>>),
    Cluster {
        cfg: Box<EmitterConfig>,
        nodes: Vec<String>,
    },
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
        let health = Arc::new(Health::default());
        let link = match &cfg.topology {
            Topology::Cluster { nodes } => open_cluster(cfg, nodes, deadline, &secrets).await?,
            _ => open_single(cfg, deadline, &secrets, &health).await?,
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
        let reply_source = match (&cfg.topology, link.single_server()) {
            (_, Some(server)) => ReplySource::Single(server),
            (Topology::Cluster { nodes }, None) => ReplySource::Cluster {
                cfg: Box::new(cfg.clone()),
                nodes: nodes.clone(),
            },
            (_, None) => unreachable!("only a cluster link has no single server"),
        };
        Ok(Connection {
            reply_source,
            pacer,
            link,
            secrets,
            require_receivers: cfg.require_receivers,
            call_timeout: cfg.call_timeout(),
            backoff: Backoff::of(cfg),
            health,
            fast_lane,
        })
    }

    /// One read-only command on each node (see [`Link::per_node`]), for inspecting what
    /// the servers listen on; within one call budget, errors mapped and scrubbed.
    pub(crate) async fn per_node(
        &self,
        cmd: &redis::Cmd,
        masters_only: bool,
    ) -> Result<Vec<(String, redis::Value)>> {
        self.inspect(self.link.per_node(cmd, masters_only)).await
    }

    /// One read-only command on the node at `address`, like [`per_node`](Self::per_node).
    pub(crate) async fn on_node(&self, address: &str, cmd: &redis::Cmd) -> Result<redis::Value> {
        self.inspect(self.link.on_node(address, cmd)).await
    }

    async fn inspect<T>(&self, call: impl Future<Output = redis::RedisResult<T>>) -> Result<T> {
        match tokio::time::timeout(self.call_timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(map_error(&e, &self.secrets)),
            Err(_) => Err(Error::Timeout(format!(
                "Redis did not answer within {:.1} s while inspecting its subscriptions",
                self.call_timeout.as_secs_f64()
            ))),
        }
    }

    pub(crate) fn reply_source(&self) -> &ReplySource {
        &self.reply_source
    }

    /// A Redis error as the emitter reports it (passwords scrubbed).
    pub(crate) fn error(&self, e: &redis::RedisError) -> crate::error::Error {
        super::fate::map_error(e, &self.secrets)
    }

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
        if counted_apart(out) {
            let pipe = pipeline(&[out]);
            let values = self
                .call(deadline, &out.channel, |mut m| {
                    let pipe = &pipe;
                    async move { pipe.query_async::<Vec<redis::Value>>(&mut m).await }
                })
                .await
                .map_err(|f| f.error)?;
            return self.receivers(out, &mut values.into_iter());
        }
        let cmd = command(out);
        let value = self
            .call(deadline, &out.channel, |mut m| {
                let cmd = &cmd;
                async move { cmd.query_async::<redis::Value>(&mut m).await }
            })
            .await
            .map_err(|f| f.error)?;
        self.receivers(out, &mut std::iter::once(value))
    }

    /// [`send`](Self::send), also telling the stream entry's ID when the output is an XADD.
    pub(crate) async fn send_detailed(&self, out: &Output) -> Result<Delivery> {
        let pipe = pipeline(&[out]);
        let values = self
            .call(self.deadline(), &out.channel, |mut m| {
                let pipe = &pipe;
                async move { pipe.query_async::<Vec<redis::Value>>(&mut m).await }
            })
            .await
            .map_err(|f| f.error)?;
        let entry_id = match (&out.command, values.first()) {
            (Command::XAdd(_), Some(redis::Value::BulkString(id))) => {
                Some(String::from_utf8_lossy(id).into_owned())
            }
            (Command::XAdd(_), Some(redis::Value::SimpleString(id))) => Some(id.clone()),
            _ => None,
        };
        let servers = self.receivers(out, &mut values.into_iter())?;
        Ok(Delivery { servers, entry_id })
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
        let lane = self.fast_lane.as_ref()?;
        if counted_apart(out) {
            let pipe = pipeline(&[out]);
            let reply = lane.try_query(|c| pipe.query::<Vec<redis::Value>>(c), deadline)?;
            return Some(
                reply
                    .map_err(|e| self.reported(&e, &out.channel))
                    .and_then(|v| self.receivers(out, &mut v.into_iter())),
            );
        }
        // One command, one reply: no list to allocate on the blocking hot path.
        let cmd = command(out);
        let reply = lane.try_query(|c| cmd.query::<redis::Value>(c), deadline)?;
        Some(
            reply
                .map_err(|e| self.reported(&e, &out.channel))
                .and_then(|v| self.receivers(out, &mut std::iter::once(v))),
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
        let pipe = pipeline(outs);
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
        let expected: usize = outs.iter().map(|out| replies_of(out)).sum();
        let results = match reply {
            Ok(values) if values.len() == expected => {
                let mut values = values.into_iter();
                outs.iter()
                    .map(|out| self.receivers(out, &mut values))
                    .collect()
            }
            Ok(values) => {
                let err =
                    Error::Redis(format!("expected {expected} replies, got {}", values.len()));
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

    /// The count an output resolves to, from its replies (taken from `values`, which
    /// holds [`replies_of`] of them for it).
    fn receivers(
        &self,
        out: &Output,
        values: &mut impl Iterator<Item = redis::Value>,
    ) -> Result<u64> {
        let mut next = || values.next().unwrap_or(redis::Value::Nil);
        let count = match &out.command {
            Command::Publish | Command::SPublish => self.count(next())?,
            Command::XAdd(entry) => {
                // Both replies are taken whatever happens, so the next output gets its own.
                let added = next();
                let counted = counted_apart(out).then(&mut next);
                match added {
                    redis::Value::BulkString(_) | redis::Value::SimpleString(_) => {}
                    other => {
                        self.count(other)?;
                    }
                }
                match (counted, &entry.readers) {
                    // PUBSUB NUMSUB: [channel, count].
                    (Some(redis::Value::Array(pair)), _) => match pair.into_iter().nth(1) {
                        Some(n) => self.count(n)?,
                        None => return Err(Error::Redis("empty PUBSUB NUMSUB reply".into())),
                    },
                    (Some(other), _) => self.count(other)?,
                    (None, Readers::Nobody) => 0,
                    (None, _) => 1,
                }
            }
        };
        if count == 0 && self.require_receivers {
            return Err(Error::NoSubscribers {
                channel: out.channel.clone(),
            });
        }
        Ok(count)
    }
}

/// rustls needs a process-wide crypto provider for `rediss://`. Install ring's unless the
/// application already chose one (then `install_default` fails, which is fine).
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Connection {
    /// A reply that must be a count (PUBLISH, SPUBLISH, a NUMSUB entry).
    fn count(&self, value: redis::Value) -> Result<u64> {
        match value {
            redis::Value::Int(n) => Ok(u64::try_from(n).unwrap_or(0)),
            redis::Value::ServerError(e) => Err(Error::Redis(scrub(&e.to_string(), &self.secrets))),
            other => Err(Error::Redis(format!("unexpected reply {other:?}"))),
        }
    }
}

/// The command that sends an output. PUBLISH and SPUBLISH take the same arguments and
/// both answer with the number of subscribers reached.
fn command(out: &Output) -> redis::Cmd {
    let mut cmd = redis::cmd(out.command.name());
    let mut name = true;
    out.each_arg(|arg| {
        // The command name is already in place.
        if !std::mem::take(&mut name) {
            cmd.arg(arg);
        }
    });
    cmd
}

/// A streams entry read by Pub/Sub subscribers is counted by a second command.
fn counted_apart(out: &Output) -> bool {
    matches!(&out.command, Command::XAdd(entry) if matches!(entry.readers, Readers::SideChannel(_)))
}

/// How many replies an output's commands give.
fn replies_of(out: &Output) -> usize {
    if counted_apart(out) { 2 } else { 1 }
}

/// One pipeline for `outs`: each output's command, and right after a counted XADD, the
/// `PUBSUB NUMSUB` of its readers' side channel.
fn pipeline(outs: &[&Output]) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for out in outs {
        pipe.add_command(command(out));
        if let Command::XAdd(entry) = &out.command
            && let Readers::SideChannel(channel) = &entry.readers
        {
            pipe.cmd("PUBSUB").arg("NUMSUB").arg(channel);
        }
    }
    pipe
}
