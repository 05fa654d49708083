"use strict";
// Drives the C program test_stacks against the other server stacks: two Socket.IO servers
// on the Redis Streams adapter (`--adapter streams`, 0.3.1 then 0.2.3, connection state
// recovery on), then two socket.io 2.5 servers on socket.io-redis 5.4 (`--stack
// socket.io-redis-5`). For each, it connects recording clients, runs the program (argv after
// this script's name, e.g. `valgrind ... build/test_stacks`) with the Redis URL, the stack
// and a socket id, then checks what every client received.
//
//   node bindings-c/tests/run_c_stacks.js [runner...] path/to/test_stacks

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

const bytes = (hex) => ({ $bytes: hex });
const DATE = "2023-11-14T22:13:20.123Z";
const NESTED = { file: bytes("010203"), parts: [bytes("04"), 5], at: DATE };

const STACKS = [
  { name: "streams-0.3", args: ["--adapter", "streams", "--streams-version", "0.3"], recovery: true },
  { name: "streams-0.2", args: ["--adapter", "streams", "--streams-version", "0.2"], recovery: true },
  { name: "socket.io-redis-5", args: ["--stack", "socket.io-redis-5"], recovery: false },
];

// name, server, nsp, rooms
const CLIENTS = [
  ["bc-a", 0, "/cs-bc", ["room1"]], ["bc-b", 1, "/cs-bc", []],
  ["bin-a", 1, "/cs-bin", []], ["bin-b", 0, "/cs-bin", []],
  ["ex-keep", 0, "/cs-ex", ["r"]], ["ex-muted", 1, "/cs-ex", ["r", "muted"]],
  ["jn-a", 0, "/cs-join", []], ["jn-b", 1, "/cs-join", []],
  ["auto-a", 1, "/cs-auto", []],
];

const events = (lines, name) => lines.filter((l) => l.type === "event" && l.client === name);
const names = (lines, name) => events(lines, name).map((e) => e.event);

async function runStack(command, stack) {
  const h = await Harness.start({ servers: 2, args: stack.args });
  try {
    const sids = {};
    for (const [name, server, nsp, rooms] of CLIENTS) {
      sids[name] = (await h.cmd({ cmd: "client", name, server, nsp, rooms })).sid;
    }
    for (const nsp of new Set(CLIENTS.map((c) => c[2]))) await h.cmd({ cmd: "wait_subscribed", nsp });
    if (stack.recovery) {
      // A recovery client gets one event (so that it has an offset), then loses its
      // connection: what the program emits meanwhile must be replayed when it comes back.
      await h.cmd({ cmd: "client", name: "csr", server: 0, nsp: "/cs-csr", rooms: ["r1"], recovery: true });
      await h.cmd({ cmd: "client", name: "csr-other", server: 1, nsp: "/cs-csr", rooms: ["r2"] });
      await h.cmd({ cmd: "wait_subscribed", nsp: "/cs-csr" });
      await h.cmd({ cmd: "server_emit", server: 1, nsp: "/cs-csr", event: "before" });
      await h.flushAndTake();
      await h.cmd({ cmd: "client_drop", name: "csr" });
    }
    h.take();

    const run = spawnSync(command[0], [...command.slice(1), h.redisUrl, stack.name, sids["jn-b"]], {
      stdio: "inherit",
    });
    assert.equal(run.status, 0, `test_stacks (${stack.name}) failed (status ${run.status}, signal ${run.signal})`);

    if (stack.recovery) {
      const back = await h.cmd({ cmd: "client_reconnect", name: "csr", server: 1 });
      assert.equal(back.recovered, true, `${stack.name}: the session was recovered`);
    }
    const lines = await h.flushAndTake();
    const legacy = stack.name === "socket.io-redis-5";
    const expected = {
      "bc-a": ["hello", "only-room1"],
      "bc-b": ["hello"],
      "bin-a": ["blob", "date"],
      "bin-b": ["blob", "date"],
      // socket.io-redis 5 cannot exclude a room: the program's except() was refused, and
      // nothing was published.
      "ex-keep": legacy ? [] : ["not-muted"],
      "ex-muted": [],
      // socket.io-redis 5: only `to(sid).socketsJoin(room)` (one socket id, one room).
      "jn-a": legacy ? [] : ["in-new"],
      "jn-b": ["in-new"],
      // Emitted with adapter "auto" (detected from what the servers subscribe to).
      "auto-a": ["detected"],
    };
    for (const [name, want] of Object.entries(expected)) {
      assert.deepEqual(names(lines, name), want, `${stack.name}: events of ${name}`);
    }
    assert.deepEqual(events(lines, "bc-b")[0].args, ["world", 42], `${stack.name}: arguments`);
    for (const name of ["bin-a", "bin-b"]) {
      assert.deepEqual(
        events(lines, name).map((e) => e.args),
        [[bytes("ff00"), NESTED], [DATE]],
        `${stack.name}: nested binary arrives as binary, the date as its ISO text (${name})`,
      );
    }
    if (stack.recovery) {
      // Every live event carries its stream offset, and the dropped client got what it missed.
      for (const e of events(lines, "bc-b")) assert.match(e.offset, /^\d+-\d+$/, `${stack.name}: offset`);
      const replayed = events(lines, "csr");
      assert.deepEqual(
        replayed.map((e) => [e.event, e.args]),
        [["missed", [1]], ["missed-room", [bytes("0102")]]],
        `${stack.name}: replayed on recovery`,
      );
      assert.deepEqual(names(lines, "csr-other"), ["missed", "not-for-csr"], `${stack.name}: csr-other`);
    }
    console.log(`stacks ${stack.name}: interop checks passed`);
  } catch (err) {
    await h.printLogs(); // the servers' and Redis' output, for a failed run only
    throw err;
  } finally {
    await h.close();
  }
}

async function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) throw new Error("usage: run_c_stacks.js [runner...] test_stacks");
  for (const stack of STACKS) await runStack(command, stack);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
