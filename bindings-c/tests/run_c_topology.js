"use strict";
// Drives the C program test_topology on a Redis Cluster and through Sentinel: for each case,
// starts the harness with `--topology cluster` (two Socket.IO servers on createShardedAdapter,
// then on createAdapter) or `--topology sentinel` (createAdapter), connects recording clients,
// runs the program (argv after this script's name, e.g. `valgrind ... build/test_topology`)
// with the case and the harness's node URLs, then checks what every client and server received.
//
//   node bindings-c/tests/run_c_topology.js [runner...] path/to/test_topology

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

const bytes = (hex) => ({ $bytes: hex });

// name, server, nsp, rooms
const BROADCAST = [["bc-a", 0, "/ct-bc", []], ["bc-b", 1, "/ct-bc", []]];
const SHARDED = [
  ...BROADCAST,
  ["rm-in", 0, "/ct-room", ["room1"]], ["rm-out", 1, "/ct-room", ["room2"]],
  ["bin-a", 1, "/ct-bin", []],
  ["sse-a", 0, "/ct-sse", []],
  ["q-a", 0, "/ct-queue", []], ["q-b", 1, "/ct-queue-2", []],
];

const CASES = [
  {
    name: "cluster-sharded",
    args: ["--topology", "cluster", "--adapter", "sharded"],
    clients: SHARDED,
    expected: {
      "bc-a": ["hello"], "bc-b": ["hello"], "rm-in": ["only-room1"], "rm-out": [], "bin-a": ["blob"], "sse-a": [],
      "q-a": Array(10).fill("tick"), "q-b": Array(10).fill("tick"),
    },
    check(lines, events) {
      assert.deepEqual(events("bin-a")[0].args, [bytes("ff00"), { file: bytes("010203"), n: 5 }], "binary");
      assert.deepEqual(events("q-a").map((e) => e.args[0]), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18], "queued, in order");
      const got = lines.filter((l) => l.type === "server_event" && l.nsp === "/ct-sse");
      for (const server of [0, 1]) {
        assert.deepEqual(got.filter((l) => l.server === server).map((l) => l.args), [["payload", 7]], `serverSideEmit at server ${server}`);
      }
    },
  },
  { name: "cluster-classic", args: ["--topology", "cluster"], clients: BROADCAST, expected: { "bc-a": ["hello"], "bc-b": ["hello"] } },
  { name: "sentinel", args: ["--topology", "sentinel"], clients: BROADCAST, expected: { "bc-a": ["hello"], "bc-b": ["hello"] } },
];

async function runCase(command, c) {
  const h = await Harness.start({ servers: 2, serverEvents: "server_event", args: c.args });
  try {
    for (const [name, server, nsp, rooms] of c.clients) await h.cmd({ cmd: "client", name, server, nsp, rooms });
    for (const nsp of new Set(c.clients.map((x) => x[2]))) await h.cmd({ cmd: "wait_subscribed", nsp });
    h.take();

    let urls;
    if (c.name === "sentinel") {
      assert.equal(h.ready.sentinel_master, "mymaster", "the master name the README's snippet uses");
      urls = h.ready.sentinel_urls;
    } else {
      urls = h.ready.redis_nodes.slice(0, 2); // two seeds: the emitter finds the others
    }
    const run = spawnSync(command[0], [...command.slice(1), c.name, ...urls], { stdio: "inherit" });
    assert.equal(run.status, 0, `test_topology ${c.name} failed (status ${run.status}, signal ${run.signal})`);

    const lines = await h.flushAndTake();
    const events = (name) => lines.filter((l) => l.type === "event" && l.client === name);
    for (const [name, want] of Object.entries(c.expected)) {
      assert.deepEqual(events(name).map((e) => e.event), want, `${c.name}: events of ${name}`);
      for (const e of events(name)) assert.equal(e.ack, undefined, `${name} got an ack request`);
    }
    assert.deepEqual(events("bc-b")[0].args, ["world", 42]);
    if (c.check) c.check(lines, events);
    console.log(`${c.name}: interop checks passed`);
  } catch (err) {
    await h.printLogs(); // the servers' and Redis' output, for a failed run only
    throw err;
  } finally {
    await h.close();
  }
}

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_topology.js [runner...] test_topology");
  for (const c of CASES) await runCase(command, c);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
