"use strict";
// End to end on the Redis Streams adapter: the emitter XADDs into a real Redis; two real
// Socket.IO 4.8.1 servers with @socket.io/redis-streams-adapter (0.3.1, and 0.2.3) and
// connection state recovery deliver; real socket.io clients record what arrives
// (tests/harness, `--adapter streams`). Each test in its own namespace.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, received, receivedNames } = require("./support.js");

const bytes = (hex) => ({ $bytes: hex });
const DATE = new Date(1700000000123);
const ISO = "2023-11-14T22:13:20.123Z";

/** Connects clients [name, server, rooms] in `nsp`, waits until every server reads it; their socket ids. */
async function connect(h, nsp, list) {
  const sids = [];
  for (const [name, server, rooms] of list) sids.push((await h.cmd({ cmd: "client", name, server, nsp, rooms })).sid);
  await h.cmd({ cmd: "wait_subscribed", nsp });
  return sids;
}

/** The server_event lines for `nsp`, per server, as their args. */
function serverEvents(lines, nsp) {
  const seen = lines.filter((l) => l.type === "server_event" && l.nsp === nsp);
  return [0, 1].map((server) => seen.filter((l) => l.server === server).map((l) => l.args));
}

describe("streams adapter 0.3.1 (two servers, connection state recovery on)", () => {
  let h;
  let io;

  before(async () => {
    h = await harnessDriver().start({ servers: 2, args: ["--adapter", "streams"] });
    assert.equal(h.ready.streams_version, "0.3");
    io = await Emitter.connect(h.redisUrl, { adapter: "streams", streams_version: "0.3.1" });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("a broadcast reaches every client on both servers once, and resolves to the 2 servers reading the namespace", async () => {
    await connect(h, "/bc", [["bc-a", 0, []], ["bc-b", 1, []]]);
    assert.equal(await io.of("/bc").emit("hello", "world", 42, { nested: [true, null] }), 2);
    // A namespace no server has resolves to 0: nobody reads its entries.
    assert.equal(await io.of("/nobody-here").emit("lost"), 0);
    const { events } = await received(h, ["bc-a", "bc-b"]);
    const expected = [["hello", ["world", 42, { nested: [true, null] }]]];
    assert.deepEqual(events, { "bc-a": expected, "bc-b": expected });
  });

  it("rooms deliver once and except excludes", async () => {
    await connect(h, "/room", [
      ["rm-a", 0, ["r1"]],
      ["rm-b", 1, ["r1", "r2"]],
      ["rm-c", 1, ["muted"]],
    ]);
    const nsp = io.of("/room");
    assert.equal(await nsp.to(["r1", "r2"]).emit("r1-or-r2"), 2);
    assert.equal(await nsp.except("muted").emit("not-muted"), 2);
    assert.deepEqual(await receivedNames(h, ["rm-a", "rm-b", "rm-c"]), {
      "rm-a": ["r1-or-r2", "not-muted"],
      "rm-b": ["r1-or-r2", "not-muted"],
      "rm-c": [],
    });
  });

  it("nested binary arrives as binary, and a Date as its ISO text", async () => {
    await connect(h, "/bin", [["bin-a", 1, ["r"]], ["bin-b", 0, []]]);
    const nested = { file: Buffer.from([1, 2, 3]), parts: [new Uint8Array([4]), 5], at: DATE };
    await io.of("/bin").emit("blob", Buffer.from([0xff, 0]), nested);
    await io.of("/bin").to("r").emit("date", DATE);
    const { events } = await received(h, ["bin-a", "bin-b"]);
    const want = { file: bytes("010203"), parts: [bytes("04"), 5], at: ISO };
    assert.deepEqual(events["bin-a"], [
      ["blob", [bytes("ff00"), want]],
      ["date", [ISO]],
    ]);
    assert.deepEqual(events["bin-b"], [["blob", [bytes("ff00"), want]]]);
  });

  it("serverSideEmit goes over the side channel to every server, binary as binary", async () => {
    await connect(h, "/sse", [["sse-a", 0, []]]);
    const nsp = io.of("/sse");
    assert.equal(await nsp.serverSideEmit("server_event", "payload", 7), 2);
    assert.equal(await nsp.serverSideEmit("server_event", Buffer.from([9, 8])), 2);
    const { events, lines } = await received(h, ["sse-a"]);
    const want = [["payload", 7], [bytes("0908")]];
    assert.deepEqual(serverEvents(lines, "/sse"), [want, want]);
    assert.deepEqual(events["sse-a"], [], "clients do not see server-side events");
  });

  it("socketsJoin and socketsLeave are applied in stream order, before the emits after them", async () => {
    await connect(h, "/join", [["jn-a", 0, ["old"]], ["jn-b", 1, []], ["jn-c", 1, ["old", "gone"]]]);
    const nsp = io.of("/join");
    assert.equal(await nsp.to("old").socketsJoin("new"), 2);
    assert.equal(await nsp.socketsLeave("gone"), 2);
    await nsp.to("new").emit("in-new");
    await nsp.to("gone").emit("in-gone");
    assert.deepEqual(await receivedNames(h, ["jn-a", "jn-b", "jn-c"]), {
      "jn-a": ["in-new"],
      "jn-b": [],
      "jn-c": ["in-new"],
    });
  });

  it("a dropped client gets what it missed replayed from the stream on reconnection (on the other server)", async () => {
    const { sid } = await h.cmd({ cmd: "client", name: "csr-a", server: 0, nsp: "/csr", rooms: ["r1"], recovery: true });
    await connect(h, "/csr", [["csr-b", 1, ["r2"]]]);
    const nsp = io.of("/csr");
    await nsp.emit("before");
    await h.cmd({ cmd: "flush" });
    await h.cmd({ cmd: "client_drop", name: "csr-a" });
    await nsp.emit("m1", 1);
    await nsp.to("r1").emit("m2", Buffer.from([1, 2]));
    await nsp.to("r2").emit("not-for-a");
    await nsp.to(sid).emit("m3");
    const back = await h.cmd({ cmd: "client_reconnect", name: "csr-a", server: 1 });
    assert.equal(back.recovered, true);
    assert.equal(back.sid, sid);
    const { events, lines } = await received(h, ["csr-a", "csr-b"]);
    assert.deepEqual(events["csr-a"], [
      ["before", []],
      ["m1", [1]],
      ["m2", [bytes("0102")]],
      ["m3", []],
    ]);
    assert.deepEqual(events["csr-b"].map(([ev]) => ev), ["before", "m1", "not-for-a"]);
    const offsets = lines.filter((l) => l.type === "event" && l.client === "csr-a").map((l) => l.offset);
    assert.ok(offsets.every((o) => /^\d+-\d+$/.test(o)), `every event carries its stream offset: ${offsets}`);
  });

  it("encodeEmit's args are the XADD the servers read: sent by another client, it is delivered", async () => {
    await connect(h, "/raw", [["raw-a", 0, []]]);
    const { args } = io.of("/raw").encodeEmit("raw", { ok: true });
    assert.equal(String(args[0]), "XADD");
    // Send it with a plain RESP client: the entry is what a server would write.
    await sendCommand(h.redisUrl, args);
    const { events } = await received(h, ["raw-a"]);
    assert.deepEqual(events["raw-a"], [["raw", [{ ok: true }]]]);
  });
});

describe("streams adapter 0.2.3", () => {
  let h;
  let io;

  before(async () => {
    h = await harnessDriver().start({ servers: 2, args: ["--adapter", "streams", "--streams-version", "0.2"] });
    assert.equal(h.ready.streams_version, "0.2");
    io = await Emitter.connect(h.redisUrl, { adapter: "streams", streamsVersion: "0.2" });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("a broadcast resolves to 1 (the entry stored: Redis cannot tell who reads it) and reaches both servers", async () => {
    await connect(h, "/bc", [["bc-a", 0, []], ["bc-b", 1, []]]);
    assert.equal(await io.of("/bc").emit("hello", Buffer.from([7]), DATE), 1);
    const { events } = await received(h, ["bc-a", "bc-b"]);
    const expected = [["hello", [bytes("07"), ISO]]];
    assert.deepEqual(events, { "bc-a": expected, "bc-b": expected });
  });

  it("serverSideEmit is written to the stream and reaches every server, binary as binary", async () => {
    await connect(h, "/sse", [["sse-a", 0, []]]);
    const nsp = io.of("/sse");
    assert.equal(await nsp.serverSideEmit("server_event", "payload", 7), 1);
    assert.equal(await nsp.serverSideEmit("server_event", Buffer.from([9, 8]), { nested: Buffer.alloc(0) }), 1);
    const { lines } = await received(h, ["sse-a"]);
    const want = [["payload", 7], [bytes("0908"), { nested: bytes("") }]];
    assert.deepEqual(serverEvents(lines, "/sse"), [want, want]);
  });

  it("require_receivers is refused with 0.2", () => {
    assert.throws(() => new Emitter(h.redisUrl, { adapter: "streams", streams_version: "0.2", require_receivers: true }), {
      code: "INVALID_ARGUMENT",
      message: /require_receivers cannot be used with streams_version 0\.2/,
    });
  });
});

describe("streams adapter 0.3.1 with four streams", () => {
  let h;
  let io;

  before(async () => {
    h = await harnessDriver().start({ servers: 2, args: ["--adapter", "streams", "--stream-count", "4"] });
    io = new Emitter(h.redisUrl, { adapter: "streams", stream_count: 4 });
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("a namespace whose stream index is negative is read by no server: its emit resolves to 0", async () => {
    await connect(h, "/", [["ok-a", 0, []]]);
    const reply = await h.cmd({ cmd: "wait_subscribed", nsp: "/notifications" });
    assert.equal(reply.stream, "socket.io--3");
    assert.equal(reply.stream_read, false);
    assert.equal(io.of("/notifications").encodeEmit("x").channel, "socket.io--3");
    assert.equal(await io.of("/notifications").emit("unread"), 0);
    assert.equal(await io.emit("read"), 2, '"/" is in socket.io-3, which both servers read');
    assert.deepEqual(await receivedNames(h, ["ok-a"]), { "ok-a": ["read"] });
  });
});

/** Sends one command with a minimal RESP client (Buffers as bulk strings); resolves to its reply line. */
function sendCommand(url, args) {
  const net = require("node:net");
  const { hostname, port } = new URL(url);
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from("\r\n"));
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(Buffer.concat(parts)));
    socket.once("data", (data) => {
      socket.end();
      const line = data.toString();
      if (line.startsWith("-")) reject(new Error(line));
      else resolve(line);
    });
    socket.once("error", reject);
  });
}
