"use strict";
// Drives the C suite against the real fixture: starts the interop harness (Redis + two
// Socket.IO 4.8 servers), connects recording clients, runs the C test program (argv after
// this script's name, e.g. `valgrind ... build/test_api`) with the harness's Redis URL, then
// checks what every client and server received.
//
//   node bindings-c/tests/run_c_tests.js [runner...] path/to/test_api

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

// name, server, nsp, rooms (and `share` to ride on another client's connection)
const CLIENTS = [
  ["bc-a", 0, "/c-bc", []], ["bc-b", 1, "/c-bc", []],
  ["rm-in0", 0, "/c-room", ["room1"]], ["rm-in1", 1, "/c-room", ["room1"]], ["rm-out", 0, "/c-room", ["room2"]],
  ["ex-keep", 0, "/c-exc", ["r"]], ["ex-skip", 1, "/c-exc", ["r", "muted"]], ["ex-all", 1, "/c-exc", []],
  ["n7", 0, "/c-num", [7]], ["s7", 1, "/c-num", ["7"]],
  ["fl", 0, "/c-flags", []],
  ["bin", 1, "/c-bin", []],
  ["j-old", 0, "/c-join", ["old"]], ["j-other", 1, "/c-join", []],
  ["l", 0, "/c-leave", ["stay", "go"]],
  ["soft", 0, "/c-dc", ["soft"]], ["hard", 1, "/c-dc", ["hard"]], ["keep", 0, "/c-dc", []],
  ["hard-sib", 1, "/c-dc-sib", [], "hard"],
  ["q", 0, "/c-queue", []],
  ["thr", 1, "/c-thr", []],
];

const EXPECTED = {
  "bc-a": ["hello"], "bc-b": ["hello"],
  "rm-in0": ["only-room1"], "rm-in1": ["only-room1"], "rm-out": [],
  "ex-keep": ["not-muted", "r-not-muted", "r-all"], "ex-skip": ["r-all"], "ex-all": ["not-muted"],
  n7: ["number-room"], s7: ["not-number-room"],
  fl: ["flagged"],
  bin: ["bin"],
  "j-old": ["in-new"], "j-other": [],
  l: ["stayed"],
  soft: [], hard: [], keep: [], "hard-sib": [],
  q: Array(50).fill("q"),
  thr: Array(40).fill("thr"),
};

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_tests.js [runner...] test_api");
  const h = await Harness.start({ servers: 2, serverEvents: "server_event" });
  try {
    for (const [name, server, nsp, rooms, share] of CLIENTS) {
      await h.cmd({ cmd: "client", name, server, nsp, rooms, ...(share ? { share } : {}) });
    }
    for (const nsp of new Set(CLIENTS.map((c) => c[2]))) await h.cmd({ cmd: "wait_subscribed", nsp });
    h.take();

    const run = spawnSync(command[0], [...command.slice(1), h.redisUrl], { stdio: "inherit" });
    assert.equal(run.status, 0, `the C test program failed (status ${run.status}, signal ${run.signal})`);

    const lines = await h.flushAndTake();
    const events = (name) => lines.filter((l) => l.type === "event" && l.client === name);
    for (const [name, want] of Object.entries(EXPECTED)) {
      assert.deepEqual(events(name).map((e) => e.event), want, `events of ${name}`);
      for (const e of events(name)) assert.equal(e.ack, undefined, `${name} got an ack request`);
    }
    assert.deepEqual(events("bc-a")[0].args, ["world", 42, { k: [1.5, null, true] }]);
    assert.deepEqual(events("bin")[0].args, [
      { a: { $bytes: "0001ff" } }, { $bytes: "68656c6c6f" }, [1, { $bytes: "0001ff" }],
    ]);
    assert.deepEqual(events("q").map((e) => e.args[0]), [...Array(50).keys()]);
    const perThread = [0, 1, 2, 3].map((t) => events("thr").filter((e) => e.args[0] === t).map((e) => e.args[1]));
    for (const got of perThread) assert.deepEqual(got, [...Array(10).keys()], "each thread's events in order");

    const gone = lines.filter((l) => l.type === "disconnect").map((l) => l.client).sort();
    assert.deepEqual(gone, ["hard", "hard-sib", "soft"], "disconnectSockets");
    const serverEvents = lines.filter((l) => l.type === "server_event");
    assert.deepEqual(serverEvents.map((l) => l.server).sort(), [0, 1], "serverSideEmit reaches both servers");
    for (const l of serverEvents) assert.deepEqual(l.args, ["hello", 1]);
    console.log(`interop checks passed: ${Object.keys(EXPECTED).length} clients, 2 servers`);
  } catch (err) {
    await h.printLogs(); // the servers' and Redis' output, for a failed run only
    throw err;
  } finally {
    await h.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
