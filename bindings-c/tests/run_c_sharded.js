"use strict";
// Drives the C program test_sharded against the sharded adapter: for each subscription mode,
// starts the harness with two Socket.IO 4.8 servers on `createShardedAdapter` in that mode,
// connects recording clients, runs the program (argv after this script's name, e.g.
// `valgrind ... build/test_sharded`) with the Redis URL and the mode, then checks what every
// client and server received.
//
//   node bindings-c/tests/run_c_sharded.js [runner...] path/to/test_sharded

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

const MODES = ["static", "dynamic", "dynamic-private"];

// name, server, nsp, rooms
const CLIENTS = [
  ["bc-a", 0, "/cs-bc", []], ["bc-b", 1, "/cs-bc", []],
  ["rm-in0", 0, "/cs-room", ["room1"]], ["rm-in1", 1, "/cs-room", ["room1"]],
  ["rm-out", 0, "/cs-room", ["room2"]], ["rm-solo", 1, "/cs-room", ["solo"]],
  ["bin-a", 1, "/cs-bin", ["r"]],
  ["sse-a", 0, "/cs-sse", []],
  ["mm-a", 0, "/cs-mm", []],
];

const EXPECTED = {
  "bc-a": ["hello"], "bc-b": ["hello"],
  "rm-in0": ["only-room1"], "rm-in1": ["only-room1"], "rm-out": [], "rm-solo": ["only-solo"],
  "bin-a": ["blob", "room-blob"],
  "sse-a": [],
  "mm-a": [],
};

const bytes = (hex) => ({ $bytes: hex });

async function runMode(command, mode) {
  const h = await Harness.start({
    servers: 2,
    serverEvents: "server_event",
    args: ["--adapter", "sharded", "--subscription-mode", mode],
  });
  try {
    for (const [name, server, nsp, rooms] of CLIENTS) await h.cmd({ cmd: "client", name, server, nsp, rooms });
    // Sharded servers subscribe to room channels as rooms get members: this waits for all.
    for (const nsp of new Set(CLIENTS.map((c) => c[2]))) await h.cmd({ cmd: "wait_subscribed", nsp });
    h.take();

    const run = spawnSync(command[0], [...command.slice(1), h.redisUrl, mode], { stdio: "inherit" });
    assert.equal(run.status, 0, `test_sharded (${mode}) failed (status ${run.status}, signal ${run.signal})`);

    const lines = await h.flushAndTake();
    const events = (name) => lines.filter((l) => l.type === "event" && l.client === name);
    for (const [name, want] of Object.entries(EXPECTED)) {
      assert.deepEqual(events(name).map((e) => e.event), want, `${mode}: events of ${name}`);
      for (const e of events(name)) assert.equal(e.ack, undefined, `${name} got an ack request`);
    }
    assert.deepEqual(events("bc-b")[0].args, ["world", 42]);
    const nested = { file: bytes("010203"), parts: [bytes("04"), 5] };
    assert.deepEqual(events("bin-a").map((e) => e.args), [[bytes("ff00"), nested], [nested]], `${mode}: binary`);
    const serverEvents = lines.filter((l) => l.type === "server_event" && l.nsp === "/cs-sse");
    for (const server of [0, 1]) {
      const got = serverEvents.filter((l) => l.server === server).map((l) => l.args);
      assert.deepEqual(got, [["payload", 7], [bytes("0908")]], `${mode}: serverSideEmit at server ${server}`);
    }
    console.log(`sharded ${mode}: interop checks passed`);
  } catch (err) {
    await h.printLogs(); // the servers' and Redis' output, for a failed run only
    throw err;
  } finally {
    await h.close();
  }
}

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_sharded.js [runner...] test_sharded");
  for (const mode of MODES) await runMode(command, mode);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
