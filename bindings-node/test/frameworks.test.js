"use strict";
// The README's framework apps (examples/express.js, examples/nestjs.ts), each run as its own
// process on a free port against real servers whose adapter key is "my-app", as in the apps:
// one HTTP request to the app must reach a real socket.io client, in the right room only.

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");

const { harnessDriver, clients, received } = require("./support.js");

const PKG = path.resolve(__dirname, "..");
const START = { servers: 2, key: "my-app", timeoutMs: 120000 };

/**
 * Starts `node ...args` in the package with PORT=0 (the system picks a free port). `url`
 * resolves with the address the app prints once it accepts connections, or rejects with its
 * stderr if it exits first. `stop()` sends SIGTERM and resolves with how it exited.
 */
function startApp(args, env) {
  const child = spawn(process.execPath, args, {
    cwd: PKG,
    env: { ...process.env, ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      const m = line.match(/^listening on (http:\/\/\S+?)\/?$/);
      if (m) resolve(m[1]);
    });
    exited.then(({ code, signal }) => reject(new Error(`${args.join(" ")} exited (${code ?? signal}):\n${stderr}`)));
  });
  url.catch(() => {}); // reported by whoever awaits it
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return { url, stop, stderr: () => stderr };
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60000), // a hung app fails the test instead of stalling it
  });
  return { status: res.status, body: await res.json() };
}

test("the framework apps of the README, against servers keyed my-app", { timeout: 240000 }, async (t) => {
  const h = await harnessDriver().start(START);
  t.after(() => h.close());
  t.afterEach((st) => h.printLogsIfFailed(st));
  await clients(h, "/", [
    ["in-room", 0, ["lobby", "user:42"]],
    ["elsewhere", 1, ["user:7"]],
  ]);

  await t.test("examples/express.js: POST /rooms/lobby/messages", async () => {
    const app = startApp(["examples/express.js"], { REDIS_URL: h.redisUrl });
    try {
      const reply = await postJson(`${await app.url}/rooms/lobby/messages`, { text: "hi", n: [1, 2] });
      assert.deepEqual(reply, { status: 202, body: { servers: 2 } });
      const { events } = await received(h, ["in-room", "elsewhere"]);
      assert.deepEqual(events, { "in-room": [["message", [{ text: "hi", n: [1, 2] }]]], elsewhere: [] });
    } finally {
      const exit = await app.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM did not close it cleanly:\n${app.stderr()}`);
    }
  });

  await t.test("examples/nestjs.ts: POST /users/42/orders/A-1/status", async () => {
    const app = startApp(["-r", "./test/ts-hook.js", "examples/nestjs.ts"], { REDIS_URL: h.redisUrl });
    try {
      const reply = await postJson(`${await app.url}/users/42/orders/A-1/status`, { status: "shipped" });
      assert.deepEqual(reply, { status: 202, body: { servers: 2 } });
      const { events } = await received(h, ["in-room", "elsewhere"]);
      assert.deepEqual(events, {
        "in-room": [["orderUpdated", [{ id: "A-1", status: "shipped" }]]],
        elsewhere: [],
      });
    } finally {
      await app.stop();
    }
    assert.equal(app.stderr(), "", "the app wrote to stderr");
  });
});
