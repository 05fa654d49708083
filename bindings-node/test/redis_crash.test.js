"use strict";
// Redis SIGKILLed and restarted while emits flow, observed at a real socket.io client: the Node
// counterpart of core/tests/interop_redis_crash.rs and bindings-python/tests/test_redis_crash.py
// (same scenarios, same accounting).
//
// Every emit is accounted for: delivered, rejected (CONNECTION or TIMEOUT), resolved with 0
// servers, or lost inside Redis when it died (Pub/Sub is at-most-once: Redis answered PUBLISH,
// then died before writing the message to the Socket.IO server; those can only be emits Redis
// had answered before the kill). No call may hang, nothing may arrive twice or out of call
// order (for the fire-and-forget producer too), and a restart with no downtime must fail only
// what was in flight at the kill.
//
// Node has no emit_nowait queue: the "fire and forget" producer calls emit() without awaiting
// each call, collects the promises in windows (so memory stays bounded) and settles each window
// with Promise.allSettled. The other producer awaits one emit at a time.
//
// Each scenario has its own harness (one Socket.IO server, one recording client "sub"), so
// killing Redis disturbs no other test. One line of figures per scenario goes to stderr when the
// scenario fails, or always with CRASH_VERBOSE=1:
//
//   CRASH_VERBOSE=1 node --test test/redis_crash.test.js

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver } = require("./support.js");

const CONNECT_MS = 2000;
const RESPONSE_MS = 2000;
/** A call's budget: connect_timeout + response_timeout, counted from the call. */
const BUDGET_MS = CONNECT_MS + RESPONSE_MS;
/** A call slower than its budget plus this much slack hung. */
const SLACK_MS = 5000;
const OPTIONS = {
  connect_timeout: CONNECT_MS,
  response_timeout: RESPONSE_MS,
  reconnect_min_delay: 50,
  reconnect_max_delay: 500,
  reconnect_attempts: 50,
};
const UNAWAITED = 100_000;
const AWAITED = 20_000;
/** Fire-and-forget emits called before their promises are settled together. */
const WINDOW = 2048;
/** Redis is killed when the producer has made this share of its calls. */
const KILL_AT = 0.3;
/** The longest the producer may take to reach KILL_AT. */
const REACH_TIMEOUT_MS = 60_000;
/**
 * What the binding can have sent to Redis and not yet had answered (src/dispatch.rs):
 * MAX_IN_FLIGHT pipelines of at most MAX_BATCH operations, 4 × 512. Operations still waiting
 * behind them in the dispatch channel are not sent yet, so a kill cannot fail them: after a
 * restart with no downtime they go out on the new connection, well within their budget.
 */
const MAX_SENT_UNANSWERED = 4 * 512;
/**
 * The most emits a kill with no downtime may lose inside Redis (answered, not yet written to
 * the Socket.IO server), as in the Rust and Python tests.
 */
const LOST_AT_KILL_MAX = 4096;
const VERBOSE = process.env.CRASH_VERBOSE === "1";
/** One scenario: about 25 s; 80 s seen on a saturated machine. */
const TEST_TIMEOUT_MS = 180_000;
const REDIS_START_TIMEOUT_MS = 60_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What each emit's promise did (Counts.status).
const PENDING = 0;
const RECEIVED = 1; // resolved with >= 1 server
const REACHED_NONE = 2; // resolved with 0 servers
const REJECTED = 3;

class Counts {
  constructor(accepted) {
    this.accepted = accepted;
    this.status = new Uint8Array(accepted);
    /** Rejected emits, by index, in increasing order. */
    this.rejected = [];
    /** Rejections per code, and the first message of each. */
    this.codes = new Map();
    this.reachedNone = 0;
    /** The "seq" values the client received, in arrival order. */
    this.delivered = [];
    /** The slowest call, in ms (for fire-and-forget: the slowest window, a bound for each call in it). */
    this.slowest = 0;
    /** Calls from this index on were made after Redis was certainly dead. */
    this.afterKill = accepted;
    /** From the redis_stop reply to the redis_start reply (the server re-subscribed), in ms. */
    this.outage = 0;
  }

  record(i, outcome) {
    if (outcome.status === "fulfilled") {
      if (outcome.value === 0) {
        this.status[i] = REACHED_NONE;
        this.reachedNone++;
      } else {
        this.status[i] = RECEIVED;
      }
      return;
    }
    const err = outcome.reason;
    this.status[i] = REJECTED;
    this.rejected.push(i);
    const code = err && err.code;
    // Checked here, at the call, so that a wrong error names the emit that got it.
    assert.ok(code === "CONNECTION" || code === "TIMEOUT", `emit ${i}: ${code}: ${err && err.message}`);
    const seen = this.codes.get(code);
    if (seen) seen.count++;
    else this.codes.set(code, { count: 1, first: `emit ${i}: ${err.message}` });
  }

  /** Resolved with >= 1 server and never delivered: lost inside Redis at the kill. */
  lost() {
    const got = new Set(this.delivered);
    const out = [];
    for (let i = 0; i < this.accepted; i++) {
      if (this.status[i] === RECEIVED && !got.has(i)) out.push(i);
    }
    return out;
  }

  inversions() {
    const d = this.delivered;
    const out = [];
    for (let k = 1; k < d.length; k++) if (d[k - 1] >= d[k]) out.push([d[k - 1], d[k]]);
    return out;
  }

  /** The first inversions, each with the arrivals around it and what each emit's promise did. */
  describeInversions(limit = 5) {
    const d = this.delivered;
    const name = ["pending", "resolved", "resolved with 0", "rejected"];
    const out = [];
    for (let k = 1; k < d.length && out.length < limit; k++) {
      if (d[k - 1] < d[k]) continue;
      const around = d.slice(Math.max(0, k - 3), k + 3).map((i) => `${i} (${name[this.status[i]]})`);
      out.push(`arrival ${k}: ${d[k - 1]} then ${d[k]}; arrivals around it: ${around.join(", ")}`);
    }
    return out.join("; ");
  }

  summary(what) {
    const codes = [...this.codes].map(([code, { count }]) => `${code} ${count}`).join(", ");
    // Allowed (a rejection says it may have been published), and worth seeing.
    const rejectedDelivered = this.delivered.filter((i) => this.status[i] === REJECTED).length;
    return (
      `${what}: accepted ${this.accepted}, delivered ${this.delivered.length}, ` +
      `rejected ${this.rejected.length}${codes ? ` (${codes}; ${rejectedDelivered} of them delivered)` : ""}, ` +
      `resolved with 0 ${this.reachedNone}, ` +
      `lost in Redis at the kill ${this.lost().length}, inversions ${this.inversions().length}, ` +
      `slowest call ${(this.slowest / 1000).toFixed(3)} s (Redis away ${(this.outage / 1000).toFixed(2)} s, ` +
      `calls from #${this.afterKill} made after the kill)`
    );
  }
}

/**
 * How many calls the producer has made; `reached` resolves at the kill mark, or when the
 * producer stops (`release`), so that the kill never waits in vain.
 */
class Progress {
  constructor(mark) {
    this.mark = mark;
    this.done = 0;
    this.reached = new Promise((resolve) => (this.release = resolve));
  }

  advance(done) {
    this.done = done;
    if (done === this.mark) this.release();
  }
}

/**
 * Runs `fn(h)` with a harness (one server) and the recording client "sub". The harness's logs
 * (Redis, the server) go to stderr when it fails.
 */
async function withHarness(fn) {
  const h = await harnessDriver().start({ servers: 1 });
  let failed = true;
  try {
    await h.cmd({ cmd: "client", name: "sub", server: 0, nsp: "/" });
    const result = await fn(h);
    failed = false;
    return result;
  } catch (err) {
    await h.printLogs("harness logs (redis_crash.test.js)");
    throw err;
  } finally {
    const code = await h.close();
    if (!failed) assert.equal(code, 0, "the harness exits cleanly");
  }
}

/** After a flush barrier: the events "sub" received, as [event, args] pairs. */
async function receivedBySub(h) {
  const out = [];
  for (const line of await h.flushAndTake()) {
    if (line.type === "event" && line.client === "sub") {
      assert.ok(!line.ack, "a packet asked for an ack");
      out.push([line.event, line.args]);
    }
  }
  return out;
}

async function deliveredSeq(h) {
  return (await receivedBySub(h)).filter(([event]) => event === "seq").map(([, args]) => args[0]);
}

/**
 * Kills Redis once the producer reaches its mark, keeps it down for `downMs`, restarts it.
 * Returns the first index of the calls made after Redis was dead, and how long it was away.
 */
async function crashWhen(h, progress, producer, downMs) {
  let timer;
  const reached = await Promise.race([
    progress.reached.then(() => true),
    new Promise((resolve) => (timer = setTimeout(resolve, REACH_TIMEOUT_MS, false))),
  ]);
  clearTimeout(timer);
  assert.ok(reached, `the emits never reached ${progress.mark} (at ${progress.done})`);
  if (progress.done < progress.mark) {
    await producer; // it stopped early: its error
    assert.fail(`the producer stopped at ${progress.done}`);
  }
  await h.cmd({ cmd: "redis_stop" });
  // The reply was read: Redis is dead. The producer runs on this thread, so every call made
  // from now on was made after the kill.
  const afterKill = progress.done;
  const stopped = performance.now();
  // The outage itself: its length is the scenario, not a wait for a condition.
  await sleep(downMs);
  // Generous: it replies once the server has re-subscribed, which took 17 s on a saturated
  // machine (the default is 15 s).
  await h.cmd({ cmd: "redis_start", timeout_ms: REDIS_START_TIMEOUT_MS });
  return { afterKill, outage: performance.now() - stopped };
}

/**
 * Runs `produce(io, c, progress)` on a fresh emitter, kills Redis when it reaches KILL_AT of
 * `total` calls and restarts it after `downMs`; then reads what "sub" received.
 * `produce` fills `c` (a Counts) with what each call did.
 */
async function scenario(h, total, downMs, produce) {
  const io = await Emitter.connect(h.redisUrl, OPTIONS);
  const c = new Counts(total);
  let closed = false;
  try {
    const progress = new Progress(Math.floor(total * KILL_AT));
    const producer = produce(io, c, progress).finally(() => progress.release());
    producer.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    try {
      Object.assign(c, await crashWhen(h, progress, producer, downMs));
    } finally {
      await producer.catch(() => {}); // a failed crash: let the producer end before leaving
    }
    await producer;
    c.delivered = await deliveredSeq(h);
    closed = true;
    // Every promise was awaited (or handed to Promise.allSettled in the turn it was made), so
    // none counts as un-awaited: nothing for close() to report.
    assert.deepEqual(await io.close(), { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
  } finally {
    if (!closed) await io.close({ timeout: 1000 }).catch(() => {});
  }
  return c;
}

/** Fire and forget: emits called without awaiting each, settled window by window. */
async function unawaited(io, c, progress) {
  for (let start = 0; start < c.accepted; start += WINDOW) {
    const end = Math.min(c.accepted, start + WINDOW);
    const window = [];
    const t0 = performance.now();
    for (let i = start; i < end; i++) {
      window.push(io.emit("seq", i));
      progress.advance(i + 1);
    }
    const outcomes = await Promise.allSettled(window);
    // Every call of the window was made after t0 and had settled by now.
    c.slowest = Math.max(c.slowest, performance.now() - t0);
    outcomes.forEach((outcome, k) => c.record(start + k, outcome));
  }
}

/** Emits awaited one at a time. */
async function awaited(io, c, progress) {
  for (let i = 0; i < c.accepted; i++) {
    const t0 = performance.now();
    let outcome;
    try {
      outcome = { status: "fulfilled", value: await io.emit("seq", i) };
    } catch (reason) {
      outcome = { status: "rejected", reason };
    }
    c.slowest = Math.max(c.slowest, performance.now() - t0);
    c.record(i, outcome);
    progress.advance(i + 1);
  }
}

/**
 * What every scenario must show, then `extra(c)`; the order of arrival last. The figures are
 * printed when an assertion fails, or always with CRASH_VERBOSE=1.
 */
function check(what, c, { extra = () => {} } = {}) {
  const line = c.summary(what);
  try {
    for (let i = 0; i < c.accepted; i++) assert.notEqual(c.status[i], PENDING, `emit ${i} never settled`);
    assert.ok(c.slowest < BUDGET_MS + SLACK_MS, `a call hung (${c.slowest.toFixed(0)} ms)`);
    assert.equal(new Set(c.delivered).size, c.delivered.length, "duplicates");
    for (const i of c.delivered) {
      assert.ok(Number.isInteger(i) && i >= 0 && i < c.accepted, `a value never emitted: ${i}`);
      // PUBLISH answered 0: no subscriber got it, so it cannot have arrived.
      assert.notEqual(c.status[i], REACHED_NONE, `emit ${i} resolved with 0 servers and arrived`);
    }
    // Delivered, rejected, or resolved with 0, except what Redis held when it was killed: emits
    // the old Redis answered, so sent before the kill, and before the first failure (Redis
    // answers a connection's commands in the order it read them, and the ones it never
    // answered failed; what was sent after the kill went to the new Redis).
    const lost = c.lost();
    const late = lost.filter((i) => i >= c.afterKill);
    assert.equal(late.length, 0, `emits made after the kill resolved but never arrived: ${late.slice(0, 20)}`);
    if (c.rejected.length > 0) {
      const afterFailure = lost.filter((i) => i > c.rejected[0]);
      assert.equal(
        afterFailure.length,
        0,
        `emits after the first failure (#${c.rejected[0]}) resolved but never arrived: ${afterFailure.slice(0, 20)}`,
      );
    }
    extra(c);
    // One caller's events arrive in call order: the README promises it for concurrent emits
    // too ("many emits awaited together … in call order" in interop.test.js), so it is checked
    // for the fire-and-forget producer as well. src/dispatch.rs keeps several pipelines in
    // flight, and starts none while an older one may still be waiting for Redis (the core's
    // retry after a backoff): a pipeline retried after the restart goes out before later ones.
    assert.equal(c.inversions().length, 0, `delivered out of order: ${c.describeInversions()}`);
  } catch (err) {
    console.error(line);
    for (const [code, { first }] of c.codes) console.error(`  first ${code}: ${first}`);
    throw err;
  }
  if (VERBOSE) console.error(line);
}

describe("Redis SIGKILLed and restarted while emits flow", () => {
  it("fire-and-forget emits survive a restart with no downtime", { timeout: TEST_TIMEOUT_MS }, async () => {
    const c = await withHarness((h) => scenario(h, UNAWAITED, 0, unawaited));
    const extra = () => {
      // Only what was sent and unanswered at the kill may fail: Redis may have published it
      // before it died, so it is never sent again. One window's calls are out at a time, and
      // the binding has at most MAX_SENT_UNANSWERED of them sent and unanswered; the rest wait
      // in its channel and go out on the new connection.
      const bound = Math.min(WINDOW, MAX_SENT_UNANSWERED);
      assert.ok(c.rejected.length <= bound, `${c.rejected.length} rejected (at most ${bound} were in flight)`);
      // As in the Rust and Python tests: what Redis held when it died is a little backlog,
      // not a mass loss.
      const lost = c.lost().length;
      assert.ok(lost <= LOST_AT_KILL_MAX, `${lost} emits resolved and never arrived`);
    };
    check("fire-and-forget, 0 s down", c, { extra });
  });

  for (const down of [3, 10]) {
    const name = `fire-and-forget emits through a ${down} s outage are delivered or rejected`;
    it(name, { timeout: TEST_TIMEOUT_MS }, async () => {
      const c = await withHarness((h) => scenario(h, UNAWAITED, down * 1000, unawaited));
      check(`fire-and-forget, ${down} s down`, c);
    });
  }

  for (const down of [0, 3, 10]) {
    it(`emits awaited one at a time survive a ${down} s outage`, { timeout: TEST_TIMEOUT_MS }, async () => {
      const c = await withHarness((h) => scenario(h, AWAITED, down * 1000, awaited));
      const extra = () => {
        if (down === 0) {
          // One call at a time: the one in flight at the kill may be rejected, and one made in
          // the moment before the emitter saw the connection drop (its socket looked alive, so
          // the call cannot know that Redis never read it).
          assert.ok(c.rejected.length <= 2, `${c.rejected.length} rejected`);
        }
      };
      check(`awaited one at a time, ${down} s down`, c, { extra });
    });
  }

  it("the first call after a restart is sent", { timeout: TEST_TIMEOUT_MS }, async () => {
    await withHarness(async (h) => {
      const io = await Emitter.connect(h.redisUrl, OPTIONS);
      try {
        // Each kill waits until what was published has arrived (flush barrier): a message Redis
        // answered but had not yet written to the server's connection dies with it
        // (at-most-once), and on a busy machine the kill can come in between.
        assert.equal(await io.emit("before"), 1);
        assert.deepEqual(await receivedBySub(h), [["before", []]]);
        await h.cmd({ cmd: "redis_stop" });
        await h.cmd({ cmd: "redis_start", timeout_ms: REDIS_START_TIMEOUT_MS });
        // The connection the emitter holds died with Redis; the call reconnects and sends.
        // Unless the emitter has not yet noticed that connection end (3 runs in 10 on a
        // saturated machine, where the call came about 70 ms after the kill; once on a quiet
        // one): the call then goes into the dead socket and is rejected as possibly published,
        // the race the 0 s scenario allows one call for. The old Redis was gone, so it cannot
        // arrive, and the next call is sent. (The Rust and Python tests require the first.)
        // The binding cannot avoid it: redis-rs reports a command the dead connection dropped
        // before writing it like one Redis may have read, so sending it again could duplicate.
        let after;
        try {
          after = await io.emit("after");
        } catch (err) {
          assert.equal(err.code, "CONNECTION", err.message);
          assert.match(err.message, /may or may not/);
          if (VERBOSE) console.error(`the first call after the restart met the dead connection: ${err.message}`);
          after = await io.emit("after");
        }
        assert.equal(after, 1);
        assert.deepEqual(await receivedBySub(h), [["after", []]]);
        // A call made while Redis is down waits for it, within its budget.
        await h.cmd({ cmd: "redis_stop" });
        const waiting = io.emit("while-down");
        waiting.catch(() => {}); // awaited below
        await h.cmd({ cmd: "redis_start", timeout_ms: REDIS_START_TIMEOUT_MS });
        // Sent once Redis is back; or, when the call raced the kill, rejected as possibly
        // published (never a silent loss, never "refused").
        let servers = null;
        try {
          servers = await waiting;
        } catch (err) {
          assert.match(err.message, /may or may not/, `${err.code}: ${err.message}`);
        }
        const names = (await receivedBySub(h)).map(([event]) => event);
        if (servers === null) {
          assert.ok(names.length === 0 || (names.length === 1 && names[0] === "while-down"), JSON.stringify(names));
        } else {
          // 1: the server got it from the new Redis (which stays up), so it arrived; 0: it
          // reached Redis before the server had re-subscribed.
          assert.ok(servers <= 1, `${servers} servers`);
          assert.deepEqual(names, Array(servers).fill("while-down"));
        }
      } finally {
        await io.close();
      }
    });
  });
});
