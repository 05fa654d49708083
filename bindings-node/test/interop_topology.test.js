"use strict";
// End to end on a real Redis Cluster and a real Sentinel setup (the harness's `--topology`).
//
// Cluster: six redis-server nodes (three masters, three replicas); two Socket.IO 4.8 servers on
// node-redis `createCluster`, with the sharded adapter ("dynamic" mode: SPUBLISH goes to the master
// owning the channel's slot) or the classic one (PUBLISH, which the cluster bus copies to every
// node). The emitter gets `cluster_nodes` and nothing else about where Redis is.
//
// Sentinel: a master, a replica and three sentinels; the servers reach the master through a proxy
// that follows it. The emitter gets `sentinel_master` and `sentinel_nodes`; `kill_master` SIGKILLs
// the master in the middle of emits, and every emit must resolve or reject with a typed error
// within its bound, after which emits reach clients again.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, received, receivedNames } = require("./support.js");

const bytes = (hex) => ({ $bytes: hex });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A six-node cluster takes a few seconds to form; much more on a loaded machine. */
const START = { timeoutMs: 120000 };

function startTopology(topology, adapter) {
  return harnessDriver().start({ servers: 2, args: ["--topology", topology, "--adapter", adapter], ...START });
}

/** Connects clients [name, server, rooms] in `nsp`, then waits until every server holds its channels. */
async function connect(h, nsp, list) {
  for (const [name, server, rooms] of list) await h.cmd({ cmd: "client", name, server, nsp, rooms });
  await h.cmd({ cmd: "wait_subscribed", nsp });
}

/**
 * SPUBLISH's count is exact: the channel's subscribers, all on its slot's master. PUBLISH on a
 * cluster counts only the subscribers of the node that took it (the cluster bus delivers it to the
 * others' without counting them), so there it is between 0 and 2.
 */
function assertReached(adapter, count, sharded) {
  if (adapter === "sharded") assert.equal(count, sharded);
  else assert.ok(Number.isInteger(count) && count >= 0 && count <= 2, `count ${count}`);
}

for (const adapter of ["sharded", "classic"]) {
  describe(`Redis Cluster, ${adapter} adapter`, () => {
    let h;
    let io;

    before(async () => {
      h = await startTopology("cluster", adapter);
      io = await Emitter.connect({ cluster_nodes: h.ready.redis_nodes, adapter });
    });

    afterEach((t) => h && h.printLogsIfFailed(t));

    after(async () => {
      if (io) await io.close();
      if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
    });

    it("the ready line lists every node", () => {
      assert.equal(h.ready.topology, "cluster");
      assert.equal(h.ready.redis_nodes.length, 6);
    });

    it("broadcast reaches every client on both servers once", async () => {
      await connect(h, "/bc", [["bc-a", 0, []], ["bc-b", 1, []]]);
      assertReached(adapter, await io.of("/bc").emit("hello", "world", 42, { nested: [true, null] }), 2);
      const { events } = await received(h, ["bc-a", "bc-b"]);
      const expected = [["hello", ["world", 42, { nested: [true, null] }]]];
      assert.deepEqual(events, { "bc-a": expected, "bc-b": expected });
    });

    it("one room reaches only its members", async () => {
      await connect(h, "/room", [
        ["rm-in0", 0, ["room1"]],
        ["rm-in1", 1, ["room1"]],
        ["rm-out", 0, ["room2"]],
        ["rm-solo", 1, ["solo"]],
      ]);
      const nsp = io.of("/room");
      assertReached(adapter, await nsp.to("room1").emit("only-room1"), 2);
      // "solo" has members on server 1 only: on the sharded adapter its own channel (and so
      // possibly another master) reaches that server alone.
      assertReached(adapter, await nsp.to("solo").emit("only-solo"), 1);
      assert.deepEqual(await receivedNames(h, ["rm-in0", "rm-in1", "rm-out", "rm-solo"]), {
        "rm-in0": ["only-room1"],
        "rm-in1": ["only-room1"],
        "rm-out": [],
        "rm-solo": ["only-solo"],
      });
    });

    it("binary at any depth arrives as binary", async () => {
      await connect(h, "/bin", [["bin-a", 1, ["r"]]]);
      const nested = { file: Buffer.from([1, 2, 3]), parts: [new Uint8Array([4]), 5] };
      await io.of("/bin").emit("blob", Buffer.from([0xff, 0]), nested);
      await io.of("/bin").to("r").emit("room-blob", nested);
      const { events } = await received(h, ["bin-a"]);
      const want = { file: bytes("010203"), parts: [bytes("04"), 5] };
      // Published to two channels, which a cluster may route through different nodes: the
      // order of arrival is not guaranteed, so it is not compared.
      const byName = (a, b) => a[0].localeCompare(b[0]);
      assert.deepEqual(events["bin-a"].sort(byName), [
        ["blob", [bytes("ff00"), want]],
        ["room-blob", [want]],
      ]);
    });

    it("serverSideEmit reaches both servers' handlers", async () => {
      await connect(h, "/sse", [["sse-a", 0, []]]);
      assertReached(adapter, await io.of("/sse").serverSideEmit("server_event", "payload", 7), 2);
      const { events, lines } = await received(h, ["sse-a"]);
      const seen = lines.filter((l) => l.type === "server_event" && l.nsp === "/sse");
      assert.deepEqual(seen.map((l) => l.server).sort(), [0, 1], JSON.stringify(seen));
      for (const l of seen) assert.deepEqual(l.args, ["payload", 7]);
      assert.deepEqual(events["sse-a"], []);
    });

    it("many concurrent emits, through one seed node, to many slots", async () => {
      // One seed is enough: the emitter discovers the other nodes and the slots they own.
      const seeded = new Emitter({ clusterNodes: [h.ready.redis_nodes.at(-1)], adapter });
      await connect(h, "/many", [["mn-a", 0, ["r0", "r1", "r2"]], ["mn-b", 1, []]]);
      const nsp = seeded.of("/many");
      const counts = await Promise.all([
        ...Array.from({ length: 30 }, (_, i) => nsp.emit("all", i)),
        ...Array.from({ length: 30 }, (_, i) => nsp.to(`r${i % 3}`).emit("room", i)),
      ]);
      counts.slice(0, 30).forEach((c) => assertReached(adapter, c, 2));
      counts.slice(30).forEach((c) => assertReached(adapter, c, 1));
      await seeded.close();
      const { events } = await received(h, ["mn-a", "mn-b"]);
      const args = (client, name) => events[client].filter(([ev]) => ev === name).map(([, a]) => a[0]);
      const upTo30 = Array.from({ length: 30 }, (_, i) => i);
      assert.deepEqual(args("mn-a", "all").sort((x, y) => x - y), upTo30);
      assert.deepEqual(args("mn-b", "all").sort((x, y) => x - y), upTo30);
      assert.deepEqual(args("mn-a", "room").sort((x, y) => x - y), upTo30);
      assert.deepEqual(args("mn-b", "room"), []);
      // One room's emits share a channel, hence a slot and a pipeline: they arrive in order.
      for (const r of [0, 1, 2]) {
        const inRoom = args("mn-a", "room").filter((i) => i % 3 === r);
        assert.deepEqual(inRoom, [...inRoom].sort((x, y) => x - y), `room r${r}`);
      }
    });
  });
}

describe("Sentinel", () => {
  let h;

  before(async () => {
    h = await startTopology("sentinel", "classic");
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("broadcast, then a failover in the middle of emits: each settles typed and in time, then emits arrive again", async () => {
    assert.equal(h.ready.topology, "sentinel");
    const budget = { connect_timeout: 2000, response_timeout: 2000 };
    const boundMs = 4000 + 1500; // connect_timeout + response_timeout, plus scheduling slack
    // The url gives only the master's credentials, db and TLS: its host and port are not used.
    const io = new Emitter({
      url: "redis://127.0.0.1:1/0",
      sentinel_master: h.ready.sentinel_master,
      sentinel_nodes: h.ready.sentinel_urls,
      ...budget,
    });
    await connect(h, "/fo", [["fo-a", 0, []], ["fo-b", 1, []]]);
    const nsp = io.of("/fo");
    assert.equal(await nsp.emit("before"), 2);

    // Every emit, awaited with a deadline: "ok", its error code, or "HANG".
    const outcomes = { serial: [], burst: [] };
    const settle = async (promise) => {
      let timer;
      const hang = new Promise((resolve) => (timer = setTimeout(() => resolve("HANG"), boundMs)));
      const t0 = Date.now();
      const result = await Promise.race([
        promise.then(
          () => "ok",
          (err) => err.code ?? `untyped: ${err.message}`,
        ),
        hang,
      ]);
      clearTimeout(timer);
      return [result, Date.now() - t0];
    };
    let stop = false;
    const serial = (async () => {
      for (let i = 0; !stop; i++) {
        outcomes.serial.push(await settle(nsp.emit("during-serial", i)));
        await sleep(5);
      }
    })();
    const bursts = (async () => {
      for (let b = 0; !stop; b++) {
        const batch = Array.from({ length: 10 }, (_, i) => settle(nsp.emit("during-burst", b * 10 + i)));
        outcomes.burst.push(...(await Promise.all(batch)));
        await sleep(20);
      }
    })();
    try {
      while (outcomes.serial.length < 5 || outcomes.burst.length < 20) await sleep(10);
      const killed = await h.cmd({ cmd: "kill_master", timeout_ms: 60000 });
      assert.notEqual(killed.new_master_port, killed.killed_port);
      // The sentinels name the new master and the servers listen there: emits get through again.
      const deadline = Date.now() + 30000;
      while (!(outcomes.serial.at(-1)[0] === "ok" && outcomes.burst.at(-1)[0] === "ok")) {
        assert.ok(Date.now() < deadline, JSON.stringify(outcomes));
        await sleep(50);
      }
    } finally {
      stop = true;
      await Promise.all([serial, bursts]);
    }
    for (const [kind, list] of Object.entries(outcomes)) {
      for (const [result, ms] of list) {
        assert.ok(["ok", "CONNECTION", "TIMEOUT"].includes(result), `${kind}: ${result}`);
        assert.ok(ms < boundMs, `${kind}: ${result} after ${ms} ms`);
      }
    }

    // After the failover: a broadcast reaches both servers through the new master.
    let after;
    for (let attempt = 0; attempt < 5 && after === undefined; attempt++) {
      try {
        assert.equal(await nsp.emit("after", attempt), 2);
        after = attempt;
      } catch (err) {
        if (!["CONNECTION", "TIMEOUT"].includes(err.code)) throw err; // the old connection may break only now
        await sleep(500);
      }
    }
    assert.notEqual(after, undefined);
    await io.close();

    const { events } = await received(h, ["fo-a", "fo-b"]);
    for (const client of ["fo-a", "fo-b"]) {
      const got = events[client];
      assert.deepEqual(got[0], ["before", []]);
      assert.deepEqual(got.at(-1), ["after", [after]]);
      // What went through arrived once (a retry never duplicates); serial emits in order.
      for (const name of ["during-serial", "during-burst"]) {
        const seq = got.filter(([ev]) => ev === name).map(([, a]) => a[0]);
        assert.equal(new Set(seq).size, seq.length, `${client} ${name}: ${seq}`);
        if (name === "during-serial") assert.deepEqual(seq, [...seq].sort((x, y) => x - y));
      }
    }
  });
});

describe("credentials come from the URLs and never show", () => {
  const PASSWORD = "t0p0-s3cret";
  const WRONG = "wr0ng-s3cret";
  const FAST = { connect_timeout: 1000, response_timeout: 1000 };

  for (const topology of ["cluster", "sentinel"]) {
    // Every data node requires a password. A cluster's come with its node URLs; a Sentinel
    // master's with `url` (the sentinels here take none).
    it(`on ${topology === "cluster" ? "a cluster" : "Sentinel"}; a wrong one is CONNECTION naming neither`, async (t) => {
      const h = await harnessDriver().start({
        servers: 1,
        args: ["--topology", topology, "--adapter", "sharded", "--redis-password", PASSWORD],
        ...START,
      });
      t.after(() => h.close());
      await connect(h, "/cred", [["cred-a", 0, []]]);
      const where = (password) =>
        topology === "cluster"
          ? { cluster_nodes: h.ready.redis_nodes.map((u) => u.replace(PASSWORD, password)) }
          : {
              url: h.redisUrl.replace(PASSWORD, password),
              sentinel_master: h.ready.sentinel_master,
              sentinel_nodes: h.ready.sentinel_urls,
            };
      assert.ok(JSON.stringify(where(PASSWORD)).includes(PASSWORD));
      const io = new Emitter({ ...where(PASSWORD), adapter: "sharded" });
      assert.equal(await io.of("/cred").emit("in"), 1);
      await io.close();
      const bad = new Emitter({ ...where(WRONG), adapter: "sharded", ...FAST });
      await assert.rejects(bad.of("/cred").emit("never"), (err) => {
        assert.equal(err.code, "CONNECTION", err.message);
        for (const secret of [PASSWORD, WRONG]) {
          assert.ok(!err.message.includes(secret) && !String(err.stack).includes(secret), err.message);
        }
        return true;
      });
      await bad.close();
      assert.deepEqual(await receivedNames(h, ["cred-a"]), { "cred-a": ["in"] });
    });
  }
});
