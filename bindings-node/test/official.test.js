"use strict";
// Side by side: the official @socket.io/redis-emitter 5.1.0 (with node-redis, both pinned in
// tests/fixtures) and ours make the same calls, through the same API, against the same
// servers. Our bytes must equal what the official emitter published, and the clients (and
// servers) must receive identical events. The official emitter works in namespace /o, ours in
// /u, with identical clients in each.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { FIXTURES, harnessDriver, clients } = require("./support.js");

function fixture(name) {
  return require(require.resolve(name, { paths: [FIXTURES] }));
}

// [name, target builder, call, arguments]; the same builder and call run on both emitters.
const CASES = [
  ["broadcast", (t) => t, "emit", ["ev", 1, "two", { three: [3] }, true, null]],
  ["one room", (t) => t.to("r1"), "emit", ["ev", "x"]],
  ["rooms and except", (t) => t.to(["r1", "r2"]).in("r1").except("r3"), "emit", ["ev"]],
  ["numeric room", (t) => t.to(7), "emit", ["ev", 7]],
  ["compress(false)", (t) => t.compress(false), "emit", ["ev", "uncompressed"]],
  // A server drops a volatile packet while a client's transport is busy, by design: for this
  // case only the bytes and PUBLISH's count are compared, not deliveries (see VOLATILE).
  ["flags", (t) => t.compress(false).volatile, "emit", ["ev", "flags"]],
  [
    "binary",
    (t) => t,
    "emit",
    ["bin", Buffer.from([1, 2]), { nested: [new Uint8Array([3, 4, 5]).subarray(1), new Uint16Array([256, 2])] }, new Uint8Array([6, 7]).buffer],
  ],
  [
    "JavaScript values",
    (t) => t,
    "emit",
    [
      "js",
      { u: undefined, f() {}, n: null, b: 1, a: 2, 1: 3 },
      [undefined, 1],
      new Date(1700000000123),
      new Map([["a", 1]]),
      new Set([1]),
      { toJSON: () => ({ via: "toJSON" }) },
      [1.5, -0, NaN, Infinity, 2 ** 40, -(2 ** 40), 0.1],
    ],
  ],
  ["text", (t) => t, "emit", ["ünïcödé 😀", "x".repeat(40), "中文", ""]],
  ["serverSideEmit", (t) => t, "serverSideEmit", ["server_event", "a", Buffer.from("hi"), new Date(0), { u: undefined, n: NaN }, [undefined]]],
  ["socketsJoin", (t) => t.to("r1"), "socketsJoin", ["joined"]],
  ["emit to the joined room", (t) => t.to("joined"), "emit", ["after-join"]],
  ["socketsLeave", (t) => t.except("r2"), "socketsLeave", [["joined", "r1"]]],
  ["emit after leaving", (t) => t.to(["joined", "r1"]), "emit", ["after-leave"]],
  ["disconnectSockets", (t) => t.to("r3"), "disconnectSockets", []],
  ["disconnectSockets(true)", (t) => t.to("r2"), "disconnectSockets", [true]],
  ["emit to who is left", (t) => t, "emit", ["left"]],
];

const ENCODE = {
  emit: "encodeEmit",
  serverSideEmit: "encodeServerSideEmit",
  socketsJoin: "encodeSocketsJoin",
  socketsLeave: "encodeSocketsLeave",
  disconnectSockets: "encodeDisconnectSockets",
};

/** Cases whose deliveries are not compared: volatile packets may be dropped by the server. */
const VOLATILE = new Set(["flags"]);

// Client layout, the same in /o and /u: [suffix, server, rooms].
const LAYOUT = [
  ["a", 0, ["r1"]],
  ["b", 1, ["r1", "r2"]],
  ["c", 0, [7, "r3"]],
  ["d", 1, []],
];

/** Lines about one side, with its prefix and namespace removed, in a stable order. */
function side(lines, prefix, nsp) {
  const out = [];
  for (const line of lines) {
    if ((line.type === "event" || line.type === "disconnect") && line.client.startsWith(`${prefix}-`)) {
      out.push({ ...line, client: line.client.slice(prefix.length + 1) });
    } else if (line.type === "server_event" && line.nsp === nsp) {
      out.push({ ...line, nsp: "*" });
    }
  }
  const key = (l) => `${l.type} ${l.client ?? l.server}`;
  // Stable sort: one client's lines keep their order, different clients are compared as a set.
  return out.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

describe("side by side with @socket.io/redis-emitter 5.1.0", () => {
  let h;
  let redis;
  let official;
  let ours;
  const published = [];

  before(async () => {
    h = await harnessDriver().start({ servers: 2 });
    const { createClient } = fixture("redis");
    const { Emitter: OfficialEmitter } = fixture("@socket.io/redis-emitter");
    redis = createClient({ url: h.redisUrl });
    await redis.connect();
    // Records what the official emitter publishes, then publishes it.
    const recorder = {
      publish(channel, message) {
        const sent = redis.publish(channel, message);
        published.push({ channel, payload: Buffer.from(message), sent });
        return sent;
      },
    };
    official = new OfficialEmitter(recorder).of("/o");
    ours = new Emitter(h.redisUrl).of("/u");
    await clients(h, "/o", LAYOUT.map(([s, server, rooms]) => [`o-${s}`, server, rooms]));
    await clients(h, "/u", LAYOUT.map(([s, server, rooms]) => [`u-${s}`, server, rooms]));
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (ours) await ours.close();
    if (redis) await redis.quit();
    if (h) assert.equal(await h.close(), 0);
  });

  for (const [name, build, call, args] of CASES) {
    it(`${name}: same bytes, same deliveries`, async () => {
      published.length = 0;
      const officialResult = build(official)[call](...args);
      assert.equal(published.length, 1, "the official emitter published once");
      await published[0].sent;
      const receivers = await build(ours)[call](...args);
      assert.equal(receivers, await published[0].sent, "our promise reports what PUBLISH returned");
      if (call === "emit") assert.equal(officialResult, true);

      const mine = build(Emitter.offline().of("/o"))[ENCODE[call]](...args);
      assert.equal(mine.channel, published[0].channel);
      assert.equal(mine.payload.toString("hex"), published[0].payload.toString("hex"));

      const lines = await h.flushAndTake();
      const theirs = side(lines, "o", "/o");
      if (VOLATILE.has(name)) {
        // Each side's packet may or may not arrive at each client, at most once; nothing else may.
        for (const l of lines) assert.deepEqual([l.type, l.event, l.args], ["event", "ev", ["flags"]]);
        const receivers = lines.map((l) => l.client);
        assert.equal(new Set(receivers).size, receivers.length, `at most once each: ${receivers}`);
        return;
      }
      assert.deepEqual(side(lines, "u", "/u"), theirs);
      if (call === "emit" || call === "serverSideEmit" || call === "disconnectSockets") {
        assert.ok(theirs.length > 0, `${name} had a visible effect: ${JSON.stringify(lines)}`);
      }
    });
  }
});
