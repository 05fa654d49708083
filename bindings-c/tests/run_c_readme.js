"use strict";
// Runs the C blocks of bindings-c/README.md against the fixture: the quick start
// (examples/quickstart.c) and tests/c/test_readme.c on two servers with createAdapter, then
// test_readme's sharded case on two servers with createShardedAdapter. Recording clients are
// connected before; what they received is checked after each program exits.
//
//   node bindings-c/tests/run_c_readme.js [runner...] path/to/quickstart path/to/test_readme

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

/** Runs argv with `args` appended; returns its stdout, failing on a non-zero exit. */
function run(argv, args) {
  const r = spawnSync(argv[0], [...argv.slice(1), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  assert.equal(r.status, 0, `${argv.join(" ")} ${args.join(" ")} failed (status ${r.status}, signal ${r.signal})`);
  return r.stdout;
}

async function withHarness(args, clients, body) {
  const h = await Harness.start({ servers: 2, args });
  try {
    for (const [name, server, rooms] of clients) await h.cmd({ cmd: "client", name, server, nsp: "/", rooms });
    await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
    h.take();
    // The events of each client since the previous call, after a flush barrier.
    const received = async () => {
      const lines = await h.flushAndTake();
      return (name) => lines.filter((l) => l.type === "event" && l.client === name).map((e) => [e.event, e.args]);
    };
    await body(h, received);
  } catch (err) {
    await h.printLogs();
    throw err;
  } finally {
    await h.close();
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const [quickstart, readme] = [argv.slice(0, -2).concat(argv.at(-2)), argv.slice(0, -2).concat(argv.at(-1))];

  await withHarness([], [["qs-room1", 0, ["room1"]], ["qs-other", 1, []]], async (h, received) => {
    assert.equal(run(quickstart, [h.redisUrl]), "2 Socket.IO server(s) received it\n");
    let events = await received();
    assert.deepEqual(events("qs-room1"), [["chat", [{ text: "hi" }, { $bytes: "0102" }]]]);
    assert.deepEqual(events("qs-other"), []);

    assert.equal(run(readme, ["classic", h.redisUrl]), "3 sent, 0 reached no server, 0 failed\n");
    events = await received();
    assert.deepEqual(events("qs-other"), [
      ["file", [{ name: "logo", data: { $bytes: "89504e47" } }, 42, 1.5]],
      ["tick", [0]], ["tick", [1]], ["tick", [2]],
    ]);
  });

  await withHarness(["--adapter", "sharded"], [["sh-a", 0, []], ["sh-b", 1, []]], async (h, received) => {
    run(readme, ["sharded", h.redisUrl]);
    const events = await received();
    assert.deepEqual([events("sh-a"), events("sh-b")], [[["news", ["hello"]]], [["news", ["hello"]]]]);
  });
  console.log("README blocks: the C quick start and test_readme delivered what they say");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
