"use strict";
// Shared by the test files: the golden vectors' tagged values as JS values, and the interop
// harness (tests/harness/driver.js) with a few assertions on what clients received.

const fs = require("node:fs");
const path = require("node:path");

const REPO = path.resolve(__dirname, "..", "..");
const VECTORS = path.join(REPO, "tests", "vectors");
const FIXTURES = path.join(REPO, "tests", "fixtures");

/** A golden vectors file of tests/vectors: the classic adapter's, or `vectors_sharded.json`. */
function loadVectors(name = "vectors.json") {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), "utf8"));
}

const TYPED = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
};

const FLOATS = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };

function own(obj, key, value) {
  // defineProperty: a key such as "__proto__" must be an own property, as JSON.parse makes it.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The JS value a tagged vector value stands for (tests/vectors/README.md). */
function fromTagged(v) {
  if (Array.isArray(v)) return v.map(fromTagged);
  if (v === null || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !keys[0].startsWith("$")) {
    const out = {};
    for (const k of keys) own(out, k, fromTagged(v[k]));
    return out;
  }
  const x = v[keys[0]];
  switch (keys[0]) {
    case "$bytes":
      return Buffer.from(x, "hex");
    case "$float":
      return typeof x === "number" ? x : FLOATS[x];
    case "$str":
      return x[0].repeat(x[1]);
    case "$array":
      return Array.from({ length: x[1] }, () => fromTagged(x[0]));
    case "$map_range": {
      const out = {};
      for (let i = 0; i < x; i++) own(out, `k${i}`, i);
      return out;
    }
    case "$map": {
      const out = {};
      for (const [k, val] of x) own(out, k, fromTagged(val));
      return out;
    }
    case "$date":
      return new Date(x);
    case "$undefined":
      return undefined;
    case "$function":
      return function ack() {};
    case "$typed":
      return new TYPED[x[0]](x[1]);
    case "$typed_sub":
      return new TYPED[x[0]](x[1]).subarray(x[2], x[3]);
    case "$arraybuffer": {
      const bytes = Buffer.from(x, "hex");
      const ab = new ArrayBuffer(bytes.length);
      new Uint8Array(ab).set(bytes);
      return ab;
    }
    case "$jsmap":
      return new Map(x.map(([k, val]) => [fromTagged(k), fromTagged(val)]));
    case "$set":
      return new Set(x.map(fromTagged));
    case "$tojson": {
      const result = fromTagged(x);
      return { toJSON: () => result };
    }
    default:
      throw new Error(`unknown tag ${keys[0]}`);
  }
}

/** Applies a vector's ops (`of`, `to`, `volatile`, ...) to an emitter. */
function applyOps(emitter, ops) {
  let t = emitter;
  for (const [name, arg] of ops) {
    t = name === "volatile" ? t.volatile : t[name](fromTagged(arg));
  }
  return t;
}

let harnessModule;
/** tests/harness/driver.js, or a clear failure when the fixtures are not installed. */
function harnessDriver() {
  if (!harnessModule) {
    if (!fs.existsSync(path.join(FIXTURES, "node_modules", "socket.io"))) {
      throw new Error("tests/fixtures/node_modules is missing: run `make deps` (or npm ci in tests/fixtures)");
    }
    harnessModule = require(path.join(REPO, "tests", "harness", "driver.js"));
  }
  return harnessModule.Harness;
}

/** Connects clients [name, server, rooms] in `nsp`, then waits until every server listens there. */
async function clients(h, nsp, list) {
  for (const [name, server, rooms] of list) {
    await h.cmd({ cmd: "client", name, server, nsp, rooms });
  }
  await h.cmd({ cmd: "wait_subscribed", nsp });
}

/** After a flush barrier: the events each named client received, as [event, args] pairs. */
async function received(h, names) {
  const lines = await h.flushAndTake();
  const out = {};
  for (const name of names) out[name] = [];
  for (const line of lines) {
    if (line.type === "event" && line.client in out) {
      if (line.ack) throw new Error(`${line.client} got a packet asking for an ack`);
      out[line.client].push([line.event, line.args]);
    }
  }
  return { events: out, lines };
}

/**
 * Whether a client's events `got` are `sent`, in order, except that the `volatile` ones may be
 * missing: a server drops a volatile packet while the client's transport is busy, so whether one
 * arrives is not deterministic. None may arrive twice or out of order.
 */
function arrivedAsSent(got, sent, volatile) {
  let i = 0;
  for (const event of sent) {
    if (i < got.length && got[i] === event) i++;
    else if (!volatile.includes(event)) return false;
  }
  return i === got.length;
}

/** Just the event names per client. */
async function receivedNames(h, names) {
  const { events } = await received(h, names);
  return Object.fromEntries(names.map((n) => [n, events[n].map(([ev]) => ev)]));
}

module.exports = {
  REPO,
  FIXTURES,
  loadVectors,
  fromTagged,
  applyOps,
  harnessDriver,
  clients,
  received,
  receivedNames,
  arrivedAsSent,
};
