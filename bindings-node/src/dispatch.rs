//! One task per connection that sends every operation in call order.
//!
//! JavaScript calls push jobs into an unbounded channel from the JS thread, so the channel
//! holds them in call order. The task takes a job, then every operation that piled up behind
//! it (up to [`MAX_BATCH`] operations or [`MAX_BATCH_BYTES`] of payload), encodes them and
//! sends them as one Redis pipeline (`Emitter::send_outputs`), then settles each promise with
//! its own result. Up to [`MAX_IN_FLIGHT`] pipelines are unanswered at once; each is handed to
//! the connection (polled once) before the next batch is gathered, so redis-rs writes them
//! in that order. That is what makes `await Promise.all(many emits)` fast while a client
//! still receives one caller's events in the order they were emitted.
//!
//! The task connects on the first job (or when `ready()` asks), so `new Emitter(url)` can
//! stay synchronous like the official constructor. A failed connection fails the jobs
//! waiting for it; the next job tries again.
//!
//! Every operation keeps the call budget of the core (`connect_timeout + response_timeout`)
//! from the moment JavaScript called it, also when it waited here behind pipelines Redis had
//! not answered: one whose budget ran out before it could be sent fails with `TIMEOUT`
//! without being sent.
//!
//! The [`Ledger`] knows which pipelines are still out, so that `flush()` can answer once
//! every operation started before it has finished (what they did is counted in JavaScript,
//! which knows whose promise nobody waited for).

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use socketio_emitter::adapter::Output;
use socketio_emitter::{Emitter, EmitterConfig, Error, Flag, Room, Target, Value};
use tokio::sync::{Notify, mpsc, watch};

/// Operations per pipeline (the core's `emit_nowait` queue uses the same bounds): enough to
/// amortise a request's cost, small enough to keep a subscriber's output buffer far below
/// Redis's 32 MB Pub/Sub limit.
const MAX_BATCH: usize = 512;

/// Payload bytes per pipeline: a batch stops growing once it holds this much.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// Pipelines sent and not answered yet. Well below redis-rs's pipeline buffer (50
/// requests), so a pipeline always enters the connection's queue on its first poll, in the
/// order the batches were made.
const MAX_IN_FLIGHT: usize = 4;

/// A pipeline of several operations gets the core's budget from when it is sent, while its
/// operations may have been called a little earlier (they piled up while the previous batch
/// was handed over) or much earlier (they waited behind pipelines Redis did not answer). The
/// pipeline keeps the order of the emits; each operation is still answered by its own
/// deadline plus this grace: with `TIMEOUT` if the core has not answered by then.
const BATCH_GRACE: Duration = Duration::from_millis(50);

type InFlight = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What JavaScript asked for, with the target it applies to.
#[derive(Debug)]
pub(crate) enum Op {
    Emit(String, Vec<Value>),
    ServerSideEmit(String, Vec<Value>),
    Join(Vec<Room>),
    Leave(Vec<Room>),
    Disconnect(bool),
}

pub(crate) use crate::settle::Reply;

pub(crate) enum Job {
    Op {
        target: Target,
        op: Op,
        reply: Reply,
        /// When JavaScript called: the call's budget runs from here.
        started: Instant,
    },
    /// Connect now if not connected; answer when connected.
    Ready(Reply),
    /// Answer once every operation before it has finished (or `TIMEOUT` after `timeout`).
    Flush {
        timeout: Option<Duration>,
        reply: Reply,
    },
    /// Finish what is in flight (at most `timeout`), then close the connection; later jobs
    /// get `CLOSED`.
    Close {
        timeout: Option<Duration>,
        reply: Reply,
    },
}

enum State {
    Idle,
    Connected(Emitter),
    Closed,
}

/// The sending side, owned by the native emitter object(s). Dropping every handle (the
/// JavaScript objects were garbage collected) ends the task after it finished its work.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    tx: mpsc::UnboundedSender<Job>,
}

impl Link {
    /// Starts the task on napi's tokio runtime.
    pub(crate) fn start(config: EmitterConfig) -> Link {
        let (tx, rx) = mpsc::unbounded_channel();
        napi::bindgen_prelude::spawn(run(config, rx));
        Link { tx }
    }

    pub(crate) fn send(&self, job: Job) {
        if let Err(mpsc::error::SendError(job)) = self.tx.send(job) {
            // The runtime is shutting down: nothing will ever run this job.
            match job {
                Job::Op { reply, .. }
                | Job::Ready(reply)
                | Job::Flush { reply, .. }
                | Job::Close { reply, .. } => reply.send(Err(Error::Closed)),
            }
        }
    }
}

/// The pipelines sent and not finished, by id, and a wake-up for each one that finishes.
#[derive(Default)]
struct Ledger {
    pending: Mutex<BTreeSet<u64>>,
    finished: Notify,
}

impl Ledger {
    fn lock(&self) -> MutexGuard<'_, BTreeSet<u64>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Task-wide context of [`run`].
struct Ctx {
    config: EmitterConfig,
    call_timeout: Duration,
    ledger: Arc<Ledger>,
    /// Set once `close()` stopped waiting: pipelines still out fail at once.
    abandon: watch::Sender<bool>,
    /// The id of the next pipeline.
    next_pipeline: u64,
}

impl Ctx {
    fn flush(&self, timeout: Option<Duration>, reply: Reply) {
        tokio::spawn(flush(
            self.ledger.clone(),
            self.next_pipeline,
            timeout,
            reply,
        ));
    }
}

async fn run(config: EmitterConfig, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut ctx = Ctx {
        call_timeout: config.call_timeout(),
        config,
        ledger: Arc::default(),
        abandon: watch::channel(false).0,
        next_pipeline: 0,
    };
    let mut state = State::Idle;
    let mut in_flight: FuturesUnordered<InFlight> = FuturesUnordered::new();
    // The last target and the emitter aimed at it.
    let mut aimed: Option<(Target, Arc<Emitter>)> = None;
    // A job other than an operation met while gathering a batch: handled right after it.
    let mut held: Option<Job> = None;
    loop {
        let job = match held.take() {
            Some(job) => Some(job),
            None => tokio::select! {
                biased;
                Some(()) = in_flight.next(), if !in_flight.is_empty() => continue,
                job = rx.recv(), if in_flight.len() < MAX_IN_FLIGHT => job,
            },
        };
        let Some(job) = job else { break };
        match job {
            Job::Op {
                target,
                op,
                reply,
                started,
            } => {
                let root = match connected(&mut state, &mut ctx, &mut rx).await {
                    Ok(root) => root,
                    Err(e) => {
                        reply.send(Err(e));
                        continue;
                    }
                };
                let mut batch = Batch::default();
                batch.add(&ctx, &root, &mut aimed, (target, op, reply, started));
                while !batch.is_full() {
                    match rx.try_recv() {
                        Ok(Job::Op {
                            target,
                            op,
                            reply,
                            started,
                        }) => batch.add(&ctx, &root, &mut aimed, (target, op, reply, started)),
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if let Some(mut pipeline) = batch.send(&mut ctx, root) {
                    // Polled once now, so that it reaches the connection before any later
                    // batch: the order of emits is kept.
                    if !poll_once(&mut pipeline).await {
                        in_flight.push(pipeline);
                    }
                }
            }
            Job::Ready(reply) => {
                let result = connected(&mut state, &mut ctx, &mut rx).await.map(|_| 0);
                reply.send(result);
            }
            Job::Flush { timeout, reply } => match state {
                State::Closed => reply.send(Err(Error::Closed)),
                State::Idle | State::Connected(_) => ctx.flush(timeout, reply),
            },
            Job::Close { timeout, reply } => {
                let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
                let done = match deadline {
                    Some(deadline) => tokio::time::timeout_at(deadline, drain(&mut in_flight))
                        .await
                        .is_ok(),
                    None => {
                        drain(&mut in_flight).await;
                        true
                    }
                };
                if !done {
                    // What is still out fails now (each pipeline answers at once).
                    ctx.abandon.send_replace(true);
                    drain(&mut in_flight).await;
                }
                let closed = match std::mem::replace(&mut state, State::Closed) {
                    // The core's queue is not used here: nothing waits in it.
                    State::Connected(root) => {
                        root.close_within(Some(Duration::ZERO)).await.map(|_| 0)
                    }
                    State::Idle | State::Closed => Ok(0),
                };
                aimed = None;
                reply.send(closed);
            }
        }
    }
    // Every handle is gone: finish, then let the connection go.
    drain(&mut in_flight).await;
    if let State::Connected(root) = state {
        let _ = root.close().await;
    }
}

async fn drain(in_flight: &mut FuturesUnordered<InFlight>) {
    while in_flight.next().await.is_some() {}
}

/// Answers a flush once every pipeline sent before it (ids below `upto`) has finished.
async fn flush(ledger: Arc<Ledger>, upto: u64, timeout: Option<Duration>, reply: Reply) {
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    loop {
        let finished = ledger.finished.notified();
        tokio::pin!(finished);
        // Registered before looking, so that a pipeline finishing meanwhile wakes it.
        finished.as_mut().enable();
        if ledger.lock().range(..upto).next().is_none() {
            break;
        }
        match deadline {
            Some(deadline) => {
                if tokio::time::timeout_at(deadline, finished).await.is_err() {
                    let waited = timeout.unwrap_or_default().as_secs_f64() * 1000.0;
                    let err = Error::Timeout(format!(
                        "flush: operations started before it were still running after {waited} ms; the next flush reports them"
                    ));
                    reply.send(Err(err));
                    return;
                }
            }
            None => finished.await,
        }
    }
    reply.send(Ok(0));
}

/// Operations gathered for one pipeline, encoded, with their replies in the same order.
#[derive(Default)]
struct Batch {
    outputs: Vec<Output>,
    replies: Vec<Reply>,
    /// When each operation was called.
    started: Vec<Instant>,
    bytes: usize,
}

type Received = (Target, Op, Reply, Instant);

impl Batch {
    fn is_full(&self) -> bool {
        self.outputs.len() >= MAX_BATCH || self.bytes >= MAX_BATCH_BYTES
    }

    /// Encodes `op` for `target`; an operation that cannot be encoded, or whose budget ran
    /// out while it waited, is answered at once.
    fn add(
        &mut self,
        ctx: &Ctx,
        root: &Emitter,
        aimed: &mut Option<(Target, Arc<Emitter>)>,
        (target, op, reply, started): Received,
    ) {
        let waited = started.elapsed();
        if waited >= ctx.call_timeout {
            reply.send(Err(Error::Timeout(format!(
                "not sent: it waited {:.1} s behind earlier operations Redis had not answered, its whole budget (connect_timeout + response_timeout)",
                waited.as_secs_f64()
            ))));
            return;
        }
        // Callers usually repeat one target: aim once, share the emitter.
        let emitter = match aimed {
            Some((last, emitter)) if *last == target => emitter.clone(),
            _ => {
                let emitter = Arc::new(aim(root, &target));
                *aimed = Some((target, emitter.clone()));
                emitter
            }
        };
        match encode(&emitter, op) {
            Ok(output) => {
                self.bytes += output.payload.len();
                self.outputs.push(output);
                self.replies.push(reply);
                self.started.push(started);
            }
            Err(e) => reply.send(Err(e)),
        }
    }

    /// The pipeline that sends the batch and settles its promises; `None` when empty.
    fn send(self, ctx: &mut Ctx, root: Emitter) -> Option<InFlight> {
        let Batch {
            outputs,
            replies,
            started,
            ..
        } = self;
        let oldest = started.iter().min().copied()?;
        let id = ctx.next_pipeline;
        ctx.next_pipeline += 1;
        let ledger = ctx.ledger.clone();
        ledger.lock().insert(id);
        let abandon = ctx.abandon.subscribe();
        let call_timeout = ctx.call_timeout;
        Some(Box::pin(async move {
            if let [one] = outputs.as_slice() {
                let result = until_abandoned(abandon, root.send_output_since(one, oldest))
                    .await
                    .unwrap_or_else(|| Err(stopped_waiting()));
                for reply in replies {
                    reply.send(result.clone());
                }
            } else {
                let mut replies: Vec<Option<Reply>> = replies.into_iter().map(Some).collect();
                let deadline = |i: usize| {
                    let at = started[i] + call_timeout + BATCH_GRACE;
                    tokio::time::Instant::from_std(at)
                };
                let sent = root.send_outputs(&outputs);
                tokio::pin!(sent);
                let abandoned = abandoned(abandon);
                tokio::pin!(abandoned);
                // Operations were called in this order, so their deadlines come in it too.
                let mut next = 0;
                loop {
                    let expiry = if next < replies.len() {
                        deadline(next)
                    } else {
                        tokio::time::Instant::now() + Duration::from_secs(86_400)
                    };
                    tokio::select! {
                        results = &mut sent => {
                            // A missing result leaves its reply unsent: it settles with `CLOSED`.
                            for (reply, result) in replies.iter_mut().zip(results) {
                                if let Some(reply) = reply.take() {
                                    reply.send(result);
                                }
                            }
                            break;
                        }
                        () = tokio::time::sleep_until(expiry), if next < replies.len() => {
                            if let Some(reply) = replies[next].take() {
                                reply.send(Err(out_of_budget(started[next])));
                            }
                            next += 1;
                        }
                        () = &mut abandoned => {
                            for reply in replies.iter_mut().filter_map(Option::take) {
                                reply.send(Err(stopped_waiting()));
                            }
                            break;
                        }
                    }
                }
            }
            // After the replies: a flush waiting for this pipeline settles after them.
            ledger.lock().remove(&id);
            ledger.finished.notify_waiters();
        }))
    }
}

/// Resolves once `close()` stopped waiting (never, if the task is gone).
async fn abandoned(mut abandon: watch::Receiver<bool>) {
    if abandon.wait_for(|a| *a).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// `work`'s output, or `None` once `close()` stopped waiting.
async fn until_abandoned<T>(
    abandon: watch::Receiver<bool>,
    work: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        output = work => Some(output),
        () = abandoned(abandon) => None,
    }
}

/// An operation of a pipeline whose budget ran out before Redis answered.
fn out_of_budget(started: Instant) -> Error {
    Error::Timeout(format!(
        "no answer from Redis within {:.1} s, the call's budget (connect_timeout + response_timeout); it may still have been published, so a retry may duplicate it",
        started.elapsed().as_secs_f64()
    ))
}

fn stopped_waiting() -> Error {
    Error::Timeout(
        "close() stopped waiting for Redis's answer; it may still have been published".into(),
    )
}

/// Polls `pipeline` once; `true` if it finished.
async fn poll_once(pipeline: &mut InFlight) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(pipeline.as_mut().poll(cx).is_ready())).await
}

/// The connected root emitter, connecting first if needed. When connecting fails, the jobs
/// already waiting fail with the same error instead of each trying (and timing out) again.
async fn connected(
    state: &mut State,
    ctx: &mut Ctx,
    rx: &mut mpsc::UnboundedReceiver<Job>,
) -> Result<Emitter, Error> {
    match state {
        State::Connected(root) => return Ok(root.clone()),
        State::Closed => return Err(Error::Closed),
        State::Idle => {}
    }
    match Emitter::with_config(ctx.config.clone()).await {
        Ok(root) => {
            *state = State::Connected(root.clone());
            Ok(root)
        }
        Err(e) => {
            while let Ok(job) = rx.try_recv() {
                match job {
                    Job::Op { reply, .. } | Job::Ready(reply) => reply.send(Err(e.clone())),
                    Job::Flush { timeout, reply } => ctx.flush(timeout, reply),
                    // Closing needs no connection; what follows it gets `CLOSED`.
                    Job::Close { reply, .. } => {
                        *state = State::Closed;
                        reply.send(Ok(0));
                        break;
                    }
                }
            }
            Err(e)
        }
    }
}

/// The root emitter aimed at `target` (the namespace as given, rooms, exclusions, flags in
/// the order they were set).
fn aim(root: &Emitter, target: &Target) -> Emitter {
    let mut e = root.with_namespace(target.namespace());
    if !target.rooms().is_empty() {
        e = e.to(target.rooms().iter().cloned().collect::<Vec<_>>());
    }
    if !target.excepted().is_empty() {
        e = e.except(target.excepted().iter().cloned().collect::<Vec<_>>());
    }
    for (flag, on) in target.flags() {
        e = match flag {
            Flag::Volatile => e.volatile(),
            Flag::Compress => e.compress(*on),
        };
    }
    e
}

fn encode(emitter: &Emitter, op: Op) -> Result<Output, Error> {
    match op {
        Op::Emit(event, args) => emitter.encode_emit(&event, &args),
        Op::ServerSideEmit(event, args) => emitter.encode_server_side_emit(&event, &args),
        Op::Join(rooms) => Ok(emitter.encode_sockets_join(rooms)),
        Op::Leave(rooms) => Ok(emitter.encode_sockets_leave(rooms)),
        Op::Disconnect(close) => Ok(emitter.encode_disconnect_sockets(close)),
    }
}
