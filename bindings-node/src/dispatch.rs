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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use socketio_emitter::adapter::Output;
use socketio_emitter::{Emitter, EmitterConfig, Error, Flag, Room, Target, Value};
use tokio::sync::mpsc;

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
    },
    /// Connect now if not connected; answer when connected.
    Ready(Reply),
    /// Finish what is in flight, then close the connection; later jobs get `CLOSED`.
    Close(Reply),
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
                Job::Op { reply, .. } | Job::Ready(reply) | Job::Close(reply) => {
                    reply.send(Err(Error::Closed))
                }
            }
        }
    }
}

async fn run(config: EmitterConfig, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut state = State::Idle;
    let mut in_flight: FuturesUnordered<InFlight> = FuturesUnordered::new();
    // The last target and the emitter aimed at it.
    let mut aimed: Option<(Target, Arc<Emitter>)> = None;
    // A `Ready` or `Close` met while gathering a batch: handled right after that batch.
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
            Job::Op { target, op, reply } => {
                let root = match connected(&mut state, &config, &mut rx).await {
                    Ok(root) => root,
                    Err(e) => {
                        reply.send(Err(e));
                        continue;
                    }
                };
                let mut batch = Batch::default();
                batch.add(&root, &mut aimed, target, op, reply);
                while !batch.is_full() {
                    match rx.try_recv() {
                        Ok(Job::Op { target, op, reply }) => {
                            batch.add(&root, &mut aimed, target, op, reply)
                        }
                        Ok(other) => {
                            held = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if let Some(mut pipeline) = batch.send(root) {
                    // Polled once now, so that it reaches the connection before any later
                    // batch: the order of emits is kept.
                    if !poll_once(&mut pipeline).await {
                        in_flight.push(pipeline);
                    }
                }
            }
            Job::Ready(reply) => {
                let result = connected(&mut state, &config, &mut rx).await.map(|_| 0);
                reply.send(result);
            }
            Job::Close(reply) => {
                while in_flight.next().await.is_some() {}
                let result = match std::mem::replace(&mut state, State::Closed) {
                    State::Connected(root) => root.close().await.map(|_| 0),
                    State::Idle | State::Closed => Ok(0),
                };
                aimed = None;
                reply.send(result);
            }
        }
    }
    // Every handle is gone: finish, then let the connection go.
    while in_flight.next().await.is_some() {}
    if let State::Connected(root) = state {
        let _ = root.close().await;
    }
}

/// Operations gathered for one pipeline, encoded, with their replies in the same order.
#[derive(Default)]
struct Batch {
    outputs: Vec<Output>,
    replies: Vec<Reply>,
    bytes: usize,
}

impl Batch {
    fn is_full(&self) -> bool {
        self.outputs.len() >= MAX_BATCH || self.bytes >= MAX_BATCH_BYTES
    }

    /// Encodes `op` for `target`; an operation that cannot be encoded is answered at once.
    fn add(
        &mut self,
        root: &Emitter,
        aimed: &mut Option<(Target, Arc<Emitter>)>,
        target: Target,
        op: Op,
        reply: Reply,
    ) {
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
            }
            Err(e) => reply.send(Err(e)),
        }
    }

    /// The pipeline that sends the batch and settles its promises; `None` when empty.
    fn send(self, root: Emitter) -> Option<InFlight> {
        let Batch {
            outputs, replies, ..
        } = self;
        if outputs.is_empty() {
            return None;
        }
        Some(Box::pin(async move {
            let results = match outputs.as_slice() {
                [one] => vec![root.send_output(one).await],
                many => root.send_outputs(many).await,
            };
            // A missing result leaves its reply unsent: it settles with `CLOSED`.
            for (reply, result) in replies.into_iter().zip(results) {
                reply.send(result);
            }
        }))
    }
}

/// Polls `pipeline` once; `true` if it finished.
async fn poll_once(pipeline: &mut InFlight) -> bool {
    std::future::poll_fn(|cx| Poll::Ready(pipeline.as_mut().poll(cx).is_ready())).await
}

/// The connected root emitter, connecting first if needed. When connecting fails, the jobs
/// already waiting fail with the same error instead of each trying (and timing out) again.
async fn connected(
    state: &mut State,
    config: &EmitterConfig,
    rx: &mut mpsc::UnboundedReceiver<Job>,
) -> Result<Emitter, Error> {
    match state {
        State::Connected(root) => return Ok(root.clone()),
        State::Closed => return Err(Error::Closed),
        State::Idle => {}
    }
    match Emitter::with_config(config.clone()).await {
        Ok(root) => {
            *state = State::Connected(root.clone());
            Ok(root)
        }
        Err(e) => {
            while let Ok(job) = rx.try_recv() {
                match job {
                    Job::Op { reply, .. } | Job::Ready(reply) => reply.send(Err(e.clone())),
                    // Closing needs no connection; what follows it gets `CLOSED`.
                    Job::Close(reply) => {
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
