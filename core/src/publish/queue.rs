//! The non-blocking path: `emit_nowait` puts outputs into a bounded queue; one worker task
//! drains it in batches, each sent as one pipeline, with up to two pipelines in flight (in
//! queue order). `flush()` travels through the same
//! queue as a marker, so it answers once everything queued before it is done, with every
//! failure since the previous flush. Nothing is dropped unreported: after close, enqueuing
//! fails with `CLOSED`, and the worker drains what was already queued before it stops.
//!
//! The queue is bounded twice: by operations (`queue_capacity`) and by bytes
//! (`queue_max_bytes`), each operation holding byte permits until Redis answered its
//! pipeline, so large payloads cannot pile up in memory.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError, mpsc, oneshot};

use super::Connection;
use crate::adapter::Output;
use crate::error::{Error, QueuedFailure, Result};

/// Outputs per pipeline: large enough to amortise round trips, small enough to keep a
/// subscriber's output buffer well below Redis's 32 MB Pub/Sub limit for small payloads.
const MAX_BATCH: usize = 512;

/// Payload bytes per pipeline: a batch is sent once it holds this much, so a burst of large
/// payloads reaches subscribers in slices instead of one block near their 32 MB limit.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// Pipelines sent and not yet answered. With two, Redis works on one batch while the worker
/// prepares the next, instead of each side waiting for the other.
const MAX_IN_FLIGHT: usize = 2;

/// What one flush reports when everything succeeded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Queued operations completed since the previous flush.
    pub sent: u64,
    /// Sum of the servers that received them.
    pub receivers: u64,
}

type FlushReply = oneshot::Sender<Result<FlushReport>>;

/// An output the queue did not take, handed back with the reason.
#[derive(Debug)]
pub struct Rejected {
    pub error: Error,
    pub output: Output,
}

/// A queued operation, with the byte permits it holds until its pipeline is answered.
struct Queued {
    ticket: u64,
    output: Output,
    _bytes: OwnedSemaphorePermit,
}

enum Item {
    Op(Queued),
    Flush(FlushReply),
    Close(FlushReply),
}

#[derive(Debug)]
pub(crate) struct Queue {
    tx: mpsc::Sender<Item>,
    next_ticket: AtomicU64,
    capacity: usize,
    bytes: Arc<Semaphore>,
    max_bytes: u32,
    worker: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Item::Op(_) => "Op",
            Item::Flush(_) => "Flush",
            Item::Close(_) => "Close",
        })
    }
}

impl Queue {
    /// Starts the worker on the current tokio runtime.
    /// `max_bytes` must be at least 1 (the configuration checks it).
    pub(crate) fn start(conn: Connection, capacity: usize, max_bytes: u32) -> Queue {
        let (tx, rx) = mpsc::channel(capacity);
        let worker = tokio::spawn(run(conn, rx));
        Queue {
            tx,
            next_ticket: AtomicU64::new(1),
            capacity,
            bytes: Arc::new(Semaphore::new(max_bytes as usize)),
            max_bytes,
            worker: Mutex::new(Some(worker)),
        }
    }

    fn ticket(&self) -> u64 {
        self.next_ticket.fetch_add(1, Ordering::Relaxed)
    }

    /// The byte permits an output needs; one larger than the whole budget takes all of it
    /// (it then waits for an empty queue instead of never fitting).
    fn cost(&self, output: &Output) -> u32 {
        let size = output.payload.len() + output.channel.len();
        u32::try_from(size)
            .unwrap_or(u32::MAX)
            .clamp(1, self.max_bytes)
    }

    fn full(&self) -> Error {
        Error::QueueFull {
            capacity: self.capacity,
        }
    }

    /// Enqueues without waiting: `QUEUE_FULL` when there is no room.
    /// A refused output comes back with the error, so the caller can wait with [`push`]
    /// without encoding it again. Nothing is moved until both bounds have room.
    pub(crate) fn try_push(&self, output: Output) -> Result<u64, Rejected> {
        let slot = match self.tx.try_reserve() {
            Ok(slot) => slot,
            Err(mpsc::error::TrySendError::Full(())) => {
                return Err(Rejected {
                    error: self.full(),
                    output,
                });
            }
            Err(mpsc::error::TrySendError::Closed(())) => {
                return Err(Rejected {
                    error: Error::Closed,
                    output,
                });
            }
        };
        let permit = match self
            .bytes
            .clone()
            .try_acquire_many_owned(self.cost(&output))
        {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => {
                return Err(Rejected {
                    error: self.full(),
                    output,
                });
            }
            Err(TryAcquireError::Closed) => {
                return Err(Rejected {
                    error: Error::Closed,
                    output,
                });
            }
        };
        let ticket = self.ticket();
        slot.send(Item::Op(Queued {
            ticket,
            output,
            _bytes: permit,
        }));
        Ok(ticket)
    }

    /// Enqueues, waiting for room.
    pub(crate) async fn push(&self, output: Output) -> Result<u64> {
        let cost = self.cost(&output);
        let permit = self
            .bytes
            .clone()
            .acquire_many_owned(cost)
            .await
            .map_err(|_| Error::Closed)?;
        let ticket = self.ticket();
        self.tx
            .send(Item::Op(Queued {
                ticket,
                output,
                _bytes: permit,
            }))
            .await
            .map_err(|_| Error::Closed)?;
        Ok(ticket)
    }

    pub(crate) async fn flush(&self) -> Result<FlushReport> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Item::Flush(reply))
            .await
            .map_err(|_| Error::Closed)?;
        answer.await.map_err(|_| Error::Closed)?
    }

    /// Flushes, then stops the worker. Later calls get `CLOSED`.
    pub(crate) async fn close(&self) -> Result<FlushReport> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Item::Close(reply))
            .await
            .map_err(|_| Error::Closed)?;
        let report = answer.await.map_err(|_| Error::Closed)?;
        let worker = self.worker.lock().ok().and_then(|mut w| w.take());
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        report
    }
}

/// Accumulates results between two flushes.
#[derive(Default)]
struct Tally {
    report: FlushReport,
    failures: Vec<QueuedFailure>,
}

impl Tally {
    fn take(&mut self) -> Result<FlushReport> {
        let done = std::mem::take(self);
        if done.failures.is_empty() {
            Ok(done.report)
        } else {
            Err(Error::Flush(done.failures))
        }
    }
}

/// The worker's state: the batch being filled and the results since the last flush.
struct Worker {
    conn: Connection,
    batch: Batch,
    batch_bytes: usize,
    tally: Tally,
    in_flight: VecDeque<InFlight>,
}

type Batch = Vec<Queued>;
type Sent = (Batch, Vec<Result<u64>>);
type InFlight = Pin<Box<dyn Future<Output = Sent> + Send>>;

async fn run(conn: Connection, mut rx: mpsc::Receiver<Item>) {
    let mut worker = Worker {
        conn,
        batch: Vec::with_capacity(MAX_BATCH),
        batch_bytes: 0,
        tally: Tally::default(),
        in_flight: VecDeque::with_capacity(MAX_IN_FLIGHT),
    };
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(item) = next.take() {
            if let Some(close_reply) = worker.handle(item).await {
                // Refuse new work, then finish everything already queued.
                rx.close();
                while let Some(rest) = rx.recv().await {
                    if let Some(another_close) = worker.handle(rest).await {
                        worker.answer(another_close).await;
                    }
                }
                worker.answer(close_reply).await;
                return;
            }
            next = rx.try_recv().ok();
        }
        worker.send().await;
    }
    worker.settle().await;
}

impl Worker {
    /// Handles one item; returns the reply channel of a `Close`, which the caller handles.
    async fn handle(&mut self, item: Item) -> Option<FlushReply> {
        match item {
            Item::Op(queued) => {
                self.batch_bytes += queued.output.payload.len();
                self.batch.push(queued);
                if self.batch.len() >= MAX_BATCH || self.batch_bytes >= MAX_BATCH_BYTES {
                    self.send().await;
                }
                None
            }
            Item::Flush(reply) => {
                self.answer(reply).await;
                None
            }
            Item::Close(reply) => Some(reply),
        }
    }

    /// Sends the pending batch, then reports everything since the previous flush.
    async fn answer(&mut self, reply: FlushReply) {
        self.settle().await;
        // A caller that stopped waiting (a flush with a timeout) leaves its results to
        // the next flush instead of losing them.
        if reply.is_closed() {
            return;
        }
        let _ = reply.send(self.tally.take());
    }

    /// Starts sending the pending batch; waits for the oldest pipeline only when
    /// `MAX_IN_FLIGHT` are unanswered.
    async fn send(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(MAX_BATCH));
            self.batch_bytes = 0;
            let conn = self.conn.clone();
            let mut pipeline: InFlight = Box::pin(async move {
                let outputs: Vec<&Output> = batch.iter().map(|q| &q.output).collect();
                let results = conn.send_batch(&outputs).await;
                drop(outputs);
                (batch, results)
            });
            // Polled once now, so that it reaches the connection before any later batch:
            // the order of emits is kept.
            match poll_once(&mut pipeline).await {
                Some(sent) => self.count(sent),
                None => self.in_flight.push_back(pipeline),
            }
        }
        while self.in_flight.len() >= MAX_IN_FLIGHT {
            if let Some(oldest) = self.in_flight.pop_front() {
                let sent = oldest.await;
                self.count(sent);
            }
        }
    }

    /// Sends the pending batch and waits until every pipeline was answered.
    async fn settle(&mut self) {
        self.send().await;
        while let Some(oldest) = self.in_flight.pop_front() {
            let sent = oldest.await;
            self.count(sent);
        }
    }

    fn count(&mut self, (batch, results): Sent) {
        for (Queued { ticket, output, .. }, result) in batch.into_iter().zip(results) {
            match result {
                Ok(n) => {
                    self.tally.report.sent += 1;
                    self.tally.report.receivers += n;
                }
                Err(error) => self.tally.failures.push(QueuedFailure {
                    ticket,
                    channel: output.channel,
                    error,
                }),
            }
        }
    }
}

/// Polls `fut` once: its result if it finished at once, `None` if it is pending.
async fn poll_once(fut: &mut InFlight) -> Option<Sent> {
    std::future::poll_fn(|cx| match fut.as_mut().poll(cx) {
        Poll::Ready(sent) => Poll::Ready(Some(sent)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}
