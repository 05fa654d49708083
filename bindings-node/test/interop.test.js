"use strict";
// End to end: our emitter publishes into a real Redis; two real Socket.IO 4.8 servers with
// @socket.io/redis-adapter 8.3.0 deliver; real socket.io clients record what arrives
// (tests/harness). One harness for this file; each test works in its own namespace.

const { describe, it, before, after, afterEach } = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { harnessDriver, clients, received, receivedNames, arrivedAsSent } = require("./support.js");

const bytes = (hex) => ({ $bytes: hex });

describe("interop with Socket.IO 4.8 servers and clients", () => {
  let h;
  let io;

  before(async () => {
    h = await harnessDriver().start({ servers: 2 });
    io = await Emitter.connect(h.redisUrl);
  });

  afterEach((t) => h && h.printLogsIfFailed(t));

  after(async () => {
    if (io) await io.close();
    if (h) assert.equal(await h.close(), 0, "the harness exits cleanly");
  });

  it("broadcast reaches every client on both servers once, and reports two servers", async () => {
    await clients(h, "/bc", [["bc-a", 0, []], ["bc-b", 1, []]]);
    const servers = await io.of("/bc").emit("hello", "world", 42, { nested: [true, null] });
    assert.equal(servers, 2);
    const { events } = await received(h, ["bc-a", "bc-b"]);
    const expected = [["hello", ["world", 42, { nested: [true, null] }]]];
    assert.deepEqual(events, { "bc-a": expected, "bc-b": expected });
  });

  it("one room reaches only its members", async () => {
    await clients(h, "/room", [["rm-in0", 0, ["room1"]], ["rm-in1", 1, ["room1"]], ["rm-out", 0, ["room2"]]]);
    await io.of("/room").to("room1").emit("only-room1");
    assert.deepEqual(await receivedNames(h, ["rm-in0", "rm-in1", "rm-out"]), {
      "rm-in0": ["only-room1"],
      "rm-in1": ["only-room1"],
      "rm-out": [],
    });
  });

  it("two rooms deliver once to a socket in both", async () => {
    await clients(h, "/two", [["tw-both", 0, ["a", "b"]], ["tw-a", 1, ["a"]], ["tw-none", 1, ["c"]]]);
    await io.of("/two").to(["a", "b"]).emit("ab");
    await io.of("/two").to("a").in("b").emit("ab2");
    assert.deepEqual(await receivedNames(h, ["tw-both", "tw-a", "tw-none"]), {
      "tw-both": ["ab", "ab2"],
      "tw-a": ["ab", "ab2"],
      "tw-none": [],
    });
  });

  it("except excludes rooms, alone or with a room", async () => {
    await clients(h, "/exc", [["ex-keep", 0, ["r"]], ["ex-skip", 1, ["r", "muted"]], ["ex-all", 1, []]]);
    const nsp = io.of("/exc");
    await nsp.except("muted").emit("not-muted");
    await nsp.to("r").except(["muted", "other"]).emit("r-not-muted");
    assert.deepEqual(await receivedNames(h, ["ex-keep", "ex-skip", "ex-all"]), {
      "ex-keep": ["not-muted", "r-not-muted"],
      "ex-skip": [],
      "ex-all": ["not-muted"],
    });
  });

  it("namespaces are separate, and of() adds the leading slash", async () => {
    await clients(h, "/ns-a", [["ns-a", 0, []]]);
    await clients(h, "/ns-b", [["ns-b", 1, []]]);
    await io.of("ns-a").emit("for-a");
    assert.deepEqual(await receivedNames(h, ["ns-a", "ns-b"]), { "ns-a": ["for-a"], "ns-b": [] });
  });

  it("numeric and string rooms are different rooms", async () => {
    await clients(h, "/num", [["num-7", 0, [7]], ["num-s7", 1, ["7"]]]);
    await io.of("/num").to(7).emit("number");
    await io.of("/num").to("7").emit("string");
    assert.deepEqual(await receivedNames(h, ["num-7", "num-s7"]), { "num-7": ["number"], "num-s7": ["string"] });
  });

  it("volatile is accepted by both servers, compress(false) is delivered", async () => {
    await clients(h, "/flags", [["fl-a", 0, []], ["fl-b", 1, []]]);
    const nsp = io.of("/flags");
    // A server drops a volatile packet whenever the client's transport is still writing, by
    // design: a volatile emit is only asserted to be encoded as such and accepted by both
    // servers, never to arrive. compress(false) is not volatile: it must arrive.
    assert.ok(nsp.volatile.encodeEmit("v").payload.includes(Buffer.from("a8766f6c6174696c65c3", "hex")));
    assert.equal(await nsp.volatile.emit("v"), 2);
    assert.equal(await nsp.compress(false).emit("c", "x".repeat(2048)), 2);
    assert.equal(await nsp.volatile.compress(true).emit("vc"), 2);
    const got = await receivedNames(h, ["fl-a", "fl-b"]);
    for (const [client, events] of Object.entries(got)) {
      assert.ok(arrivedAsSent(events, ["v", "c", "vc"], ["v", "vc"]), `${client}: ${JSON.stringify(events)}`);
    }
  });

  it("binary at any depth arrives as binary (Buffer, typed arrays, ArrayBuffer)", async () => {
    await clients(h, "/bin", [["bin-a", 1, []]]);
    const ab = new Uint8Array([9, 8]).buffer;
    await io
      .of("/bin")
      .emit("blob", Buffer.from([0xff, 0]), { file: Buffer.from([1, 2, 3]), parts: [new Uint8Array([4]), 5] }, ab);
    const { events } = await received(h, ["bin-a"]);
    assert.deepEqual(events["bin-a"], [
      ["blob", [bytes("ff00"), { file: bytes("010203"), parts: [bytes("04"), 5] }, bytes("0908")]],
    ]);
  });

  it("JavaScript values arrive as the official emitter would send them", async () => {
    await clients(h, "/js", [["js-a", 0, []]]);
    const when = new Date(1700000000123);
    await io.of("/js").emit("vals", { u: undefined, f() {}, n: null }, [undefined, 1], when, new Map([["a", 1]]), {
      toJSON: () => ({ via: "toJSON" }),
    });
    const { events } = await received(h, ["js-a"]);
    // socket.io-parser sends a Date as its ISO string (JSON.stringify in the server).
    assert.deepEqual(events["js-a"], [["vals", [{ n: null }, [null, 1], when.toISOString(), {}, { via: "toJSON" }]]]);
  });

  it("socketsJoin, then an emit to the new room", async () => {
    await clients(h, "/join", [["jn-a", 0, ["old"]], ["jn-b", 1, []], ["jn-c", 1, ["old"]]]);
    const nsp = io.of("/join");
    assert.equal(await nsp.to("old").socketsJoin("new"), 2);
    await nsp.to("new").emit("in-new");
    assert.deepEqual(await receivedNames(h, ["jn-a", "jn-b", "jn-c"]), {
      "jn-a": ["in-new"],
      "jn-b": [],
      "jn-c": ["in-new"],
    });
  });

  it("socketsLeave removes the room", async () => {
    await clients(h, "/leave", [["lv-a", 0, ["r", "keep"]], ["lv-b", 1, ["r"]]]);
    const nsp = io.of("/leave");
    await nsp.except("keep").socketsLeave(["r"]);
    await nsp.to("r").emit("still-in-r");
    assert.deepEqual(await receivedNames(h, ["lv-a", "lv-b"]), { "lv-a": ["still-in-r"], "lv-b": [] });
  });

  it("disconnectSockets(false) drops the socket, (true) its whole connection", async () => {
    await clients(h, "/dc", [["dc-soft", 0, ["soft"]], ["dc-hard", 1, ["hard"]], ["dc-stay", 1, []]]);
    // Each target socket has a sibling in another namespace on the same connection.
    await h.cmd({ cmd: "client", name: "dc-soft-sib", share: "dc-soft", nsp: "/dc-side", rooms: [] });
    await h.cmd({ cmd: "client", name: "dc-hard-sib", share: "dc-hard", nsp: "/dc-side", rooms: [] });
    await h.cmd({ cmd: "wait_subscribed", nsp: "/dc-side" });
    const nsp = io.of("/dc");
    await nsp.to("soft").disconnectSockets();
    await nsp.to("hard").disconnectSockets(true);
    const reason = async (client) =>
      (await h.waitFor((l) => l.type === "disconnect" && l.client === client, 10000)).reason;
    assert.equal(await reason("dc-soft"), "io server disconnect");
    assert.equal(await reason("dc-hard"), "io server disconnect");
    assert.ok(await reason("dc-hard-sib"), "close=true drops every socket of the connection");
    await nsp.emit("after");
    await io.of("/dc-side").emit("side");
    const { events, lines } = await received(h, ["dc-stay", "dc-soft", "dc-soft-sib", "dc-hard-sib"]);
    assert.deepEqual(
      Object.fromEntries(Object.entries(events).map(([k, v]) => [k, v.map(([ev]) => ev)])),
      { "dc-stay": ["after"], "dc-soft": [], "dc-soft-sib": ["side"], "dc-hard-sib": [] },
    );
    const gone = lines.filter((l) => l.type === "disconnect").map((l) => l.client);
    assert.ok(!gone.includes("dc-soft-sib"), "close=false leaves the sibling connected");
  });

  it("serverSideEmit reaches every server's handler, not the clients", async () => {
    await clients(h, "/sse", [["sse-a", 0, []]]);
    assert.equal(await io.of("/sse").serverSideEmit("server_event", "payload", 7, Buffer.from("hi")), 2);
    const { events, lines } = await received(h, ["sse-a"]);
    const seen = lines.filter((l) => l.type === "server_event" && l.nsp === "/sse");
    assert.equal(seen.length, 2, JSON.stringify(lines));
    for (const line of seen) {
      assert.equal(line.event, "server_event");
      assert.deepEqual(line.args, ["payload", 7, { type: "Buffer", data: [104, 105] }]);
    }
    assert.deepEqual(events["sse-a"], []);
  });

  it("reserved names throw synchronously with the official message", () => {
    for (const name of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
      assert.throws(() => io.emit(name), { code: "RESERVED_EVENT", message: `"${name}" is a reserved event name` });
      assert.throws(() => io.to("r").emit(name), { code: "RESERVED_EVENT" });
    }
    for (const name of ["connection", "new_namespace", "error"]) {
      assert.throws(() => io.serverSideEmit(name), { code: "RESERVED_EVENT" });
    }
    assert.throws(() => io.serverSideEmit("ev", () => {}), { message: "Acknowledgements are not supported" });
    assert.throws(() => io.emit("ev", () => {}), { code: "ENCODE", message: "Could not encode" });
  });

  it("zero receivers when no server listens on the prefix; NO_SUBSCRIBERS when required", async () => {
    const other = new Emitter(h.redisUrl, { key: "nobody-listens" });
    assert.equal(await other.emit("lost"), 0);
    await other.close();
    const strict = new Emitter({ url: h.redisUrl, key: "nobody-listens", require_receivers: true });
    await assert.rejects(strict.emit("lost"), (err) => {
      assert.equal(err.code, "NO_SUBSCRIBERS");
      assert.equal(err.channel, "nobody-listens#/#");
      assert.ok(err instanceof Error);
      return true;
    });
    await strict.close();
  });

  it("many emits awaited together all arrive, each client in call order", async () => {
    await clients(h, "/conc", [["cc-a", 0, []], ["cc-b", 1, []]]);
    const nsp = io.of("/conc");
    const n = 2500; // several pipelines (up to 512 emits each) in flight together
    const results = await Promise.all(Array.from({ length: n }, (_, i) => nsp.emit("c", i)));
    assert.deepEqual(results, Array(n).fill(2));
    const { events } = await received(h, ["cc-a", "cc-b"]);
    for (const client of ["cc-a", "cc-b"]) {
      assert.deepEqual(
        events[client].map(([, args]) => args[0]),
        Array.from({ length: n }, (_, i) => i),
        `${client} receives every event in call order`,
      );
    }
  });

  it("close waits for started operations; close twice is fine; use after close is CLOSED", async () => {
    await clients(h, "/close", [["cl-a", 0, []]]);
    const mine = new Emitter(h.redisUrl);
    const child = mine.of("/close").to("nowhere");
    const pending = mine.of("/close").emit("before-close");
    await mine.close();
    assert.equal(await pending, 2, "an emit started before close() completes");
    await mine.close();
    for (const attempt of [() => mine.emit("x"), () => child.emit("x"), () => mine.socketsJoin("r"), () => mine.serverSideEmit("e")]) {
      await assert.rejects(attempt(), { code: "CLOSED" });
    }
    assert.deepEqual(await receivedNames(h, ["cl-a"]), { "cl-a": ["before-close"] });
  });
});

describe("connection failures", () => {
  it("an unreachable Redis rejects with CONNECTION, and the emitter can still be closed", async () => {
    const opts = { connect_timeout: 300, response_timeout: 300, reconnect_attempts: 0 };
    await assert.rejects(Emitter.connect("redis://127.0.0.1:1", opts), { code: "CONNECTION" });
    const io = new Emitter("redis://127.0.0.1:1", opts);
    const results = await Promise.allSettled([io.emit("a"), io.emit("b")]);
    for (const r of results) assert.equal(r.reason.code, "CONNECTION");
    await io.close();
    await assert.rejects(io.emit("c"), { code: "CLOSED" });
  });
});
