"use strict";
// The documented bound of a call: connect_timeout + response_timeout from the moment it is
// made, whatever Redis does (here: killed through the harness, `redis_stop`). Measured with
// short timeouts; SLACK_MS covers scheduling on a loaded machine, never a second budget.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");
const net = require("node:net");

const { Emitter } = require("..");
const { harnessDriver } = require("./support.js");

const CONNECT_MS = 300;
const RESPONSE_MS = 300;
const BOUND_MS = CONNECT_MS + RESPONSE_MS;
const SLACK_MS = 1500;
const OPTIONS = { connect_timeout: CONNECT_MS, response_timeout: RESPONSE_MS };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long `promise` took to settle since `started`, and how. */
async function timed(promise, started = performance.now()) {
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("every call is bounded by connect_timeout + response_timeout", () => {
  let h;

  before(async () => {
    h = await harnessDriver().start({ servers: 1 });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("a refused port at construction is CONNECTION (naming the cause), not TIMEOUT", async () => {
    const url = `redis://127.0.0.1:${await refusedPort()}`;
    const { ms, error } = await timed(Emitter.connect(url, OPTIONS));
    assert.equal(error && error.code, "CONNECTION", error && error.message);
    assert.match(error.message, /refused/i);
    assert.ok(ms <= BOUND_MS + SLACK_MS, `${ms} ms`);
  });

  it("Redis killed: awaited emits fail with CONNECTION within the bound; close(timeout) returns in time", async () => {
    const io = await Emitter.connect(h.redisUrl, OPTIONS);
    io.on("error", () => {}); // the un-awaited ones below
    assert.equal(typeof (await io.emit("before")), "number");
    await h.cmd({ cmd: "redis_stop" });

    // One awaited emit: the cause is named, within the bound.
    const one = await timed(io.emit("during", 1));
    assert.equal(one.error && one.error.code, "CONNECTION", one.error && one.error.message);
    assert.match(one.error.message, /refused|reset|broke|closed|unreachable/i);
    assert.ok(one.ms <= BOUND_MS + SLACK_MS, `${one.ms} ms`);

    // Calls made one after the other while earlier ones are still waiting for Redis (so
    // that some wait behind full pipelines): each settles within its own bound, measured
    // from its own call.
    const calls = [];
    for (let i = 0; i < 24; i++) {
      calls.push(timed(io.to(`r${i % 3}`).emit("burst", i)));
      await sleep(40);
    }
    const results = await Promise.all(calls);
    const worst = Math.max(...results.map((r) => r.ms));
    for (const r of results) {
      assert.ok(r.error, "nothing can succeed while Redis is down");
      assert.ok(["CONNECTION", "TIMEOUT"].includes(r.error.code), `${r.error.code}: ${r.error.message}`);
    }
    assert.ok(worst <= BOUND_MS + SLACK_MS, `the worst call took ${worst} ms (bound ${BOUND_MS} ms)`);

    // flush({ timeout }) gives up in time with TIMEOUT while operations are still out.
    for (let i = 0; i < 5; i++) io.emit("unawaited", i);
    const flushed = await timed(io.flush({ timeout: 100 }));
    assert.equal(flushed.error && flushed.error.code, "TIMEOUT", flushed.error && flushed.error.message);
    assert.ok(flushed.ms <= 100 + SLACK_MS, `${flushed.ms} ms`);

    // close(timeout) while Redis is down: returns within the timeout (what was still out
    // fails), and reports the un-awaited failures.
    for (let i = 0; i < 5; i++) io.emit("unawaited", i);
    const closed = await timed(io.close({ timeout: 200 }));
    assert.ok(closed.ms <= 200 + SLACK_MS, `close took ${closed.ms} ms`);
    assert.equal(closed.error && closed.error.code, "FLUSH", closed.error && closed.error.message);
    assert.equal(closed.error.report.failed, 10);
    assert.equal(closed.error.failures.length, 10);
    for (const f of closed.error.failures) {
      assert.ok(["CONNECTION", "TIMEOUT"].includes(f.code), f.message);
      assert.equal(f.channel, "socket.io#/#");
    }
    await assert.rejects(io.emit("after"), { code: "CLOSED" });
    await h.cmd({ cmd: "redis_start" });
  });

  it("after Redis comes back, calls succeed again on the same emitter", async () => {
    const io = await Emitter.connect(h.redisUrl, OPTIONS);
    assert.equal(await io.emit("up"), 1);
    await h.cmd({ cmd: "redis_stop" });
    const down = await timed(io.emit("down"));
    assert.equal(down.error && down.error.code, "CONNECTION");
    await h.cmd({ cmd: "redis_start" });
    assert.equal(await io.emit("up again"), 1);
    assert.deepEqual(await io.close({ timeout: 1000 }), { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
  });
});
