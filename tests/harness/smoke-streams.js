"use strict";
// Self-test of `--adapter streams` (loaded by smoke.js): the Redis Streams adapter 0.3.1 (one and
// four streams) and 0.2.3, fed by raw XADDs written exactly as docs/protocol.md §4.5 says, and a
// connection-state-recovery round trip with real socket.io-client 4.8.1 clients.

const assert = require("node:assert/strict");
const path = require("node:path");
const { createRequire } = require("node:module");
const { describe, it, before, after, afterEach } = require("node:test");
const { Harness } = require("./driver");

const fixturesRequire = createRequire(path.join(__dirname, "..", "fixtures", "package.json"));
const { createClient } = fixturesRequire("redis");
const { encode: msgpack } = fixturesRequire("@msgpack/msgpack");
const { hashCode } = require(path.join(__dirname, "..", "fixtures", "streams.js"));

/** Events per client, with offsets: {a: [["ev", [args], "1-0"]]}; fails on any other line. */
function eventsByClient(lines) {
  const by = {};
  for (const l of lines) {
    assert.equal(l.type, "event", `unexpected line ${JSON.stringify(l)}`);
    (by[l.client] ||= []).push([l.event, l.args, l.offset]);
  }
  return by;
}

function streamsSuite(title, { version, count }) {
  describe(title, () => {
    let h;
    let redis;
    const args = ["--adapter", "streams", "--streams-version", version];
    if (count !== 1) args.push("--stream-count", String(count));
    const keyOf = (nsp) => (count === 1 ? "socket.io" : `socket.io-${hashCode(nsp) % count}`);

    /** A broadcast as an emitter writes it (docs/protocol.md §4.5); resolves with the entry ID. */
    const broadcast = (nsp, event, eventArgs, rooms = [], except = []) =>
      redis.sendCommand([
        "XADD", keyOf(nsp), "MAXLEN", "~", "10000", "*",
        "uid", "emitter", "nsp", nsp, "type", "3",
        "data", JSON.stringify({ packet: { type: 2, data: [event, ...eventArgs] }, opts: { rooms, except, flags: {} } }),
      ]);

    before(async () => {
      h = await Harness.start({ servers: 2, args });
      redis = createClient({ url: h.redisUrl });
      redis.on("error", () => {});
      await redis.connect();
      await Promise.all([
        h.cmd({ cmd: "client", name: "a", server: 0, rooms: ["r1"] }),
        h.cmd({ cmd: "client", name: "b", server: 1, rooms: ["r2"] }),
      ]);
      await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
      assert.deepEqual(h.take(), []);
    });

    afterEach((t) => h && h.printLogsIfFailed(t));

    after(async () => {
      if (redis) await redis.disconnect().catch(() => {});
      if (h) assert.equal(await h.close(), 0);
    });

    it("reports the streams options in the ready line", () => {
      const { adapter, streams_version, stream_name, stream_count, max_len } = h.ready;
      assert.deepEqual(
        { adapter, streams_version, stream_name, stream_count, max_len },
        { adapter: "streams", streams_version: version, stream_name: "socket.io", stream_count: count, max_len: 10000 },
      );
    });

    it("delivers an XADDed broadcast with its offset apart, rooms honoured", async () => {
      const all = await broadcast("/", "hello", [1, "two", { three: 3 }]);
      const r1 = await broadcast("/", "to-r1", ["x"], ["r1"]);
      const notR1 = await broadcast("/", "not-r1", [], [], ["r1"]);
      assert.deepEqual(eventsByClient(await h.flushAndTake()), {
        a: [["hello", [1, "two", { three: 3 }], all], ["to-r1", ["x"], r1]],
        b: [["hello", [1, "two", { three: 3 }], all], ["not-r1", [], notR1]],
      });
    });

    it("server_emit reaches the other server through the stream", async () => {
      await h.cmd({ cmd: "server_emit", server: 1, event: "from-1", args: [{ $bytes: "ff" }] });
      const lines = await h.flushAndTake();
      assert.equal(lines.length, 2);
      assert.equal(lines[0].offset, lines[1].offset);
      assert.match(lines[0].offset, /^\d+-\d+$/);
      assert.deepEqual(eventsByClient(lines), {
        a: [["from-1", [{ $bytes: "ff" }], lines[0].offset]],
        b: [["from-1", [{ $bytes: "ff" }], lines[0].offset]],
      });
    });

    it("flush covers a serverSideEmit (0.3: Pub/Sub msgpack; 0.2: the stream)", async () => {
      const message = { type: 9, data: { packet: ["server_event", "hi"] }, uid: "emitter", nsp: "/" };
      if (version === "0.2") {
        await redis.xAdd("socket.io", "*", { uid: "emitter", nsp: "/", type: "9", data: JSON.stringify(message.data) });
      } else {
        assert.equal(await redis.publish("socket.io#/#", Buffer.from(msgpack(message))), 2);
      }
      const lines = await h.flushAndTake();
      assert.deepEqual(
        lines.map((l) => [l.type, l.server, l.event, l.args]).sort(),
        [
          ["server_event", 0, "server_event", ["hi"]],
          ["server_event", 1, "server_event", ["hi"]],
        ],
      );
    });

    it("recovers a dropped client's session on another server, missed events replayed once", async () => {
      const joined = await h.cmd({ cmd: "client", name: "c", server: 0, rooms: ["r1"], recovery: true });
      const before = await broadcast("/", "before", [0]);
      await h.flushAndTake();
      const dropped = await h.cmd({ cmd: "client_drop", name: "c" });
      assert.equal(dropped.sid, joined.sid);
      assert.equal(dropped.server, 0);
      assert.match(dropped.pid, /^[\w-]{20}$/);
      const id = (offset) => offset.split("-").map(BigInt);
      const [[t1, s1], [t0, s0]] = [id(dropped.offset), id(before)];
      assert.ok(t1 > t0 || (t1 === t0 && s1 >= s0), `last offset ${dropped.offset} before ${before}`);
      assert.deepEqual(h.take(), [{ type: "disconnect", client: "c", reason: "transport close" }]);
      assert.ok(await redis.exists(`sio:session:${dropped.pid}`));

      const missed = await broadcast("/", "missed", ["m", 1]);
      const missedR2 = await broadcast("/", "missed-r2", [], ["r2"]); // not c's room
      // c is not awaited by flush while dropped.
      assert.deepEqual(eventsByClient(await h.flushAndTake()), {
        a: [["missed", ["m", 1], missed]],
        b: [["missed", ["m", 1], missed], ["missed-r2", [], missedR2]],
      });

      const back = await h.cmd({ cmd: "client_reconnect", name: "c", server: 1 });
      assert.deepEqual(back, { type: "reply", id: back.id, ok: true, sid: joined.sid, recovered: true, server: 1, nsp: "/" });
      // Replayed events are written before the reply.
      assert.deepEqual(eventsByClient(h.take()), { c: [["missed", ["m", 1], missed]] });
      assert.equal(await redis.exists(`sio:session:${dropped.pid}`), 0);

      // Live again, on server 1, still in r1.
      const after = await broadcast("/", "after", [], ["r1"]);
      assert.deepEqual(eventsByClient(await h.flushAndTake()), {
        a: [["after", [], after]],
        c: [["after", [], after]],
      });
      await h.cmd({ cmd: "close_client", name: "c" });
      assert.deepEqual(h.take(), [{ type: "disconnect", client: "c", reason: "io client disconnect" }]);
    });

    if (count > 1) {
      it("a namespace with a negative hash remainder is written where no server reads", async () => {
        const nsp = "/notifications";
        assert.equal(keyOf(nsp), "socket.io--3");
        await h.cmd({ cmd: "client", name: "n", server: 1, nsp });
        const sub = await h.cmd({ cmd: "wait_subscribed", nsp });
        assert.deepEqual([sub.servers, sub.stream, sub.stream_read], [[0, 1], "socket.io--3", false]);
        await broadcast(nsp, "lost", []);
        // The servers write there too: server 0's broadcast reaches only its own clients (none).
        const before = await redis.xLen("socket.io--3");
        await h.cmd({ cmd: "server_emit", server: 0, nsp, event: "local-only" });
        assert.equal(await redis.xLen("socket.io--3"), before + 1);
        // flush does not wait for n (it would never see a marker), and n gets nothing.
        assert.deepEqual(await h.flushAndTake(), []);
        await h.cmd({ cmd: "close_client", name: "n" });
        h.take();
      });
    }
  });
}

describe("--adapter streams", () => {
  streamsSuite("0.3.1, one stream", { version: "0.3", count: 1 });
  streamsSuite("0.3.1, four streams", { version: "0.3", count: 4 });
  streamsSuite("0.2.3", { version: "0.2", count: 1 });
});
