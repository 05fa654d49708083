"use strict";
// The `socketio-emit` command the package installs (bin/socketio-emit.js, running the command
// inside the addon): it delivers to real clients and keeps the command's output and exit codes.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const { harnessDriver, clients, received } = require("./support.js");

const BIN = path.join(__dirname, "..", "bin", "socketio-emit.js");

function run(args, input = "") {
  const env = { ...process.env, REDIS_URL: "" };
  return spawnSync(process.execPath, [BIN, ...args], { input, env, encoding: "latin1", timeout: 60_000 });
}

describe("the socketio-emit command of the npm package", () => {
  let h;

  before(async () => {
    h = await harnessDriver().start({ servers: 2 });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("delivers JSON and binary from stdin to the clients of a room", async () => {
    await clients(h, "/cli", [["cli-in", 0, ["room1"]], ["cli-out", 1, []]]);
    const done = run(["--url", h.redisUrl, "emit", "chat", '{"text":"hi"}', "@-", "--of", "/cli", "--to", "room1"], "\x89PNG");
    assert.deepEqual([done.status, done.stdout, done.stderr], [0, "2\n", ""]);
    const { events } = await received(h, ["cli-in", "cli-out"]);
    assert.deepEqual(events, { "cli-in": [["chat", [{ text: "hi" }, { $bytes: "89504e47" }]]], "cli-out": [] });
  });

  it("prints one JSON object with --json", async () => {
    await clients(h, "/cli-json", [["cli-json", 1, []]]);
    const done = run(["--url", h.redisUrl, "--json", "emit", "-s", "note", "hello", "--of", "/cli-json"]);
    assert.equal(done.status, 0);
    assert.deepEqual(JSON.parse(done.stdout), { ok: true, servers: 2 });
    const { events } = await received(h, ["cli-json"]);
    assert.deepEqual(events["cli-json"], [["note", ["hello"]]]);
  });

  it("keeps the exit codes, and never prints a password", () => {
    const usage = run(["emit"]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /Usage/);
    const refused = run(["--url", "redis://user:s3cret@127.0.0.1:1", "--json", "emit", "ev", "1"]);
    assert.equal(refused.status, 5);
    assert.equal(JSON.parse(refused.stdout).code, "CONNECTION");
    assert.doesNotMatch(refused.stdout + refused.stderr, /s3cret/);
    const reserved = run(["--url", h.redisUrl, "emit", "connect"]);
    assert.equal(reserved.status, 3);
    assert.match(reserved.stderr, /reserved/);
  });
});
