//! The non-blocking path: `emit_nowait` puts outputs into a bounded queue; one worker task
//! drains it in batches, each sent as one pipeline, with up to two pipelines in flight (in
//! queue order). `flush()` travels through the same queue as a marker, so it answers once
//! everything queued before it is done, with every result since the previous flush.
//! Nothing is dropped unreported: after close, enqueuing fails with `CLOSED`, and the
//! worker drains what was already queued before it stops.
//!
//! Order survives reconnections: while a pipeline waits for Redis to come back, nothing
//! newer is sent. When Redis stays unreachable for a whole call budget, everything queued
//! at that moment fails at once, each item reported, instead of one budget per batch.
//! `close` takes a timeout: when it runs out, what is left fails at once, reported.
//!
//! The queue is bounded twice: by operations (`queue_capacity`) and by bytes
//! (`queue_max_bytes`), each operation holding byte permits until Redis answered its
//! pipeline, so large payloads cannot pile up in memory.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError, mpsc, oneshot, watch};

use super::Connection;
use super::connection::{Sent, Stamp};
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

/// What one flush reports about the queued operations completed since the previous one.
/// When some failed, it comes inside [`Error::Flush`] with the failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    /// Operations Redis accepted.
    pub sent: u64,
    /// Sum of the servers that received them.
    pub receivers: u64,
    /// Of `sent`, those that reached no server at all (nobody subscribed at that moment).
    pub reached_none: u64,
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
    /// The worker finishes what is queued, then stops; `close` reads its last report.
    Close,
}

#[derive(Debug)]
pub(crate) struct Queue {
    tx: mpsc::Sender<Item>,
    next_ticket: AtomicU64,
    capacity: usize,
    bytes: Arc<Semaphore>,
    max_bytes: u32,
    worker: Mutex<Option<tokio::task::JoinHandle<Result<FlushReport>>>>,
    /// Set by a `close` whose timeout ran out: the worker fails what is left and stops.
    abort: watch::Sender<bool>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Item::Op(_) => "Op",
            Item::Flush(_) => "Flush",
            Item::Close => "Close",
        })
    }
}

impl Queue {
    /// Starts the worker on the current tokio runtime.
    /// `max_bytes` must be at least 1 (the configuration checks it).
    pub(crate) fn start(conn: Connection, capacity: usize, max_bytes: u32) -> Queue {
        let (tx, rx) = mpsc::channel(capacity);
        let (abort, aborted) = watch::channel(false);
        let worker = tokio::spawn(run(conn, rx, aborted));
        Queue {
            tx,
            next_ticket: AtomicU64::new(1),
            capacity,
            bytes: Arc::new(Semaphore::new(max_bytes as usize)),
            max_bytes,
            worker: Mutex::new(Some(worker)),
            abort,
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

    /// Waits until everything queued before it is done. With a timeout, stops waiting
    /// then with `TIMEOUT`; the results stay for the next flush.
    pub(crate) async fn flush(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        let (reply, mut answer) = oneshot::channel();
        let flushed = async {
            self.tx
                .send(Item::Flush(reply))
                .await
                .map_err(|_| Error::Closed)?;
            (&mut answer).await.map_err(|_| Error::Closed)?
        };
        let Some(limit) = timeout else {
            return flushed.await;
        };
        match tokio::time::timeout(limit, flushed).await {
            Ok(result) => result,
            Err(_) => {
                // From now on the worker cannot answer this flush (it keeps the results
                // for the next one); an answer it sent just before is read, not dropped.
                answer.close();
                answer.try_recv().unwrap_or_else(|_| {
                    Err(Error::Timeout(format!(
                        "flush gave up after {:.1} s; queued operations are still being sent, and the next flush reports them",
                        limit.as_secs_f64()
                    )))
                })
            }
        }
    }

    /// Flushes, then stops the worker; later calls get `CLOSED`. With a timeout, what is
    /// not done when it runs out fails at once (reported in the `FLUSH` error), and
    /// close returns promptly.
    pub(crate) async fn close(&self, timeout: Option<Duration>) -> Result<FlushReport> {
        let Some(mut worker) = self.worker.lock().ok().and_then(|mut w| w.take()) else {
            return Ok(FlushReport::default());
        };
        let closed = async {
            // A full queue may make this wait; the worker then drains it.
            let _ = self.tx.send(Item::Close).await;
            (&mut worker).await
        };
        let finished = match timeout {
            None => closed.await,
            Some(limit) => match tokio::time::timeout(limit, closed).await {
                Ok(finished) => finished,
                Err(_) => {
                    let _ = self.abort.send(true);
                    worker.await
                }
            },
        };
        finished.unwrap_or_else(|e| Err(Error::Internal(format!("the queue worker failed: {e}"))))
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
        let Tally { report, failures } = std::mem::take(self);
        if failures.is_empty() {
            Ok(report)
        } else {
            Err(Error::Flush { failures, report })
        }
    }

    /// Answers a flush with everything since the previous one. A flush that stopped
    /// waiting (its timeout) gets nothing: the results stay for the next flush.
    fn answer(&mut self, reply: FlushReply) {
        if let Err(unread) = reply.send(self.take()) {
            self.restore(unread);
        }
    }

    /// Puts back results a flush did not read (they are older than anything counted since).
    fn restore(&mut self, unread: Result<FlushReport>) {
        let (report, mut failures) = match unread {
            Ok(report) => (report, Vec::new()),
            Err(Error::Flush { failures, report }) => (report, failures),
            // `take` gives nothing else.
            Err(_) => return,
        };
        self.report.sent += report.sent;
        self.report.receivers += report.receivers;
        self.report.reached_none += report.reached_none;
        failures.append(&mut self.failures);
        self.failures = failures;
    }

    fn fail(&mut self, queued: &Queued, error: Error) {
        self.failures.push(QueuedFailure {
            ticket: queued.ticket,
            channel: queued.output.channel.clone(),
            error,
        });
    }
}

/// The worker's state: the batch being filled and the results since the last flush.
struct Worker {
    conn: Connection,
    batch: Batch,
    batch_bytes: usize,
    tally: Tally,
    in_flight: VecDeque<InFlight>,
    aborted: watch::Receiver<bool>,
    /// Set when Redis stayed unreachable for a whole budget: what is queued then fails.
    unreachable: Option<Error>,
}

type Batch = Vec<Queued>;
type Pipeline = Pin<Box<dyn Future<Output = Sent> + Send>>;
/// A pipeline being sent, its batch (shared with the future, so that the tickets stay
/// readable if the future has to be dropped), and the connection's stamp when it started.
type InFlight = (Arc<Batch>, Pipeline, Stamp);

/// `close` ran out of time.
struct Aborted;

/// What woke the idle worker.
enum Wake {
    Item(Option<Item>),
    Sent(Sent),
    Aborted,
}

async fn run(
    conn: Connection,
    mut rx: mpsc::Receiver<Item>,
    aborted: watch::Receiver<bool>,
) -> Result<FlushReport> {
    let mut worker = Worker {
        conn,
        batch: Vec::with_capacity(MAX_BATCH),
        batch_bytes: 0,
        tally: Tally::default(),
        in_flight: VecDeque::with_capacity(MAX_IN_FLIGHT),
        aborted,
        unreachable: None,
    };
    match worker.serve(&mut rx).await {
        Ok(()) => {}
        Err(Aborted) => worker.abandon(&mut rx),
    }
    worker.tally.take()
}

impl Worker {
    /// Handles items until a `Close` (or the end of the channel), then settles.
    async fn serve(&mut self, rx: &mut mpsc::Receiver<Item>) -> Result<(), Aborted> {
        loop {
            // While waiting for work, keep driving the pipeline in flight: one that waits
            // for Redis (or for pacing) must go out when it can, not at the next flush.
            let busy = !self.in_flight.is_empty();
            let wake = {
                let (in_flight, aborted) = (&mut self.in_flight, &mut self.aborted);
                tokio::select! {
                    item = rx.recv() => Wake::Item(item),
                    _ = aborted.wait_for(|a| *a) => Wake::Aborted,
                    sent = front(in_flight), if busy => Wake::Sent(sent),
                }
            };
            let first = match wake {
                Wake::Item(item) => item,
                Wake::Aborted => return Err(Aborted),
                Wake::Sent(sent) => {
                    if let Some((batch, _, _)) = self.in_flight.pop_front() {
                        self.count(&batch, sent);
                    }
                    if self.unreachable.is_some() {
                        self.fail_queued(rx).await?;
                    }
                    continue;
                }
            };
            let Some(first) = first else {
                return self.settle().await;
            };
            let mut next = Some(first);
            while let Some(item) = next.take() {
                if self.handle(item).await? {
                    // Refuse new work, then finish everything already queued.
                    rx.close();
                    while let Some(rest) = rx.recv().await {
                        self.handle(rest).await?;
                    }
                    return self.settle().await;
                }
                if self.unreachable.is_some() {
                    self.fail_queued(rx).await?;
                }
                next = rx.try_recv().ok();
            }
            self.send().await?;
            if self.unreachable.is_some() {
                self.fail_queued(rx).await?;
            }
        }
    }

    /// Handles one item; `true` for a `Close`.
    async fn handle(&mut self, item: Item) -> Result<bool, Aborted> {
        match item {
            Item::Op(queued) => {
                if let Some(error) = &self.unreachable {
                    let error = error.clone();
                    self.tally.fail(&queued, error);
                    return Ok(false);
                }
                self.batch_bytes += queued.output.payload.len();
                self.batch.push(queued);
                if self.batch.len() >= MAX_BATCH || self.batch_bytes >= MAX_BATCH_BYTES {
                    self.send().await?;
                }
                Ok(false)
            }
            Item::Flush(reply) => {
                self.settle().await?;
                self.tally.answer(reply);
                Ok(false)
            }
            Item::Close => Ok(true),
        }
    }

    /// Redis stayed unreachable for a whole budget: everything queued now fails with the
    /// same error, without waiting a budget per batch. Later items try again.
    async fn fail_queued(&mut self, rx: &mut mpsc::Receiver<Item>) -> Result<(), Aborted> {
        let Some(error) = self.unreachable.take() else {
            return Ok(());
        };
        self.fail_batch(&error);
        let mut markers = Vec::new();
        while let Ok(item) = rx.try_recv() {
            match item {
                Item::Op(queued) => self.tally.fail(&queued, error.clone()),
                // Answered after this, in order: they see these failures.
                other => markers.push(other),
            }
        }
        if !markers.is_empty() {
            // A flush answers for everything queued before it, pipelines in flight included.
            while !self.in_flight.is_empty() {
                self.await_oldest().await?;
            }
        }
        for marker in markers {
            match marker {
                Item::Flush(reply) => self.tally.answer(reply),
                Item::Close => rx.close(),
                Item::Op(_) => {}
            }
        }
        Ok(())
    }

    /// Starts sending the pending batch; waits for the oldest pipeline only when
    /// `MAX_IN_FLIGHT` are unanswered, or while a pipeline waits for Redis to come back
    /// (so that it goes out before anything newer).
    async fn send(&mut self) -> Result<(), Aborted> {
        if !self.batch.is_empty() {
            // An older pipeline that may not have reached the connection yet (it started
            // while Redis was away or sends were held, or it must retry) goes out first.
            while self
                .in_flight
                .iter()
                .any(|(_, _, then)| !then.steady || then.retries != self.conn.stamp().retries)
            {
                self.await_oldest().await?;
            }
            if let Some(error) = &self.unreachable {
                // An older pipeline just spent a whole budget without reaching Redis: this
                // batch fails now, reported, instead of waiting another budget.
                let error = error.clone();
                self.fail_batch(&error);
            } else {
                self.start_pipeline().await;
            }
        }
        while self.in_flight.len() >= MAX_IN_FLIGHT {
            self.await_oldest().await?;
        }
        Ok(())
    }

    /// The pending batch fails, each operation reported with `error`.
    fn fail_batch(&mut self, error: &Error) {
        for queued in std::mem::take(&mut self.batch) {
            self.tally.fail(&queued, error.clone());
        }
        self.batch_bytes = 0;
    }

    /// Sends the pending batch as one pipeline.
    async fn start_pipeline(&mut self) {
        let stamp = self.conn.stamp();
        let batch = Arc::new(std::mem::replace(
            &mut self.batch,
            Vec::with_capacity(MAX_BATCH),
        ));
        self.batch_bytes = 0;
        let conn = self.conn.clone();
        let deadline = conn.deadline();
        let shared = batch.clone();
        let mut pipeline: Pipeline = Box::pin(async move {
            let outputs: Vec<&Output> = shared.iter().map(|q| &q.output).collect();
            conn.send_pipeline(&outputs, deadline).await
        });
        // Polled once now, so that it reaches the connection before any later batch:
        // the order of emits is kept.
        match poll_once(&mut pipeline).await {
            Some(sent) => self.count(&batch, sent),
            None => self.in_flight.push_back((batch, pipeline, stamp)),
        }
    }

    async fn await_oldest(&mut self) -> Result<(), Aborted> {
        let Some((_, oldest, _)) = self.in_flight.front_mut() else {
            return Ok(());
        };
        let sent = tokio::select! {
            sent = oldest => sent,
            _ = self.aborted.wait_for(|a| *a) => return Err(Aborted),
        };
        if let Some((batch, _, _)) = self.in_flight.pop_front() {
            self.count(&batch, sent);
        }
        Ok(())
    }

    /// Sends the pending batch and waits until every pipeline was answered.
    async fn settle(&mut self) -> Result<(), Aborted> {
        self.send().await?;
        while !self.in_flight.is_empty() {
            self.await_oldest().await?;
        }
        Ok(())
    }

    fn count(&mut self, batch: &Batch, sent: Sent) {
        if sent.unreachable {
            self.unreachable = sent.results.first().and_then(|r| r.clone().err());
        }
        for (queued, result) in batch.iter().zip(sent.results) {
            match result {
                Ok(n) => {
                    let report = &mut self.tally.report;
                    report.sent += 1;
                    report.receivers += n;
                    report.reached_none += u64::from(n == 0);
                }
                Err(error) => self.tally.fail(queued, error),
            }
        }
    }

    /// `close` ran out of time: pipelines in flight and everything queued fail now.
    fn abandon(&mut self, rx: &mut mpsc::Receiver<Item>) {
        let in_flight = Error::Timeout(
            "close() gave up before Redis answered; it may or may not have been published".into(),
        );
        let unsent =
            Error::Timeout("close() gave up before it was sent; it was not published".into());
        // Dropping a pipeline future cancels it; which of its commands were written is
        // unknown, so they are reported as such.
        for (batch, pipeline, _) in std::mem::take(&mut self.in_flight) {
            drop(pipeline);
            for queued in batch.iter() {
                self.tally.fail(queued, in_flight.clone());
            }
        }
        self.fail_batch(&unsent);
        rx.close();
        while let Ok(item) = rx.try_recv() {
            match item {
                Item::Op(queued) => self.tally.fail(&queued, unsent.clone()),
                Item::Flush(reply) => drop(reply),
                Item::Close => {}
            }
        }
    }
}

/// The oldest pipeline in flight (the caller checks there is one).
async fn front(in_flight: &mut VecDeque<InFlight>) -> Sent {
    match in_flight.front_mut() {
        Some((_, pipeline, _)) => pipeline.await,
        None => std::future::pending().await,
    }
}

/// Polls `fut` once: its result if it finished at once, `None` if it is pending.
async fn poll_once(fut: &mut Pipeline) -> Option<Sent> {
    std::future::poll_fn(|cx| match fut.as_mut().poll(cx) {
        Poll::Ready(sent) => Poll::Ready(Some(sent)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::Command;

    fn queued(ticket: u64) -> Queued {
        let permits = Arc::new(Semaphore::new(1));
        Queued {
            ticket,
            output: Output {
                command: Command::Publish,
                channel: format!("c{ticket}"),
                payload: Vec::new(),
            },
            _bytes: permits.try_acquire_owned().unwrap(),
        }
    }

    /// A flush that stopped waiting leaves its results to the next one, in order, whether
    /// the worker saw it gone before answering or the answer was dropped unread.
    #[test]
    fn an_unread_answer_goes_to_the_next_flush() {
        let mut tally = Tally::default();
        tally.report.sent = 3;
        tally.report.receivers = 2;
        tally.report.reached_none = 1;
        tally.fail(&queued(1), Error::Closed);

        let (reply, answer) = oneshot::channel();
        drop(answer);
        tally.answer(reply);

        tally.report.sent += 1;
        tally.fail(&queued(2), Error::Closed);
        let (reply, mut answer) = oneshot::channel();
        tally.answer(reply);
        match answer.try_recv().unwrap() {
            Err(Error::Flush { failures, report }) => {
                assert_eq!(
                    report,
                    FlushReport {
                        sent: 4,
                        receivers: 2,
                        reached_none: 1
                    }
                );
                let tickets: Vec<u64> = failures.iter().map(|f| f.ticket).collect();
                assert_eq!(tickets, [1, 2]);
            }
            other => panic!("expected the kept results, got {other:?}"),
        }
        assert_eq!(tally.take().unwrap(), FlushReport::default());
    }
}
