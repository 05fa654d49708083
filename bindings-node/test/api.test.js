"use strict";
// The API without Redis: construction, bad inputs (each refused synchronously with a code),
// immutability of operators, error codes, the ES module entry, close and use after close.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const api = require("..");
const { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES } = api;
const { REPO } = require("./support.js");

const invalid = (message) => ({ name: "TypeError", code: "INVALID_ARGUMENT", ...(message ? { message } : {}) });

test("the official constructor with a Redis client explains the one-line change", () => {
  const nodeRedis = { publish() {}, connect() {}, duplicate() {} };
  const ioredis = { publish() {}, quit() {} };
  for (const client of [nodeRedis, ioredis]) {
    assert.throws(() => new Emitter(client), (err) => {
      assert.equal(err.code, "INVALID_ARGUMENT");
      assert.match(err.message, /new Emitter\("redis:\/\/host:6379", opts\)/);
      return true;
    });
    assert.throws(() => new Emitter(client, { key: "k" }, "/admin"), { code: "INVALID_ARGUMENT" });
  }
});

test("construction from a URL or an options object; bad ones throw at once", () => {
  const a = new Emitter("redis://127.0.0.1:1", { key: "k", connect_timeout: 50 }, "/admin");
  assert.equal(a.nsp, "/admin");
  const b = new Emitter({ url: "rediss://user:pw@127.0.0.1:1/2", key: "k", nsp: "raw", connectTimeout: 50 });
  assert.equal(b.nsp, "raw", "the constructor's namespace is used as given");
  assert.throws(() => new Emitter(), invalid());
  assert.throws(() => new Emitter(6379), invalid());
  assert.throws(
    () => new Emitter({ key: "no url" }),
    invalid("the `url` option (a redis:// or rediss:// URL) is required, unless cluster_nodes or sentinel_nodes say where Redis is"),
  );
  assert.throws(() => new Emitter("not a url"), invalid());
  assert.throws(() => new Emitter("http://localhost:6379"), invalid());
  assert.throws(() => new Emitter("redis://x", { colour: "red" }), /unknown option colour/);
  assert.throws(() => new Emitter("redis://x", { key: 7 }), invalid("option key must be a string, got number"));
  assert.throws(() => new Emitter("redis://x", { connect_timeout: -1 }), invalid());
  assert.throws(() => new Emitter("redis://x", { require_receivers: "yes" }), invalid());
  assert.throws(() => new Emitter("redis://x", { parser: {} }), /parser/);
  assert.throws(() => new Emitter({ url: "redis://x" }, { key: "k" }), invalid());
  assert.throws(() => new Emitter("redis://x", {}, 5), invalid());
  assert.throws(() => new BroadcastOperator(), invalid());
  return Promise.all([a.close(), b.close()]);
});

test("bad rooms, event names and values are refused synchronously, with a code", () => {
  const io = Emitter.offline();
  for (const room of [{}, null, undefined, 1.5, NaN, Infinity, 2 ** 60, true, ["ok", {}]]) {
    assert.throws(() => io.to(room), invalid(), String(room));
    assert.throws(() => io.except(room), invalid());
    assert.throws(() => io.socketsJoin(room), invalid());
  }
  assert.throws(() => io.of(7), invalid());
  assert.throws(() => io.emit(7), invalid("the event name must be a string, got number"));
  assert.throws(() => io.serverSideEmit(7), invalid());
  assert.throws(() => io.serverSideEmit(), invalid());
  const cases = [
    [[() => {}], "args[0]"],
    [[1, [2, () => {}]], "args[1][1]"],
    [[{ deep: { s: Symbol("s") } }], "args[0]['deep']['s']"],
    [[10n], "args[0]"],
    [[{ "it's": [1n] }], "args[0]['it\\'s'][0]"],
  ];
  for (const [args, where] of cases) {
    assert.throws(() => io.emit("ev", ...args), { code: "ENCODE", message: "Could not encode", path: where });
  }
  assert.throws(() => io.emit("ev", new Date(NaN)), { code: "ENCODE", path: "args[0]" });
  const cycle = { list: [] };
  cycle.list.push(cycle);
  assert.throws(() => io.emit("ev", cycle), (err) => {
    assert.equal(err.code, "ENCODE");
    assert.match(err.message, /nested deeper than 512 levels/);
    assert.ok(err.message.length < 400, "a cycle's path is shortened");
    return true;
  });
  // Exceptions thrown by the caller's own code come through unchanged.
  const boom = new Error("getter failed");
  assert.throws(() => io.emit("ev", { get x() { throw boom; } }), (err) => err === boom);
  assert.throws(() => io.emit("ev", { toJSON() { throw boom; } }), (err) => err === boom);
  assert.throws(() => io.emit("ev", new BigInt64Array(1)), { name: "TypeError" });
  // serverSideEmit follows JSON.stringify: BigInt is a TypeError there too, with V8's message,
  // typed like emit's refusals (test/bad_input.test.js has the rest).
  assert.throws(() => io.serverSideEmit("ev", 1n), {
    name: "TypeError",
    code: "ENCODE",
    path: "args[0]",
    message: "Do not know how to serialize a BigInt",
  });
});

test("values with toJSON, getters and prototypes follow notepack", () => {
  const io = Emitter.offline();
  class Point {
    constructor() {
      this.x = 1;
    }
    get y() {
      return 2;
    }
  }
  const proto = Object.create({ inherited: 1 });
  proto.own = 2;
  const hex = (...args) => io.encodeEmit("ev", ...args).payload.toString("hex");
  // Own enumerable keys only: the getter on the prototype and inherited keys are left out.
  assert.equal(hex(new Point()), hex({ x: 1 }));
  assert.equal(hex(proto), hex({ own: 2 }));
  // A function with toJSON is encoded through it, like notepack does.
  const fn = Object.assign(() => {}, { toJSON: () => "fn" });
  assert.equal(hex(fn), hex("fn"));
  assert.equal(hex(new DataView(new ArrayBuffer(4))), hex(Buffer.alloc(0)), "Buffer.from(DataView) is empty");
  assert.equal(hex(new Float32Array([1.9, -2.5, 256])), hex(Buffer.from([1, 254, 0])));
});

test("operators are immutable and reusable", () => {
  const io = Emitter.offline({ key: "k" });
  const base = io.to("a");
  const both = base.to("b");
  const flagged = base.volatile;
  assert.equal(base.encodeEmit("ev").channel, "k#/#a#");
  assert.equal(both.encodeEmit("ev").channel, "k#/#");
  assert.notEqual(flagged.encodeEmit("ev").payload.toString("hex"), base.encodeEmit("ev").payload.toString("hex"));
  assert.equal(base.encodeEmit("ev").payload.toString("hex"), io.to("a").encodeEmit("ev").payload.toString("hex"));
  assert.equal(io.of("admin").nsp, "/admin");
  assert.equal(io.nsp, "/");
  // compress(x) then compress(y) keeps the first position, as in the official flags object.
  const order = io.compress(true).volatile.compress(false).encodeEmit("ev").payload.toString("hex");
  const expected = Buffer.from("a8636f6d7072657373c2a8766f6c6174696c65c3", "hex").toString("hex");
  assert.ok(order.includes(expected.slice(0, 18)), "compress first, then volatile");
});

test("error codes are the core's, and RESERVED_EVENTS is the official list", () => {
  const rust = fs.readFileSync(path.join(REPO, "core", "src", "error.rs"), "utf8");
  const block = rust.slice(rust.indexOf("pub const CODES"));
  const codes = [...block.slice(0, block.indexOf("];")).matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...ERROR_CODES], codes);
  assert.deepEqual(
    [...RESERVED_EVENTS],
    ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"],
  );
});

test("close and use after close (offline and never-connected emitters)", async () => {
  const offline = Emitter.offline();
  await assert.rejects(offline.emit("x"), { code: "CLOSED", message: "the emitter is closed" });
  await offline.close();
  await offline.close();
  assert.equal(offline.encodeEmit("x").channel, "socket.io#/#", "encoding still works");

  const never = new Emitter("redis://127.0.0.1:1", { connect_timeout: 50 });
  const child = never.of("/x").to("r");
  await never.close();
  await never.close();
  await assert.rejects(never.emit("x"), { code: "CLOSED" });
  await assert.rejects(child.emit("x"), { code: "CLOSED" });
  await assert.rejects(never.disconnectSockets(true), { code: "CLOSED" });
});

test("the ES module entry exports the same objects", async () => {
  const esm = await import("socketio-emitter");
  assert.equal(esm.Emitter, Emitter);
  assert.equal(esm.default, api);
  assert.equal(esm.BroadcastOperator, BroadcastOperator);
});
