"use strict";
// Every sharded-adapter golden vector (tests/vectors/vectors_sharded.json, captured from real
// socket.io 4.8.1 servers with createShardedAdapter in each subscription mode) must come out of
// Emitter.offline({ adapter: "sharded", subscription_mode }) with the same channel and bytes, or
// throw the same message. No Redis needed.

const test = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { loadVectors, fromTagged, applyOps } = require("./support.js");

const ACK = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs";
const SERVER_ACK = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs";
const FETCH = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs";
const MODES = ["static", "dynamic", "dynamic_private"];

/** The cases the core cannot express yet: the same names and reasons as core/tests/golden_vectors_sharded.rs. */
const NOT_YET = new Map([
  ...["", "_one_room", "_binary"].flatMap((kind) => MODES.map((m) => [`emit_with_ack${kind}_${m}`, ACK])),
  ...MODES.map((m) => [`server_side_emit_with_ack_${m}`, SERVER_ACK]),
  ...["", "_targeted"].flatMap((kind) => MODES.map((m) => [`fetch_sockets${kind}_${m}`, FETCH])),
]);

const ENCODERS = {
  emit: "encodeEmit",
  serverSideEmit: "encodeServerSideEmit",
  socketsJoin: "encodeSocketsJoin",
  socketsLeave: "encodeSocketsLeave",
  disconnectSockets: "encodeDisconnectSockets",
};

function run(c) {
  const root = Emitter.offline({ key: c.key ?? "socket.io", adapter: "sharded", subscription_mode: c.subscription_mode });
  return applyOps(root, c.ops)[ENCODERS[c.call]](...fromTagged(c.args));
}

const doc = loadVectors("vectors_sharded.json");

test("the file was captured from sharded servers, and the skip list names its cases", () => {
  assert.match(doc.source, /createShardedAdapter/);
  const byName = new Map(doc.cases.map((c) => [c.name, c]));
  assert.equal(NOT_YET.size, 18);
  for (const name of NOT_YET.keys()) {
    assert.ok(byName.has(name), `${name} is not in the file`);
    assert.ok(byName.get(name).request_id !== undefined, `${name} is skipped but expects no reply`);
  }
});

test("every sharded vector is byte-identical, except those listed as not yet", async (t) => {
  const failures = [];
  let checked = 0;
  for (const c of doc.cases) {
    if (NOT_YET.has(c.name)) {
      await t.test(c.name, { skip: NOT_YET.get(c.name) }, () => {});
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
    const [want] = c.publishes;
    assert.equal(want.command, "SPUBLISH", c.name);
    if (out.channel !== want.channel) failures.push(`${c.name}: channel ${out.channel} != ${want.channel}`);
    const got = out.payload.toString("hex");
    if (got !== want.payload_hex) {
      let at = 0;
      while (got[at] === want.payload_hex[at]) at++;
      failures.push(`${c.name}: payload differs at hex offset ${at}: got …${got.slice(Math.max(0, at - 8), at + 24)}…`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${checked} sharded vectors differ`);
  assert.equal(checked + NOT_YET.size, doc.cases.length);
  assert.ok(checked >= 180, `only ${checked} checked`);
});

test("the subscription mode picks the channel of a one-room broadcast", () => {
  const channel = (opts, room = "r1") => Emitter.offline({ key: "k", ...opts }).of("/a").to(room).encodeEmit("ev").channel;
  assert.equal(channel({}), "k#/a#r1#"); // classic
  assert.equal(channel({ adapter: "sharded", subscription_mode: "static" }), "k#/a#");
  assert.equal(channel({ adapter: "sharded" }), "k#/a#r1#"); // "dynamic", as on the servers
  const sid = "abcdefghijklmnopqrst"; // 20 characters: looks like a socket id
  assert.equal(channel({ adapter: "sharded" }, sid), "k#/a#");
  assert.equal(channel({ adapter: "sharded", subscriptionMode: "dynamic-private" }, sid), `k#/a#${sid}#`);
});

test("serverSideEmit keeps binary on the sharded adapter, and is JSON text on the classic one", () => {
  const sharded = Emitter.offline({ adapter: "sharded" }).encodeServerSideEmit("ev", Buffer.from([1]));
  assert.equal(sharded.payload[0], 0x84, "a msgpack map: {type, data, uid, nsp}");
  assert.ok(sharded.payload.includes(Buffer.from([0xc4, 1, 1])), "bin 8 of one byte");
  const classic = Emitter.offline().encodeServerSideEmit("ev", Buffer.from([1]));
  assert.match(classic.payload.toString(), /"type":"Buffer","data":\[1\]/);
  assert.throws(() => Emitter.offline({ adapter: "sharded" }).serverSideEmit("ev", () => {}), {
    code: "INVALID_ARGUMENT",
    message: "Acknowledgements are not supported",
  });
});

test("bad adapter options are INVALID_ARGUMENT naming the accepted values", () => {
  const cases = [
    [{ adapter: "kafka" }, /adapter must be one of "classic", "sharded", "streams", "auto", got "kafka"$/],
    [{ adapter: "Sharded" }, /adapter must be one of "classic", "sharded", "streams", "auto", got "Sharded"$/],
    [{ subscription_mode: "dynamic_private" }, /subscription_mode must be one of "static", "dynamic", "dynamic-private"/],
    [{ subscriptionMode: "x" }, /subscription_mode must be one of/],
  ];
  for (const [opts, message] of cases) {
    assert.throws(() => new Emitter("redis://127.0.0.1:1", opts), { code: "INVALID_ARGUMENT", message }, JSON.stringify(opts));
    assert.throws(() => Emitter.offline(opts), { code: "INVALID_ARGUMENT", message }, JSON.stringify(opts));
  }
  assert.throws(() => new Emitter("redis://127.0.0.1:1", { adapter: 1 }), {
    code: "INVALID_ARGUMENT",
    message: "option adapter must be a string, got number",
  });
  assert.throws(() => Emitter.offline({ subscriptionMode: null }), { code: "INVALID_ARGUMENT" });
});
