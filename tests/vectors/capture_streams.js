#!/usr/bin/env node
// Captures golden vectors for the Redis Streams adapter from real servers.
//
//   node tests/vectors/capture_streams.js           rewrite tests/vectors/vectors_streams.json
//   node tests/vectors/capture_streams.js --check   exit 1 if the committed file differs from a fresh capture
//
// No official emitter speaks the streams format (docs/protocol.md §4), so the reference is what real
// servers write. The script starts its own redis-server on a free loopback port, runs socket.io
// 4.8.1 with @socket.io/redis-streams-adapter 0.3.1 and 0.2.3 (npm aliases, see package.json)
// over node-redis 4.7.1, with every adapter's uid forced to "emitter", performs each case through
// the server API, and records every command that the server writes (XADD into the stream,
// PUBLISH on the 0.3 side channel, SUBSCRIBE when a namespace is created), as seen by a MONITOR
// connection. At the end it stops the adapters' pollers, closes every connection and then stops
// redis-server (see Servers.close). The format is described in README.md.
"use strict";

const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");

const HERE = __dirname;
const OUT_FILE = path.join(HERE, "vectors_streams.json");
const GENERATED_BY = "tests/vectors/capture_streams.js";
const REDIS_SERVER = process.env.REDIS_SERVER || "redis-server";
const WAIT_LIMIT_MS = 10000; // a guard against a hung capture, not a delay: waits end on observed events
const EMITTER_UID = "emitter";
// 0.2.x sends a HEARTBEAT (type 2) after heartbeatInterval ms without a publish. Timers would make
// the capture depend on timing, so the capture sets the longest delay Node's setTimeout accepts
// (2^31-1 ms; anything longer is turned into 1 ms). The option never changes the bytes of a message.
const NO_TIMER_HEARTBEAT = 2147483647;

// The two adapter generations, each installed under an npm alias.
const GENERATIONS = {
  "0.3.1": "redis-streams-adapter-0.3",
  "0.2.3": "redis-streams-adapter-0.2",
};
const PINNED = {
  "socket.io": "4.8.1",
  redis: "4.7.1",
  "socket.io-adapter": "2.5.8",
  "@msgpack/msgpack": "2.8.0",
};
const SOURCE =
  `socket.io@${PINNED["socket.io"]} + @socket.io/redis-streams-adapter@0.3.1 and @0.2.3 ` +
  `(socket.io-adapter@${PINNED["socket.io-adapter"]}, @msgpack/msgpack@${PINNED["@msgpack/msgpack"]}, redis@${PINNED.redis}), ` +
  `adapter uid forced to "${EMITTER_UID}", recorded with MONITOR`;

function fail(message) {
  process.stderr.write(`capture_streams.js: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Pinned packages: refuse to capture from anything but the exact versions.

// Some of these packages do not export ./package.json, so resolve the entry point and walk up to
// the package.json that carries the package's name.
function versionOf(pkg, fromDir) {
  let dir = path.dirname(require.resolve(pkg, { paths: [fromDir] }));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      if (json.name === pkg) return { dir, version: json.version };
    }
    if (path.dirname(dir) === dir) fail(`cannot find the package.json of ${pkg}`);
    dir = path.dirname(dir);
  }
}

function loadPackages() {
  const io = versionOf("socket.io", HERE);
  const redis = versionOf("redis", HERE);
  const clusterFromIo = versionOf("socket.io-adapter", io.dir);
  const found = { "socket.io": io.version, redis: redis.version, "socket.io-adapter": clusterFromIo.version };
  const adapters = {};
  for (const [generation, alias] of Object.entries(GENERATIONS)) {
    const dir = path.join(HERE, "node_modules", alias);
    let json;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    } catch (err) {
      fail(`${alias} is not installed (run npm ci in tests/vectors)`);
    }
    if (json.name !== "@socket.io/redis-streams-adapter" || json.version !== generation) {
      fail(`${alias} is ${json.name}@${json.version}, expected @socket.io/redis-streams-adapter@${generation} (run npm ci in tests/vectors)`);
    }
    // Both generations must load the same socket.io-adapter as socket.io (the ClusterAdapter whose
    // uid is forced below) and @msgpack/msgpack 2.8.0 (the encoder of binary data).
    const cluster = versionOf("socket.io-adapter", dir);
    if (cluster.dir !== clusterFromIo.dir) fail(`${alias} loads another copy of socket.io-adapter`);
    const msgpack = versionOf("@msgpack/msgpack", dir);
    if (msgpack.version !== PINNED["@msgpack/msgpack"]) fail(`${alias} loads @msgpack/msgpack ${msgpack.version}, expected ${PINNED["@msgpack/msgpack"]}`);
    found["@msgpack/msgpack"] = msgpack.version;
    adapters[generation] = {
      createAdapter: require(dir).createAdapter,
      msgpack: require(require.resolve("@msgpack/msgpack", { paths: [dir] })),
    };
  }
  for (const [pkg, want] of Object.entries(PINNED)) {
    if (found[pkg] !== want) fail(`${pkg} is ${found[pkg]}, expected ${want} (run npm ci in tests/vectors)`);
  }
  const load = (pkg) => require(require.resolve(pkg, { paths: [HERE] }));
  return {
    Server: load("socket.io").Server,
    ClusterAdapter: load("socket.io-adapter").ClusterAdapter,
    createClient: load("redis").createClient,
    adapters,
  };
}

// ---------------------------------------------------------------------------------------------
// Value helpers for the case table (they only build tagged JSON, the same tags as vectors.json).

const f = (v) => ({ $float: v });
const bytes = (hex) => ({ $bytes: hex });
const omap = (pairs) => ({ $map: pairs });
const date = (ms) => ({ $date: ms });
function seqHex(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b.toString("hex");
}


// ---------------------------------------------------------------------------------------------
// The cases. `gens` lists the generations a case runs in (default: both); each becomes one case
// per generation (name suffix _v03 or _v02). `options` are the non-default adapter options; the
// case's commands depend on them.

const BOTH = ["0.3.1", "0.2.3"];
const V03 = ["0.3.1"];
const RID = "0123456789abcdef";
const CASES = [];
function op(name, about, ops, call, args, more = {}) {
  CASES.push({ name, about, ops, call, args, gens: BOTH, options: {}, ...more });
}
const emit = (name, about, ops, args = ["ev", 1], more = {}) => op(name, about, ops, "emit", args, more);

// --- what creating a namespace writes (0.3: SUBSCRIBE to the side channels; 0.2: INITIAL_HEARTBEAT) ---
op("namespace_created_main", "protocol 4.4: a new namespace adapter SUBSCRIBEs to P#N# and P#N#<uid># (0.3); 0.2 XADDs an INITIAL_HEARTBEAT (type 1, no data)", [], "of", []);
op("namespace_created_admin", "protocol 4.4: the same for /admin", [["of", "/admin"]], "of", []);
op("namespace_created_prefix", "protocol 4.4: channelPrefix changes the side channels", [], "of", [], { gens: V03, options: { channelPrefix: "myapp" } });

// --- broadcasts: XADD into the stream (protocol 4.3, 4.5) ---
emit("emit_no_args", "protocol 4.3: XADD <stream> MAXLEN ~ 10000 * uid nsp type data, data is JSON", [], ["ev"]);
emit("emit_string_arg", "protocol 4.3: the live example of §4.3", [], ["hello", "world"]);
emit("emit_several_args", "protocol 7.3: several arguments of mixed types as JSON text", [], ["ev", 1, "two", { three: [3] }, true, null, [], {}, ""]);
emit("emit_unicode", "protocol 7.3: non-ASCII text stays raw UTF-8 in the JSON field", [], ["événement", "中文", "😀"]);
emit("emit_numbers", "protocol 7.3: JSON.stringify numbers (1.5, 1e+21, -0 as 0, NaN as null)", [], ["ev", f(1.5), f(1e21), f("-0"), f(1), f("NaN"), 9007199254740991]);
emit("emit_date", "protocol 7.3: a Date is its ISO string in JSON", [], ["ev", date(1700000000123)]);
emit("room_one", "protocol 4.2: rooms never change the stream key; opts.rooms holds the room", [["to", "room1"]]);
emit("room_two", "protocol 4.3: several rooms", [["to", ["room1", "room2"]]]);
emit("room_numeric", "protocol 6.3: a numeric room stays a JSON number", [["to", 7]]);
emit("except_only", "protocol 4.3: except without rooms", [["except", "r4"]]);
emit("room_with_except", "protocol 4.3: rooms and except together", [["to", ["r1", "r2"]], ["except", ["r3", "r4"]]]);
emit("flags_volatile", "protocol 2.5: volatile gives flags {volatile:true}; still written to the stream", [["volatile"]]);
emit("flags_compress_false", "protocol 2.5: compress(false) gives flags {compress:false}", [["compress", false]]);
emit("flags_room_volatile_compress", "protocol 2.5: flags keep the order they were set in", [["to", "room1"], ["compress", false], ["volatile"]]);
emit("nsp_admin", "protocol 4.2: with streamCount 1 every namespace shares the stream; nsp field is /admin", [["of", "admin"]]);
emit("nsp_admin_room", "protocol 4.3: namespace and room", [["of", "/admin"], ["to", "room1"]]);
emit("nsp_unicode", "protocol 6.2: a non-ASCII namespace is raw UTF-8 in the nsp field", [["of", "café-中"]]);

// --- binary: data becomes base64 of @msgpack/msgpack (protocol 4.3) ---
emit("binary_arg", "protocol 4.3: a Buffer argument makes data base64(msgpack(data))", [], ["ev", bytes("010203")]);
emit("binary_empty", "protocol 4.3: an empty Buffer is still binary", [], ["ev", bytes("")]);
emit("binary_nested", "protocol 4.3: binary nested in maps and arrays", [], ["ev", { file: bytes("ff00"), list: [bytes("01"), "x", { deep: [bytes("deadbeef")] }] }]);
emit("binary_room_flags", "protocol 4.3: binary with rooms, except and flags", [["to", "room1"], ["except", "r2"], ["volatile"], ["compress", false]], ["ev", bytes("0a")]);
emit("binary_with_numbers_and_date", "protocol 4.3: @msgpack/msgpack encodes floats, integers and a Date (timestamp ext -1)", [],
  ["ev", bytes("00"), f(1.5), -1, 65536, f(1), date(1700000000123), null, true]);
emit("binary_256", "protocol 4.3: 256 bytes (bin16)", [], ["ev", bytes(seqHex(256))]);

// --- socketsJoin / socketsLeave / disconnectSockets (types 4, 5, 6): XADD ---
op("sockets_join", "protocol 4.5: SOCKETS_JOIN (type 4) is XADDed with JSON data {opts, rooms}", [], "socketsJoin", ["r1"]);
op("sockets_join_targeted", "protocol 4.5: SOCKETS_JOIN with rooms, except and several rooms to join", [["in", "room1"], ["except", "vip"]], "socketsJoin", [["r1", 7]]);
op("sockets_leave", "protocol 4.5: SOCKETS_LEAVE (type 5)", [], "socketsLeave", ["r1"]);
op("sockets_leave_nsp", "protocol 4.5: SOCKETS_LEAVE in another namespace", [["of", "admin"], ["to", "a"]], "socketsLeave", [["r1", 2]]);
op("disconnect_sockets_default", "protocol 4.5: DISCONNECT_SOCKETS (type 6) close:false", [], "disconnectSockets", []);
op("disconnect_sockets_false", "protocol 4.5: disconnectSockets(false)", [], "disconnectSockets", [false]);
op("disconnect_sockets_true", "protocol 4.5: disconnectSockets(true)", [["in", "room1"]], "disconnectSockets", [true]);

// --- serverSideEmit (type 9): PUBLISH msgpack in 0.3, XADD in 0.2 ---
op("server_side_emit", "protocol 4.4: 0.3 PUBLISHes msgpack of the whole message on P#N#; 0.2 XADDs JSON data", [], "serverSideEmit", ["ping"]);
op("server_side_emit_args", "protocol 4.4: packet holds the event name then every argument", [], "serverSideEmit", ["hello", 1, "two", { three: [3] }, null]);
op("server_side_emit_binary", "protocol 4.4: binary in serverSideEmit (0.2: base64 msgpack data)", [], "serverSideEmit", ["bin", bytes("0102ff"), { nested: bytes("") }]);
op("server_side_emit_nsp", "protocol 4.4: serverSideEmit in another namespace uses P#/admin#", [["of", "admin"]], "serverSideEmit", ["ping", 1]);

// --- requests that expect replies (a requestId drawn by the server, replaced by request_id) ---
op("emit_with_ack", "protocol 4.4: a broadcast with requestId is ephemeral: PUBLISH in 0.3, XADD in 0.2", [["timeout", 1000]], "emitWithAck", ["ev", 1], { request_id: RID });
op("emit_with_ack_binary", "protocol 4.4: a broadcast with requestId and binary", [["to", "room1"], ["timeout", 500]], "emitWithAck", ["ev", bytes("0102")], { request_id: RID });
op("server_side_emit_with_ack", "protocol 4.4: SERVER_SIDE_EMIT with requestId, PUBLISHed once PUBSUB NUMSUB P#N# shows another server", [], "serverSideEmitWithAck", ["ping", 1], { request_id: RID, gens: V03 });
op("fetch_sockets", "protocol 4.4: FETCH_SOCKETS (type 7) is PUBLISHed", [["in", "room1"], ["timeout", 2000]], "fetchSockets", [], { request_id: RID, gens: V03 });

// --- streamCount > 1 (0.3): the stream key is streamName-<hashCode(nsp) % streamCount> ---
const SC3 = { streamCount: 3 };
emit("stream_count_3_main", "protocol 4.2: hashCode(\"/\") = 47, 47 % 3 = 2: socket.io-2", [], ["ev", 1], { gens: V03, options: SC3 });
emit("stream_count_3_index_0", "protocol 4.2: hashCode(\"/a\") = 1554, remainder 0: socket.io-0", [["of", "/a"]], ["ev", 1], { gens: V03, options: SC3 });
emit("stream_count_3_admin", "protocol 4.2: hashCode(\"/admin\") = 1438238848, remainder 1: socket.io-1", [["of", "/admin"], ["to", "room1"]], ["ev", 1], { gens: V03, options: SC3 });
emit("stream_count_3_negative", "protocol 4.2: hashCode(\"/notifications\") = -1014064871, remainder -2: socket.io--2", [["of", "/notifications"]], ["ev", 1], { gens: V03, options: SC3 });
op("stream_count_3_negative_join", "protocol 4.2: socketsJoin uses the same stream as broadcasts", [["of", "/notifications"]], "socketsJoin", ["r1"], { gens: V03, options: SC3 });
op("stream_count_3_server_side_emit", "protocol 4.4: the side channel does not depend on streamCount", [["of", "/notifications"]], "serverSideEmit", ["ping"], { gens: V03, options: SC3 });

// --- streamName and maxLen ---
const NAMED = { streamName: "mystream", maxLen: 50 };
emit("stream_name_max_len", "protocol 4.3: streamName is the key; maxLen is the MAXLEN ~ threshold", [["to", "room1"]], ["ev", 1], { options: NAMED });
emit("stream_name_max_len_binary", "protocol 4.3: the same with binary data", [], ["ev", bytes("01")], { options: NAMED });
op("stream_name_max_len_join", "protocol 4.3: the same for socketsJoin", [], "socketsJoin", ["r1"], { options: NAMED });
emit("stream_name_count_3", "protocol 4.2: streamName with streamCount 3: mystream-1 for /admin", [["of", "admin"]], ["ev", 1], { gens: V03, options: { streamName: "mystream", streamCount: 3 } });

// --- channelPrefix (0.3): only the side channel changes ---
const PREFIX = { channelPrefix: "myapp" };
emit("prefix_emit", "protocol 4.4: channelPrefix does not change a stream broadcast", [], ["ev", 1], { gens: V03, options: PREFIX });
op("prefix_server_side_emit", "protocol 4.4: channelPrefix myapp gives PUBLISH myapp#/#", [], "serverSideEmit", ["ping"], { gens: V03, options: PREFIX });
op("prefix_emit_with_ack_nsp", "protocol 4.4: broadcast with ack on myapp#/admin#", [["of", "admin"], ["timeout", 1000]], "emitWithAck", ["ev", 1], { request_id: RID, gens: V03, options: PREFIX });

// --- onlyPlaintext (0.3): binary data is JSON text too ---
const PLAIN = { onlyPlaintext: true };
emit("only_plaintext_binary", "protocol 4.3: onlyPlaintext writes binary as JSON (a Buffer's toJSON {type:Buffer,data:[...]})", [], ["ev", bytes("010203")], { gens: V03, options: PLAIN });
op("only_plaintext_server_side_emit_binary", "protocol 4.4: the side channel is msgpack even with onlyPlaintext", [], "serverSideEmit", ["bin", bytes("01")], { gens: V03, options: PLAIN });

// --- what the server API refuses (writes nothing) ---
op("throws_emit_reserved", "protocol 6.1: emit(\"disconnect\") throws and writes nothing", [], "emit", ["disconnect", 1], { throws: true });

// --- closing a namespace adapter (0.2: ADAPTER_CLOSE type 13) ---
op("adapter_close", "protocol 4.4: 0.2 XADDs ADAPTER_CLOSE (type 13, no data) when a namespace adapter closes", [["of", "/closing"]], "close", [], { gens: ["0.2.3"] });

const GEN_SUFFIX = { "0.3.1": "v03", "0.2.3": "v02" };
function expandCases() {
  const out = [];
  for (const c of CASES) {
    for (const generation of c.gens) {
      const { gens, ...rest } = c;
      out.push({ ...rest, name: `${c.name}_${GEN_SUFFIX[generation]}`, generation });
    }
  }
  return out;
}
// ---------------------------------------------------------------------------------------------
// Tagged JSON -> JS values (the portable subset of the tags in README.md).

function isTag(v) {
  const keys = Object.keys(v);
  if (!keys.some((k) => k.startsWith("$"))) return false;
  if (keys.length !== 1) throw new Error(`bad tag ${JSON.stringify(v).slice(0, 80)}`);
  return true;
}

function setKey(obj, key, value) {
  // defineProperty so that a key such as "__proto__" is an own property, as JSON.parse makes it
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const FLOAT_WORDS = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };

function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && (!Number.isSafeInteger(v) || Object.is(v, -0))) {
      throw new Error(`plain number ${v} is not an integer within +-(2^53-1); use $float`);
    }
    return v;
  }
  if (!isTag(v)) {
    const o = {};
    for (const k of Object.keys(v)) setKey(o, k, decode(v[k]));
    return o;
  }
  const [tag] = Object.keys(v);
  const x = v[tag];
  switch (tag) {
    case "$bytes":
      if (!/^([0-9a-f]{2})*$/.test(x)) throw new Error(`bad hex ${x.slice(0, 40)}`);
      return Buffer.from(x, "hex");
    case "$float":
      if (typeof x === "number") return x;
      if (x in FLOAT_WORDS) return FLOAT_WORDS[x];
      throw new Error(`bad $float ${x}`);
    case "$map": {
      const o = {};
      for (const [k, val] of x) setKey(o, k, decode(val));
      return o;
    }
    case "$date":
      return new Date(x);
  }
  throw new Error(`tag ${tag} is not used by the streams vectors`);
}

// ---------------------------------------------------------------------------------------------
// redis-server: our own instance on a free loopback port, stopped at the end.

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Resolves once redis-server says it accepts connections; rejects if it exits first
// (for instance because another process took the port in the meantime).
function startRedisOnce(port) {
  return new Promise((resolve, reject) => {
    const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", os.tmpdir()];
    const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const onData = (chunk) => {
      log += chunk;
      if (/Ready to accept connections/.test(log)) {
        child.stdout.removeListener("data", onData);
        child.stdout.resume(); // keep draining so the pipe never blocks the server
        child.removeListener("exit", onEarlyExit);
        clearTimeout(timer);
        resolve(child);
      }
    };
    const onEarlyExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log.slice(-2000)}`));
    };
    const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_LIMIT_MS); // then onEarlyExit reports it
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk) => (log += chunk));
    child.once("error", reject);
    child.once("exit", onEarlyExit);
  });
}

async function startRedis() {
  let lastError;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      const child = await startRedisOnce(port);
      // If this script dies, do not leave the server behind.
      process.on("exit", () => child.kill("SIGKILL"));
      return { child, port };
    } catch (err) {
      if (err.code === "ENOENT") fail(`cannot run ${REDIS_SERVER} (set REDIS_SERVER)`);
      lastError = err;
    }
  }
  fail(`could not start redis-server: ${lastError.message}`);
}

// Resolves once redis-server has exited and its output pipes are closed ("close" comes after
// "exit" and after both). SIGTERM first; SIGKILL if it has not exited within the limit.
async function stopRedis(child) {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  if (exited() && child.stdout.destroyed && child.stderr.destroyed) return;
  const closed = new Promise((resolve) => child.once("close", resolve));
  if (!exited()) child.kill("SIGTERM");
  try {
    await within(closed, "redis-server to exit");
  } catch (err) {
    process.stderr.write(`capture_streams.js: ${err.message}; killing it\n`);
    if (!exited()) child.kill("SIGKILL");
    await within(closed, "redis-server to exit after SIGKILL");
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting on observed state. Whoever changes the state calls notify(); waitUntil() re-evaluates
// its test then and resolves as soon as it holds. The limit only turns a hang into an error.

class Changes {
  constructor() {
    this.waiters = new Set();
  }

  notify() {
    for (const w of [...this.waiters]) w();
  }

  waitUntil(test, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let ok;
        try {
          ok = test();
        } catch (err) {
          ok = err;
        }
        if (!ok) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        if (ok instanceof Error) reject(ok);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`waited ${WAIT_LIMIT_MS} ms for ${what}`));
      }, WAIT_LIMIT_MS);
      this.waiters.add(check);
      check();
    });
  }
}

// A wait that no observed event of ours ends (a connection, a reply, a process exit) gets the
// same limit, so that nothing can hang without saying what it was waiting for.
function within(promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${WAIT_LIMIT_MS} ms for ${what}`)), WAIT_LIMIT_MS);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function command(client, args) {
  return within(client.sendCommand(args), `the reply to ${args.slice(0, 2).join(" ")}`);
}

// ---------------------------------------------------------------------------------------------
// MONITOR: a raw connection that sees every command Redis executes, with the sender's address
// and every argument byte for byte. Unlike SSUBSCRIBE it needs no channel name in advance, so it
// also shows a publish on a channel nobody expected, or a PUBLISH instead of an SPUBLISH.

// One MONITOR line: +<time> [<db> <addr>] "arg" "arg" ..., each argument escaped by Redis's
// sdscatrepr: \\ \" \n \r \t \a \b, \xhh for other non-printable bytes, the rest raw ASCII.
const SIMPLE_ESCAPES = { "\\": 0x5c, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08 };

function parseMonitorLine(line) {
  const head = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] /.exec(line);
  if (!head) throw new Error(`unexpected MONITOR line: ${line.slice(0, 200)}`);
  const argv = [];
  let i = head[0].length;
  while (i < line.length) {
    if (line[i] !== '"') throw new Error(`bad MONITOR argument at ${i}: ${line.slice(0, 200)}`);
    i++;
    const out = [];
    while (line[i] !== '"') {
      if (i >= line.length) throw new Error(`unterminated MONITOR argument: ${line.slice(0, 200)}`);
      if (line[i] !== "\\") {
        out.push(line.charCodeAt(i++));
        continue;
      }
      const e = line[i + 1];
      if (e === "x") {
        out.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e in SIMPLE_ESCAPES) {
        out.push(SIMPLE_ESCAPES[e]);
        i += 2;
      } else {
        throw new Error(`unknown escape \\${e} in MONITOR line`);
      }
    }
    argv.push(Buffer.from(out));
    i++; // closing quote
    if (line[i] === " ") i++;
  }
  return { addr: head[1], command: argv[0].toString("latin1").toUpperCase(), args: argv.slice(1) };
}

class Monitor {
  constructor() {
    this.entries = [];
    this.changed = new Changes();
  }

  async open(port) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.setEncoding("latin1"); // MONITOR output is ASCII; latin1 keeps one char per byte
    let pending = "";
    let ready;
    const ok = new Promise((resolve, reject) => {
      ready = resolve;
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk) => {
      pending += chunk;
      let end;
      while ((end = pending.indexOf("\r\n")) !== -1) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (line === "+OK") ready();
        else this.add(parseMonitorLine(line));
      }
    });
    this.socket.write("MONITOR\r\n");
    await within(ok, "MONITOR to start");
  }

  add(entry) {
    this.entries.push(entry);
    this.changed.notify();
  }

  // Resolves as soon as test() holds for the entries seen so far.
  waitUntil(test, what) {
    return this.changed.waitUntil(() => test(this.entries), `MONITOR to show ${what}`);
  }

  // Resolves once the connection is closed.
  close() {
    if (!this.socket || this.socket.destroyed) return Promise.resolve();
    const closed = new Promise((resolve) => this.socket.once("close", resolve));
    this.socket.destroy();
    return closed;
  }
}

// ---------------------------------------------------------------------------------------------
// The uid. ClusterAdapter's constructor (socket.io-adapter 2.5.8 dist/cluster-adapter.js) does
// `this.uid = randomId()`, a plain assignment. The streams adapter's constructor reads `this.uid`
// right after `super()`: 0.3 puts it in the private side channel P#N#<uid># it SUBSCRIBEs to, and
// 0.2 publishes an INITIAL_HEARTBEAT carrying it. Overwriting the property after construction is
// therefore too late for both. Instead the script defines `uid` as an accessor on
// ClusterAdapter.prototype: the getter always returns "emitter" and the setter drops the random
// value, so the constructor's assignment creates no own property and every message, channel and
// heartbeat carries "emitter" from the first command on. Both generations extend the same
// ClusterAdapter (checked in loadPackages). Side effect, harmless here: every server ignores
// every incoming message (it takes them for its own), so nothing ever replies.
function forceUid(ClusterAdapter) {
  Object.defineProperty(ClusterAdapter.prototype, "uid", {
    configurable: true,
    get() {
      return EMITTER_UID;
    },
    set(_ignored) {},
  });
}

function createClient(pkgs, port) {
  // reconnectStrategy false: a client never retries a connection that is gone (in particular once
  // redis-server is stopped). The clients the adapters duplicate from it inherit the option.
  const client = pkgs.createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", (err) => process.stderr.write(`capture_streams.js: redis client error: ${err.message}\n`));
  return client;
}

const WRITES = new Set(["XADD", "PUBLISH", "SPUBLISH"]);

// The servers, and every node-redis client of this process: the ones the script opens (publishing
// clients, peers, an admin connection) and the ones the adapters make from a publishing client
// with duplicate(): 0.3 opens one reader per stream and one Pub/Sub client; 0.2 reads on
// connections of the publishing client's isolation pool, which node-redis also makes with
// duplicate(). Every client is tracked, and so is every XREAD a poller has in flight (both
// generations call xRead on a client they got from us), so that shutdown can wait for the pollers
// to stop and for every connection to close instead of guessing.
class Servers {
  constructor(pkgs, port, monitor) {
    this.pkgs = pkgs;
    this.port = port;
    this.monitor = monitor;
    this.byKey = new Map();
    this.clients = []; // every client: { client, ours }
    this.xreads = new Set(); // XREAD promises not settled yet
    this.changed = new Changes();
    this.peers = new Set();
  }

  // A client of the script's own (ours: the script disconnects it at the end).
  async connect(server) {
    const client = createClient(this.pkgs, this.port);
    this.track(client, server, true);
    await within(client.connect(), "a connection to redis-server");
    return client;
  }

  track(client, server, ours) {
    this.clients.push({ client, ours });
    client.on("end", () => this.changed.notify());
    if (!server) return;
    const duplicate = client.duplicate;
    client.duplicate = (...args) => {
      const copy = duplicate.apply(client, args);
      this.track(copy, server, false);
      return copy;
    };
    const xRead = client.xRead;
    client.xRead = (...args) => {
      const reply = xRead.apply(client, args);
      server.readers.add(client);
      this.xreads.add(reply);
      const settled = () => {
        this.xreads.delete(reply);
        this.changed.notify();
      };
      reply.then(settled, settled);
      this.changed.notify();
      return reply;
    };
  }

  async admin() {
    if (!this.adminClient) this.adminClient = await this.connect(null);
    return this.adminClient;
  }

  async get(generation, options) {
    const id = JSON.stringify([generation, options]);
    if (!this.byKey.has(id)) {
      const server = { generation, options, setup: new Map(), readers: new Set(), closed: new Set(), prefix: options.channelPrefix === undefined ? "socket.io" : options.channelPrefix };
      const pub = await this.connect(server);
      const info = String(await command(pub, ["CLIENT", "INFO"]));
      server.pub = pub;
      server.addr = /(?:^| )addr=(\S+)/.exec(info)[1];
      const opts = { ...options };
      if (generation === "0.2.3") opts.heartbeatInterval = NO_TIMER_HEARTBEAT;
      const start = this.monitor.entries.length;
      server.io = new this.pkgs.Server({ adapter: this.pkgs.adapters[generation].createAdapter(pub, opts) });
      this.byKey.set(id, server);
      await this.recordSetup(server, "/", start);
      // Every poller has sent its first XREAD: 0.3 one reader per stream, 0.2 one loop per server.
      const pollers = generation === "0.3.1" ? options.streamCount || 1 : 1;
      await this.changed.waitUntil(() => server.readers.size === pollers, `the ${pollers} poller(s) of ${id} to read`);
    }
    return this.byKey.get(id);
  }

  // What creating a namespace writes: 0.3 SUBSCRIBEs to its side channels on a connection of its
  // own (duplicated from the publishing client); 0.2 XADDs an INITIAL_HEARTBEAT on the
  // publishing connection. The wait ends when MONITOR shows that command.
  async recordSetup(server, name, start) {
    const adapter = server.io.of(name).adapter;
    if (adapter.uid !== EMITTER_UID || Object.prototype.hasOwnProperty.call(adapter, "uid")) throw new Error("the uid override did not work");
    let test;
    if (server.generation === "0.3.1") {
      const channel = `${server.prefix}#${name}#`;
      test = (e) => (e.command === "SUBSCRIBE" || e.command === "SSUBSCRIBE") && e.args.some((a) => a.toString("utf8") === channel);
    } else {
      test = (e) => e.addr === server.addr && e.command === "XADD" && fieldsOf(e).nsp === name;
    }
    await this.monitor.waitUntil((all) => all.slice(start).some(test), `the setup of ${name}`);
    server.setup.set(name, this.monitor.entries.slice(start).filter(test));
  }

  async namespace(server, name) {
    if (!server.io._nsps.has(name)) {
      const start = this.monitor.entries.length;
      server.io.of(name);
      await this.recordSetup(server, name, start);
    }
    return server.io.of(name);
  }

  // fetchSockets and serverSideEmitWithAck publish only when PUBSUB NUMSUB P#N# counts another
  // server. A plain extra subscriber plays that server (it never answers).
  async ensurePeer(channel) {
    if (this.peers.has(channel)) return;
    const peer = await this.connect(null);
    await within(peer.subscribe(channel, () => {}), `SUBSCRIBE ${channel}`);
    this.peers.add(channel);
  }

  // Stops every poller, then closes every connection. The order matters. A poller only stops
  // once its adapters are closed and its current XREAD (BLOCK 5000) has returned, and a poller
  // whose connection goes away before that does not stop: its XREAD fails at once, and it sends
  // the next one, forever, without ever yielding to the event loop (this is what made the capture
  // spin at 100% CPU and never exit). So:
  //   1. close every namespace adapter: 0.3 aborts its pollers (and disconnects its Pub/Sub
  //      client); 0.2 stops polling and XADDs ADAPTER_CLOSE (type 13), seen on MONITOR;
  //   2. CLIENT UNBLOCK every connection still blocked in XREAD: the XREAD returns nil, and the
  //      poller stops (0.3 disconnects its reader);
  //   3. wait until no XREAD is in flight, and check that none started again;
  //   4. disconnect our own clients (0.2's isolation pool goes with its publishing client) and
  //      wait until every client, ours or the adapters', is closed.
  async close() {
    const servers = [...this.byKey.values()];
    // 0.3 first: 0.2's ADAPTER_CLOSE entries wake the 0.3 readers of the same stream, which then
    // find their adapter closed.
    servers.sort((a, b) => (a.generation === b.generation ? 0 : a.generation === "0.3.1" ? -1 : 1));
    const start = this.monitor.entries.length;
    const closing = [];
    for (const server of servers) {
      for (const nsp of server.io._nsps.values()) {
        if (server.closed.has(nsp.name)) continue;
        server.closed.add(nsp.name);
        nsp.adapter.close();
        if (server.generation === "0.2.3") closing.push({ addr: server.addr, nsp: nsp.name });
      }
    }
    const closeSeen = ({ addr, nsp }) => (e) => e.addr === addr && e.command === "XADD" && fieldsOf(e).nsp === nsp && fieldsOf(e).type === "13";
    await this.monitor.waitUntil((all) => closing.every((c) => all.slice(start).some(closeSeen(c))), "ADAPTER_CLOSE from every 0.2 namespace");

    const admin = await this.admin();
    const list = String(await command(admin, ["CLIENT", "LIST", "TYPE", "normal"]));
    for (const line of list.split("\n")) {
      const flags = /(?:^| )flags=(\S+)/.exec(line);
      const cmd = /(?:^| )cmd=(\S+)/.exec(line);
      if (flags && flags[1].includes("b") && cmd && cmd[1] === "xread") {
        await command(admin, ["CLIENT", "UNBLOCK", /(?:^| )id=(\d+)/.exec(line)[1]]);
      }
    }
    await this.changed.waitUntil(() => this.xreads.size === 0, "every poller's last XREAD to return");
    // A poller that goes on sends its next XREAD within the same turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.xreads.size) throw new Error("a poller kept reading after its adapters were closed");

    await within(Promise.all(this.clients.filter((c) => c.ours && c.client.isOpen).map((c) => c.client.disconnect())), "our clients to disconnect");
    await this.changed.waitUntil(() => this.clients.every((c) => !c.client.isOpen), "every redis client to close");
  }
}

// The field/value pairs of an XADD, as strings (after MAXLEN ~ n *).
function fieldsOf(e) {
  const args = e.args.map((a) => a.toString("utf8"));
  const star = args.indexOf("*");
  const out = {};
  for (let i = star + 1; i + 1 < args.length; i += 2) out[args[i]] = args[i + 1];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running one case through the server API.

const OPS = new Set(["of", "to", "in", "except", "volatile", "compress", "timeout"]);
const MESSAGE_TYPE = {
  emit: 3, emitWithAck: 3, socketsJoin: 4, socketsLeave: 5, disconnectSockets: 6,
  fetchSockets: 7, serverSideEmit: 9, serverSideEmitWithAck: 9, of: 1, close: 13,
};
const NEEDS_PEER = new Set(["fetchSockets", "serverSideEmitWithAck"]);
const NAMESPACE_ONLY = new Set(["serverSideEmit", "serverSideEmitWithAck", "of", "close"]);
const noop = () => {};

function splitOps(c) {
  const ops = c.ops.slice();
  let nspName = "/";
  if (ops.length && ops[0][0] === "of") nspName = ops.shift()[1];
  if (!nspName.startsWith("/")) nspName = "/" + nspName;
  for (const o of ops) {
    if (!OPS.has(o[0]) || o[0] === "of") throw new Error(`${c.name}: op ${o[0]} is unknown or out of place`);
    if ((o[0] === "volatile") !== (o.length === 1) || o.length > 2) throw new Error(`${c.name}: bad op ${JSON.stringify(o)}`);
  }
  if (NAMESPACE_ONLY.has(c.call) && ops.length) throw new Error(`${c.name}: ${c.call} only takes of()`);
  return { nspName, ops };
}

function perform(nsp, ops, call, args) {
  let t = nsp;
  for (const [name, arg] of ops) t = name === "volatile" ? t.volatile : t[name](decode(arg));
  const values = decode(args);
  try {
    let result;
    switch (call) {
      case "emitWithAck": // what emitWithAck does internally, on a target that may be a Namespace
        result = t.emit(...values, noop);
        break;
      case "serverSideEmitWithAck":
        result = t.serverSideEmit(...values, noop);
        break;
      case "close":
        result = nsp.adapter.close();
        break;
      default:
        if (!(call in MESSAGE_TYPE)) throw new Error(`unknown call ${call}`);
        result = t[call](...values);
    }
    if (result && typeof result.catch === "function") result.catch(noop);
  } catch (err) {
    return err.message;
  }
  return undefined;
}

// Decodes what a command carries, to check it (type, uid, nsp) and to find the requestId.
function messageOf(pkgs, generation, e) {
  const { msgpack } = pkgs.adapters[generation];
  if (e.command === "XADD") {
    const fields = fieldsOf(e);
    let data;
    if (fields.data !== undefined) data = fields.data.startsWith("{") ? JSON.parse(fields.data) : msgpack.decode(Buffer.from(fields.data, "base64"));
    return { uid: fields.uid, nsp: fields.nsp, type: Number(fields.type), data, typeText: fields.type };
  }
  if (e.command === "PUBLISH" || e.command === "SPUBLISH") return msgpack.decode(e.args[1]);
  return undefined;
}

// The server draws a random 16-hex requestId; the vector states it as the case's request_id. It
// is replaced in the raw bytes (PUBLISH: msgpack; XADD: the JSON text or the bytes under the
// base64), same length, so no length, header or padding changes.
function swapBytes(buf, from, to) {
  const hex = buf.toString("hex");
  const f = Buffer.from(from).toString("hex");
  const parts = hex.split(f);
  if (parts.length !== 2 || parts[0].length % 2) throw new Error("requestId is not found exactly once");
  return Buffer.from(parts.join(Buffer.from(to).toString("hex")), "hex");
}

function fixRequestId(c, e, drawn) {
  if (typeof drawn !== "string" || !/^[0-9a-f]{16}$/.test(drawn)) throw new Error(`${c.name}: requestId ${drawn} is not 16 hex digits`);
  const args = e.args.slice();
  if (e.command === "XADD") {
    const i = args.findIndex((a) => a.toString("utf8") === "data") + 1;
    const text = args[i].toString("utf8");
    args[i] = text.startsWith("{")
      ? swapBytes(args[i], drawn, c.request_id)
      : Buffer.from(swapBytes(Buffer.from(text, "base64"), drawn, c.request_id).toString("base64"));
  } else {
    args[1] = swapBytes(args[1], drawn, c.request_id);
  }
  return { ...e, args };
}

function checkMessage(c, message, nspName) {
  const want = MESSAGE_TYPE[c.call];
  const problems = [];
  if (message.type !== want) problems.push(`type ${message.type}, expected ${want}`);
  if (message.uid !== EMITTER_UID) problems.push(`uid ${message.uid} (the uid override did not work)`);
  if (message.nsp !== nspName) problems.push(`nsp ${message.nsp}, expected ${nspName}`);
  const rid = message.data && message.data.requestId;
  if ((rid !== undefined) !== (c.request_id !== undefined)) problems.push("requestId presence");
  if (problems.length) throw new Error(`${c.name}: ${problems.join("; ")}`);
}

// A command as the file records it: the command name, then every argument; each one a JSON
// string when its bytes are valid UTF-8, otherwise {"$hex": "..."}.
function renderArg(buf) {
  const text = buf.toString("utf8");
  return Buffer.from(text, "utf8").equals(buf) ? text : { $hex: buf.toString("hex") };
}
function renderCommand(e) {
  return [e.command, ...e.args.map(renderArg)];
}

async function runCase(pkgs, servers, monitor, c) {
  const server = await servers.get(c.generation, c.options);
  const { nspName, ops } = splitOps(c);
  const nsp = await servers.namespace(server, nspName);
  if (c.call === "of") return { commands: server.setup.get(nspName).map(renderCommand), threw: undefined };
  if (NEEDS_PEER.has(c.call)) await servers.ensurePeer(`${server.prefix}#${nsp.name}#`);

  const mine = (e) => e.addr === server.addr;
  const isWrite = (e) => mine(e) && WRITES.has(e.command);
  const start = monitor.entries.length;
  const since = (entries) => entries.slice(start);

  const threw = perform(nsp, ops, c.call, c.args);
  if (c.call === "close") server.closed.add(nspName);
  const expected = threw === undefined ? 1 : 0;
  if (Boolean(c.throws) !== (threw !== undefined)) throw new Error(`${c.name}: ${threw === undefined ? "expected a throw" : `threw ${threw}`}`);
  await monitor.waitUntil((all) => since(all).filter(isWrite).length >= expected, `${expected} write(s) for ${c.name}`);

  // Fence: a command sent after the writes on the same connection. Once MONITOR shows it, every
  // write the operation queued has been seen, so an unexpected second one would be caught.
  const token = `capture-fence-${c.name}`;
  await command(server.pub, ["ECHO", token]);
  const isFence = (e) => mine(e) && e.command === "ECHO" && e.args[0].toString() === token;
  await monitor.waitUntil((all) => since(all).some(isFence), `the fence of ${c.name}`);

  const seen = since(monitor.entries);
  const written = seen.slice(0, seen.findIndex(isFence)).filter(isWrite);
  if (written.length !== expected) throw new Error(`${c.name}: ${written.length} writes, expected ${expected}`);
  const commands = written.map((e) => {
    const message = messageOf(pkgs, c.generation, e);
    checkMessage(c, message, nsp.name);
    return renderCommand(c.request_id !== undefined ? fixRequestId(c, e, message.data.requestId) : e);
  });
  return { commands, threw };
}

// ---------------------------------------------------------------------------------------------
// Building and writing the document.

function checkDefinition(c, names) {
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(c.name)) throw new Error(`case name ${c.name} is not snake_case`);
  if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
  names.add(c.name);
  if (typeof c.about !== "string" || c.about.includes("\n")) throw new Error(`${c.name}: about must be one line`);
  if ((c.request_id !== undefined) !== (c.call === "emitWithAck" || NEEDS_PEER.has(c.call))) {
    throw new Error(`${c.name}: request_id must be given exactly for calls that expect replies`);
  }
}

async function capture(pkgs, servers, monitor) {
  const names = new Set();
  const out = [];
  for (const def of expandCases()) {
    checkDefinition(def, names);
    // Round-trip the inputs through JSON first, so the server sees exactly what the file says.
    const input = JSON.parse(JSON.stringify({ options: def.options, ops: def.ops, args: def.args }));
    const { commands, threw } = await runCase(pkgs, servers, monitor, { ...def, ...input });
    const c = { name: def.name, about: def.about, generation: def.generation, options: input.options, ops: input.ops, call: def.call, args: input.args };
    if (def.request_id !== undefined) c.request_id = def.request_id;
    if (threw !== undefined) c.throws = threw;
    c.commands = commands;
    out.push(c);
  }
  return out;
}

function render(cases) {
  const j = (v) => JSON.stringify(v);
  const lines = ["{", `  "source": ${j(SOURCE)},`, `  "generated_by": ${j(GENERATED_BY)},`, `  "cases": [`];
  cases.forEach((c, i) => {
    lines.push("    {");
    for (const k of Object.keys(c).filter((key) => key !== "commands")) lines.push(`      ${j(k)}: ${j(c[k])},`);
    if (c.commands.length === 0) {
      lines.push(`      "commands": []`);
    } else {
      lines.push(`      "commands": [`);
      c.commands.forEach((cmd, ci) => lines.push(`        ${j(cmd)}${ci + 1 < c.commands.length ? "," : ""}`));
      lines.push("      ]");
    }
    lines.push(i + 1 < cases.length ? "    }," : "    }");
  });
  lines.push("  ]", "}");
  return lines.join("\n") + "\n";
}

async function checkRedisVersion(servers) {
  const client = await servers.admin();
  const info = String(await command(client, ["INFO", "server"]));
  const version = /redis_version:(\d+)\./.exec(info);
  // 0.3.1 reads sessions with GETDEL (6.2); the capture itself needs XADD with MAXLEN ~ (6.2 is plenty).
  if (!version || Number(version[1]) < 7) fail(`redis-server >= 7 is expected (found ${version ? version[0] : "?"})`);
}

// Compares the fresh capture with the committed file; returns the exit code.
function compare(text, cases) {
  let committed;
  try {
    committed = fs.readFileSync(OUT_FILE, "utf8");
  } catch (err) {
    process.stderr.write(`capture_streams.js --check: cannot read ${OUT_FILE}: ${err.message}\n`);
    return 1;
  }
  if (committed === text) {
    process.stdout.write(`vectors_streams.json is up to date (${cases.length} cases)\n`);
    return 0;
  }
  let detail;
  try {
    const old = new Map(JSON.parse(committed).cases.map((c) => [c.name, JSON.stringify(c)]));
    const fresh = new Map(cases.map((c) => [c.name, JSON.stringify(c)]));
    const show = (label, list) => (list.length ? `  ${label}: ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", ..." : ""}\n` : "");
    detail =
      show("changed", [...fresh.keys()].filter((n) => old.has(n) && old.get(n) !== fresh.get(n))) +
      show("new", [...fresh.keys()].filter((n) => !old.has(n))) +
      show("removed", [...old.keys()].filter((n) => !fresh.has(n)));
  } catch (err) {
    detail = `  committed file is not valid JSON: ${err.message}\n`;
  }
  process.stderr.write(`capture_streams.js --check: vectors_streams.json differs from a fresh capture\n${detail || "  (formatting differs)\n"}run: node tests/vectors/capture_streams.js\n`);
  return 1;
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  if (args.some((a) => a !== "--check")) fail("usage: node capture_streams.js [--check]");
  const pkgs = loadPackages();
  forceUid(pkgs.ClusterAdapter);
  const { child, port } = await startRedis();
  const monitor = new Monitor();
  const servers = new Servers(pkgs, port, monitor);
  let code = 0;
  try {
    await monitor.open(port);
    await checkRedisVersion(servers);
    const cases = await capture(pkgs, servers, monitor);
    const text = render(cases);
    JSON.parse(text); // must be valid JSON
    if (check) {
      code = compare(text, cases);
    } else {
      fs.writeFileSync(OUT_FILE, text);
      process.stdout.write(`wrote ${path.relative(process.cwd(), OUT_FILE) || OUT_FILE}: ${cases.length} cases, ${Buffer.byteLength(text)} bytes\n`);
    }
  } catch (err) {
    process.stderr.write(`capture_streams.js: ${err.stack || err.message}\n`);
    code = 2;
  } finally {
    // Stop the pollers and close every client while redis-server still runs (see Servers.close),
    // then MONITOR, then redis-server itself.
    try {
      await servers.close();
    } catch (err) {
      process.stderr.write(`capture_streams.js: shutdown: ${err.message}\n`);
      code = 2;
    }
    await monitor.close();
    await stopRedis(child);
  }
  // Requests that wait for replies (emitWithAck, fetchSockets, serverSideEmitWithAck) still hold
  // their timeout timers, up to 5 s; nothing else is left running, so exit without waiting.
  process.exit(code);
}

main();
