"use strict";
// Every streams-adapter golden vector (tests/vectors/vectors_streams.json, captured from real
// socket.io 4.8.1 servers with @socket.io/redis-streams-adapter 0.3.1 and 0.2.3, uid forced to
// "emitter") must come out of Emitter.offline({ adapter: "streams", ... }) as the same Redis
// command, argument for argument (`encoded.args`), or throw the same message. Also: the streams
// and compat options, and UNSUPPORTED. No Redis needed.

const test = require("node:test");
const assert = require("node:assert/strict");

const { Emitter, ERROR_CODES } = require("..");
const { loadVectors, fromTagged, applyOps } = require("./support.js");

/** Calls the core does not make: the same list and reasons as core/tests/golden_vectors_streams.rs. */
const NOT_YET = new Map([
  ["emitWithAck", "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs"],
  ["serverSideEmitWithAck", "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs"],
  ["fetchSockets", "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs"],
  ["of", "what a server writes when it creates a namespace: not an emitter operation"],
  ["close", "what a 0.2 server writes when its adapter closes: not an emitter operation"],
]);
const PLAINTEXT = "onlyPlaintext only changes what servers write; readers accept both";

const ENCODERS = {
  emit: "encodeEmit",
  serverSideEmit: "encodeServerSideEmit",
  socketsJoin: "encodeSocketsJoin",
  socketsLeave: "encodeSocketsLeave",
  disconnectSockets: "encodeDisconnectSockets",
};

/** The emitter the servers' options describe: their names mapped to this binding's. */
function offline(c) {
  const o = c.options;
  return Emitter.offline({
    adapter: "streams",
    streams_version: c.generation, // "0.3.1" / "0.2.3": a full version names its generation
    key: o.channelPrefix,
    stream_name: o.streamName,
    streamCount: o.streamCount, // the camelCase spelling works too
    max_len: o.maxLen,
  });
}

function run(c) {
  return applyOps(offline(c), c.ops)[ENCODERS[c.call]](...fromTagged(c.args));
}

/** A captured argument as bytes: text, or `{ $hex }` for a binary Pub/Sub payload. */
const argBytes = (a) => (typeof a === "string" ? Buffer.from(a, "utf8") : Buffer.from(a.$hex, "hex"));

const doc = loadVectors("vectors_streams.json");

test("the file was captured from streams servers of both generations", () => {
  assert.match(doc.source, /redis-streams-adapter@0\.3\.1 and @0\.2\.3/);
  const calls = new Set(doc.cases.map((c) => c.call));
  for (const call of NOT_YET.keys()) assert.ok(calls.has(call), `no ${call} case left: drop it from NOT_YET`);
  assert.ok(doc.cases.some((c) => c.options.onlyPlaintext));
});

test("every streams vector is the same command, argument for argument, except the calls not made", async (t) => {
  const failures = [];
  let checked = 0;
  for (const c of doc.cases) {
    if (NOT_YET.has(c.call) || c.options.onlyPlaintext) {
      await t.test(c.name, { skip: NOT_YET.get(c.call) ?? PLAINTEXT }, () => {});
      continue;
    }
    checked++;
    let out;
    try {
      out = run(c);
    } catch (err) {
      if (c.throws === undefined) failures.push(`${c.name}: unexpected ${err.code} ${err.message}`);
      else if (err.message !== c.throws) failures.push(`${c.name}: threw ${JSON.stringify(err.message)}, servers say ${JSON.stringify(c.throws)}`);
      continue;
    }
    if (c.throws !== undefined) {
      failures.push(`${c.name}: should throw ${JSON.stringify(c.throws)}`);
      continue;
    }
    assert.equal(c.commands.length, 1, c.name);
    const want = c.commands[0].map(argBytes);
    const got = out.args;
    assert.ok(got.every((a) => Buffer.isBuffer(a)), `${c.name}: args are Buffers`);
    if (got.length !== want.length || got.some((a, i) => !a.equals(want[i]))) {
      failures.push(`${c.name}:\n  got  ${got.map(String).join(" ")}\n  want ${want.map(String).join(" ")}`);
      continue;
    }
    // The rest of the result agrees with the whole command.
    assert.equal(out.command, c.commands[0][0], c.name);
    assert.equal(out.channel, c.commands[0][1], c.name);
    assert.ok(out.payload.equals(want[want.length - 1]), `${c.name}: payload is the last argument`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${checked} streams vectors differ`);
  assert.ok(checked >= 70, `only ${checked} checked`);
});

test("encoded results carry the command and its whole argv on every adapter", () => {
  const classic = Emitter.offline().to("r").encodeEmit("ev", 1);
  assert.equal(classic.command, "PUBLISH");
  assert.deepEqual(classic.args, [Buffer.from("PUBLISH"), Buffer.from("socket.io#/#r#"), classic.payload]);
  const sharded = Emitter.offline({ adapter: "sharded" }).encodeSocketsJoin("x");
  assert.equal(sharded.command, "SPUBLISH");
  assert.deepEqual(sharded.args.slice(0, 2).map(String), ["SPUBLISH", sharded.channel]);
  const streams = Emitter.offline({ adapter: "streams", streamName: "s", maxLen: 5 }).of("/a").encodeDisconnectSockets(true);
  assert.equal(streams.command, "XADD");
  assert.deepEqual(streams.args.map(String), [
    "XADD", "s", "MAXLEN", "~", "5", "*", "uid", "emitter", "nsp", "/a", "type", "6", "data",
    '{"opts":{"rooms":[],"except":[],"flags":{}},"close":true}',
  ]);
  // 0.3 sends serverSideEmit on the side channel, 0.2 into the stream.
  assert.equal(Emitter.offline({ adapter: "streams" }).encodeServerSideEmit("ping").command, "PUBLISH");
  assert.equal(Emitter.offline({ adapter: "streams", streams_version: "0.2" }).encodeServerSideEmit("ping").command, "XADD");
});

test("a namespace's stream with several streams, a negative index included", () => {
  const io = Emitter.offline({ adapter: "streams", stream_count: 4 });
  assert.equal(io.encodeEmit("ev").channel, "socket.io-3");
  assert.equal(io.of("/notifications").encodeEmit("ev").channel, "socket.io--3");
});

test("the streams and compat options: both spellings, and bad values are INVALID_ARGUMENT naming the option", () => {
  const same = (a, b) => assert.deepEqual(Emitter.offline(a).encodeEmit("ev").args, Emitter.offline(b).encodeEmit("ev").args);
  same(
    { adapter: "streams", stream_name: "n", stream_count: 2, max_len: 7, streams_version: "0.3" },
    { adapter: "streams", streamName: "n", streamCount: 2, maxLen: 7, streamsVersion: "0.3.1" },
  );
  assert.equal(Emitter.offline({ adapter: "streams", max_len: 2 ** 40 }).encodeEmit("ev").args[4].toString(), String(2 ** 40));
  const cases = [
    [{ adapter: "streams", stream_name: "" }, /stream_name must not be empty/],
    [{ adapter: "streams", stream_count: 0 }, /stream_count must be between 1 and 1024, got 0/],
    [{ adapter: "streams", streamCount: 1025 }, /stream_count must be between 1 and 1024/],
    [{ adapter: "streams", max_len: 0 }, /max_len must be between 1 and/],
    [{ adapter: "streams", maxLen: 2 ** 40 + 1 }, /max_len must be between 1 and/],
    [{ adapter: "streams", streams_version: "0.4" }, /streams_version must be one of "0.3", "0.2"/],
    [{ adapter: "streams", streams_version: "0.2", stream_count: 2 }, /stream_count needs streams_version 0.3/],
    [{ compat: "socket.io-redis-4" }, /compat must be one of "redis-adapter-8", "redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0", "socket.io-redis-5"/],
    [{ adapter: "sharded", compat: "redis-adapter-7" }, /compat "redis-adapter-7" names a classic adapter stack/],
    [{ adapter: "streams", compat: "socket.io-redis-5" }, /classic adapter stack/],
  ];
  for (const [opts, message] of cases) {
    assert.throws(() => new Emitter("redis://127.0.0.1:1", opts), { code: "INVALID_ARGUMENT", name: "TypeError", message }, JSON.stringify(opts));
    assert.throws(() => Emitter.offline(opts), { code: "INVALID_ARGUMENT", message }, JSON.stringify(opts));
  }
  // require_receivers cannot be kept with 0.2 (Redis cannot tell who reads a stream).
  assert.throws(() => new Emitter("redis://127.0.0.1:1", { adapter: "streams", streams_version: "0.2", requireReceivers: true }), {
    code: "INVALID_ARGUMENT",
    message: /require_receivers cannot be used with streams_version 0.2/,
  });
  // Types are checked before anything else, naming the spelling given.
  const types = [
    [{ stream_name: 1 }, "option stream_name must be a string, got number"],
    [{ streamCount: 1.5 }, "option streamCount must be a non-negative integer, got 1.5"],
    [{ max_len: -1 }, "option max_len must be a non-negative integer, got -1"],
    [{ maxLen: "10" }, "option maxLen must be a non-negative integer, got string"],
    [{ streamsVersion: 0.3 }, "option streamsVersion must be a string, got number"],
    [{ compat: null }, "option compat must be a string, got object"],
  ];
  for (const [opts, message] of types) {
    assert.throws(() => new Emitter("redis://127.0.0.1:1", opts), { code: "INVALID_ARGUMENT", message }, JSON.stringify(opts));
    assert.throws(() => Emitter.offline(opts), { code: "INVALID_ARGUMENT", message }, JSON.stringify(opts));
  }
});

test("UNSUPPORTED: what an older stack cannot honour is refused, naming the stack, before anything is sent", async () => {
  assert.ok(ERROR_CODES.includes("UNSUPPORTED"));
  const v5 = Emitter.offline({ compat: "socket.io-redis-5" });
  const unsupported = (fn, part) =>
    assert.throws(fn, (err) => {
      assert.equal(err.code, "UNSUPPORTED");
      assert.ok(err instanceof Error && !(err instanceof TypeError), "an Error, not a TypeError");
      assert.match(err.message, /^unsupported: .+ is not possible with socket\.io-redis .+ \(compat "socket\.io-redis-(5|6\.[01])"\): /);
      assert.ok(err.message.includes(part), err.message);
      return true;
    });
  unsupported(() => v5.except("muted").encodeEmit("ev"), "socket.io-redis 5.x");
  unsupported(() => v5.to("room").encodeSocketsJoin("x"), "socket.io-redis 5.x");
  unsupported(() => v5.encodeDisconnectSockets(), "socket.io-redis 5.x");
  unsupported(() => v5.encodeServerSideEmit("ev"), "redis-adapter 7.0");
  unsupported(() => Emitter.offline({ compat: "socket.io-redis-6.1" }).encodeServerSideEmit("ev"), "socket.io-redis 6.1");
  unsupported(() => Emitter.offline({ compat: "socket.io-redis-6.0" }).except("r").encodeEmit("ev"), "socket.io-redis 6.0");
  // One socket id of that stack, one room: the sid form.
  assert.equal(v5.to("abcdefghijklmnopqrst").encodeSocketsJoin("x").command, "PUBLISH");
  // Sending throws it synchronously, like the other refusals: nothing is queued, no
  // connection is needed (there is no Redis at this address).
  const io = new Emitter("redis://127.0.0.1:1", { compat: "socket.io-redis-5" });
  unsupported(() => io.except("muted").emit("ev"), "except");
  unsupported(() => io.of("/a").serverSideEmit("ev", 1), "serverSideEmit");
  unsupported(() => io.to(["a", "b"]).socketsLeave("x"), "socketsLeave");
  unsupported(() => io.in("room").disconnectSockets(true), "disconnectSockets");
  assert.deepEqual(await io.close(), { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
  // Binary is packet type 5 for socket.io 2, and a Date notepack 2's fixext 8 of type 0.
  const bin = v5.encodeEmit("ev", Buffer.from([1]));
  assert.ok(bin.payload.includes(Buffer.from([0xa4, 0x74, 0x79, 0x70, 0x65, 0x05])), "type: 5");
  assert.ok(v5.encodeEmit("ev", new Date(1)).payload.includes(Buffer.from([0xd7, 0, 0, 0, 0, 0, 0, 0, 0, 1])));
});
