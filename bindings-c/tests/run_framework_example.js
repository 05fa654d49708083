"use strict";
// Runs one framework example app (php/examples/http, go/examples/gin, java/examples/spring-boot)
// against real servers whose adapter key is "my-app", as in the apps. Each app has the same
// endpoint: POST /rooms/{room}/messages with a JSON body sends that body to the room as a
// "message" event and answers 202 {"servers": N}. The app gets PORT=0 (or picks a port itself)
// and must print `listening on http://127.0.0.1:PORT` (PHP's built-in server prints its own
// `Development Server (http://127.0.0.1:PORT) started`) once it accepts connections.
//
//   node bindings-c/tests/run_framework_example.js NAME command [args...]

const assert = require("node:assert/strict");
const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");
const { Harness } = require(path.join(__dirname, "../../tests/harness/driver.js"));

const [name, ...command] = process.argv.slice(2);
const READY = /(?:listening on |Development Server \()(http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 120000; // a JVM on a loaded 2-core machine

/** Starts the app; `url` resolves once it printed its address, rejects if it exits first. */
function startApp(env) {
  const child = spawn(command[0], command.slice(1), {
    cwd: path.join(__dirname, ".."),
    env: { ...process.env, ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const url = new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (line) => {
        output += `${line}\n`;
        const m = line.match(READY);
        if (m) resolve(m[1]);
      });
    }
    exited.then((how) => reject(new Error(`${name}: the app exited (${how}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`${name}: the app did not listen within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS).unref();
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return { url, stop, output: () => output };
}

async function main() {
  const h = await Harness.start({ servers: 2, key: "my-app", timeoutMs: 120000 });
  let app;
  try {
    await h.cmd({ cmd: "client", name: "in-room", server: 0, rooms: ["lobby"] });
    await h.cmd({ cmd: "client", name: "elsewhere", server: 1, rooms: ["other"] });
    await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
    h.take();

    app = startApp({ REDIS_URL: h.redisUrl });
    const res = await fetch(`${await app.url}/rooms/lobby/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "hi", n: [1, 2.5], nested: { ok: true } }),
      signal: AbortSignal.timeout(60000), // a hung app fails the run instead of stalling it
    });
    const body = await res.text();
    assert.equal(res.status, 202, `${name}: ${res.status} ${body}\n${app.output()}`);
    assert.deepEqual(JSON.parse(body), { servers: 2 }, `${name}: the reply`);

    const lines = await h.flushAndTake();
    const got = (client) => lines.filter((l) => l.type === "event" && l.client === client).map((l) => [l.event, l.args]);
    assert.deepEqual(got("in-room"), [["message", [{ text: "hi", n: [1, 2.5], nested: { ok: true } }]]], `${name}: in-room`);
    assert.deepEqual(got("elsewhere"), [], `${name}: a client outside the room`);

    // A body that is not JSON is the caller's mistake: 400, and nothing is sent.
    const bad = await fetch(`${await app.url}/rooms/lobby/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
      signal: AbortSignal.timeout(60000),
    });
    assert.equal(bad.status, 400, `${name}: a body that is not JSON`);
    const after = await h.flushAndTake();
    assert.deepEqual(after.filter((l) => l.type === "event"), [], `${name}: sent after a bad body`);
    console.log(`bindings-c: the ${name} example delivered its POST to a real client`);
  } catch (err) {
    await h.printLogs();
    throw err;
  } finally {
    if (app) await app.stop();
    await h.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
