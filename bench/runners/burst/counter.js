"use strict";
// The receiving end of the end-to-end burst (bench/run.py, "burst"): one socket.io-client
// 4.8.1 socket on one fixture server (tests/fixtures/server.js), in room1. It only counts,
// so that 100k+ events per client cost little.
//   node counter.js --port P [--expect 100000] [--idle-ms 2000] [--timeout-ms 300000]
// Prints {"ready":true} once the server has joined it to room1. Counts `burst` events
// ([seq, payload]); after a line on stdin (the burst is over on the emitter's side), it ends
// when it has `expect` distinct events or when nothing arrived for `idle-ms` (since the later
// of the last event and that line), and prints
// {"received","distinct","duplicates","inversions","first_ms","last_ms","max_gap_ms","disconnect"}
// (times in ms since the epoch, the same clock as the emitters' t0_ms; an inversion is an
// event whose seq is lower than the one before it; max_gap_ms is the longest time between
// two consecutive events).

const readline = require("node:readline");
const { peerRequire, parseArgs, report } = require("../node/common");
const { io } = peerRequire("socket.io-client");

const nowMs = () => performance.timeOrigin + performance.now();

const opts = parseArgs();
const expect = Number(opts.expect ?? 100000);
const idleMs = Number(opts["idle-ms"] ?? 2000);
const timeoutMs = Number(opts["timeout-ms"] ?? 300000);

const seen = new Uint8Array(expect);
let received = 0;
let distinct = 0;
let duplicates = 0;
let inversions = 0;
let outOfRange = 0;
let prev = -1;
let first = null;
let last = null;
let maxGap = 0;
let disconnect = null;
let finishedAt = null;

const socket = io(`http://127.0.0.1:${opts.port}/`, {
  transports: ["websocket"],
  forceNew: true,
  reconnection: false,
  auth: { rooms: ["room1"] },
});

socket.onAny((event, seq) => {
  if (event === "burst") {
    const t = nowMs();
    if (first === null) first = t;
    else if (t - last > maxGap) maxGap = t - last;
    last = t;
    received += 1;
    if (seq < prev) inversions += 1;
    prev = seq;
    if (!(seq >= 0 && seq < expect)) outOfRange += 1;
    else if (seen[seq]) duplicates += 1;
    else {
      seen[seq] = 1;
      distinct += 1;
    }
  } else if (event === "__harness_joined") {
    report({ ready: true });
  }
});
socket.on("disconnect", (reason) => {
  disconnect = reason;
});
socket.on("connect_error", (e) => {
  process.stderr.write(`burst counter: ${e.message}\n`);
  process.exit(1);
});

function done() {
  const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  report({
    received,
    distinct,
    duplicates,
    inversions,
    out_of_range: outOfRange,
    first_ms: r(first),
    last_ms: r(last),
    max_gap_ms: r(maxGap),
    disconnect,
  });
  socket.disconnect();
  process.exit(0);
}

readline.createInterface({ input: process.stdin }).once("line", () => {
  finishedAt = nowMs();
});
const started = nowMs();
setInterval(() => {
  const now = nowMs();
  if (now - started > timeoutMs) return done();
  if (finishedAt === null) return;
  if (distinct >= expect || now - Math.max(finishedAt, last ?? 0) > idleMs) done();
}, 50);
