"use strict";
// Self-test of the harness features for cluster requests (issue 14): socket data set by the
// server (`client` data), clients that acknowledge (`client` ack), server handlers that
// acknowledge (`--server-acks`), requests made by a server (`server_query`) and `kill_server`;
// once per adapter flavour, with three servers.

const assert = require("node:assert/strict");
const { describe, it, before, after, afterEach } = require("node:test");
const { Harness } = require("./driver");

const FLAVOURS = [
  ["classic", []],
  ["classic, specific response channel", ["--specific-response-channel"]],
  ["sharded", ["--adapter", "sharded"]],
  ["streams 0.3", ["--adapter", "streams", "--streams-version", "0.3"]],
  ["streams 0.2", ["--adapter", "streams", "--streams-version", "0.2"]],
];

const byId = (a, b) => (a.id < b.id ? -1 : 1);
const byServer = (a, b) => a.server - b.server;
const byClient = (a, b) => (a.client < b.client ? -1 : 1);

for (const [title, args] of FLAVOURS) {
  describe(`requests, ${title}`, () => {
    let h;
    const sid = {};

    before(async () => {
      h = await Harness.start({
        servers: 3,
        serverEvents: "ack_me,no_ack",
        serverAcks: "ack_me",
        args,
      });
      const clients = [
        { name: "a0", server: 0, rooms: ["r1"], data: { user: "a0", n: [1] }, ack: { client: "a0" } },
        { name: "b1", server: 1, rooms: ["r2"], data: { user: "b1" }, ack: { client: "b1" } },
        { name: "c2", server: 2, rooms: ["r1", "r2"] },
      ];
      for (const c of clients) sid[c.name] = (await h.cmd({ cmd: "client", nsp: "/", ...c })).sid;
    });

    afterEach((t) => h && h.printLogsIfFailed(t));

    after(async () => {
      if (h) assert.equal(await h.close(), 0);
    });

    it("fetchSockets on one server sees the data set on the others' sockets", async () => {
      const all = await h.cmd({ cmd: "server_query", server: 0, op: "fetchSockets" });
      assert.deepEqual(all.sockets, [
        { id: sid.a0, rooms: [sid.a0, "r1"], data: { user: "a0", n: [1] } },
        { id: sid.b1, rooms: [sid.b1, "r2"], data: { user: "b1" } },
        { id: sid.c2, rooms: [sid.c2, "r1", "r2"], data: {} },
      ].sort(byId));
      const query = { cmd: "server_query", server: 1, op: "fetchSockets" };
      const r1 = await h.cmd({ ...query, to: "r1", except: "r2" });
      assert.deepEqual(r1.sockets.map((s) => s.id), [sid.a0]);
    });

    const classic = title.startsWith("classic");
    it("allRooms (classic adapter) lists the rooms of every server", { skip: !classic }, async () => {
      const { rooms } = await h.cmd({ cmd: "server_query", server: 0, op: "allRooms" });
      assert.deepEqual(rooms.sort(), [sid.a0, sid.b1, sid.c2, "r1", "r2"].sort());
    });

    it("serverSideEmit with a callback gets the acks of the handlers told to ack", async () => {
      const query = { cmd: "server_query", server: 0, op: "serverSideEmitWithAck" };
      const acked = await h.cmd({ ...query, event: "ack_me", args: [5], timeout_ms: 5000 });
      assert.equal(acked.error, null);
      assert.deepEqual(acked.responses.sort(byServer), [
        { server: 1, event: "ack_me" },
        { server: 2, event: "ack_me" },
      ]);
      const silent = await h.cmd({ ...query, event: "no_ack", timeout_ms: 300 });
      assert.match(silent.error, /timeout reached|timed out/);
      assert.deepEqual(silent.responses, []);
      // flush: the servers have handled everything published before it, late ones included.
      const lines = (await h.flushAndTake())
        .filter((l) => l.type === "server_event")
        .map(({ server, event, ack, acked, args }) => ({ server, event, ack, acked, args }));
      assert.deepEqual(lines.sort((a, b) => a.event.localeCompare(b.event) || a.server - b.server), [
        { server: 1, event: "ack_me", ack: true, acked: { server: 1, event: "ack_me" }, args: [5] },
        { server: 2, event: "ack_me", ack: true, acked: { server: 2, event: "ack_me" }, args: [5] },
        { server: 1, event: "no_ack", ack: true, acked: undefined, args: [] },
        { server: 2, event: "no_ack", ack: true, acked: undefined, args: [] },
      ]);
    });

    it("a broadcast with acks gets the values of the clients made with ack", async () => {
      const query = { cmd: "server_query", server: 2, op: "emitWithAck" };
      const some = await h.cmd({ ...query, event: "q", args: ["?"], timeout_ms: 1500 });
      assert.match(some.error, /timed out/, "c2 does not ack");
      assert.deepEqual(some.responses.sort(byClient), [{ client: "a0" }, { client: "b1" }]);
      const full = await h.cmd({ ...query, event: "q2", except: "r1", timeout_ms: 5000 });
      assert.equal(full.error, null);
      assert.deepEqual(full.responses, [{ client: "b1" }]);
      const events = (await h.flushAndTake()).filter((l) => l.type === "event");
      assert.deepEqual(
        events.map(({ client, event, ack, acked }) => ({ client, event, ack, acked })).sort(byClient),
        [
          { client: "a0", event: "q", ack: true, acked: true },
          { client: "b1", event: "q", ack: true, acked: true },
          { client: "b1", event: "q2", ack: true, acked: true },
          { client: "c2", event: "q", ack: true, acked: undefined },
        ],
      );
    });

    it("kill_server leaves the others counting one server fewer", async () => {
      assert.equal((await h.cmd({ cmd: "server_query", server: 0, op: "serverCount" })).count, 3);
      const killed = await h.cmd({ cmd: "kill_server", server: 2 });
      assert.equal(killed.server, 2);
      await assert.rejects(h.cmd({ cmd: "server_query", server: 2, op: "serverCount" }), /not running/);
      if (title.startsWith("streams 0.2")) return; // 0.2 counts servers by heartbeat, not by Redis
      assert.equal((await h.cmd({ cmd: "server_query", server: 0, op: "serverCount" })).count, 2);
      const query = { cmd: "server_query", server: 0, op: "serverSideEmitWithAck", event: "ack_me" };
      const acked = await h.cmd(query);
      assert.equal(acked.error, null);
      assert.deepEqual(acked.responses, [{ server: 1, event: "ack_me" }]);
    });
  });
}
