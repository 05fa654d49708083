//! `sio-bench spread`: emits round-robin over several rooms (bench/scaling.py drives it).
//!
//! ```text
//! sio-bench spread --cluster SEEDS --adapter sharded --rooms R1,R2,... --payload P
//!                  --mode queue|concurrent [--seconds S] [--warmup S] [--window W]
//! ```
//!
//! With the sharded adapter each room has its own channel, hence its own slot, so on a Redis
//! Cluster the emits spread over the masters owning those slots. `queue`: blocking
//! `emit_nowait` + one `flush` (the queue splits each pipeline by slot and sends the groups
//! concurrently); `concurrent`: the async API with `--window` (256) emits in flight. Prints
//! the same JSON line as `run`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::json;
use socketio_emitter::{Emitter, Value, blocking};

use crate::{BoxError, CHECK_EVERY, EVENT, Opts, Outcome, payload, print, runtime};

pub fn spread(opts: &Opts) -> Result<(), BoxError> {
    let args = payload(opts)?;
    let rooms: Vec<String> = opts.str("rooms")?.split(',').map(str::to_owned).collect();
    let seconds = opts.secs("seconds", 1.0)?;
    let warmup = opts.secs("warmup", 0.2)?;
    let (ops, secs, receivers) = match opts.str("mode")? {
        "queue" => {
            let io = blocking::Emitter::with_config(opts.config()?)?;
            let targets: Vec<_> = rooms.iter().map(|room| io.to(room.as_str())).collect();
            queue_loop(&targets, &args, warmup)?;
            let result = queue_loop(&targets, &args, seconds)?;
            io.close()?;
            result
        }
        "concurrent" => {
            let window = opts.num("window", 256usize)?;
            let rt = runtime(opts)?;
            let config = opts.config()?;
            // In a spawned task, as a server's handlers run, not in block_on's thread.
            let task = rt.spawn(async move {
                let io = Emitter::with_config(config).await?;
                let targets: Vec<_> = rooms.iter().map(|room| io.to(room.as_str())).collect();
                concurrent_loop(&targets, &args, window, warmup).await?;
                let result = concurrent_loop(&targets, &args, window, seconds).await?;
                io.close().await?;
                Ok::<_, BoxError>(result)
            });
            rt.block_on(task)??
        }
        other => return Err(format!("spread: unknown mode {other:?}").into()),
    };
    print(json!({"ops": ops, "secs": secs, "receivers": receivers}));
    Ok(())
}

/// Enqueues to each room in turn until the time is up, then waits for all with one flush.
fn queue_loop(
    targets: &[blocking::Emitter],
    args: &[Value],
    d: Duration,
) -> Result<Outcome, BoxError> {
    let start = Instant::now();
    let mut ops = 0u64;
    let mut next = targets.iter().cycle();
    while start.elapsed() < d {
        for target in next.by_ref().take(CHECK_EVERY as usize) {
            target.emit_nowait(EVENT, args)?;
        }
        ops += CHECK_EVERY;
    }
    let report = targets[0].flush()?;
    Ok((
        report.sent.max(ops),
        start.elapsed().as_secs_f64(),
        report.receivers,
    ))
}

/// At most `window` emits in flight, each to the next room in turn.
async fn concurrent_loop(
    targets: &[Emitter],
    args: &[Value],
    window: usize,
    d: Duration,
) -> Result<Outcome, BoxError> {
    let start = Instant::now();
    let (mut ops, mut receivers) = (0u64, 0u64);
    let mut inflight = FuturesUnordered::new();
    let mut next = targets.iter().cycle();
    while start.elapsed() < d {
        for target in next.by_ref().take(CHECK_EVERY as usize) {
            if inflight.len() >= window
                && let Some(r) = inflight.next().await
            {
                receivers += r?;
            }
            inflight.push(target.emit(EVENT, args));
            ops += 1;
        }
    }
    while let Some(r) = inflight.next().await {
        receivers += r?;
    }
    Ok((ops, start.elapsed().as_secs_f64(), receivers))
}
