"use strict";
// End to end on the classic adapter's oldest stack: socket.io 2.5 servers with socket.io-redis
// 5.4 and socket.io-client 2.5 clients (tests/harness, `--stack socket.io-redis-5`), written
// to with `compat: "socket.io-redis-5"`. What the stack can do is delivered at the clients;
// what it cannot is UNSUPPORTED, thrown before anything is published. Each test in its own
// namespace.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, received, receivedNames } = require("./support.js");

const bytes = (hex) => ({ $bytes: hex });

async function connect(h, nsp, list) {
  const sids = [];
  for (const [name, server, rooms] of list) sids.push((await h.cmd({ cmd: "client", name, server, nsp, rooms })).sid);
  await h.cmd({ cmd: "wait_subscribed", nsp });
  return sids;
}

function unsupported(fn, part) {
  assert.throws(fn, (err) => {
    assert.equal(err.code, "UNSUPPORTED");
    assert.match(err.message, /^unsupported: .* is not possible with socket\.io-redis 5\.x \(socket\.io 2\.x\) \(compat "socket\.io-redis-5"\): /);
    assert.ok(err.message.includes(part), err.message);
    return true;
  });
}

describe("socket.io 2.5 + socket.io-redis 5.4 (compat socket.io-redis-5)", () => {
  let h;
  let io;

  before(async () => {
    h = await harnessDriver().start({ servers: 2, args: ["--stack", "socket.io-redis-5"] });
    assert.equal(h.ready.versions["socket.io"].split(".")[0], "2");
    io = await Emitter.connect(h.redisUrl, { compat: "socket.io-redis-5" });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("broadcasts to the namespace and to rooms reach each client once", async () => {
    await connect(h, "/bc", [["bc-a", 0, ["r1"]], ["bc-b", 1, ["r1", "r2"]], ["bc-c", 1, []]]);
    const nsp = io.of("/bc");
    assert.equal(await nsp.emit("all", "x", 1, { deep: [null, true] }), 2);
    assert.equal(await nsp.to("r1").emit("r1"), 2);
    assert.equal(await nsp.to(["r1", "r2"]).emit("r1-or-r2"), 2);
    const { events } = await received(h, ["bc-a", "bc-b", "bc-c"]);
    const all = ["all", ["x", 1, { deep: [null, true] }]];
    assert.deepEqual(events, {
      "bc-a": [all, ["r1", []], ["r1-or-r2", []]],
      "bc-b": [all, ["r1", []], ["r1-or-r2", []]],
      "bc-c": [all],
    });
  });

  it("nested binary arrives as binary (packet type 5), and Dates as their ISO text", async () => {
    await connect(h, "/bin", [["bin-a", 1, ["r"]], ["bin-b", 0, []]]);
    const nsp = io.of("/bin");
    await nsp.emit("blob", Buffer.from([0xff, 0]), { file: Buffer.from([1, 2, 3]), parts: [new Uint8Array([4]), 5] });
    await nsp.to("r").emit("date", new Date(1700000000123), new Date(0));
    const { events } = await received(h, ["bin-a", "bin-b"]);
    const blob = ["blob", [bytes("ff00"), { file: bytes("010203"), parts: [bytes("04"), 5] }]];
    assert.deepEqual(events["bin-a"], [blob, ["date", ["2023-11-14T22:13:20.123Z", "1970-01-01T00:00:00.000Z"]]]);
    assert.deepEqual(events["bin-b"], [blob]);
  });

  it("except is UNSUPPORTED (these servers read it as socket ids), and nothing is published", async () => {
    await connect(h, "/exc", [["ex-a", 0, ["muted"]], ["ex-b", 1, []]]);
    const nsp = io.of("/exc");
    unsupported(() => nsp.except("muted").emit("ev"), "except");
    unsupported(() => nsp.to("r").except("muted").emit("ev"), "except");
    assert.equal(await nsp.emit("after"), 2);
    assert.deepEqual(await receivedNames(h, ["ex-a", "ex-b"]), { "ex-a": ["after"], "ex-b": ["after"] });
  });

  it("socketsJoin/socketsLeave/disconnectSockets work for one socket id, and are UNSUPPORTED otherwise", async () => {
    const [a, , c] = await connect(h, "/join", [["jn-a", 0, ["old"]], ["jn-b", 1, []], ["jn-c", 1, ["old", "gone"]]]);
    assert.match(a, /^\/join#/, "socket.io 2 ids outside / are <nsp>#<id>");
    const nsp = io.of("/join");
    unsupported(() => nsp.to("old").socketsJoin("new"), "socketsJoin");
    unsupported(() => nsp.socketsLeave("gone"), "socketsLeave");
    unsupported(() => nsp.to(a).socketsJoin(["new", "x"]), "socketsJoin");
    unsupported(() => nsp.disconnectSockets(), "disconnectSockets");
    assert.equal(await nsp.to(a).socketsJoin("new"), 2);
    assert.equal(await nsp.to(c).socketsJoin("new"), 2);
    assert.equal(await nsp.to(c).socketsLeave("gone"), 2);
    await nsp.to("new").emit("in-new");
    await nsp.to("gone").emit("in-gone");
    assert.deepEqual(await receivedNames(h, ["jn-a", "jn-b", "jn-c"]), {
      "jn-a": ["in-new"],
      "jn-b": [],
      "jn-c": ["in-new"],
    });
    assert.equal(await nsp.to(a).disconnectSockets(), 2);
    await h.waitFor((l) => l.type === "disconnect" && l.client === "jn-a", 10000);
  });

  it("serverSideEmit is UNSUPPORTED (it arrived with @socket.io/redis-adapter 7.0)", async () => {
    unsupported(() => io.serverSideEmit("server_event", 1), "redis-adapter 7.0");
    unsupported(() => io.encodeServerSideEmit("server_event", 1), "redis-adapter 7.0");
    // An UNSUPPORTED operation is never counted: flush has nothing to report.
    assert.deepEqual(await io.flush(), { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
  });
});
