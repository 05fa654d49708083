"use strict";
// The peer: @socket.io/redis-emitter 5.1.0 over node-redis 4.7.1 or ioredis 5.9.2.
//   node official.js --url U --payload P --client node-redis|ioredis --mode await|fire
//                    [--seconds 1] [--warmup 0.2]
// The official emit() returns nothing, so the runner wraps the client's publish() to get at
// the promise of the PUBLISH it sends (the same wrapper in both modes).

const {
  peerRequire,
  parseArgs,
  payloadArgs,
  awaitedLoop,
  firedLoop,
  chunkFor,
  withCpu,
  report,
} = require("./common");

async function connect(kind, url) {
  if (kind === "node-redis") {
    const client = peerRequire("redis").createClient({ url });
    client.on("error", (e) => process.stderr.write(`redis: ${e}\n`));
    await client.connect();
    return { client, close: () => client.quit() };
  }
  if (kind === "ioredis") {
    const Redis = peerRequire("ioredis");
    const client = new Redis(url, { lazyConnect: true });
    await client.connect();
    return { client, close: () => client.quit() };
  }
  throw new Error(`unknown client ${kind}`);
}

async function main() {
  const opts = parseArgs();
  const args = payloadArgs(opts.payload);
  const { Emitter } = peerRequire("@socket.io/redis-emitter");
  const { client, close } = await connect(opts.client, opts.url);
  let last = null;
  const publish = client.publish.bind(client);
  client.publish = (channel, message) => (last = publish(channel, message));
  const room = new Emitter(client).to("room1");
  const emitOne = () => {
    room.emit("bench", ...args);
    return last;
  };
  const loop =
    opts.mode === "await"
      ? (s) => awaitedLoop(emitOne, s)
      : opts.mode === "fire"
        ? (s) => firedLoop(emitOne, s, chunkFor(opts.payload))
        : null;
  if (!loop) throw new Error(`unknown mode ${opts.mode}`);
  await loop(Number(opts.warmup ?? 0.2));
  const result = await withCpu(loop, Number(opts.seconds ?? 1));
  await close();
  report(result);
}

main().catch((e) => {
  process.stderr.write(`official.js: ${e.stack || e}\n`);
  process.exit(1);
});
