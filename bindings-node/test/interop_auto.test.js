"use strict";
// adapter "auto": the emitter finds the servers' adapter in Redis when it connects and
// delivers to real socket.io clients (tests/harness); with no server on the key it
// rejects with DETECTION_FAILED saying which keys have servers.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, received } = require("./support.js");

for (const adapter of ["classic", "sharded"]) {
  describe(`adapter auto with ${adapter} servers`, () => {
    let h;

    before(async () => {
      h = await harnessDriver().start({ servers: 2, args: ["--adapter", adapter] });
    });

    afterEach((t) => h && h.printLogsIfFailed(t));

    after(async () => {
      if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
    });

    it("detects the adapter and delivers to a client", async () => {
      await h.cmd({ cmd: "client", name: "auto-a", server: 1, nsp: "/auto", rooms: [] });
      await h.cmd({ cmd: "wait_subscribed", nsp: "/auto" });
      const io = await Emitter.connect(h.redisUrl, { adapter: "auto" });
      try {
        assert.equal(await io.of("/auto").emit("detected", 1), 2);
        // serverSideEmit arguments travel as the detected adapter's servers send them:
        // JSON for classic servers, binary kept for sharded ones.
        assert.equal(await io.of("/auto").serverSideEmit("server_event", Buffer.from([9, 8])), 2);
      } finally {
        await io.close();
      }
      const { events, lines } = await received(h, ["auto-a"]);
      assert.deepEqual(events, { "auto-a": [["detected", [1]]] });
      const sent = lines.filter((l) => l.type === "server_event" && l.nsp === "/auto").map((l) => l.args);
      const arg = adapter === "sharded" ? { $bytes: "0908" } : { type: "Buffer", data: [9, 8] };
      assert.deepEqual(sent, [[arg], [arg]]);
    });

    it("a key without servers rejects with DETECTION_FAILED naming the key that has them", async () => {
      await assert.rejects(Emitter.connect(h.redisUrl, { adapter: "auto", key: "nobody-here" }), (err) => {
        assert.equal(err.code, "DETECTION_FAILED");
        assert.match(err.message, /no Socket\.IO server listens on key nobody-here, namespace \//);
        assert.ok(err.message.includes(`${adapter} adapter, key socket.io, namespace /: 2 servers`), err.message);
        return true;
      });
    });
  });
}
