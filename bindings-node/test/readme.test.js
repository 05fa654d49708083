"use strict";
// The blocks of bindings-node/README.md and of the project's README.md marked
// `<!-- run by: bindings-node/test/readme.test.js -->`, run as they are written against real
// servers: each is saved as a script inside this package (so `require("socketio-emitter")`
// finds it) and run with node. A block that names `redis://localhost:6379` runs with the
// harness's Redis there instead (CONTRIBUTING.md, "Code blocks are tested").

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { Emitter } = require("..");
const { REPO, FIXTURES, harnessDriver, clients, received } = require("./support.js");
const { runBy } = require(path.join(REPO, "tests", "docs", "blocks.js"));

const PKG = path.resolve(__dirname, "..");
const ME = "bindings-node/test/readme.test.js";
const START = { servers: 2, timeoutMs: 120000 };
const DEFAULT_URL = /redis:\/\/(localhost|127\.0\.0\.1):6379/g;
const SCRIPTS = path.join(PKG, ".readme-blocks");
test.after(() => fs.rmSync(SCRIPTS, { recursive: true, force: true }));

/** The blocks marked for this file in `doc`, checked to be as many as the tests below run. */
function blocksOf(doc, count) {
  const found = runBy(doc, ME);
  assert.equal(found.length, count, `${doc}: the blocks marked for ${ME}`);
  return found;
}

/**
 * Saves `code` (with `url` for the default Redis address) as a script in this package and starts
 * it with node. `done` resolves to its stdout once it exits; it rejects with its stderr when the
 * script fails, prints to stderr, or is still running after 60 s.
 */
function startCode(code, name, url, env = {}) {
  fs.mkdirSync(SCRIPTS, { recursive: true });
  const file = path.join(SCRIPTS, name);
  fs.writeFileSync(file, code.replace(DEFAULT_URL, url));
  const child = spawn(process.execPath, [file], { cwd: PKG, env: { ...process.env, REDIS_URL: url, ...env } });
  const done = new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(file, { force: true });
      if (code === 0 && stderr === "") resolve(stdout);
      else reject(new Error(`${name} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
  return { child, done };
}

/** Runs a script as startCode does, to its end. */
function runCode(code, name, url, env) {
  return startCode(code, name, url, env).done;
}

test("README blocks on the classic adapter", async (t) => {
  const [rootQuickStart] = blocksOf("README.md", 1);
  const [migration, quickStart, flush] = blocksOf("bindings-node/README.md", 4);  // then sharded
  const h = await harnessDriver().start({ ...START, serverEvents: "refresh-cache" });
  t.after(() => h.close());

  await t.test("README.md: the Node quick start (CommonJS, no top-level await)", async () => {
    await clients(h, "/", [["rq-room1", 0, ["room1"]], ["rq-other", 1, []]]);
    const out = await runCode(rootQuickStart, "root-quickstart.cjs", h.redisUrl);
    assert.equal(out.trim(), "2 server(s) received it");
    const { events } = await received(h, ["rq-room1", "rq-other"]);
    assert.deepEqual(events, { "rq-room1": [["chat", [{ text: "hi" }]]], "rq-other": [] });
  });

  await t.test("the migration: both sides of the diff deliver the same event", async () => {
    await clients(h, "/", [["mg", 0, []]]);
    const lines = migration.split("\n");
    const side = (sign) => lines.filter((l) => l.startsWith(sign)).map((l) => l.slice(1)).join("\n");
    // The official emitter and node-redis come from the pinned fixtures. Its client keeps the
    // process alive, so it is stopped once its event has arrived; ours exits by itself.
    const official = startCode(side("-"), "migration-official.cjs", h.redisUrl, {
      NODE_PATH: path.join(FIXTURES, "node_modules"),
    });
    await h.waitFor((l) => l.type === "event" && l.client === "mg" && l.event === "ready", 60000);
    official.child.kill("SIGTERM");
    await assert.rejects(official.done, /exited with SIGTERM/);
    await runCode(side("+"), "migration-ours.cjs", h.redisUrl);
    const { events } = await received(h, ["mg"]);
    assert.deepEqual(events.mg, [["ready", []], ["ready", []]]);
  });

  await t.test("the quick start", async () => {
    await clients(h, "/", [["qs-room1", 0, ["room1"]], ["qs-banned", 1, ["banned"]], ["qs-user", 1, ["user:1"]]]);
    await clients(h, "/admin", [["qs-admin", 0, []]]);
    await runCode(quickStart, "quickstart.cjs", h.redisUrl);
    const { events, lines } = await received(h, ["qs-room1", "qs-banned", "qs-user", "qs-admin"]);
    const file = ["file", [{ $bytes: "010203" }]];
    assert.deepEqual(events["qs-room1"], [["chat", [{ text: "hello" }]], file]);
    assert.deepEqual(events["qs-user"], [file, ["notify", [{ hello: "world" }]]]);
    assert.deepEqual(events["qs-banned"], [file]);
    // volatile: a server may drop it for a client whose transport is busy, never send it twice.
    assert.ok(events["qs-admin"].length <= 1 && events["qs-admin"].every(([e]) => e === "ping"));
    const gone = lines.filter((l) => l.type === "disconnect").map((l) => l.client);
    assert.deepEqual(gone, ["qs-banned"], "only the sockets of room banned are disconnected");
    const handled = lines.filter((l) => l.type === "server_event" && l.event === "refresh-cache");
    assert.deepEqual(handled.map((l) => [l.server, l.args]).sort(), [[0, ["users"]], [1, ["users"]]]);
    // socketsJoin: room1's socket is in room2 now.
    const io = new Emitter(h.redisUrl);
    await io.to("room2").emit("in-room2");
    await io.close();
    const after = await received(h, ["qs-room1"]);
    assert.deepEqual(after.events["qs-room1"], [["in-room2", []]]);
  });

  await t.test("flush() of operations nobody awaited", async () => {
    await clients(h, "/", [["fl-user", 0, ["user:1"]]]);
    const out = await runCode(flush, "flush.cjs", h.redisUrl);
    assert.equal(out.trim(), "1 sent, 0 reached no server");
    const { events } = await received(h, ["fl-user"]);
    assert.deepEqual(events["fl-user"], [["notify", ["hi"]]]);
  });
});

test("README block of the sharded adapter, on sharded servers", async (t) => {
  const sharded = blocksOf("bindings-node/README.md", 4)[3];
  const h = await harnessDriver().start({ ...START, serverEvents: "refresh-cache", args: ["--adapter", "sharded"] });
  t.after(() => h.close());
  await clients(h, "/", [["sh-room1", 0, ["room1"]], ["sh-other", 1, []]]);
  await runCode(sharded, "sharded.mjs", h.redisUrl);
  const { events, lines } = await received(h, ["sh-room1", "sh-other"]);
  const news = ["news", [{ title: "hello" }]];
  assert.deepEqual(events, { "sh-room1": [news, ["chat", [{ text: "hi" }]]], "sh-other": [news] });
  const handled = lines.filter((l) => l.type === "server_event" && l.event === "refresh-cache");
  assert.deepEqual(handled.map((l) => l.server).sort(), [0, 1]);
  for (const l of handled) assert.deepEqual(l.args, [{ $bytes: "01" }]);
});
