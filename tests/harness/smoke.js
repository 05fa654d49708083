"use strict";
// Self-test of the interop harness, using the official @socket.io/redis-emitter 5.1.0 (and, in
// smoke-streams.js, raw XADDs for --adapter streams).
//
//   node --test tests/harness/          (runs this file through smoke.test.js)
//   node --test tests/harness/smoke.js

const assert = require("node:assert/strict");
const path = require("node:path");
const { createRequire } = require("node:module");
const { describe, it, before, after, afterEach } = require("node:test");
const { Harness } = require("./driver");

const fixturesRequire = createRequire(path.join(__dirname, "..", "fixtures", "package.json"));
const { createClient } = fixturesRequire("redis");
const { Emitter } = fixturesRequire("@socket.io/redis-emitter");

/** Events per client, e.g. {a0: [["hello", [1]]]}; fails on any line other than an event. */
function eventsByClient(lines) {
  const by = {};
  for (const l of lines) {
    assert.equal(l.type, "event", `unexpected line ${JSON.stringify(l)}`);
    (by[l.client] ||= []).push([l.event, l.args]);
  }
  return by;
}

function only(lines, type) {
  return lines.filter((l) => l.type === type);
}

describe("interop harness", () => {
  let h;
  let redis;
  let io;

  // The official emitter does not return PUBLISH's promise. A PING on the same connection is
  // answered after the PUBLISH, so once it resolves the message is in Redis and a flush covers it.
  const published = () => redis.ping();

  before(async () => {
    h = await Harness.start({ servers: 2 });
    assert.equal(h.ready.servers.length, 2);
    assert.match(h.ready.redis_url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    redis = createClient({
      url: h.redisUrl,
      socket: { reconnectStrategy: (n) => Math.min(20 + n * 10, 100) },
    });
    redis.on("error", () => {}); // expected while Redis is stopped
    await redis.connect();
    io = new Emitter(redis);

    const clients = [
      { name: "a0", server: 0, nsp: "/", rooms: ["room1", 7] },
      { name: "a1", server: 1, nsp: "/", rooms: ["room1", "7"] },
      { name: "b0", server: 0, nsp: "/", rooms: ["room2"] },
      { name: "b1", server: 1, nsp: "/", rooms: ["room1", "room2"] },
      { name: "c0", server: 0, nsp: "/admin", rooms: ["room1"] },
      { name: "c1", server: 1, nsp: "/admin", rooms: [] },
    ];
    const replies = await Promise.all(clients.map((c) => h.cmd({ cmd: "client", ...c })));
    for (const r of replies) assert.match(r.sid, /^[\w-]{20}$/);
    const sub = await h.cmd({ cmd: "wait_subscribed", nsp: "/admin" });
    assert.deepEqual(sub.servers, [0, 1]);
    assert.deepEqual(h.take(), []);
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (redis) await redis.disconnect().catch(() => {});
    if (h) assert.equal(await h.close(), 0);
  });

  it("broadcasts to every client of the namespace, binary as $bytes", async () => {
    io.emit("hello", 1, "two", { three: [3] }, Buffer.from([1, 2, 255]));
    await published();
    const args = [1, "two", { three: [3] }, { $bytes: "0102ff" }];
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["hello", args]],
      a1: [["hello", args]],
      b0: [["hello", args]],
      b1: [["hello", args]],
    });
  });

  it("targets one room, on both servers", async () => {
    io.to("room1").emit("r1", "x");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["r1", ["x"]]],
      a1: [["r1", ["x"]]],
      b1: [["r1", ["x"]]],
    });
  });

  it("keeps numeric and string rooms apart", async () => {
    io.to(7).emit("num");
    io.to("7").emit("str");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["num", []]],
      a1: [["str", []]],
    });
  });

  it("honours except", async () => {
    io.to("room1").except("room2").emit("ex1");
    io.except("room1").emit("ex2");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["ex1", []]],
      a1: [["ex1", []]],
      b0: [["ex2", []]],
    });
  });

  it("targets a namespace", async () => {
    io.of("/admin").emit("adm", { ok: true });
    io.of("/admin").to("room1").emit("adm-r1");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      c0: [
        ["adm", [{ ok: true }]],
        ["adm-r1", []],
      ],
      c1: [["adm", [{ ok: true }]]],
    });
  });

  it("socketsJoin, then emits to the new room", async () => {
    io.in("room2").socketsJoin("joined");
    io.to("joined").emit("in-joined");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      b0: [["in-joined", []]],
      b1: [["in-joined", []]],
    });
  });

  it("reports serverSideEmit as server_event from every server", async () => {
    io.serverSideEmit("server_event", "x", { y: 1 }, Buffer.from("hi"));
    io.serverSideEmit("not_recorded", 1);
    await published();
    const lines = await h.flushAndTake();
    const seen = only(lines, "server_event").sort((a, b) => a.server - b.server);
    assert.equal(lines.length, seen.length);
    assert.deepEqual(
      seen,
      [0, 1].map((server) => ({
        type: "server_event",
        server,
        nsp: "/",
        event: "server_event",
        // serverSideEmit requests are JSON, so a Buffer reaches the servers as its toJSON() form.
        args: ["x", { y: 1 }, { type: "Buffer", data: [104, 105] }],
      })),
    );
  });

  it("publishes through the official emitter on request", async () => {
    const reply = await h.cmd({
      cmd: "official",
      nsp: "/admin",
      to: ["room1"],
      event: "via-harness",
      args: [{ $bytes: "00" }, { n: 1.5 }],
    });
    assert.deepEqual(
      reply.published.map((p) => [p.channel, p.receivers]),
      [["socket.io#/admin#room1#", 2]],
    );
    assert.match(reply.published[0].payload.$bytes, /^93a7656d6974746572/);
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      c0: [["via-harness", [{ $bytes: "00" }, { n: 1.5 }]]],
    });
  });

  it("disconnectSockets(false) and (true), no reconnection", async () => {
    // d0 and e1 each carry a second socket ("/admin") over the same connection.
    await h.cmd({ cmd: "client", name: "d0", server: 0, rooms: ["soft"] });
    await h.cmd({ cmd: "client", name: "d0a", share: "d0", nsp: "/admin" });
    await h.cmd({ cmd: "client", name: "e1", server: 1, rooms: ["hard"] });
    await h.cmd({ cmd: "client", name: "e1a", share: "e1", nsp: "/admin" });
    io.in("soft").disconnectSockets(false); // only the "/" socket of d0
    io.in("hard").disconnectSockets(true); // the whole connection of e1: e1 and e1a
    await published();
    let lines = await h.flushAndTake();
    // socket.io 4.8.1 sends a DISCONNECT packet to every socket before it closes the
    // connection, so close=true also reads "io server disconnect" at the client.
    assert.deepEqual(
      lines.map((l) => [l.type, l.client, l.reason]).sort(),
      [
        ["disconnect", "d0", "io server disconnect"],
        ["disconnect", "e1", "io server disconnect"],
        ["disconnect", "e1a", "io server disconnect"],
      ],
    );
    io.of("/admin").emit("still-here");
    await published();
    assert.deepEqual(Object.keys(eventsByClient(await h.flushAndTake())).sort(), ["c0", "c1", "d0a"]);

    // Keep only a0 and a1 for the next tests.
    io.in("room2").disconnectSockets(false);
    io.of("/admin").disconnectSockets(true);
    io.emit("after-disconnect");
    await published();
    lines = await h.flushAndTake();
    assert.deepEqual(
      only(lines, "disconnect").map((l) => l.client).sort(),
      ["b0", "b1", "c0", "c1", "d0a"],
    );
    assert.deepEqual(Object.keys(eventsByClient(only(lines, "event"))).sort(), ["a0", "a1"]);
    assert.equal(lines.length, 7);
  });

  it("delivers again after redis_stop / redis_start", async () => {
    await h.cmd({ cmd: "redis_stop" });
    const stopped = await h.send({ cmd: "flush" });
    assert.equal(stopped.ok, false);
    const started = await h.cmd({ cmd: "redis_start" });
    assert.equal(typeof started.resubscribed_ms, "number");
    io.emit("after-restart", 42);
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["after-restart", [42]]],
      a1: [["after-restart", [42]]],
    });
    const reply = await h.cmd({ cmd: "official", event: "count" });
    assert.equal(reply.published[0].receivers, 2);
    await h.flushAndTake();
  });

  it("server_emit makes a server broadcast through Redis", async () => {
    await h.cmd({ cmd: "server_emit", server: 1, to: ["room1"], except: [7], event: "from-1", args: [1] });
    assert.deepEqual(eventsByClient(await h.flushAndTake()), { a1: [["from-1", [1]]] });
    await h.cmd({ cmd: "server_emit", server: 0, event: "from-0", args: [{ $bytes: "ff" }] });
    assert.deepEqual(eventsByClient(await h.flushAndTake()), {
      a0: [["from-0", [{ $bytes: "ff" }]]],
      a1: [["from-0", [{ $bytes: "ff" }]]],
    });
  });

  it("reports a server killed by a malformed payload, and restarts it", async () => {
    await redis.publish("socket.io#/#", '{"not":"msgpack"}');
    const exit0 = await h.waitFor((l) => l.type === "server_exit" && l.server === 0);
    await h.waitFor((l) => l.type === "server_exit" && l.server === 1);
    // The clients' disconnect lines and server_exit are not ordered with each other.
    await h.waitFor((l) => l.type === "disconnect" && l.client === "a0");
    await h.waitFor((l) => l.type === "disconnect" && l.client === "a1");
    assert.equal(exit0.code, 1);
    assert.match(exit0.stderr_tail, /trailing bytes/);
    // The crash stack is kept for `logs`, not written to the harness's stderr.
    assert.match(await h.logs(), /\[server 1\] Error: \d+ trailing bytes/);
    const lines = h.take();
    assert.deepEqual(
      only(lines, "disconnect").map((l) => [l.client, l.reason]).sort(),
      [
        ["a0", "transport close"],
        ["a1", "transport close"],
      ],
    );
    const before0 = h.ready.servers[0].port;
    const restarted = await h.cmd({ cmd: "server_restart", server: 0 });
    assert.equal(restarted.port, before0);
    await h.cmd({ cmd: "server_restart", server: 1 });
    await h.cmd({ cmd: "client", name: "a0", server: 0, rooms: ["room1"] });
    io.to("room1").emit("back");
    await published();
    assert.deepEqual(eventsByClient(await h.flushAndTake()), { a0: [["back", []]] });
  });

  it("answers bad commands with ok:false", async () => {
    assert.equal((await h.send({ cmd: "nope" })).ok, false);
    assert.match((await h.send({ cmd: "kill_master" })).error, /--topology cluster or sentinel/);
    assert.equal((await h.send({ cmd: "client", name: "a0", server: 0 })).ok, false); // in use
    assert.equal((await h.send({ cmd: "client", name: "z", server: 9 })).ok, false);
    assert.equal((await h.send({ cmd: "close_client", name: "missing" })).ok, false);
    await h.cmd({ cmd: "close_client", name: "a0" });
    assert.deepEqual(h.take(), [{ type: "disconnect", client: "a0", reason: "io client disconnect" }]);
  });
});

describe("interop harness output", () => {
  let h;
  afterEach((t) => h && h.printLogsIfFailed(t));
  after(async () => {
    if (h) await h.close();
  });

  it("keeps server output to itself until asked, and many namespaces raise no warning", async () => {
    h = await Harness.start({ servers: 1, captureStderr: true });
    // Each namespace has its own adapter on the server's shared Redis clients; 12 of them once
    // made Node print MaxListenersExceededWarning (see server.js, detachFriendlyErrorHandler).
    for (let i = 0; i < 12; i++) await h.cmd({ cmd: "wait_subscribed", nsp: `/many-${i}` });
    await h.cmd({ cmd: "client", name: "q", server: 0, nsp: "/many-11" });
    const redis = createClient({ url: h.redisUrl });
    await redis.connect();
    await redis.publish("socket.io#/many-11#", "not msgpack");
    await redis.disconnect();
    const exit = await h.waitFor((l) => l.type === "server_exit");
    assert.equal(exit.code, 1);

    const logs = await h.logs({ clear: true });
    assert.match(logs, /\[redis\] .*Ready to accept connections/);
    assert.match(logs, /\[server 0\] .*Error: /, "the crash stack is in the logs");
    assert.match(logs, /\[harness\] server 0 exited unasked \(code 1/);
    assert.doesNotMatch(logs, /MaxListenersExceededWarning/);
    assert.doesNotMatch(await h.logs(), /Error: /, "clear: true emptied the buffer");

    assert.equal(await h.close(), 0);
    if (process.env.HARNESS_VERBOSE !== "1" && process.env.SIO_HARNESS_VERBOSE !== "1") {
      assert.equal(h.stderrText, "", "a green run writes nothing to stderr");
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Redis Cluster and Sentinel (--topology). Each suite starts one harness: server 1 broadcasts
// (to everyone, and to a room) and the clients of server 0 must receive it through Redis; then
// `kill_master` fails over the master of the sharded main channel, and the same must work again.

/** Runs one command on one Redis node (the URL carries credentials and scheme). */
async function onNode(url, caFile, args) {
  const fs = require("node:fs");
  const client = createClient({
    url,
    socket: { reconnectStrategy: false, ...(caFile ? { tls: true, ca: fs.readFileSync(caFile) } : {}) },
  });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    await client.disconnect().catch(() => {});
  }
}

function topologySuite(title, args, { sharded, cluster, extraChecks = async () => {} }) {
  describe(title, () => {
    let h;
    before(async () => {
      h = await Harness.start({ servers: 2, args, timeoutMs: 120000 });
      await Promise.all([
        h.cmd({ cmd: "client", name: "a0", server: 0, rooms: ["room1"] }),
        h.cmd({ cmd: "client", name: "b0", server: 0, rooms: ["room2"] }),
        h.cmd({ cmd: "client", name: "a1", server: 1, rooms: ["room1"] }),
      ]);
      await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
    });
    afterEach((t) => h && h.printLogsIfFailed(t));
    after(async () => {
      if (h) assert.equal(await h.close(), 0);
    });

    /** server 1 broadcasts to everyone and to room1; server 0's clients get it via Redis. */
    async function deliveryRound(tag) {
      await h.cmd({ cmd: "server_emit", server: 1, event: `all-${tag}`, args: [tag, { $bytes: "01ff" }] });
      await h.cmd({ cmd: "server_emit", server: 1, to: ["room1"], event: `room1-${tag}` });
      const all = [`all-${tag}`, [tag, { $bytes: "01ff" }]];
      assert.deepEqual(eventsByClient(await h.flushAndTake()), {
        a0: [all, [`room1-${tag}`, []]],
        b0: [all],
        a1: [all, [`room1-${tag}`, []]],
      });
    }

    it("reports the topology in the ready line", async () => {
      const r = h.ready;
      assert.equal(r.topology, cluster ? "cluster" : "sentinel");
      assert.equal(r.adapter, sharded ? "sharded" : "classic");
      const scheme = args.includes("--redis-tls") ? "rediss" : "redis";
      assert.match(r.redis_url, new RegExp(`^${scheme}://.*127\\.0\\.0\\.1:${r.redis_port}$`));
      for (const url of [...(r.redis_nodes || []), ...(r.sentinel_urls || [])]) {
        assert.ok(url.startsWith(`${scheme}://`), url);
      }
      if (cluster) {
        assert.equal(r.redis_nodes.length, 6);
        assert.equal(r.redis_nodes[0], r.redis_url);
        const info = String(await onNode(r.redis_url, r.redis_ca_file, ["CLUSTER", "INFO"]));
        assert.match(info, /cluster_state:ok/);
        assert.match(info, /cluster_size:3/);
      } else {
        assert.equal(r.sentinel_master, "mymaster");
        assert.equal(r.sentinel_urls.length, 3);
        const ask = ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"];
        const addr = await onNode(r.sentinel_urls[0], r.redis_ca_file, ask);
        assert.equal(Number(addr[1]), r.redis_port);
      }
      assert.equal((await h.send({ cmd: "redis_stop" })).ok, false, "redis_stop is for standalone");
      await extraChecks(h);
    });

    it("a client on server 0 receives server 1's broadcasts, room ones too", async () => {
      await deliveryRound("before");
    });

    it("kill_master fails over, the servers follow, and delivery works again", async () => {
      const channel = `socket.io#/#`; // the sharded adapter's main channel (channelPrefix socket.io)
      const killed = await h.cmd({ cmd: "kill_master", channel });
      assert.equal(typeof killed.killed_port, "number");
      assert.equal(typeof killed.new_master_port, "number");
      assert.notEqual(killed.killed_port, killed.new_master_port);
      if (cluster) {
        assert.equal(killed.slot, 13868); // CLUSTER KEYSLOT socket.io#/#
        assert.ok(h.ready.redis_nodes.some((u) => u.endsWith(`:${killed.killed_port}`)));
      } else {
        assert.equal(killed.killed_port, h.ready.redis_port);
      }
      await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
      const role = await onNode(killed.redis_url, h.ready.redis_ca_file, ["ROLE"]);
      assert.equal(String(role[0]), "master");
      if (sharded) {
        // The main channel's subscriptions moved to the new master.
        const n = await onNode(killed.redis_url, h.ready.redis_ca_file, ["PUBSUB", "SHARDNUMSUB", channel]);
        assert.equal(Number(n[1]), 2);
      }
      await deliveryRound("after");
      if (!sharded) {
        // The official (classic) emitter through the harness reaches the servers too.
        await h.cmd({ cmd: "official", to: ["room1"], event: "official-after" });
        assert.deepEqual(eventsByClient(await h.flushAndTake()), {
          a0: [["official-after", []]],
          a1: [["official-after", []]],
        });
      }
    });

    it("kill_master refuses a master without a replica left", async () => {
      const again = await h.send({ cmd: "kill_master", channel: "socket.io#/#" });
      assert.equal(again.ok, false);
      assert.match(again.error, /no live replica left to promote/);
      await deliveryRound("refused");
    });
  });
}

// One after the other: running two at a time was not faster on a 2-core machine.
describe("--topology", () => {
  topologySuite(
    "cluster, sharded adapter, static mode",
    ["--topology", "cluster", "--adapter", "sharded", "--subscription-mode", "static"],
    { sharded: true, cluster: true },
  );
  topologySuite(
    "cluster, sharded adapter, dynamic mode, ACL user",
    [
      "--topology", "cluster", "--adapter", "sharded", "--subscription-mode", "dynamic",
      "--redis-user", "harness", "--redis-password", "p@ss w:rd",
    ],
    {
      sharded: true,
      cluster: true,
      extraChecks: async (h) => {
        assert.match(h.ready.redis_url, /^redis:\/\/harness:p%40ss%20w%3Ard@127\.0\.0\.1:\d+$/);
        // Without credentials every node refuses (the default user is off).
        for (const url of h.ready.redis_nodes) {
          const bare = url.replace(/\/\/[^@]*@/, "//");
          await assert.rejects(onNode(bare, null, ["PING"]), /NOAUTH|WRONGPASS|Authentication/);
        }
      },
    },
  );
  topologySuite(
    "cluster, classic adapter, TLS and a password",
    ["--topology", "cluster", "--adapter", "classic", "--redis-tls", "--redis-password", "s3cret"],
    { sharded: false, cluster: true },
  );
  topologySuite("sentinel, classic adapter", ["--topology", "sentinel", "--adapter", "classic"], {
    sharded: false,
    cluster: false,
  });
  topologySuite(
    "sentinel, sharded adapter, TLS",
    ["--topology", "sentinel", "--adapter", "sharded", "--redis-tls"],
    { sharded: true, cluster: false },
  );
});

// `--adapter streams` (Redis Streams adapter 0.3.1 / 0.2.3, connection state recovery).
require("./smoke-streams.js");

// ------------------------------------------------------------------------------------------------
// Server stacks (--stack). One harness per stack, two servers, one combined test each: what the
// servers subscribe to, a raw classic broadcast (docs/protocol.md §2.3) reaching a client on each server,
// what each stack makes of binary and Date arguments, flush, server_emit, close_client, a shared
// connection, and redis_stop / redis_start.

const notepack = fixturesRequire("notepack.io"); // 3.0.1, as @socket.io/redis-emitter 5.x

/** PUBLISH of `[uid, packet, opts]` (msgpack) to `channel`, as an emitter would. */
function rawBroadcast(redis, nsp, data, { channel = `socket.io#${nsp}#`, rooms = [], except = [] } = {}) {
  const payload = notepack.encode(["emitter", { type: 2, data, nsp }, { rooms, flags: {}, except }]);
  return redis.publish(channel, payload);
}

const STACK_EXPECTATIONS = {
  // bytes: how a Buffer sent as a plain (type 2) broadcast reaches the client; date: how a
  // notepack-3 Date (msgpack timestamp, d7 ff …) does; channels: SUBSCRIBEs per server and
  // namespace; sameNumericRoom: 7 and "7" are one room.
  "redis-adapter-8": { versions: ["4.8.1", "8.3.0", "4.8.1"], channels: 3, date: "2023-11-14T22:13:20.123Z" },
  "redis-adapter-7": { versions: ["4.8.1", "7.2.0", "4.8.1"], channels: 3 },
  "socket.io-redis-6.1": { versions: ["4.8.1", "6.1.1", "4.8.1"], channels: 2 },
  // exceptSidsOnly: opts.except is matched against socket ids only (rooms are ignored).
  "socket.io-redis-6.0": { versions: ["3.1.2", "6.0.1", "3.1.3"], channels: 2, exceptSidsOnly: true },
  "socket.io-redis-5": {
    versions: ["2.5.1", "5.4.0", "2.5.0"],
    channels: 2,
    // socket.io 2.1+ only frames binary for type 5 packets: a type-2 Buffer is JSON-encoded.
    bytes: { type: "Buffer", data: [1, 2, 255] },
    sameNumericRoom: true,
    exceptSidsOnly: true,
  },
};

describe("--stack", () => {
  for (const [stack, want] of Object.entries(STACK_EXPECTATIONS)) {
    describe(stack, () => {
      let h;
      let redis;
      afterEach((t) => h && h.printLogsIfFailed(t));
      after(async () => {
        if (redis) await redis.disconnect().catch(() => {});
        if (h) assert.equal(await h.close(), 0);
      });

      it("subscribes, delivers raw broadcasts, flushes, server_emit, survives a Redis restart", async () => {
        h = await Harness.start({ servers: 2, args: ["--stack", stack] });
        assert.equal(h.ready.stack, stack);
        const v = h.ready.versions;
        assert.deepEqual([v["socket.io"], v.adapter, v["socket.io-client"]], want.versions);
        redis = createClient({
          url: h.redisUrl,
          socket: { reconnectStrategy: (n) => Math.min(20 + n * 10, 100) },
        });
        redis.on("error", () => {}); // expected while Redis is stopped
        await redis.connect();

        const { sid: sid0 } = await h.cmd({ cmd: "client", name: "s0", server: 0, rooms: ["room1", 7] });
        await h.cmd({ cmd: "client", name: "s1", server: 1, rooms: ["room1", "7"] });
        await h.cmd({ cmd: "wait_subscribed", nsp: "/" });

        // What the servers really subscribe to: one pattern and `channels` channels each.
        const list = parseClientListForTest(await redis.sendCommand(["CLIENT", "LIST"]));
        for (const i of [0, 1]) {
          const sub = list.find((e) => e.name === `sio-harness-sub-${i}`);
          assert.deepEqual([sub.psub, sub.sub], ["1", String(want.channels)], `server ${i}`);
        }
        const channels = (await redis.sendCommand(["PUBSUB", "CHANNELS"])).map(String).sort();
        const generic = ["socket.io-request#/#", "socket.io-response#/#"];
        if (want.channels === 3) {
          assert.deepEqual(channels.filter((c) => !generic.includes(c)).length, 2);
          // The adapter's uid (uid2) is base64url: "-" and "_" too.
          for (const c of channels) assert.match(c, /^socket\.io-(request#\/#|response#\/#([\w-]{6}#)?)$/);
        } else {
          assert.deepEqual(channels, generic);
        }
        const numsub = await redis.sendCommand(["PUBSUB", "NUMSUB", ...generic]);
        assert.deepEqual(numsub.map(String), [generic[0], "2", generic[1], "2"]);
        assert.deepEqual(String(await redis.sendCommand(["PUBSUB", "NUMPAT"])), "1"); // one unique pattern

        // A raw classic broadcast reaches a client on each server; binary and Date as the stack
        // makes them.
        assert.equal(await rawBroadcast(redis, "/", ["raw", 1, "two", Buffer.from([1, 2, 255])]), 2);
        assert.equal(await rawBroadcast(redis, "/", ["date", new Date(1700000000123)]), 2);
        await rawBroadcast(redis, "/", ["nobody"], { rooms: ["no-such-room"] });
        const bytes = want.bytes ?? { $bytes: "0102ff" };
        // notepack 2 (every stack but 8.x) cannot read a msgpack timestamp: [-1, <its 8 bytes>].
        const ts = "1d5353006553f100";
        const date =
          want.date ??
          (want.bytes ? [-1, { type: "Buffer", data: [...Buffer.from(ts, "hex")] }] : [-1, { $bytes: ts }]);
        const both = [
          ["raw", [1, "two", bytes]],
          ["date", [date]],
        ];
        assert.deepEqual(eventsByClient(await h.flushAndTake()), { s0: both, s1: both });

        // Numeric rooms through their own channel (socket.io#/#7#).
        await rawBroadcast(redis, "/", ["num"], { channel: "socket.io#/#7#", rooms: [7] });
        await rawBroadcast(redis, "/", ["str"], { channel: "socket.io#/#7#", rooms: ["7"] });
        const numeric = eventsByClient(await h.flushAndTake());
        if (want.sameNumericRoom) {
          assert.deepEqual(numeric, { s0: [["num", []], ["str", []]], s1: [["num", []], ["str", []]] });
        } else if (stack.startsWith("socket.io-redis-6")) {
          // 6.x drops a room channel unless the room exists as that string (docs/protocol.md §5.2).
          assert.deepEqual(numeric, { s1: [["str", []]] });
        } else {
          assert.deepEqual(numeric, { s0: [["num", []]], s1: [["str", []]] });
        }

        // except: rooms from socket.io 4 (socket.io-adapter 2.2) on; socket ids only before.
        await rawBroadcast(redis, "/", ["ex-room"], { except: ["room1"] });
        await rawBroadcast(redis, "/", ["ex-sid"], { except: [sid0] });
        const exRoom = want.exceptSidsOnly ? [["ex-room", []]] : [];
        assert.deepEqual(eventsByClient(await h.flushAndTake()), {
          ...(exRoom.length ? { s0: exRoom } : {}),
          s1: [...exRoom, ["ex-sid", []]],
        });

        // server_emit: server 1 broadcasts, server 0's client hears it through Redis.
        await h.cmd({ cmd: "server_emit", server: 1, event: "from-1", args: [{ $bytes: "ff" }] });
        await h.cmd({ cmd: "server_emit", server: 0, to: ["room1"], event: "from-0" });
        assert.deepEqual(eventsByClient(await h.flushAndTake()), {
          s0: [["from-1", [{ $bytes: "ff" }]], ["from-0", []]],
          s1: [["from-1", [{ $bytes: "ff" }]], ["from-0", []]],
        });

        // A second namespace on a shared connection.
        await h.cmd({ cmd: "client", name: "x1", share: "s1", nsp: "/x", rooms: ["rx"] });
        await h.cmd({ cmd: "wait_subscribed", nsp: "/x" });
        const inX = { channel: "socket.io#/x#rx#", rooms: ["rx"] };
        assert.equal(await rawBroadcast(redis, "/x", ["in-x"], inX), 2);
        assert.deepEqual(eventsByClient(await h.flushAndTake()), { x1: [["in-x", []]] });

        // Redis restart: node-redis (4 or 3) re-subscribes, delivery works again.
        await h.cmd({ cmd: "redis_stop" });
        await h.cmd({ cmd: "redis_start" });
        await redis.ping();
        await h.cmd({ cmd: "close_client", name: "s0" });
        assert.deepEqual(h.take(), [{ type: "disconnect", client: "s0", reason: "io client disconnect" }]);
        assert.equal(await rawBroadcast(redis, "/", ["after-restart"]), 2);
        assert.deepEqual(eventsByClient(await h.flushAndTake()), { s1: [["after-restart", []]] });
      });
    });
  }
});

function parseClientListForTest(text) {
  return String(text)
    .split("\n")
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(" ").map((p) => p.split("=", 2))));
}
