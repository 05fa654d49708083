"use strict";
// The official emitter's side of the end-to-end burst (bench/run.py, "burst"):
// @socket.io/redis-emitter 5.1.0 over node-redis 4.7.1.
//   node official.js --url U [--count 100000] [--payload small|str4k]
// Emits `burst` to room1 with [seq, payload], `count` times, fired without waiting, 1024 at a
// time (after firing a chunk it waits for the previous chunk's last reply, as the throughput
// runner does). Prints {"ready":true} once connected, waits for a line on stdin, bursts, and
// prints {"ops","secs","cpu_s","t0_ms","receivers","reached_none","failed","first_error"} once Redis
// acknowledged every PUBLISH. emit() returns nothing, so the runner wraps the client's
// publish() to see PUBLISH's replies; the official API reports none of this to its caller.

const readline = require("node:readline");
const { peerRequire, parseArgs, payloadArgs, report } = require("../node/common");

const nowMs = () => performance.timeOrigin + performance.now();
const CHUNK = 1024;

async function main() {
  const opts = parseArgs();
  const count = Number(opts.count ?? 100000);
  const payload = opts.payload === "str4k" ? "x".repeat(4096) : payloadArgs(opts.payload ?? "small")[0];
  const { Emitter } = peerRequire("@socket.io/redis-emitter");
  const client = peerRequire("redis").createClient({ url: opts.url });
  client.on("error", (e) => process.stderr.write(`redis: ${e}\n`));
  await client.connect();

  let receivers = 0;
  let reachedNone = 0;
  let failed = 0;
  let firstError = null;
  let last = null;
  const publish = client.publish.bind(client);
  client.publish = (channel, message) => {
    last = publish(channel, message).then(
      (n) => {
        receivers += n;
        if (n === 0) reachedNone += 1;
      },
      (e) => {
        failed += 1;
        if (firstError === null) firstError = String(e && e.message ? e.message : e);
      },
    );
    return last;
  };
  const emitter = new Emitter(client);
  emitter.to("burst-warmup").emit("warmup");
  await last;
  receivers = 0;
  report({ ready: true });
  await new Promise((resolve) => readline.createInterface({ input: process.stdin }).once("line", resolve));

  const room = emitter.to("room1");
  const t0 = nowMs();
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  let previous = null;
  for (let seq = 0; seq < count; ) {
    const end = Math.min(count, seq + CHUNK);
    for (; seq < end; seq++) room.emit("burst", seq, payload);
    const chunkLast = last;
    if (previous) await previous;
    previous = chunkLast;
  }
  await previous;
  const secs = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await client.quit();
  report({
    ops: count,
    secs,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    t0_ms: t0,
    receivers,
    reached_none: reachedNone,
    failed,
    first_error: firstError,
  });
  process.exit(0);
}

main().catch((e) => {
  process.stderr.write(`burst/official.js: ${e.stack || e}\n`);
  process.exit(1);
});
