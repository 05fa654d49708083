"use strict";
// Our Node binding (bindings-node, package `socketio-emitter`), release build from bench/out/node-pkg.
//   node ours.js --url U --payload P --mode await|all [--seconds 1] [--warmup 0.2]
//   node ours.js --url U --mode latency [--count 1000] [--interval-us 2000]
// --adapter sharded publishes for createShardedAdapter servers (SPUBLISH); --cluster URL,URL,...
// reaches a Redis Cluster through those seed nodes (--url is then ignored).
// await: each emit awaited in turn. all: chunks of 1024 emits (64 for 64 KiB) settled with
// Promise.all; a chunk is fired before the previous one is awaited, as in official.js "fire",
// so the two are measured the same way. Every emit resolves to its receiver count.

const path = require("node:path");
const { parseArgs, payloadArgs, awaitedLoop, chunkFor, withCpu, report } = require("./common");
// bench/setup.sh puts a release build of bindings-node there.
const { Emitter } = require(process.env.BENCH_NODE_PKG || path.join(__dirname, "../../out/node-pkg"));

async function allLoop(emitOne, seconds, chunk) {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  let receivers = 0;
  let previous = null;
  while (performance.now() < end) {
    const batch = new Array(chunk);
    for (let i = 0; i < chunk; i++) batch[i] = emitOne();
    ops += chunk;
    if (previous) for (const n of await Promise.all(previous)) receivers += n;
    previous = batch;
  }
  if (previous) for (const n of await Promise.all(previous)) receivers += n;
  return { ops, secs: (performance.now() - start) / 1000, receivers };
}

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function latency(io, count, intervalMs) {
  const room = io.to("room1");
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await sleep(start + i * intervalMs - performance.now());
    await room.emit("lat", { t: nowMs(), i });
  }
  await room.emit("done", count);
  return { sent: count };
}

async function main() {
  const opts = parseArgs();
  const adapter = opts.adapter ?? "classic";
  const io = await (opts.cluster
    ? Emitter.connect({ clusterNodes: opts.cluster.split(","), adapter })
    : Emitter.connect(opts.url, { adapter }));
  let result;
  if (opts.mode === "latency") {
    result = await latency(io, Number(opts.count ?? 1000), Number(opts["interval-us"] ?? 2000) / 1000);
  } else {
    const args = payloadArgs(opts.payload);
    const room = io.to("room1");
    const emitOne = () => room.emit("bench", ...args);
    let loop;
    if (opts.mode === "await") loop = (s) => awaitedLoop(emitOne, s);
    else if (opts.mode === "all") loop = (s) => allLoop(emitOne, s, chunkFor(opts.payload));
    else throw new Error(`unknown mode ${opts.mode}`);
    await loop(Number(opts.warmup ?? 0.2));
    result = await withCpu(loop, Number(opts.seconds ?? 1));
  }
  await io.close();
  report(result);
}

main().catch((e) => {
  process.stderr.write(`ours.js: ${e.stack || e}\n`);
  process.exit(1);
});
