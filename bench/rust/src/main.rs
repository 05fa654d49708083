//! `sio-bench`: the Rust runners of `make bench` (driven by `bench/run.py`).
//!
//! ```text
//! sio-bench encode  --payload P --channel-out FILE --payload-out FILE
//! sio-bench run     --url U --payload P --mode M [--seconds S] [--warmup S] [--window W]
//!                   [--runtime multi|current] [--queue-capacity N]
//!                   [--adapter classic|sharded] [--cluster URL,URL,...]
//! sio-bench rss     --url U [--count N] [--every K]
//! sio-bench latency --url U [--count N] [--interval-us I]
//! sio-bench burst   --url U [--count N] [--payload small|str4k] [--pacing on|off]
//! sio-bench fetch   --url U [--timeout-ms T]      (batches of fetch_sockets, see fetch.rs)
//! sio-bench spread  --cluster SEEDS --rooms R1,R2,... --payload P --mode M   (see spread.rs)
//! ```
//!
//! Payloads (`small`, `json1k`, `bin64k`) come from `bench/payloads.json` (found next to the
//! binary's source, or with `--payloads FILE`). Every emit goes to room `room1`, event `bench`.
//! `--adapter sharded` publishes as `createShardedAdapter` servers expect (SPUBLISH, `dynamic`
//! mode); `--cluster` reaches a Redis Cluster through those seed nodes instead of `--url`
//! (which `run` then ignores). `encode` takes `--adapter` too.
//! Each command prints one JSON line on stdout; the orchestrator measures peak RSS itself.

use std::collections::HashMap;
use std::io::BufRead;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::json;
use socketio_emitter::{AdapterKind, DEFAULT_URL, Emitter, EmitterConfig, Value, blocking};

const ROOM: &str = "room1";
const EVENT: &str = "bench";
/// Operations between two looks at the clock.
const CHECK_EVERY: u64 = 128;

mod fetch;
mod spread;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    if let Err(e) = real_main() {
        eprintln!("sio-bench: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<(), BoxError> {
    let mut argv = std::env::args().skip(1);
    let command = argv
        .next()
        .ok_or("usage: sio-bench encode|run|rss|latency|burst|fetch|spread [--flag value]...")?;
    let opts = Opts::parse(argv)?;
    match command.as_str() {
        "encode" => encode(&opts),
        "run" => run(&opts),
        "rss" => rss(&opts),
        "latency" => latency(&opts),
        "burst" => burst(&opts),
        "fetch" => fetch::fetch(&opts),
        "spread" => spread::spread(&opts),
        other => Err(format!("unknown command {other:?}").into()),
    }
}

struct Opts(HashMap<String, String>);

impl Opts {
    fn parse(mut argv: impl Iterator<Item = String>) -> Result<Opts, BoxError> {
        let mut map = HashMap::new();
        while let Some(flag) = argv.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected --flag, got {flag:?}"))?;
            let value = argv
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            map.insert(name.to_owned(), value);
        }
        Ok(Opts(map))
    }

    fn str(&self, name: &str) -> Result<&str, BoxError> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("--{name} is required").into())
    }

    fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, BoxError> {
        match self.0.get(name) {
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: bad number {v:?}").into()),
            None => Ok(default),
        }
    }

    fn secs(&self, name: &str, default: f64) -> Result<Duration, BoxError> {
        Ok(Duration::from_secs_f64(self.num(name, default)?))
    }

    fn config(&self) -> Result<EmitterConfig, BoxError> {
        let capacity = self.num("queue-capacity", 10_000usize)?;
        let mut config = match self.0.get("cluster") {
            Some(nodes) => EmitterConfig::new(DEFAULT_URL).with_cluster_nodes(nodes.split(',')),
            None => EmitterConfig::new(self.str("url")?),
        };
        config.queue_capacity = capacity;
        Ok(config.with_adapter(self.adapter()?))
    }

    /// `--adapter classic` (default) or `sharded`.
    fn adapter(&self) -> Result<AdapterKind, BoxError> {
        Ok(self
            .0
            .get("adapter")
            .map_or("classic", String::as_str)
            .parse()?)
    }
}

/// The event arguments of a payload name.
fn payload(opts: &Opts) -> Result<Vec<Value>, BoxError> {
    let name = opts.str("payload")?;
    if name == "bin64k" {
        let bytes: Vec<u8> = (0..65_536u32).map(|i| ((i * 31 + 7) % 256) as u8).collect();
        return Ok(vec![Value::bytes(bytes)]);
    }
    let path = match opts.0.get("payloads") {
        Some(p) => p.clone(),
        None => concat!(env!("CARGO_MANIFEST_DIR"), "/../payloads.json").to_owned(),
    };
    let all: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let one = all
        .get(name)
        .ok_or_else(|| format!("no payload {name:?} in {path}"))?;
    Ok(vec![Value::from(one.clone())])
}

fn print(line: serde_json::Value) {
    println!("{line}");
}

/// What the emitter publishes for this payload, for redis-benchmark.
fn encode(opts: &Opts) -> Result<(), BoxError> {
    let args = payload(opts)?;
    let io = blocking::Emitter::offline_with(
        &EmitterConfig::new(DEFAULT_URL).with_adapter(opts.adapter()?),
    );
    let out = io.to(ROOM).encode_emit(EVENT, &args)?;
    std::fs::write(opts.str("channel-out")?, out.channel.as_bytes())?;
    std::fs::write(opts.str("payload-out")?, &out.payload)?;
    print(json!({"channel": out.channel, "payload_len": out.payload.len()}));
    Ok(())
}

fn run(opts: &Opts) -> Result<(), BoxError> {
    let args = payload(opts)?;
    let mode = opts.str("mode")?;
    let seconds = opts.secs("seconds", 1.0)?;
    let warmup = opts.secs("warmup", 0.2)?;
    let ((ops, secs, receivers), cpu_s) = match mode {
        "blocking" | "queue" => {
            let io = blocking::Emitter::with_config(opts.config()?)?;
            let room = io.to(ROOM);
            let go = |d| match mode {
                "blocking" => blocking_loop(&room, &args, d),
                _ => queue_loop(&room, &args, d),
            };
            go(warmup)?;
            let cpu = CpuClock::start();
            let result = go(seconds)?;
            let cpu_s = cpu.seconds();
            io.close()?;
            (result, cpu_s)
        }
        "awaited" | "concurrent" | "queue-async" => {
            let window = opts.num("window", 256usize)?;
            let rt = runtime(opts)?;
            // In a spawned task, as a server's handlers run, not in block_on's thread.
            let (config, mode) = (opts.config()?, mode.to_owned());
            let task = rt.spawn(async move {
                let io = Emitter::with_config(config).await?;
                let room = io.to(ROOM);
                let go = |d| async_loop(&room, &args, &mode, window, d);
                go(warmup).await?;
                let cpu = CpuClock::start();
                let result = go(seconds).await?;
                let cpu_s = cpu.seconds();
                io.close().await?;
                Ok::<_, BoxError>((result, cpu_s))
            });
            rt.block_on(task)??
        }
        other => return Err(format!("unknown mode {other:?}").into()),
    };
    print(json!({"ops": ops, "secs": secs, "receivers": receivers, "cpu_s": cpu_s}));
    Ok(())
}

type Outcome = (u64, f64, u64);

/// This process's CPU time (user + system, every thread: the emitter's I/O runs on its own
/// threads) since `start`, so the timed loop's cost can be told from startup and warm-up.
struct CpuClock(f64);

impl CpuClock {
    fn start() -> CpuClock {
        CpuClock(process_cpu_seconds())
    }

    fn seconds(&self) -> f64 {
        process_cpu_seconds() - self.0
    }
}

fn process_cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given, which is zeroed and ours.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// `--runtime multi` (default: tokio's multi-threaded runtime, one worker per core) or
/// `current` (everything on this thread).
fn runtime(opts: &Opts) -> Result<tokio::runtime::Runtime, BoxError> {
    let mut builder = match opts.0.get("runtime").map(String::as_str) {
        None | Some("multi") => tokio::runtime::Builder::new_multi_thread(),
        Some("current") => tokio::runtime::Builder::new_current_thread(),
        Some(other) => return Err(format!("--runtime: unknown {other:?}").into()),
    };
    Ok(builder.enable_all().build()?)
}

fn blocking_loop(io: &blocking::Emitter, args: &[Value], d: Duration) -> Result<Outcome, BoxError> {
    let start = Instant::now();
    let (mut ops, mut receivers) = (0u64, 0u64);
    loop {
        for _ in 0..CHECK_EVERY {
            receivers += io.emit(EVENT, args)?;
        }
        ops += CHECK_EVERY;
        if start.elapsed() >= d {
            return Ok((ops, start.elapsed().as_secs_f64(), receivers));
        }
    }
}

/// Enqueues until the time is up, then waits for everything with one flush.
fn queue_loop(io: &blocking::Emitter, args: &[Value], d: Duration) -> Result<Outcome, BoxError> {
    let start = Instant::now();
    let mut ops = 0u64;
    while start.elapsed() < d {
        for _ in 0..CHECK_EVERY {
            io.emit_nowait(EVENT, args)?;
        }
        ops += CHECK_EVERY;
    }
    let report = io.flush()?;
    Ok((
        report.sent.max(ops),
        start.elapsed().as_secs_f64(),
        report.receivers,
    ))
}

async fn async_loop(
    io: &Emitter,
    args: &[Value],
    mode: &str,
    window: usize,
    d: Duration,
) -> Result<Outcome, BoxError> {
    let start = Instant::now();
    let (mut ops, mut receivers) = (0u64, 0u64);
    match mode {
        "awaited" => {
            while start.elapsed() < d {
                for _ in 0..CHECK_EVERY {
                    receivers += io.emit(EVENT, args).await?;
                }
                ops += CHECK_EVERY;
            }
        }
        "concurrent" => {
            // At most `window` emits in flight; a new one starts as soon as one finishes.
            let mut inflight = FuturesUnordered::new();
            while start.elapsed() < d {
                for _ in 0..CHECK_EVERY {
                    if inflight.len() >= window
                        && let Some(r) = inflight.next().await
                    {
                        receivers += r?;
                    }
                    inflight.push(io.emit(EVENT, args));
                    ops += 1;
                }
            }
            while let Some(r) = inflight.next().await {
                receivers += r?;
            }
        }
        _ => {
            while start.elapsed() < d {
                for _ in 0..CHECK_EVERY {
                    io.emit_queued(EVENT, args).await?;
                }
                ops += CHECK_EVERY;
            }
            receivers = io.flush().await?.receivers;
        }
    }
    Ok((ops, start.elapsed().as_secs_f64(), receivers))
}

/// Resident set size of this process, in bytes.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// One million queued emits (small payload), sampling RSS as it goes.
fn rss(opts: &Opts) -> Result<(), BoxError> {
    let count = opts.num("count", 1_000_000u64)?;
    let every = opts.num("every", 100_000u64)?;
    let args = payload(opts)?;
    let io = blocking::Emitter::with_config(opts.config()?)?;
    let room = io.to(ROOM);
    let start = Instant::now();
    let mut samples = vec![json!({"emits": 0, "rss": rss_bytes()})];
    for i in 1..=count {
        room.emit_nowait(EVENT, &args)?;
        if i % every == 0 {
            samples.push(json!({"emits": i, "rss": rss_bytes()}));
        }
    }
    let report = io.flush()?;
    let secs = start.elapsed().as_secs_f64();
    samples.push(json!({"emits": count, "rss": rss_bytes(), "after_flush": true}));
    io.close()?;
    print(json!({"ops": count, "secs": secs, "receivers": report.receivers, "samples": samples}));
    Ok(())
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Paced, awaited emits carrying their send time; the latency client does the sums.
fn latency(opts: &Opts) -> Result<(), BoxError> {
    let count = opts.num("count", 1000u64)?;
    let interval = Duration::from_micros(opts.num("interval-us", 2000u64)?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let config = opts.config()?;
    let task = rt.spawn(async move {
        let io = Emitter::with_config(config).await?;
        let room = io.to(ROOM);
        let start = tokio::time::Instant::now();
        for i in 0..count {
            tokio::time::sleep_until(start + interval * (i as u32)).await;
            let arg = Value::from(json!({"t": now_ms(), "i": i}));
            room.emit("lat", &[arg]).await?;
        }
        room.emit("done", &[Value::from(count)]).await?;
        io.close().await?;
        print(json!({"sent": count}));
        Ok::<_, BoxError>(())
    });
    rt.block_on(task)?
}

/// The end-to-end burst (`bench/run.py`, "burst"): `--count` emits of `burst` to room1, each
/// `[seq, payload]`, through `emit_nowait` and one `flush`. Prints `{"ready":true}` once
/// connected (after one publish to a room no client is in), waits for a line on stdin, then
/// emits, and prints what the flush reported. `--payload str4k` is a 4096-byte string.
fn burst(opts: &Opts) -> Result<(), BoxError> {
    let count = opts.num("count", 100_000u64)?;
    let pacing = match opts.0.get("pacing").map(String::as_str) {
        None | Some("on") => true,
        Some("off") => false,
        Some(other) => return Err(format!("--pacing: on or off, got {other:?}").into()),
    };
    let payload = match opts.str("payload")? {
        "str4k" => Value::from("x".repeat(4096)),
        _ => payload(opts)?.remove(0),
    };
    let io = blocking::Emitter::with_config(opts.config()?.with_pacing(pacing))?;
    io.to("burst-warmup").emit("warmup", &[])?;
    print(json!({"ready": true}));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;

    let room = io.to(ROOM);
    let t0 = now_ms();
    let start = Instant::now();
    let cpu = CpuClock::start();
    let (mut failed, mut first_error) = (0u64, None::<String>);
    for seq in 0..count {
        if let Err(e) = room.emit_nowait("burst", &[Value::from(seq), payload.clone()]) {
            failed += 1;
            first_error.get_or_insert_with(|| e.to_string());
        }
    }
    let report = match io.flush() {
        Ok(report) => report,
        Err(socketio_emitter::Error::Flush { failures, report }) => {
            failed += failures.len() as u64;
            if let Some(f) = failures.first() {
                first_error.get_or_insert_with(|| f.error.to_string());
            }
            report
        }
        Err(e) => return Err(e.into()),
    };
    let secs = start.elapsed().as_secs_f64();
    let cpu_s = cpu.seconds();
    io.close()?;
    print(json!({
        "ops": count, "secs": secs, "cpu_s": cpu_s, "t0_ms": t0, "sent": report.sent,
        "receivers": report.receivers, "reached_none": report.reached_none,
        "failed": failed, "first_error": first_error, "pacing": pacing,
    }));
    Ok(())
}
