"use strict";
// Shared by the Node runners: arguments, payloads, the timed loops, the result line.

const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

/** require() from bench/peers/node/node_modules (the pinned peers). */
const peerRequire = createRequire(path.join(__dirname, "../../peers/node/package.json"));

function parseArgs(argv = process.argv.slice(2)) {
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    opts[argv[i].slice(2)] = argv[i + 1];
  }
  return opts;
}

/** The event arguments for a payload name (see bench/payloads.json). */
function payloadArgs(name) {
  if (name === "bin64k") {
    const buf = Buffer.alloc(65536);
    for (let i = 0; i < buf.length; i++) buf[i] = (i * 31 + 7) % 256;
    return [buf];
  }
  const all = JSON.parse(fs.readFileSync(path.join(__dirname, "../../payloads.json"), "utf8"));
  if (!(name in all)) throw new Error(`no payload ${name}`);
  return [all[name]];
}

const CHECK_EVERY = 128;

/** Awaits each emit in turn until `seconds` have passed. `emitOne` returns a promise. */
async function awaitedLoop(emitOne, seconds) {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  let receivers = 0;
  while (performance.now() < end) {
    for (let i = 0; i < CHECK_EVERY; i++) {
      const n = await emitOne();
      if (typeof n === "number") receivers += n;
    }
    ops += CHECK_EVERY;
  }
  return { ops, secs: (performance.now() - start) / 1000, receivers };
}

/**
 * Fires emits without waiting, `chunk` at a time; after firing a chunk it waits for the
 * previous chunk's last reply (Redis answers in order), so the connection never runs dry and
 * memory stays bounded. The clock stops when every emit was acknowledged by Redis.
 */
async function firedLoop(emitOne, seconds, chunk) {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  let previous = null;
  while (performance.now() < end) {
    let last = null;
    for (let i = 0; i < chunk; i++) last = emitOne();
    ops += chunk;
    if (previous) await previous;
    previous = last;
  }
  if (previous) await previous;
  return { ops, secs: (performance.now() - start) / 1000, receivers: null };
}

function chunkFor(payload) {
  return payload === "bin64k" ? 64 : 1024;
}

/**
 * Runs `loop(seconds)` and adds `cpu_s`: this process's CPU time (user + system, all threads,
 * libuv's and native addons' included) spent in it, startup and warm-up excluded.
 */
async function withCpu(loop, seconds) {
  const before = process.cpuUsage();
  const result = await loop(seconds);
  const used = process.cpuUsage(before);
  return { ...result, cpu_s: (used.user + used.system) / 1e6 };
}

function report(result) {
  process.stdout.write(JSON.stringify(result) + "\n");
}

module.exports = {
  peerRequire,
  parseArgs,
  payloadArgs,
  awaitedLoop,
  firedLoop,
  chunkFor,
  withCpu,
  report,
};
