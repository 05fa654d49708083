"use strict";
// Random values (seeded, so a failure is reproducible) through our encoder and through the
// official emitter: the bytes must be the same for emit (msgpack) and serverSideEmit (JSON).
// Complements the golden vectors with combinations nobody wrote down.

const test = require("node:test");
const assert = require("node:assert/strict");

const { Emitter } = require("..");
const { FIXTURES } = require("./support.js");

const { Emitter: OfficialEmitter } = require(require.resolve("@socket.io/redis-emitter", { paths: [FIXTURES] }));

/** mulberry32: a small seeded PRNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ["", "a", "é", "中文", "😀", "\u0000\u001f\"\\/", "\u2028\u2029\u007f", "x".repeat(31), "y".repeat(32), "é".repeat(200), "z".repeat(70000)];
const KEYS = ["a", "b", "0", "1", "10", "01", "-1", "4294967294", "4294967295", "__proto__x", "ключ", "k k", ""];
const TYPED = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];

// Integral doubles beyond the 64-bit integer ranges: notepack writes garbage integers for them
// (docs/protocol.md §7.1), our core writes float64; only JSON compares them.
const HUGE = [1e21, 1.7976931348623157e308, -1e20, 2 ** 64];

function number(r, json) {
  switch (Math.floor(r() * 8)) {
    case 0:
      return Math.floor(r() * 256) - 128;
    case 1:
      return Math.floor((r() - 0.5) * 2 ** 33);
    case 2:
      return Math.floor((r() - 0.5) * 2 ** 53);
    case 3: // integral doubles beyond 2^53 but inside the 64-bit ranges
      return Math.floor(r() * 2 ** 62) * (r() < 0.5 ? -1 : 2);
    case 4:
      return (r() - 0.5) * 1e6;
    case 5: {
      const special = [NaN, Infinity, -Infinity, -0, 0.1, 5e-324, 1e-7, 2 ** 63, -(2 ** 63), ...(json ? HUGE : [])];
      return special[Math.floor(r() * special.length)];
    }
    case 6:
      return 2 ** Math.floor(r() * 64) * (r() < 0.5 ? -1 : 1);
    default:
      return r() * 100;
  }
}

function value(r, depth, json) {
  const leaf = depth > 3 || r() < 0.5;
  const pick = Math.floor(r() * (leaf ? 10 : 14));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
    case 3:
      return number(r, json);
    case 4:
      return STRINGS[Math.floor(r() * STRINGS.length)];
    case 5:
      return Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
    case 6: {
      const T = TYPED[Math.floor(r() * TYPED.length)];
      const t = new T(Array.from({ length: Math.floor(r() * 6) }, () => (T === Float32Array || T === Float64Array ? number(r, json) : Math.floor(r() * 70000) - 35000)));
      return r() < 0.3 && t.length > 1 ? t.subarray(1) : t;
    }
    case 7: // an invalid Date is refused by us on purpose
      return new Date(Math.floor((r() - 0.3) * 2 ** 45));
    case 8:
      return undefined;
    case 9:
      return r() < 0.5 ? new Map([["k", 1]]) : { toJSON: () => "via toJSON" };
    case 10:
    case 11:
      return Array.from({ length: Math.floor(r() * 20) }, () => value(r, depth + 1, json));
    default: {
      const obj = {};
      const n = Math.floor(r() * 18);
      for (let i = 0; i < n; i++) {
        const k = r() < 0.7 ? KEYS[Math.floor(r() * KEYS.length)] : `k${Math.floor(r() * 40)}`;
        obj[k] = r() < 0.1 ? () => {} : value(r, depth + 1, json);
      }
      return obj;
    }
  }
}

function official(call, args) {
  let out;
  const recorder = {
    publish(channel, message) {
      out = { channel, payload: Buffer.from(message) };
    },
  };
  new OfficialEmitter(recorder)[call](...args);
  return out;
}

for (const [call, encode] of [["emit", "encodeEmit"], ["serverSideEmit", "encodeServerSideEmit"]]) {
  test(`${call}: random values encode like the official emitter`, () => {
    const ours = Emitter.offline();
    const r = rng(call === "emit" ? 0x5eed : 0xbeef);
    const failures = [];
    for (let i = 0; i < 400; i++) {
      const args = ["ev", ...Array.from({ length: Math.floor(r() * 4) }, () => value(r, 0, call !== "emit"))];
      const want = official(call, args);
      const got = ours[encode](...args);
      if (got.channel !== want.channel || !got.payload.equals(want.payload)) {
        failures.push(`case ${i}: ${require("node:util").inspect(args, { depth: 6 }).slice(0, 300)}`);
      }
    }
    assert.deepEqual(failures, []);
  });
}
