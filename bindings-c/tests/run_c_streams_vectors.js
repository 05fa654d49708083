"use strict";
// Feeds the streams golden vectors (tests/vectors/vectors_streams.json, captured from real
// socket.io 4.8.1 servers with @socket.io/redis-streams-adapter 0.3.1 and 0.2.3) to the C
// program test_streams_vectors, which replays them through the C API and compares the whole
// Redis command (sioe_output_arg) with what the servers wrote. As in run_c_vectors.js
// (whose conversions this reuses), this only rewrites each case into hex lines; the skip
// lists and every comparison are in the C program.
//
//   node bindings-c/tests/run_c_streams_vectors.js [runner...] path/to/test_streams_vectors
//
// Lines of one case, in this order (HEX: lowercase hex of UTF-8 text or bytes):
//   case NAME | generation VERSION | stream_name HEX | stream_count N | max_len N | key HEX
//   plaintext 0|1 | inexpressible REASON (optional) | date_as_text (optional)
//   op ... (as run_c_vectors.js) | call NAME | event HEX | args HEX | buf HEX | rooms HEX |
//   close 0|1
//   expect HEX-ARG... (one line per command the servers wrote) | throws HEX
//   end

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { hex, text, opLines, Inexpressible } = require("./run_c_vectors.js");

const VECTORS = path.join(__dirname, "../../tests/vectors/vectors_streams.json");

/** Whether a tagged value holds `tag` anywhere. */
function holds(v, tag) {
  if (Array.isArray(v)) return v.some((x) => holds(x, tag));
  if (v === null || typeof v !== "object") return false;
  return Object.keys(v).includes(tag) || Object.values(v).some((x) => holds(x, tag));
}

/** One argument of a captured command: text, or `{"$hex": …}` bytes. */
const argHex = (a) => (typeof a === "string" ? hex(a) : a.$hex);

function caseLines(c) {
  const o = c.options;
  const out = [
    `case ${c.name}`,
    `generation ${c.generation}`,
    `stream_name ${hex(o.streamName ?? "socket.io")}`,
    `stream_count ${o.streamCount ?? 1}`,
    `max_len ${o.maxLen ?? 10000}`,
    `key ${hex(o.channelPrefix ?? "socket.io")}`,
    `plaintext ${o.onlyPlaintext ? 1 : 0}`,
  ];
  const body = [...c.ops.flatMap(opLines), `call ${c.call}`];
  try {
    if (["socketsJoin", "socketsLeave"].includes(c.call)) {
      body.push(`rooms ${hex(text(c.args[0], []))}`);
    } else if (c.call === "disconnectSockets") {
      body.push(`close ${c.args[0] ? 1 : 0}`);
    } else if (c.args.length > 0) {
      // A Date in a JSON entry is its ISO text there, which a C caller can pass as a string;
      // in a msgpack entry (binary arguments) it is a timestamp, which JSON text cannot carry.
      const dates = holds(c.args, "$date");
      if (dates && holds(c.args, "$bytes")) throw new Inexpressible("a date in a msgpack entry");
      if (dates) out.push("date_as_text");
      const bufs = [];
      const args = c.args.slice(1).map((a) => text(a, bufs, true));
      body.push(`event ${hex(c.args[0])}`, `args ${hex(`[${args.join(",")}]`)}`, ...bufs.map((b) => `buf ${b}`));
    }
  } catch (e) {
    if (!(e instanceof Inexpressible)) throw e;
    out.push(`inexpressible ${e.message}`);
  }
  out.push(...body);
  if (c.throws !== undefined) out.push(`throws ${hex(c.throws)}`);
  for (const command of c.commands) out.push(`expect ${command.map(argHex).join(" ")}`);
  out.push("end");
  return out;
}

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error("usage: run_c_streams_vectors.js [runner...] test_streams_vectors");
  process.exit(2);
}
const doc = JSON.parse(fs.readFileSync(VECTORS, "utf8"));
const input = doc.cases.flatMap(caseLines).join("\n") + "\n";
const run = spawnSync(command[0], command.slice(1), { input, stdio: ["pipe", "inherit", "inherit"] });
if (run.status !== 0) {
  console.error(`the C streams vector program failed (status ${run.status}, signal ${run.signal})`);
  process.exit(1);
}
