"use strict";
// The topology options without any Redis: cluster_nodes, sentinel_master and sentinel_nodes
// (and their camelCase spellings) are accepted, `url` may be left out with them, and no
// password of any URL shows in util.inspect or in an error. (Bad values: bad_input.test.js.
// Real clusters and sentinels: interop_topology.test.js.)

const test = require("node:test");
const assert = require("node:assert/strict");
const util = require("node:util");

const { Emitter } = require("..");

const SECRET = "s3cret-pw";
const MASTER_SECRET = "m4ster-pw";
/** Nothing listens on port 1, and these budgets make the failure quick. */
const FAST = { connect_timeout: 200, response_timeout: 200 };

function noSecrets(text) {
  for (const secret of [SECRET, MASTER_SECRET]) assert.ok(!String(text).includes(secret), text);
}

test("cluster_nodes, in both spellings, leave url out", () => {
  for (const options of [
    { cluster_nodes: [`redis://:${SECRET}@127.0.0.1:7000`, "redis://127.0.0.1:7001"] },
    { clusterNodes: ["rediss://127.0.0.1:7000"], adapter: "sharded", require_receivers: true },
    // The default url, written out, is the same as leaving it out.
    { url: "redis://127.0.0.1:6379", cluster_nodes: ["redis://127.0.0.1:7000"] },
  ]) {
    const io = new Emitter(options);
    noSecrets(util.inspect(io, { showHidden: true, depth: 5 }));
    noSecrets(util.inspect(io.of("/x").to("r"), { showHidden: true, depth: 5 }));
  }
  new Emitter("redis://127.0.0.1:6379", { clusterNodes: ["redis://127.0.0.1:7000"] });
});

test("sentinel_master and sentinel_nodes, with or without a url for the master's credentials", () => {
  const nodes = [`redis://:${SECRET}@127.0.0.1:26379`, "redis://127.0.0.1:26380"];
  for (const options of [
    { url: `redis://app:${MASTER_SECRET}@ignored:6379/3`, sentinel_master: "mymaster", sentinel_nodes: nodes },
    { sentinelMaster: "mymaster", sentinelNodes: nodes },
  ]) {
    noSecrets(util.inspect(new Emitter(options), { showHidden: true, depth: 5 }));
  }
  new Emitter(`rediss://:${MASTER_SECRET}@ignored:6379`, { sentinel_master: "m", sentinel_nodes: ["rediss://s:26379"] });
});

test("the node list is copied when the emitter is made", async () => {
  const nodes = ["redis://127.0.0.1:1"];
  const io = new Emitter({ cluster_nodes: nodes, ...FAST });
  nodes.push("not a url");
  await assert.rejects(io.emit("ev"), { code: "CONNECTION" });
  await io.close();
});

for (const [what, options] of [
  ["a cluster", { cluster_nodes: [`redis://u:${SECRET}@127.0.0.1:1`] }],
  ["sentinels", { sentinel_master: "m", sentinel_nodes: [`redis://u:${SECRET}@127.0.0.1:1`] }],
  [
    "sentinels, with the master's password in url",
    { url: `redis://u:${MASTER_SECRET}@127.0.0.1:1`, sentinel_master: "m", sentinel_nodes: [`redis://:${SECRET}@127.0.0.1:1`] },
  ],
]) {
  test(`${what} nobody listens on: CONNECTION naming the topology, no password`, async () => {
    await assert.rejects(Emitter.connect({ ...options, ...FAST }), (err) => {
      assert.equal(err.code, "CONNECTION");
      assert.match(err.message, /cluster|sentinel/);
      noSecrets(err.message);
      noSecrets(err.stack);
      noSecrets(util.inspect(err));
      return true;
    });
    const io = new Emitter({ ...options, ...FAST });
    await assert.rejects(io.emit("ev"), { code: "CONNECTION" });
    await io.close();
  });
}
