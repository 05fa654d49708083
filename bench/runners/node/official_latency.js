"use strict";
// The official emitter's side of the end-to-end latency bench (node-redis 4.7.1): paced,
// awaited emits of {t: send time, i} to room1, then "done". Same pacing as `sio-bench latency`.
//   node official_latency.js --url U [--count 1000] [--interval-us 2000]

const { peerRequire, parseArgs, report } = require("./common");

const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function main() {
  const opts = parseArgs();
  const count = Number(opts.count ?? 1000);
  const interval = Number(opts["interval-us"] ?? 2000) / 1000;
  const { Emitter } = peerRequire("@socket.io/redis-emitter");
  const client = peerRequire("redis").createClient({ url: opts.url });
  client.on("error", (e) => process.stderr.write(`redis: ${e}\n`));
  await client.connect();
  let last = null;
  const publish = client.publish.bind(client);
  client.publish = (channel, message) => (last = publish(channel, message));
  const room = new Emitter(client).to("room1");
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await sleep(start + i * interval - performance.now());
    room.emit("lat", { t: nowMs(), i });
    await last;
  }
  room.emit("done", count);
  await last;
  await client.quit();
  report({ sent: count });
}

main().catch((e) => {
  process.stderr.write(`official_latency.js: ${e.stack || e}\n`);
  process.exit(1);
});
