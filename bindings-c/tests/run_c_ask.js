"use strict";
// Drives the C program test_ask: two Socket.IO servers whose "ask_me" handlers acknowledge,
// clients with socket data, acknowledging and silent, then the program (argv after this
// script's name, e.g. `valgrind ... build/test_ask`) with the Redis URL and their ids.
//
//   node bindings-c/tests/run_c_ask.js [runner...] path/to/test_ask

const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

async function main(command) {
  const h = await Harness.start({ servers: 2, serverAcks: "ask_me" });
  let ok = false;
  try {
    const client = async (name, server, rooms, extra) =>
      (await h.cmd({ cmd: "client", name, server, nsp: "/ask", rooms, ...extra })).sid;
    const a = await client("c-ask-a", 0, ["vip"], { data: { user: 42 }, ack: "a-ok" });
    const b = await client("c-ask-b", 1, ["vip", "muted"], { ack: "b-ok" });
    const c = await client("c-ask-c", 1, [], {});
    await h.cmd({ cmd: "wait_subscribed", nsp: "/ask" });
    const run = spawnSync(command[0], [...command.slice(1), h.redisUrl, a, b, c], { stdio: "inherit" });
    assert.equal(run.status, 0, `test_ask failed (status ${run.status}, signal ${run.signal})`);
    ok = true;
  } finally {
    if (!ok) process.stderr.write(await h.logs());
    await h.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exit(1);
});
