"use strict";
// Every golden vector (tests/vectors/vectors.json, captured from @socket.io/redis-emitter
// 5.1.0), node-only cases included, must come out of our encoder with the same channel and
// the same bytes, or throw the same message.

const test = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { loadVectors, fromTagged, applyOps } = require("./support.js");

// Names the official serverSideEmit publishes but we refuse: they crash receiving servers
// (docs/protocol.md §6.1; the core's RESERVED_SERVER_SIDE_EVENTS).
const REFUSED_SERVER_SIDE = new Set([
  "connect",
  "connection",
  "new_namespace",
  "error",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

const ENCODERS = {
  emit: "encodeEmit",
  serverSideEmit: "encodeServerSideEmit",
  socketsJoin: "encodeSocketsJoin",
  socketsLeave: "encodeSocketsLeave",
  disconnectSockets: "encodeDisconnectSockets",
};

function run(c) {
  const root = Emitter.offline({ key: c.key ?? "socket.io", nsp: c.nsp ?? "/" });
  const target = applyOps(root, c.ops);
  return target[ENCODERS[c.call]](...fromTagged(c.args));
}

const doc = loadVectors();

test("the vectors file is the one captured from the official emitter", () => {
  assert.match(doc.source, /@socket\.io\/redis-emitter@5\.1\.0/);
  assert.ok(doc.cases.length >= 200, `only ${doc.cases.length} cases`);
  assert.ok(doc.cases.some((c) => c.only === "node"), "node-only cases are present");
});

test("every golden vector is byte-identical (node-only cases included)", () => {
  const failures = [];
  let checked = 0;
  for (const c of doc.cases) {
    checked++;
    const refused = c.call === "serverSideEmit" && REFUSED_SERVER_SIDE.has(c.args[0]);
    let out;
    try {
      out = run(c);
    } catch (err) {
      if (refused) {
        if (err.code !== "RESERVED_EVENT") failures.push(`${c.name}: refused with ${err.code}`);
        if (err.message !== `"${c.args[0]}" is a reserved event name`) failures.push(`${c.name}: ${err.message}`);
      } else if (c.throws === undefined) {
        failures.push(`${c.name}: unexpected ${err.code} ${err.message}`);
      } else if (err.message !== c.throws) {
        failures.push(`${c.name}: threw ${JSON.stringify(err.message)}, official says ${JSON.stringify(c.throws)}`);
      }
      continue;
    }
    if (refused) {
      failures.push(`${c.name}: should be refused (RESERVED_EVENT)`);
      continue;
    }
    if (c.throws !== undefined) {
      failures.push(`${c.name}: should throw ${JSON.stringify(c.throws)}`);
      continue;
    }
    assert.equal(c.publishes.length, 1, c.name);
    const [want] = c.publishes;
    if (out.channel !== want.channel) failures.push(`${c.name}: channel ${out.channel} != ${want.channel}`);
    const got = out.payload.toString("hex");
    if (got !== want.payload_hex) {
      let at = 0;
      while (got[at] === want.payload_hex[at]) at++;
      failures.push(
        `${c.name}: payload differs at hex offset ${at}: got …${got.slice(Math.max(0, at - 8), at + 24)}… ` +
          `want …${want.payload_hex.slice(Math.max(0, at - 8), at + 24)}…`,
      );
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${checked} vectors differ`);
  assert.equal(checked, doc.cases.length);
});

test("thrown errors carry the core's codes", () => {
  const io = Emitter.offline();
  assert.throws(() => io.emit("connect"), { code: "RESERVED_EVENT", message: '"connect" is a reserved event name' });
  assert.throws(() => io.to("r").volatile.emit("disconnect"), { code: "RESERVED_EVENT" });
  assert.throws(() => io.emit("ev", () => {}), { code: "ENCODE", message: "Could not encode", path: "args[0]" });
  assert.throws(() => io.serverSideEmit("ev", 1, () => {}), {
    code: "INVALID_ARGUMENT",
    message: "Acknowledgements are not supported",
  });
  assert.throws(() => io.serverSideEmit("connection", 1), { code: "RESERVED_EVENT" });
});
