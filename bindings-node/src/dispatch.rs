//! One task per connection that sends every operation in call order.
//!
//! JavaScript calls push jobs into an unbounded channel from the JS thread, so the channel
//! holds them in call order. The task takes a job, then every operation that piled up behind
//! it (up to [`MAX_BATCH`] operations or [`MAX_BATCH_BYTES`] of payload), encodes them and
//! sends them as one Redis pipeline (`Emitter::send_outputs_since`), then settles each
//! promise with its own result. Up to [`MAX_IN_FLIGHT`] pipelines are unanswered at once;
//! each is handed to the connection (polled once) before the next batch is gathered, so
//! redis-rs writes them in that order. That is what makes `await Promise.all(many emits)`
//! fast while a client still receives one caller's events in the order they were emitted.
//!
//! That holds only while the connection is steady. A pipeline that finds Redis unreachable
//! is retried by the core after a backoff, and one started during a reconnection may still
//! be waiting for it: a later pipeline could reach the new connection first. So each
//! pipeline is stamped when it starts (`Emitter::pipeline_stamp`), and no new one starts
//! while an older one may still be waiting (see [`may_be_overtaken`]): the rule of the
//! core's own queue (`core/src/publish/queue.rs`). Operations called meanwhile wait in the
//! channel and go out together once it may start.
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
//! The [`Ledger`] knows which operations the task has taken and which pipelines are still
//! out, so that `flush()` can answer once every operation started before it has finished
//! (what they did is counted in JavaScript, which knows whose promise nobody waited for).
//! `flush()` does not go through the channel, and a timeout of `close()` counts from the
//! call: both keep their time limits while the task waits (for a pipeline that may not be
//! overtaken, or with [`MAX_IN_FLIGHT`] pipelines out) before it reads the channel again.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use socketio_emitter::adapter::Output;
use socketio_emitter::{Emitter, EmitterConfig, Error, Flag, PipelineStamp, Room, Target, Value};
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

/// A pipeline of several operations gets the core's budget from when its newest operation
/// was called, while the others may have been called a little earlier (they piled up while
/// the previous batch was handed over) or much earlier (they waited behind pipelines Redis
/// did not answer). The pipeline keeps the order of the emits; each operation is still
/// answered by its own deadline plus this grace: with `TIMEOUT` if the core has not
/// answered by then.
const BATCH_GRACE: Duration = Duration::from_millis(50);

/// A pipeline being sent; resolves to its id once every operation of it has settled.
type InFlight = Pin<Box<dyn Future<Output = u64> + Send>>;

/// The pipelines in flight that did not finish on their first poll, by id, with the
/// connection's stamp when each started (`None`: the emitter was closed).
type Stamps = BTreeMap<u64, Option<PipelineStamp>>;

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

/// A question to the cluster; answered with the core result's JSON text.
#[derive(Debug)]
pub(crate) enum Ask {
    ServerCount,
    FetchSockets(Duration),
    AllRooms(Duration),
    ServerSideEmitWithAck(String, Vec<Value>, Duration),
    EmitWithAck(String, Vec<Value>, Duration),
}

impl Ask {
    async fn answer(self, io: Emitter) -> Result<String, Error> {
        Ok(match self {
            Ask::ServerCount => io.server_count().await?.to_string(),
            Ask::FetchSockets(t) => io.fetch_sockets(t).await?.to_json().to_string(),
            Ask::AllRooms(t) => io.all_rooms(t).await?.to_json().to_string(),
            Ask::ServerSideEmitWithAck(event, args, t) => io
                .server_side_emit_with_ack(&event, &args, t)
                .await?
                .to_json()
                .to_string(),
            Ask::EmitWithAck(event, args, t) => io
                .emit_with_ack(&event, &args, t)
                .await?
                .to_json()
                .to_string(),
        })
    }
}

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
    /// Ask the cluster (not an operation: flush does not wait for it).
    Ask {
        target: Target,
        ask: Ask,
        reply: Reply,
    },
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

/// What goes through the channel: [`Job`]s but `Flush`, which [`Link::send`] handles itself.
enum Msg {
    Op {
        target: Target,
        op: Op,
        reply: Reply,
        started: Instant,
    },
    Ready(Reply),
    Ask {
        target: Target,
        ask: Ask,
        reply: Reply,
    },
    /// `close()`, with the end of its timeout counted from the call.
    Close {
        deadline: Option<tokio::time::Instant>,
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
#[derive(Clone)]
pub(crate) struct Link {
    tx: mpsc::UnboundedSender<Msg>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").finish_non_exhaustive()
    }
}

/// What the JavaScript side and the task share.
struct Shared {
    ledger: Arc<Ledger>,
    /// Set once `close()` stopped waiting: pipelines still out fail at once, and
    /// operations not sent yet are not sent.
    abandon: watch::Sender<bool>,
    /// Operations put into the channel.
    submitted: AtomicU64,
    /// `close()` was called: a later `flush()` gets `CLOSED`, like later operations.
    closing: AtomicBool,
    /// The adapter the connected emitter publishes for: with `adapter: "auto"`, the one
    /// detected when connecting.
    detected: std::sync::OnceLock<socketio_emitter::adapter::Flavour>,
}

impl Link {
    /// Starts the task on napi's tokio runtime.
    pub(crate) fn start(config: EmitterConfig) -> Link {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            ledger: Arc::default(),
            abandon: watch::channel(false).0,
            submitted: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            detected: std::sync::OnceLock::new(),
        });
        napi::bindgen_prelude::spawn(run(config, rx, shared.clone()));
        Link { tx, shared }
    }

    /// The connected emitter's adapter, once connected (`auto` resolved).
    pub(crate) fn detected(&self) -> Option<&socketio_emitter::adapter::Flavour> {
        self.shared.detected.get()
    }

    /// Called on the JavaScript thread, in call order.
    pub(crate) fn send(&self, job: Job) {
        let msg = match job {
            Job::Op {
                target,
                op,
                reply,
                started,
            } => Msg::Op {
                target,
                op,
                reply,
                started,
            },
            Job::Ready(reply) => Msg::Ready(reply),
            Job::Ask { target, ask, reply } => Msg::Ask { target, ask, reply },
            Job::Flush { timeout, reply } => {
                if self.shared.closing.load(Ordering::Acquire) {
                    reply.send(Err(Error::Closed));
                    return;
                }
                // Every operation put into the channel before now.
                let upto = self.shared.submitted.load(Ordering::Acquire);
                let ledger = self.shared.ledger.clone();
                napi::bindgen_prelude::spawn(flush(ledger, upto, timeout, reply));
                return;
            }
            Job::Close { timeout, reply } => {
                self.shared.closing.store(true, Ordering::Release);
                let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
                if let Some(deadline) = deadline {
                    // Also when the task is still waiting before it reads this message:
                    // what is out then fails at once, and the task gets to it in time.
                    let shared = self.shared.clone();
                    napi::bindgen_prelude::spawn(async move {
                        tokio::time::sleep_until(deadline).await;
                        shared.abandon.send_replace(true);
                    });
                }
                Msg::Close { deadline, reply }
            }
        };
        let is_op = matches!(msg, Msg::Op { .. });
        match self.tx.send(msg) {
            Ok(()) if is_op => {
                self.shared.submitted.fetch_add(1, Ordering::AcqRel);
            }
            Ok(()) => {}
            // The runtime is shutting down: nothing will ever run this job.
            Err(mpsc::error::SendError(msg)) => match msg {
                Msg::Op { reply, .. }
                | Msg::Ready(reply)
                | Msg::Ask { reply, .. }
                | Msg::Close { reply, .. } => {
                    reply.send(Err(Error::Closed));
                }
            },
        }
    }
}

/// Operations are numbered in the order the task takes them from the channel (which is
/// call order). A pipeline's id is the number of its first operation.
#[derive(Default)]
struct Ledger {
    books: Mutex<Books>,
    /// Woken when operations were handled or a pipeline finished.
    changed: Notify,
}

#[derive(Default)]
struct Books {
    /// The pipelines sent and not finished, by id.
    pending: BTreeSet<u64>,
    /// The operations taken from the channel and handled: answered at once, or in a
    /// pipeline of `pending` (or finished).
    handled: u64,
}

impl Ledger {
    fn lock(&self) -> MutexGuard<'_, Books> {
        self.books.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn handled(&self, ops: u64) {
        let mut books = self.lock();
        if books.handled != ops {
            books.handled = ops;
            drop(books);
            self.changed.notify_waiters();
        }
    }

    fn finished(&self, id: u64) {
        self.lock().pending.remove(&id);
        self.changed.notify_waiters();
    }

    /// Whether every operation numbered below `upto` has finished.
    fn finished_upto(&self, upto: u64) -> bool {
        let books = self.lock();
        books.handled >= upto && books.pending.range(..upto).next().is_none()
    }
}

/// Task-wide context of [`run`].
struct Ctx {
    config: EmitterConfig,
    call_timeout: Duration,
    shared: Arc<Shared>,
    /// Operations taken from the channel so far (the number of the next one).
    taken: u64,
}

async fn run(config: EmitterConfig, mut rx: mpsc::UnboundedReceiver<Msg>, shared: Arc<Shared>) {
    let mut ctx = Ctx {
        call_timeout: config.call_timeout(),
        config,
        shared,
        taken: 0,
    };
    let mut state = State::Idle;
    let mut in_flight: FuturesUnordered<InFlight> = FuturesUnordered::new();
    let mut stamps = Stamps::new();
    // The last target and the emitter aimed at it.
    let mut aimed: Option<(Target, Arc<Emitter>)> = None;
    // A message other than an operation met while gathering a batch: handled right after it.
    let mut held: Option<Msg> = None;
    loop {
        let job = match held.take() {
            Some(job) => Some(job),
            None => tokio::select! {
                biased;
                Some(id) = in_flight.next(), if !in_flight.is_empty() => {
                    stamps.remove(&id);
                    continue;
                }
                job = rx.recv(), if in_flight.len() < MAX_IN_FLIGHT => job,
            },
        };
        let Some(job) = job else { break };
        match job {
            Msg::Op {
                target,
                op,
                reply,
                started,
            } => {
                let first = ctx.taken;
                ctx.taken += 1;
                let root = match connected(&mut state, &mut ctx, &mut rx).await {
                    Ok(root) => root,
                    Err(e) => {
                        reply.send(Err(e));
                        ctx.shared.ledger.handled(ctx.taken);
                        continue;
                    }
                };
                // Before the batch is gathered: what piles up meanwhile joins it, and what
                // ran out of budget meanwhile is not sent.
                settle_unsteady(&root, &mut in_flight, &mut stamps).await;
                let mut batch = Batch::default();
                batch.add(&ctx, &root, &mut aimed, (target, op, reply, started));
                while !batch.is_full() {
                    match rx.try_recv() {
                        Ok(Msg::Op {
                            target,
                            op,
                            reply,
                            started,
                        }) => {
                            ctx.taken += 1;
                            batch.add(&ctx, &root, &mut aimed, (target, op, reply, started));
                        }
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let stamp = root.pipeline_stamp();
                if let Some(mut pipeline) = batch.send(&ctx, first, root) {
                    // Polled once now, so that it reaches the connection before any later
                    // batch: the order of emits is kept.
                    if !poll_once(&mut pipeline).await {
                        in_flight.push(pipeline);
                        stamps.insert(first, stamp);
                    }
                }
                ctx.shared.ledger.handled(ctx.taken);
            }
            Msg::Ready(reply) => {
                let result = connected(&mut state, &mut ctx, &mut rx).await.map(|_| 0);
                reply.send(result);
            }
            Msg::Ask { target, ask, reply } => {
                match connected(&mut state, &mut ctx, &mut rx).await {
                    // Answers take up to the call's timeout: the task goes on meanwhile.
                    Ok(root) => {
                        let io = aim(&root, &target);
                        napi::bindgen_prelude::spawn(async move {
                            reply.send_json(ask.answer(io).await);
                        });
                    }
                    Err(e) => reply.send(Err(e)),
                }
            }
            Msg::Close { deadline, reply } => {
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
                    ctx.shared.abandon.send_replace(true);
                    drain(&mut in_flight).await;
                }
                stamps.clear();
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

/// Whether a pipeline started with stamp `then` may still be waiting to hand its commands
/// to the connection, so that one started now could reach Redis before it. One started
/// while the connection was steady handed them over on its first poll; unless some call
/// has since found Redis unreachable (`retries` moved): that one may be it, and is retried
/// after a backoff. The core's queue follows the same rule (see `PipelineStamp`).
fn may_be_overtaken(then: Option<PipelineStamp>, now: Option<PipelineStamp>) -> bool {
    match (then, now) {
        (Some(then), Some(now)) => !then.steady || then.retries != now.retries,
        _ => true,
    }
}

/// Waits until no pipeline in flight may be overtaken by one started now. Each of them
/// ends by the budget of its newest operation, so this wait is bounded too.
async fn settle_unsteady(
    root: &Emitter,
    in_flight: &mut FuturesUnordered<InFlight>,
    stamps: &mut Stamps,
) {
    loop {
        let now = root.pipeline_stamp();
        if !stamps.values().any(|&then| may_be_overtaken(then, now)) {
            return;
        }
        match in_flight.next().await {
            Some(id) => {
                stamps.remove(&id);
            }
            None => {
                stamps.clear();
                return;
            }
        }
    }
}

/// Answers a flush once every operation called before it (numbered below `upto`) has
/// finished.
async fn flush(ledger: Arc<Ledger>, upto: u64, timeout: Option<Duration>, reply: Reply) {
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    loop {
        let finished = ledger.changed.notified();
        tokio::pin!(finished);
        // Registered before looking, so that a pipeline finishing meanwhile wakes it.
        finished.as_mut().enable();
        if ledger.finished_upto(upto) {
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

    /// The pipeline `id` (the number of its first operation) that sends the batch and
    /// settles its promises; `None` when there is nothing to send.
    fn send(self, ctx: &Ctx, id: u64, root: Emitter) -> Option<InFlight> {
        let Batch {
            outputs,
            replies,
            started,
            ..
        } = self;
        let oldest = started.iter().min().copied()?;
        let newest = started.iter().max().copied()?;
        let abandon = ctx.shared.abandon.subscribe();
        if *abandon.borrow() {
            // `close()` stopped waiting before these could be sent.
            for reply in replies {
                reply.send(Err(stopped_waiting_unsent()));
            }
            return None;
        }
        let ledger = ctx.shared.ledger.clone();
        ledger.lock().pending.insert(id);
        let call_timeout = ctx.call_timeout;
        let pipeline: InFlight = Box::pin(async move {
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
                // The core's budget ends with the newest operation's: every caller has had
                // its answer by then, and a later pipeline may be waiting for this one.
                let sent = root.send_outputs_since(&outputs, newest);
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
            ledger.finished(id);
            id
        });
        Some(pipeline)
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

/// An operation `close()` stopped waiting for before it was sent.
fn stopped_waiting_unsent() -> Error {
    Error::Timeout(
        "not sent: close() stopped waiting while it waited behind earlier operations Redis had not answered".into(),
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
    rx: &mut mpsc::UnboundedReceiver<Msg>,
) -> Result<Emitter, Error> {
    match state {
        State::Connected(root) => return Ok(root.clone()),
        State::Closed => return Err(Error::Closed),
        State::Idle => {}
    }
    match Emitter::with_config(ctx.config.clone()).await {
        Ok(root) => {
            let _ = ctx.shared.detected.set(root.flavour().clone());
            *state = State::Connected(root.clone());
            Ok(root)
        }
        Err(e) => {
            while let Ok(msg) = rx.try_recv() {
                match msg {
                    Msg::Op { reply, .. } => {
                        ctx.taken += 1;
                        reply.send(Err(e.clone()));
                    }
                    Msg::Ready(reply) | Msg::Ask { reply, .. } => reply.send(Err(e.clone())),
                    // Closing needs no connection; what follows it gets `CLOSED`.
                    Msg::Close { reply, .. } => {
                        *state = State::Closed;
                        reply.send(Ok(0));
                        break;
                    }
                }
            }
            ctx.shared.ledger.handled(ctx.taken);
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
        Op::Join(rooms) => emitter.encode_sockets_join(rooms),
        Op::Leave(rooms) => emitter.encode_sockets_leave(rooms),
        Op::Disconnect(close) => emitter.encode_disconnect_sockets(close),
    }
}
