//! `sio-bench fetch`: the time one `Emitter::fetch_sockets` takes (bench/fetch.py drives it).
//!
//! Connects, makes one untimed call (it opens the reply subscription, which later calls
//! reuse) and prints `{"ready":true,"sockets":n}`. Then, for each line `K` read on stdin, it
//! makes K calls one after the other and prints `{"ms":[...],"sockets":[...],"missing":m}`:
//! each call's time, the sockets each call returned and the servers that did not answer
//! (so the driver can refuse a batch that measured partial answers). EOF ends it.

use std::io::BufRead;
use std::time::{Duration, Instant};

use serde_json::json;
use socketio_emitter::Emitter;

use crate::{BoxError, Opts, print};

pub fn fetch(opts: &Opts) -> Result<(), BoxError> {
    let timeout = Duration::from_millis(opts.num("timeout-ms", 5000u64)?);
    let config = opts.config()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The emitter lives in the runtime; each batch is one block_on, so the clock never
    // includes reading stdin.
    let io = rt.block_on(Emitter::with_config(config))?;
    let first = rt.block_on(io.fetch_sockets(timeout))?;
    print(json!({"ready": true, "sockets": first.sockets.len()}));
    for line in std::io::stdin().lock().lines() {
        let calls: usize = line?.trim().parse()?;
        let batch = rt.block_on(async {
            let (mut ms, mut sockets, mut missing) = (vec![], vec![], 0u64);
            for _ in 0..calls {
                let start = Instant::now();
                let answer = io.fetch_sockets(timeout).await?;
                ms.push(start.elapsed().as_secs_f64() * 1000.0);
                sockets.push(answer.sockets.len());
                missing += answer.servers_missing;
            }
            Ok::<_, BoxError>(json!({"ms": ms, "sockets": sockets, "missing": missing}))
        })?;
        print(batch);
    }
    rt.block_on(io.close())?;
    Ok(())
}
