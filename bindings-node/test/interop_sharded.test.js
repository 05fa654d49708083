"use strict";
// End to end on the sharded adapter: the emitter SPUBLISHes into a real Redis 7; two real
// Socket.IO 4.8 servers with createShardedAdapter (@socket.io/redis-adapter 8.3.0) deliver; real
// socket.io clients record what arrives (tests/harness, `--adapter sharded`). Every scenario runs
// in each subscription mode, each mode on its own servers; each test in its own namespace.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, received, receivedNames } = require("./support.js");

const bytes = (hex) => ({ $bytes: hex });

/** Servers reached by a broadcast to exactly one room: all on the main channel, else those where it has members. */
function oneRoomReceivers(mode, withMembers, socketId = false) {
  return mode === "static" || (mode === "dynamic" && socketId) ? 2 : withMembers;
}

/**
 * Connects clients [name, server, rooms] in `nsp` and waits until every server holds every
 * channel it should (room channels too, in the dynamic modes); resolves to their socket ids.
 */
async function connect(h, nsp, list) {
  const sids = [];
  for (const [name, server, rooms] of list) sids.push((await h.cmd({ cmd: "client", name, server, nsp, rooms })).sid);
  await h.cmd({ cmd: "wait_subscribed", nsp });
  return sids;
}

async function startSharded(mode) {
  return harnessDriver().start({ servers: 2, args: ["--adapter", "sharded", "--subscription-mode", mode] });
}

for (const mode of ["static", "dynamic", "dynamic-private"]) {
  describe(`sharded adapter, subscriptionMode ${mode}`, () => {
    let h;
    let io;

    before(async () => {
      h = await startSharded(mode);
      io = await Emitter.connect(h.redisUrl, { adapter: "sharded", subscription_mode: mode });
    });

    afterEach((t) => h && h.printLogsIfFailed(t));

    after(async () => {
      if (io) await io.close();
      if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
    });

    it("broadcast reaches every client on both servers once", async () => {
      await connect(h, "/bc", [["bc-a", 0, []], ["bc-b", 1, []]]);
      assert.equal(await io.of("/bc").emit("hello", "world", 42, { nested: [true, null] }), 2);
      const { events } = await received(h, ["bc-a", "bc-b"]);
      const expected = [["hello", ["world", 42, { nested: [true, null] }]]];
      assert.deepEqual(events, { "bc-a": expected, "bc-b": expected });
    });

    it("one room reaches only its members, on the channel the mode picks", async () => {
      const sids = await connect(h, "/room", [
        ["rm-in0", 0, ["room1"]],
        ["rm-in1", 1, ["room1"]],
        ["rm-out", 0, ["room2"]],
        ["rm-solo", 1, ["solo"]],
      ]);
      const nsp = io.of("/room");
      assert.equal(await nsp.to("room1").emit("only-room1"), 2);
      // "solo" has members on server 1 only: its own channel reaches that server alone.
      assert.equal(await nsp.to("solo").emit("only-solo"), oneRoomReceivers(mode, 1));
      // A socket id is a room too; only dynamic-private servers subscribe to its channel.
      assert.equal(await nsp.to(sids[2]).emit("only-out"), oneRoomReceivers(mode, 1, true));
      assert.deepEqual(await receivedNames(h, ["rm-in0", "rm-in1", "rm-out", "rm-solo"]), {
        "rm-in0": ["only-room1"],
        "rm-in1": ["only-room1"],
        "rm-out": ["only-out"],
        "rm-solo": ["only-solo"],
      });
    });

    it("binary at any depth arrives as binary, on the main and on a room channel", async () => {
      await connect(h, "/bin", [["bin-a", 1, ["r"]]]);
      const nested = { file: Buffer.from([1, 2, 3]), parts: [new Uint8Array([4]), 5] };
      await io.of("/bin").emit("blob", Buffer.from([0xff, 0]), nested, new Uint8Array([9, 8]).buffer);
      await io.of("/bin").to("r").emit("room-blob", nested);
      const { events } = await received(h, ["bin-a"]);
      const want = { file: bytes("010203"), parts: [bytes("04"), 5] };
      assert.deepEqual(events["bin-a"], [
        ["blob", [bytes("ff00"), want, bytes("0908")]],
        ["room-blob", [want]],
      ]);
    });

    it("serverSideEmit reaches every server's handler, binary as binary", async () => {
      await connect(h, "/sse", [["sse-a", 0, []]]);
      const nsp = io.of("/sse");
      assert.equal(await nsp.serverSideEmit("server_event", "payload", 7, { when: new Date(0) }), 2);
      // Binary makes the message msgpack, as the servers write it: handlers get the bytes.
      assert.equal(await nsp.serverSideEmit("server_event", Buffer.from([9, 8])), 2);
      const { events, lines } = await received(h, ["sse-a"]);
      const seen = lines.filter((l) => l.type === "server_event" && l.nsp === "/sse");
      for (const server of [0, 1]) {
        assert.deepEqual(
          seen.filter((l) => l.server === server).map((l) => l.args),
          [["payload", 7, { when: "1970-01-01T00:00:00.000Z" }], [bytes("0908")]],
          `server ${server}`,
        );
      }
      assert.deepEqual(events["sse-a"], []);
    });

    it("socketsJoin, then an emit to the new room once the servers subscribed to it", async () => {
      await connect(h, "/join", [["jn-a", 0, ["old"]], ["jn-b", 1, []], ["jn-c", 1, ["old"]]]);
      const nsp = io.of("/join");
      assert.equal(await nsp.to("old").socketsJoin("new"), 2);
      // The servers apply the join (flush), then subscribe to "new"'s channel in the dynamic modes.
      await h.cmd({ cmd: "flush" });
      await h.cmd({ cmd: "wait_subscribed", create: false });
      assert.equal(await nsp.to("new").emit("in-new"), 2);
      assert.deepEqual(await receivedNames(h, ["jn-a", "jn-b", "jn-c"]), {
        "jn-a": ["in-new"],
        "jn-b": [],
        "jn-c": ["in-new"],
      });
    });
  });
}

describe("an adapter mismatch is NO_SUBSCRIBERS naming the cause", () => {
  it("a classic emitter against sharded servers", async (t) => {
    const h = await startSharded("dynamic");
    t.after(() => h.close());
    await connect(h, "/mm", [["mm-a", 0, []]]);
    const classic = new Emitter(h.redisUrl, { require_receivers: true });
    await assert.rejects(classic.of("/mm").emit("lost"), (err) => {
      assert.equal(err.code, "NO_SUBSCRIBERS");
      assert.equal(err.channel, "socket.io#/mm#");
      for (const part of ["adapter", "SPUBLISH", "createShardedAdapter"]) assert.ok(err.message.includes(part), err.message);
      return true;
    });
    await classic.close();
    assert.deepEqual(await receivedNames(h, ["mm-a"]), { "mm-a": [] });
  });

  it("a sharded emitter against classic servers", async (t) => {
    const h = await harnessDriver().start({ servers: 1 });
    t.after(() => h.close());
    await connect(h, "/mm", [["mm-c", 0, []]]);
    const sharded = new Emitter({ url: h.redisUrl, adapter: "sharded", requireReceivers: true });
    await assert.rejects(sharded.of("/mm").emit("lost"), { code: "NO_SUBSCRIBERS", message: /createAdapter/ });
    await assert.rejects(sharded.of("/mm").serverSideEmit("server_event"), { code: "NO_SUBSCRIBERS" });
    await sharded.close();
    assert.deepEqual(await receivedNames(h, ["mm-c"]), { "mm-c": [] });
  });
});
