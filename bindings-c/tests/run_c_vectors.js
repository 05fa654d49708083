"use strict";
// Feeds the sharded golden vectors (tests/vectors/vectors_sharded.json) to the C program
// test_vectors, which replays them through the C API. C has no JSON reader, so this script
// only rewrites each case into lines a C program reads with getline(): every string is hex
// (no escaping), the arguments become the JSON text plus binary buffers a C caller passes.
// The skip list and every comparison are in the C program.
//
//   node bindings-c/tests/run_c_vectors.js [runner...] path/to/test_vectors
//
// Lines of one case, in this order (HEX: lowercase hex of UTF-8 text or bytes):
//   case NAME | mode MODE | key HEX | reply 0|1 | inexpressible REASON (optional)
//   op of HEX | op to s HEX | op to n INT | op except s HEX | op except n INT | op volatile |
//   op compress 0|1 | op other NAME   (each op; `in` is `to`)
//   call NAME | event HEX | args HEX | buf HEX (each buffer) | rooms HEX | close 0|1
//   expect COMMAND HEX-CHANNEL HEX-PAYLOAD | throws HEX
//   end

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const VECTORS = path.join(__dirname, "../../tests/vectors/vectors_sharded.json");

const hex = (s) => Buffer.from(s, "utf8").toString("hex");

/** Thrown for a value that JSON text cannot carry to the C API. */
class Inexpressible extends Error {}

/**
 * Tagged JSON -> the JSON text of the C API, with `{"$bin": i}` for each `$bytes`. Written by
 * hand: JSON.stringify would print the float 1.0 as the integer 1, and the C API keeps that
 * difference (the core writes them differently in msgpack).
 */
function text(v, bufs, dates = false) {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") {
    if (!Number.isInteger(v)) throw new Error(`plain numbers are integers in the vectors, got ${v}`);
    return String(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => text(x, bufs, dates)).join(",")}]`;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0].startsWith("$")) {
    const x = v[keys[0]];
    switch (keys[0]) {
      case "$bytes":
        bufs.push(x);
        return `{"$bin":${bufs.length - 1}}`;
      case "$float":
        if (x === "-0") return "-0.0";
        if (typeof x !== "number") throw new Inexpressible("NaN and infinities (JSON has neither)");
        return Number.isInteger(x) && Math.abs(x) < 1e21 ? `${x}.0` : String(x);
      case "$map": // keeps the pairs' order, integer-like keys included
        return `{${x.map(([k, val]) => `${JSON.stringify(k)}:${text(val, bufs, dates)}`).join(",")}}`;
      case "$date": // with `dates`, as the ISO text a JS Date becomes in JSON
        if (dates) return JSON.stringify(new Date(x).toISOString());
        throw new Inexpressible("dates (JSON has none)");
      default:
        throw new Error(`unknown tag ${keys[0]}`);
    }
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${text(v[k], bufs, dates)}`).join(",")}}`;
}

function opLines([name, arg]) {
  switch (name) {
    case "of":
      return [`op of ${hex(arg)}`];
    case "to":
    case "in":
    case "except": {
      const kind = name === "except" ? "except" : "to";
      return [].concat(arg).map((r) => (typeof r === "number" ? `op ${kind} n ${r}` : `op ${kind} s ${hex(r)}`));
    }
    case "volatile":
      return ["op volatile"];
    case "compress":
      return [`op compress ${arg ? 1 : 0}`];
    default:
      return [`op other ${name}`]; // e.g. timeout: only in the cases that expect replies
  }
}

function caseLines(c) {
  const out = [`case ${c.name}`, `mode ${c.subscription_mode}`, `key ${hex(c.key ?? "socket.io")}`];
  out.push(`reply ${c.request_id === undefined ? 0 : 1}`);
  const body = [...c.ops.flatMap(opLines), `call ${c.call}`];
  try {
    if (["socketsJoin", "socketsLeave"].includes(c.call)) {
      body.push(`rooms ${hex(text(c.args[0], []))}`);
    } else if (c.call === "disconnectSockets") {
      body.push(`close ${c.args[0] ? 1 : 0}`);
    } else if (c.args.length > 0) {
      const bufs = [];
      const args = c.args.slice(1).map((a) => text(a, bufs));
      body.push(`event ${hex(c.args[0])}`, `args ${hex(`[${args.join(",")}]`)}`, ...bufs.map((b) => `buf ${b}`));
    }
  } catch (e) {
    if (!(e instanceof Inexpressible)) throw e;
    out.push(`inexpressible ${e.message}`);
  }
  out.push(...body);
  if (c.throws !== undefined) out.push(`throws ${hex(c.throws)}`);
  for (const p of c.publishes) out.push(`expect ${p.command} ${hex(p.channel)} ${p.payload_hex}`);
  out.push("end");
  return out;
}

module.exports = { hex, text, opLines, Inexpressible };

if (require.main === module) main();

function main() {
  const command = process.argv.slice(2);
  if (command.length === 0) {
    console.error("usage: run_c_vectors.js [runner...] test_vectors");
    process.exit(2);
  }
  const doc = JSON.parse(fs.readFileSync(VECTORS, "utf8"));
  const input = doc.cases.flatMap(caseLines).join("\n") + "\n";
  const run = spawnSync(command[0], command.slice(1), { input, stdio: ["pipe", "inherit", "inherit"] });
  if (run.status !== 0) {
    console.error(`the C vector program failed (status ${run.status}, signal ${run.signal})`);
    process.exit(1);
  }
}
