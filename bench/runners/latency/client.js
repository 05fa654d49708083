"use strict";
// The receiving end of the end-to-end latency bench: one socket.io-client 4.8.1 socket on the
// fixture server (tests/fixtures/server.js), in room "room1".
//   node client.js --port P
// Prints {"ready":true} once the server has joined it to the room, then records every "lat"
// event ({t: send time in ms since the epoch, i}) and on "done" prints
// {"received":N,"expected":M,"p50_ms":…,"p99_ms":…,"max_ms":…,"mean_ms":…} and exits.
// Sender and receiver read the same wall clock (one machine), at microsecond resolution.

const { peerRequire, parseArgs } = require("../node/common");
const { io } = peerRequire("socket.io-client");

const nowMs = () => performance.timeOrigin + performance.now();

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

const opts = parseArgs();
const socket = io(`http://127.0.0.1:${opts.port}/`, {
  transports: ["websocket"],
  forceNew: true,
  reconnection: false,
  auth: { rooms: ["room1"] },
});
const lat = [];
socket.onAny((event, ...args) => {
  if (event === "__harness_joined") {
    process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  } else if (event === "lat") {
    lat.push(nowMs() - args[0].t);
  } else if (event === "done") {
    const sorted = lat.slice().sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
    const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
    process.stdout.write(
      JSON.stringify({
        received: lat.length,
        expected: args[0],
        p50_ms: r(quantile(sorted, 0.5)),
        p99_ms: r(quantile(sorted, 0.99)),
        max_ms: r(sorted[sorted.length - 1] ?? null),
        mean_ms: r(mean),
      }) + "\n",
    );
    socket.disconnect();
    process.exit(0);
  }
});
socket.on("connect_error", (e) => {
  process.stderr.write(`latency client: ${e.message}\n`);
  process.exit(1);
});
