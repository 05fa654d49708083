//! One task per connection that starts every operation in call order.
//!
//! JavaScript calls push jobs into an unbounded channel from the JS thread, so the channel
//! holds them in call order. The task starts each job's publish before it looks at the next
//! one, and keeps up to [`WINDOW`] started publishes in flight: redis-rs writes them to its
//! multiplexed connection in that order and pipelines them. That is what makes
//! `await Promise.all(many emits)` fast while a client still receives one caller's events in
//! the order they were emitted.
//!
//! The task connects on the first job (or when `ready()` asks), so `new Emitter(url)` can
//! stay synchronous like the official constructor. A failed connection fails the jobs
//! waiting for it; the next job tries again.

use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use socketio_emitter::{Emitter, EmitterConfig, Error, Flag, Room, Target, Value};
use tokio::sync::mpsc;

/// Publishes in flight at once. Below redis-rs's pipeline buffer (50 requests), so a started
/// publish always enters the connection's queue on its first poll, in the order started: with
/// a full buffer, waiting publishes would be woken, and so queued, in no particular order.
/// Measured: with 1024 in flight, 6–9k of 30k emits fired in bursts reached a subscriber out
/// of order; with 32, none. A larger window needs a larger `pipeline_buffer_size` (the
/// core's connection settings).
const WINDOW: usize = 32;

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
    let mut in_flight = FuturesUnordered::new();
    // The last target and the emitter aimed at it.
    let mut aimed: Option<(Target, Arc<Emitter>)> = None;
    loop {
        let job = tokio::select! {
            // Poll what is in flight first: a job pushed in the previous turn gets its
            // first poll (and so its place in the pipeline) before the next job is read.
            biased;
            Some(()) = in_flight.next(), if !in_flight.is_empty() => continue,
            job = rx.recv(), if in_flight.len() < WINDOW => job,
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
                // Callers usually repeat one target: aim once, share the emitter.
                let emitter = match &aimed {
                    Some((last, emitter)) if *last == target => emitter.clone(),
                    _ => {
                        let emitter = Arc::new(aim(&root, &target));
                        aimed = Some((target, emitter.clone()));
                        emitter
                    }
                };
                in_flight.push(async move {
                    reply.send(perform(&emitter, op).await);
                });
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

async fn perform(emitter: &Emitter, op: Op) -> Result<u64, Error> {
    match op {
        Op::Emit(event, args) => emitter.emit(&event, &args).await,
        Op::ServerSideEmit(event, args) => emitter.server_side_emit(&event, &args).await,
        Op::Join(rooms) => emitter.sockets_join(rooms).await,
        Op::Leave(rooms) => emitter.sockets_leave(rooms).await,
        Op::Disconnect(close) => emitter.disconnect_sockets(close).await,
    }
}
