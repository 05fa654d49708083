"use strict";
// Asking the cluster against two real Socket.IO servers whose "ask_me" handlers acknowledge,
// and real clients (some acknowledge, one never does): serverCount, fetchSockets with filters
// and socket data, allRooms, serverSideEmitWithAck, timeout(ms).emitWithAck with partial
// results, 100 concurrent questions, bad input, an offline and a closed emitter.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver } = require("./support.js");

/** Well past any server's answer: a question that waits this long is partial. */
const SHORT = 1500;

describe("asking the cluster", () => {
  let h;
  let io;
  let a;
  let b;
  let c;

  before(async () => {
    h = await harnessDriver().start({ servers: 2, serverAcks: "ask_me" });
    const client = async (name, server, rooms, extra) =>
      (await h.cmd({ cmd: "client", name, server, nsp: "/ask", rooms, ...extra })).sid;
    a = await client("ask-a", 0, ["vip"], { data: { user: 42 }, ack: "a-ok" });
    b = await client("ask-b", 1, ["vip", "muted"], { ack: "b-ok" });
    c = await client("ask-c", 1, [], {});
    await h.cmd({ cmd: "wait_subscribed", nsp: "/ask" });
    io = (await Emitter.connect(h.redisUrl)).of("/ask");
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  const ids = (found) => found.sockets.map((s) => s.id).sort();

  it("counts the servers and fetches the sockets with their data", async () => {
    assert.equal(await io.serverCount(), 2);
    assert.equal(await io.of("/nobody").serverCount(), 0);
    const everyone = await io.fetchSockets();
    assert.deepEqual(
      [ids(everyone), everyone.serversAnswered, everyone.serversMissing, everyone.complete],
      [[a, b, c].sort(), 2, 0, true],
    );
    const ofA = everyone.sockets.find((s) => s.id === a);
    assert.deepEqual([ofA.rooms, ofA.data], [new Set([a, "vip"]), { user: 42 }]);
    assert.equal(ofA.handshake.address, "127.0.0.1");
    assert.deepEqual(ids(await io.to("vip").except("muted").fetchSockets({ timeout: 10000 })), [a]);
    const rooms = await io.allRooms();
    for (const room of ["vip", "muted", a, b, c]) assert.ok(rooms.rooms.has(room), room);
  });

  it("collects the acknowledgements of handlers and clients, and says what is missing", async () => {
    const handlers = await io.serverSideEmitWithAck("ask_me", { q: 1 });
    assert.deepEqual(handlers.responses.map((r) => r.server).sort(), [0, 1]);
    const silent = await io.timeout(SHORT).serverSideEmitWithAck("server_event");
    assert.deepEqual([silent.responses, silent.serversMissing, silent.complete], [[], 2, false]);

    const vip = await io.to("vip").emitWithAck("question", "?");
    assert.deepEqual([vip.responses.sort(), vip.clientsTargeted, vip.complete], [["a-ok", "b-ok"], 2, true]);
    const partial = await io.timeout(SHORT).emitWithAck("question");
    assert.deepEqual(
      [partial.clientsTargeted, partial.clientsMissing, partial.serversMissing, partial.complete],
      [3, 1, 0, false],
    );
  });

  it("keeps 100 concurrent questions apart", async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? io.to("vip") : io.except("vip")).fetchSockets()),
    );
    results.forEach((got, i) => {
      assert.deepEqual(ids(got), i % 2 ? [a, b].sort() : [c], `question ${i}`);
      assert.ok(got.complete);
    });
  });

  it("refuses bad timeouts before asking, and answers CLOSED once closed", async () => {
    for (const bad of [-1, NaN, Infinity, 0, "1s"]) {
      const refused = { name: "TypeError", code: "INVALID_ARGUMENT" };
      assert.throws(() => io.fetchSockets({ timeout: bad }), refused, String(bad));
      assert.throws(() => io.timeout(bad), refused, String(bad));
    }
    await assert.rejects(Emitter.offline().fetchSockets(), { code: "CLOSED" });
    assert.throws(() => io.emitWithAck("connect"), { code: "RESERVED_EVENT" });
    const other = await Emitter.connect(h.redisUrl);
    await other.close();
    await assert.rejects(other.fetchSockets(), { code: "CLOSED" });
  });
});
