#!/usr/bin/env node
// Captures golden vectors for the sharded Redis adapter from real servers.
//
//   node tests/vectors/capture_sharded.js           rewrite tests/vectors/vectors_sharded.json
//   node tests/vectors/capture_sharded.js --check   exit 1 if the committed file differs from a fresh capture
//
// No official emitter speaks the sharded format (docs/protocol.md §3), so the reference is what a
// real server publishes. The script starts its own redis-server (>= 7) on a free loopback port,
// runs socket.io 4.8.1 with createShardedAdapter from @socket.io/redis-adapter 8.3.0 over
// node-redis 4.7.1 (one Server per subscription mode and channel prefix, uid forced to
// "emitter"), performs each case through the server API (io.to(...).emit(...),
// io.socketsJoin(...), ...), and records every SPUBLISH (or PUBLISH) that the server's publishing
// connection sends, as seen by a MONITOR connection. The format is described in README.md.
"use strict";

const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");

const HERE = __dirname;
const OUT_FILE = path.join(HERE, "vectors_sharded.json");
const GENERATED_BY = "tests/vectors/capture_sharded.js";
const REDIS_SERVER = process.env.REDIS_SERVER || "redis-server";
const WAIT_LIMIT_MS = 10000; // a guard against a hung capture, not a delay: waits end on observed events
const EMITTER_UID = "emitter";
const MODES = ["static", "dynamic", "dynamic-private"];

// The exact packages the fixtures pin (tests/fixtures/package.json), plus the two transitive
// packages that decide the bytes: socket.io-adapter (ClusterAdapter builds the message) and
// notepack.io (the msgpack encoder of the sharded adapter).
const PINNED = {
  "socket.io": "4.8.1",
  "@socket.io/redis-adapter": "8.3.0",
  redis: "4.7.1",
  "socket.io-adapter": "2.5.8",
  "notepack.io": "3.0.1",
};
const SOURCE =
  `socket.io@${PINNED["socket.io"]} + @socket.io/redis-adapter@${PINNED["@socket.io/redis-adapter"]} createShardedAdapter ` +
  `(socket.io-adapter@${PINNED["socket.io-adapter"]}, notepack.io@${PINNED["notepack.io"]}, redis@${PINNED.redis}), ` +
  `server uid forced to "${EMITTER_UID}", recorded with MONITOR on redis-server >= 7`;

function fail(message) {
  process.stderr.write(`capture_sharded.js: ${message}\n`);
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
  const adapter = versionOf("@socket.io/redis-adapter", HERE);
  const redis = versionOf("redis", HERE);
  // The copies that the two packages really load, which is what matters.
  const clusterFromAdapter = versionOf("socket.io-adapter", adapter.dir);
  const clusterFromIo = versionOf("socket.io-adapter", io.dir);
  const notepack = versionOf("notepack.io", adapter.dir);
  const found = {
    "socket.io": io.version,
    "@socket.io/redis-adapter": adapter.version,
    redis: redis.version,
    "socket.io-adapter": clusterFromAdapter.version,
    "notepack.io": notepack.version,
  };
  for (const [pkg, want] of Object.entries(PINNED)) {
    if (found[pkg] !== want) fail(`${pkg} is ${found[pkg]}, expected ${want} (run npm ci in tests/vectors)`);
  }
  if (clusterFromAdapter.dir !== clusterFromIo.dir) {
    fail("socket.io and @socket.io/redis-adapter load different copies of socket.io-adapter");
  }
  const load = (pkg) => require(require.resolve(pkg, { paths: [HERE] }));
  return {
    Server: load("socket.io").Server,
    createShardedAdapter: load("@socket.io/redis-adapter").createShardedAdapter,
    createClient: load("redis").createClient,
    notepack: require(require.resolve("notepack.io", { paths: [adapter.dir] })),
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
// The operations. Each one becomes one case per subscription mode (name suffix _static,
// _dynamic, _dynamic_private) unless it lists its own `modes`. The payload never depends on the
// mode; the channel may.

const OPERATIONS = [];
function op(name, about, ops, call, args, more = {}) {
  OPERATIONS.push({ name, about, ops, call, args, ...more });
}
const emit = (name, about, ops, args = ["ev", 1], more = {}) => op(name, about, ops, "emit", args, more);

// --- broadcast basics (protocol 3.2 type 3, JSON when there is no binary) ---
emit("emit_no_args", "protocol 3.2: BROADCAST {type:3, data:{packet:{type:2,data:[ev]}, opts:{rooms,except,flags}}, uid, nsp} as JSON", [], ["ev"]);
emit("emit_string_arg", "protocol 3.2: the example of §3.2 (hello, world) on the main channel", [], ["hello", "world"]);
emit("emit_several_args", "protocol 3.2: several arguments of mixed types, empty containers", [], ["ev", 1, "two", { three: [3] }, true, null, [], {}, ""]);

// --- channel choice (protocol 3.1 computeChannel) ---
emit("room_one", "protocol 3.1: one room uses P#N#room# in dynamic modes, P#N# in static", [["to", "room1"]]);
emit("room_one_via_in", "protocol 3.1: in() is to()", [["in", "room1"]]);
emit("room_one_array", "protocol 3.1: to([room1]) is one room", [["to", ["room1"]]]);
emit("room_duplicates_are_one", "protocol 6.3: rooms are a set; one room left, so the room channel in dynamic modes", [["to", ["room1", "room1"]], ["in", "room1"]]);
emit("room_two", "protocol 3.1: two rooms always use the main channel", [["to", ["room1", "room2"]]]);
emit("room_except_only", "protocol 3.1: except alone uses the main channel", [["except", "r4"]]);
emit("room_one_with_except", "protocol 3.1: one room plus except still uses the room channel in dynamic modes", [["to", "room1"], ["except", "room2"]]);
emit("room_two_with_except", "protocol 3.2: opts keeps rooms, except, flags in that order", [["to", ["r1", "r2"]], ["except", ["r3", "r4", "r3"]]]);
emit("room_numeric", "protocol 6.3: room 7 is a JSON number; dynamic channel P#N#7#", [["to", 7]]);
emit("room_numeric_zero", "protocol 6.3: room 0 gives P#N#0# in dynamic modes", [["to", 0]]);
emit("room_numeric_and_string", "protocol 6.3: 7 and \"7\" are two rooms, so the main channel", [["to", 7], ["to", "7"]]);
emit("room_empty_string", "protocol 3.1: the empty room gives P#N## in dynamic modes", [["to", ""]]);
emit("room_socket_id_like", "protocol 3.1: a 20-character string looks like a socket id: main channel in dynamic, room channel in dynamic-private", [["to", "abcdefghijklmnopqrst"]]);
emit("room_21_chars", "protocol 3.1: a 21-character room is not socket-id-like: room channel in dynamic modes", [["to", "abcdefghijklmnopqrstu"]]);
emit("room_19_chars", "protocol 3.1: a 19-character room is not socket-id-like: room channel in dynamic modes", [["to", "abcdefghijklmnopqrs"]]);
emit("room_10_emoji_is_20_utf16_units", "protocol 3.1: the socket-id test counts UTF-16 units: 10 emoji (40 bytes) look like a socket id in dynamic mode", [["to", "😀".repeat(10)]]);
emit("room_20_e_acute", "protocol 3.1: 20 x \"é\" (40 UTF-8 bytes, 20 UTF-16 units) looks like a socket id in dynamic mode", [["to", "é".repeat(20)]]);
emit("room_unicode", "protocol 3.1: a non-ASCII room appears as raw UTF-8 in the room channel", [["to", "salle-é-中"]]);
emit("room_with_hash", "protocol 3.1: a room containing # is appended as is", [["to", "a#b"]]);

// --- flags (protocol 2.5) ---
emit("flags_volatile", "protocol 2.5: volatile gives flags {volatile:true}", [["volatile"]]);
emit("flags_compress_false", "protocol 2.5: compress(false) gives flags {compress:false}", [["compress", false]]);
emit("flags_compress_false_then_volatile", "protocol 2.5: flags keep the order they were set in", [["compress", false], ["volatile"]]);
emit("flags_room_volatile_compress", "protocol 2.5 / 3.1: flags with one room, room channel in dynamic modes", [["to", "room1"], ["volatile"], ["compress", false]]);

// --- JSON text (protocol 7.3) ---
emit("json_numbers", "protocol 7.3: JSON.stringify numbers: 1.5, 0.1, 1e+21, 1e-7, -0 as 0, 1.0 as 1, NaN and Infinity as null", [],
  ["ev", f(1.5), f(0.1), f(1e21), f(1e-7), f("-0"), f(1), f("NaN"), f("Infinity"), 9007199254740991, -9007199254740991]);
emit("json_string_escapes", "protocol 7.3: only \", \\ and U+0000-U+001F are escaped; / DEL U+2028 U+2029 stay raw", [],
  ["ev", "q\" b\\ s/ nul\u0000 bs\b t\t n\n vt\u000b ff\f cr\r esc\u001b us\u001f del\u007f ls\u2028 ps\u2029"]);
emit("json_unicode", "protocol 7.3: non-ASCII text is raw UTF-8 in the JSON", [], ["événement", "中文", "😀", { "ключ": "значение" }]);
emit("json_map_integer_keys", "trap 9.5: JSON.stringify puts integer-like keys first", [], ["ev", omap([["b", 1], ["a", 2], ["1", 3], ["10", 4], ["2", 5], ["-1", 6]])]);
emit("json_date", "protocol 7.3: a Date becomes its ISO string in JSON", [], ["ev", date(1700000000123)]);

// --- binary: the whole message becomes notepack msgpack (protocol 3.2) ---
emit("binary_arg", "protocol 3.2: a Buffer argument makes the whole message msgpack", [], ["ev", bytes("010203")]);
emit("binary_empty", "protocol 3.2: an empty Buffer is still binary (c4 00)", [], ["ev", bytes("")]);
emit("binary_nested", "protocol 3.2: binary nested in maps and arrays", [], ["ev", { file: bytes("ff00"), list: [bytes("01"), "x", { deep: [bytes("deadbeef")] }] }]);
emit("binary_room", "protocol 3.1 / 3.2: binary to one room, room channel in dynamic modes", [["to", "room1"]], ["ev", bytes("0102")]);
emit("binary_with_numbers_and_date", "protocol 7.1: numbers and a Date inside a msgpack message (integral float as integer, timestamp ext)", [],
  ["ev", bytes("00"), f(1.5), -1, 65536, f(1), date(1700000000123), null, true]);
emit("binary_256", "protocol 7.1: 256 bytes is bin16 c5 0100", [], ["ev", bytes(seqHex(256))]);
emit("binary_flags_except", "protocol 3.2: binary with except and flags", [["except", "r1"], ["volatile"], ["compress", false]], ["ev", bytes("0a")]);

// --- namespaces (protocol 6.2) ---
emit("nsp_admin", "protocol 3.1: of(\"admin\") gives P#/admin# and nsp \"/admin\"", [["of", "admin"]]);
emit("nsp_admin_room", "protocol 3.1: namespace and one room, P#/admin#room1# in dynamic modes", [["of", "/admin"], ["to", "room1"]]);
emit("nsp_admin_numeric_room", "protocol 3.1: namespace and numeric room, P#/admin#42# in dynamic modes", [["of", "admin"], ["to", 42]]);
emit("nsp_unicode", "protocol 6.2: a non-ASCII namespace is raw UTF-8 in channel and message", [["of", "café-中"]]);
emit("nsp_binary", "protocol 3.2: msgpack message in another namespace", [["of", "admin"]], ["ev", bytes("01")]);

// --- channel prefix (channelPrefix option, called key in our configuration) ---
emit("key_custom", "protocol 3.1: channelPrefix myapp gives myapp#/#", [], ["ev", 1], { key: "myapp" });
emit("key_custom_room", "protocol 3.1: channelPrefix myapp and one room", [["to", "room1"]], ["ev", 1], { key: "myapp" });
emit("key_custom_nsp_room", "protocol 3.1: prefix, namespace, room and flags together", [["of", "admin"], ["to", "r1"], ["volatile"]], ["ev", 1], { key: "myapp" });
emit("key_empty", "protocol 3.1: an empty channelPrefix gives #/# and #/#room1#", [["to", "room1"]], ["ev", 1], { key: "" });

// --- socketsJoin / socketsLeave / disconnectSockets (types 4, 5, 6): never a room channel ---
op("sockets_join", "protocol 3.2: SOCKETS_JOIN {type:4, data:{opts, rooms}} on the main channel", [], "socketsJoin", ["r1"]);
op("sockets_join_array_numeric", "protocol 3.2: joined rooms are an array, numbers stay numbers", [], "socketsJoin", [["r1", 7, "r1"]]);
op("sockets_join_targeted_one_room", "protocol 3.1: only BROADCAST uses room channels; one target room stays on the main channel", [["in", "room1"], ["except", "vip"]], "socketsJoin", ["r2"]);
op("sockets_join_flags_kept", "protocol 3.2: servers keep volatile/compress flags in SOCKETS_JOIN opts", [["volatile"], ["compress", false]], "socketsJoin", ["r1"]);
op("sockets_join_nsp_key", "protocol 3.1: SOCKETS_JOIN with prefix and namespace", [["of", "admin"]], "socketsJoin", ["r1"], { key: "myapp" });
op("sockets_leave", "protocol 3.2: SOCKETS_LEAVE {type:5, data:{opts, rooms}}", [], "socketsLeave", ["r1"]);
op("sockets_leave_targeted", "protocol 3.2: SOCKETS_LEAVE with to and except", [["to", ["a", 7]], ["except", "b"]], "socketsLeave", [["r1", 2]]);
op("disconnect_sockets_default", "protocol 3.2: DISCONNECT_SOCKETS {type:6, data:{opts, close:false}}", [], "disconnectSockets", []);
op("disconnect_sockets_false", "protocol 3.2: disconnectSockets(false)", [], "disconnectSockets", [false]);
op("disconnect_sockets_true", "protocol 3.2: disconnectSockets(true) has close:true", [], "disconnectSockets", [true]);
op("disconnect_sockets_one_room", "protocol 3.1: one target room stays on the main channel", [["in", "room1"]], "disconnectSockets", [true]);

// --- serverSideEmit (type 9) ---
op("server_side_emit", "protocol 3.2: SERVER_SIDE_EMIT {type:9, data:{packet:[ev]}}", [], "serverSideEmit", ["ping"]);
op("server_side_emit_args", "protocol 3.2: packet holds the event name then every argument", [], "serverSideEmit", ["hello", 1, "two", { three: [3] }, null]);
op("server_side_emit_binary", "protocol 3.2: binary in serverSideEmit makes the message msgpack", [], "serverSideEmit", ["bin", bytes("0102ff"), { nested: bytes("") }]);
op("server_side_emit_nsp", "protocol 3.2: serverSideEmit in another namespace", [["of", "admin"]], "serverSideEmit", ["ping", 1]);

// --- requests that expect replies (an extension beyond the official emitter; see README) ---
const RID = "0123456789abcdef";
op("emit_with_ack", "protocol 3.2: BROADCAST with requestId (data keys packet, requestId, opts) and flags.timeout", [["timeout", 1000]], "emitWithAck", ["ev", 1], { request_id: RID });
op("emit_with_ack_one_room", "protocol 3.1: a broadcast with ack never uses a room channel", [["to", "room1"], ["timeout", 1000]], "emitWithAck", ["ev", 1], { request_id: RID });
op("emit_with_ack_binary", "protocol 3.2: broadcast with ack and binary is msgpack", [["to", "room1"], ["timeout", 500]], "emitWithAck", ["ev", bytes("0102")], { request_id: RID });
op("server_side_emit_with_ack", "protocol 3.2: SERVER_SIDE_EMIT with requestId (data keys requestId, packet)", [], "serverSideEmitWithAck", ["ping", 1], { request_id: RID });
op("fetch_sockets", "protocol 3.2: FETCH_SOCKETS {type:7, data:{opts, requestId}}", [], "fetchSockets", [], { request_id: RID });
op("fetch_sockets_targeted", "protocol 3.2: FETCH_SOCKETS with rooms, except and flags.timeout, on the main channel", [["in", "room1"], ["except", "vip"], ["timeout", 2000]], "fetchSockets", [], { request_id: RID });

// --- what the server API refuses (publishes nothing) ---
op("throws_emit_reserved", "protocol 6.1: emit(\"disconnect\") throws and publishes nothing", [], "emit", ["disconnect", 1], { throws: true, modes: ["dynamic"] });
op("throws_server_side_emit_reserved", "protocol 6.1: serverSideEmit(\"connection\") throws on a server and publishes nothing", [], "serverSideEmit", ["connection"], { throws: true, modes: ["dynamic"] });

// The expanded list of cases, in file order: every operation in every mode it runs in.
function expandCases() {
  const cases = [];
  for (const o of OPERATIONS) {
    for (const mode of o.modes || MODES) {
      const { modes, ...rest } = o;
      cases.push({ ...rest, name: `${o.name}_${mode.replace("-", "_")}`, subscription_mode: mode });
    }
  }
  return cases;
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
  throw new Error(`tag ${tag} is not used by the sharded vectors`);
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
        resolve(child);
      }
    };
    const onEarlyExit = (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log.slice(-2000)}`));
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

function stopRedis(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
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
    this.waiters = new Set();
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
    await ok;
  }

  add(entry) {
    this.entries.push(entry);
    for (const w of this.waiters) w();
  }

  // Resolves as soon as test() holds for the entries seen so far; the limit only turns a hang
  // into an error.
  waitUntil(test, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!test(this.entries)) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`MONITOR did not show ${what} within ${WAIT_LIMIT_MS} ms`));
      }, WAIT_LIMIT_MS);
      this.waiters.add(check);
      check();
    });
  }

  close() {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Socket.IO servers: one per (subscription mode, prefix), each with its own publishing
// connection so that MONITOR can tell whose publishes are whose.

async function connect(pkgs, port, clients) {
  const client = pkgs.createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
  client.on("error", (err) => process.stderr.write(`capture_sharded.js: redis client error: ${err.message}\n`));
  await client.connect();
  clients.push(client);
  return client;
}

// The adapter's uid is chosen in the ClusterAdapter constructor (socket.io-adapter
// dist/cluster-adapter.js: `this.uid = randomId()`, 16 random hex characters), and
// ClusterAdapter.publishAndReturnOffset copies `this.uid` into every message at publish time.
// So the least invasive override is to wrap the adapter factory and overwrite the property right
// after construction: the messages then carry "emitter", exactly as an emitter's would.
// Side effects, harmless here: the response channel P#N#<random uid># subscribed in the
// constructor keeps the random uid, and the server now ignores incoming messages whose uid is
// "emitter" (it takes them for its own). Nothing here needs replies or incoming messages.
// socket.io calls the factory with `new`, so it must be a plain function (not an arrow); an
// object returned from a constructor replaces `this`.
function withEmitterUid(factory) {
  return function EmitterUidAdapter(nsp) {
    const adapter = factory(nsp);
    adapter.uid = EMITTER_UID;
    return adapter;
  };
}

class Servers {
  constructor(pkgs, port) {
    this.pkgs = pkgs;
    this.port = port;
    this.byKey = new Map();
    this.clients = [];
    this.peers = new Set();
    this.fences = 0;
  }

  async get(mode, key) {
    const id = JSON.stringify([mode, key]);
    if (!this.byKey.has(id)) {
      const pub = await connect(this.pkgs, this.port, this.clients);
      const sub = await connect(this.pkgs, this.port, this.clients);
      const opts = { subscriptionMode: mode };
      if (key !== undefined) opts.channelPrefix = key;
      const adapter = withEmitterUid(this.pkgs.createShardedAdapter(pub, sub, opts));
      const io = new this.pkgs.Server({ adapter });
      const info = String(await pub.sendCommand(["CLIENT", "INFO"]));
      const addr = /(?:^| )addr=(\S+)/.exec(info)[1];
      this.byKey.set(id, { io, pub, sub, addr, prefix: key === undefined ? "socket.io" : key });
    }
    return this.byKey.get(id);
  }

  // Creates the namespace (and so its adapter) and waits until the adapter's own SSUBSCRIBEs are
  // done: Redis answers commands of one connection in order, so once a later SSUBSCRIBE on the
  // same connection is answered, the adapter's ones are in place.
  async namespace(server, name) {
    const nsp = server.io.of(name);
    await server.sub.sSubscribe(`capture-fence-${++this.fences}`, () => {}, true);
    return nsp;
  }

  // fetchSockets and serverSideEmitWithAck publish only when PUBSUB SHARDNUMSUB P#N# says another
  // server is there. A plain extra shard subscriber on P#N# plays that server (it never answers;
  // the pending request just times out after the capture).
  async ensurePeer(channel) {
    if (this.peers.has(channel)) return;
    const peer = await connect(this.pkgs, this.port, this.clients);
    await peer.sSubscribe(channel, () => {}, true);
    this.peers.add(channel);
  }

  async closeAll() {
    await Promise.all(this.clients.map((c) => c.disconnect().catch(() => {})));
  }
}

// ---------------------------------------------------------------------------------------------
// Running one case through the server API.

const OPS = new Set(["of", "to", "in", "except", "volatile", "compress", "timeout"]);
const MESSAGE_TYPE = {
  emit: 3, emitWithAck: 3, socketsJoin: 4, socketsLeave: 5, disconnectSockets: 6,
  fetchSockets: 7, serverSideEmit: 9, serverSideEmitWithAck: 9,
};
const NEEDS_PEER = new Set(["fetchSockets", "serverSideEmitWithAck"]);
const NAMESPACE_ONLY = new Set(["serverSideEmit", "serverSideEmitWithAck"]);
const noop = () => {};

function splitOps(c) {
  const ops = c.ops.slice();
  let nspName = "/";
  if (ops.length && ops[0][0] === "of") nspName = ops.shift()[1];
  for (const o of ops) {
    if (!OPS.has(o[0]) || o[0] === "of") throw new Error(`${c.name}: op ${o[0]} is unknown or out of place`);
    if ((o[0] === "volatile") !== (o.length === 1) || o.length > 2) throw new Error(`${c.name}: bad op ${JSON.stringify(o)}`);
  }
  if (NAMESPACE_ONLY.has(c.call) && ops.length) throw new Error(`${c.name}: ${c.call} only takes of()`);
  return { nspName, ops };
}

// Applies the builder ops (on a Namespace first, then on the BroadcastOperators it returns) and
// makes the call. Returns the thrown message, if any. Promises are left to settle on their own:
// requests with acks time out later, and that is not part of the capture.
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

function decodeMessage(pkgs, payload) {
  return payload[0] === 0x7b ? JSON.parse(payload.toString("utf8")) : pkgs.notepack.decode(payload);
}

// The server draws a random requestId; the vector states it as the case's request_id. The id is
// 16 ASCII characters in both JSON and msgpack, so swapping it changes no length or header.
function fixRequestId(c, payload, message) {
  const drawn = message.data && message.data.requestId;
  if (typeof drawn !== "string" || !/^[0-9a-f]{16}$/.test(drawn)) throw new Error(`${c.name}: requestId ${drawn} is not 16 hex digits`);
  const hex = payload.toString("hex");
  const from = Buffer.from(drawn).toString("hex");
  if (hex.split(from).length !== 2) throw new Error(`${c.name}: requestId is not found exactly once`);
  return Buffer.from(hex.replace(from, Buffer.from(c.request_id).toString("hex")), "hex");
}

function checkMessage(c, message, nspName, rid) {
  const want = MESSAGE_TYPE[c.call];
  const problems = [];
  if (message.type !== want) problems.push(`type ${message.type}, expected ${want}`);
  if (message.uid !== EMITTER_UID) problems.push(`uid ${message.uid} (the uid override did not work)`);
  if (message.nsp !== nspName) problems.push(`nsp ${message.nsp}, expected ${nspName}`);
  if ((message.data.requestId !== undefined) !== (rid !== undefined)) problems.push("requestId presence");
  if (problems.length) throw new Error(`${c.name}: ${problems.join("; ")}`);
}

async function runCase(pkgs, servers, monitor, c) {
  const server = await servers.get(c.subscription_mode, c.key);
  const { nspName, ops } = splitOps(c);
  const nsp = await servers.namespace(server, nspName);
  if (NEEDS_PEER.has(c.call)) await servers.ensurePeer(`${server.prefix}#${nsp.name}#`);

  const mine = (e) => e.addr === server.addr;
  const isPublish = (e) => mine(e) && (e.command === "SPUBLISH" || e.command === "PUBLISH");
  const start = monitor.entries.length;
  const since = (entries) => entries.slice(start);

  const threw = perform(nsp, ops, c.call, c.args);
  const expected = threw === undefined ? 1 : 0;
  if (Boolean(c.throws) !== (threw !== undefined)) throw new Error(`${c.name}: ${threw === undefined ? "expected a throw" : `threw ${threw}`}`);
  await monitor.waitUntil((all) => since(all).filter(isPublish).length >= expected, `${expected} publish(es) for ${c.name}`);

  // Fence: a command sent after the publishes on the same connection. Once MONITOR shows it,
  // every publish the operation queued has been seen, so an unexpected second one would be caught.
  const token = `capture-fence-${c.name}`;
  await server.pub.sendCommand(["ECHO", token]);
  const isFence = (e) => mine(e) && e.command === "ECHO" && e.args[0].toString() === token;
  await monitor.waitUntil((all) => since(all).some(isFence), `the fence of ${c.name}`);

  const seen = since(monitor.entries);
  const published = seen.slice(0, seen.findIndex(isFence)).filter(isPublish);
  if (published.length !== expected) throw new Error(`${c.name}: ${published.length} publishes, expected ${expected}`);
  const publishes = published.map((e) => {
    let payload = e.args[1];
    const message = decodeMessage(pkgs, payload);
    checkMessage(c, message, nsp.name, c.request_id);
    if (c.request_id !== undefined) payload = fixRequestId(c, payload, message);
    return { command: e.command, channel: e.args[0].toString("utf8"), payload_hex: payload.toString("hex") };
  });
  return { publishes, threw };
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
    const input = JSON.parse(JSON.stringify({ key: def.key, ops: def.ops, args: def.args }));
    const { publishes, threw } = await runCase(pkgs, servers, monitor, { ...def, ...input });
    const c = { name: def.name, about: def.about, subscription_mode: def.subscription_mode };
    if (input.key !== undefined) c.key = input.key;
    c.ops = input.ops;
    c.call = def.call;
    c.args = input.args;
    if (def.request_id !== undefined) c.request_id = def.request_id;
    if (threw !== undefined) c.throws = threw;
    c.publishes = publishes;
    out.push(c);
  }
  return out;
}

function render(cases) {
  const j = (v) => JSON.stringify(v);
  const lines = ["{", `  "source": ${j(SOURCE)},`, `  "generated_by": ${j(GENERATED_BY)},`, `  "cases": [`];
  cases.forEach((c, i) => {
    lines.push("    {");
    for (const k of Object.keys(c).filter((key) => key !== "publishes")) lines.push(`      ${j(k)}: ${j(c[k])},`);
    if (c.publishes.length === 0) {
      lines.push(`      "publishes": []`);
    } else {
      lines.push(`      "publishes": [`);
      c.publishes.forEach((p, pi) => {
        const comma = pi + 1 < c.publishes.length ? "," : "";
        lines.push(`        {"command": ${j(p.command)}, "channel": ${j(p.channel)}, "payload_hex": ${j(p.payload_hex)}}${comma}`);
      });
      lines.push("      ]");
    }
    lines.push(i + 1 < cases.length ? "    }," : "    }");
  });
  lines.push("  ]", "}");
  return lines.join("\n") + "\n";
}

async function checkRedisVersion(servers) {
  const { pub } = await servers.get("dynamic", undefined);
  const info = String(await pub.sendCommand(["INFO", "server"]));
  const version = /redis_version:(\d+)\./.exec(info);
  if (!version || Number(version[1]) < 7) fail(`redis-server >= 7 is needed for sharded Pub/Sub (found ${version ? version[0] : "?"})`);
}

// Compares the fresh capture with the committed file; returns the exit code.
function compare(text, cases) {
  let committed;
  try {
    committed = fs.readFileSync(OUT_FILE, "utf8");
  } catch (err) {
    process.stderr.write(`capture_sharded.js --check: cannot read ${OUT_FILE}: ${err.message}\n`);
    return 1;
  }
  if (committed === text) {
    process.stdout.write(`vectors_sharded.json is up to date (${cases.length} cases)\n`);
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
  process.stderr.write(`capture_sharded.js --check: vectors_sharded.json differs from a fresh capture\n${detail || "  (formatting differs)\n"}run: node tests/vectors/capture_sharded.js\n`);
  return 1;
}

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  if (args.some((a) => a !== "--check")) fail("usage: node capture_sharded.js [--check]");
  const pkgs = loadPackages();
  const { child, port } = await startRedis();
  const monitor = new Monitor();
  const servers = new Servers(pkgs, port);
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
    process.stderr.write(`capture_sharded.js: ${err.stack || err.message}\n`);
    code = 2;
  } finally {
    monitor.close();
    await servers.closeAll();
    await stopRedis(child);
  }
  // Pending ack requests hold timers; they are not part of the capture, so exit now.
  process.exit(code);
}

main();
