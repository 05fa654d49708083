"use strict";
// Bad inputs, one row each: what is given and the code it must be refused with. Every row
// must fail quickly (well under a second: nothing is walked or allocated for a value that
// cannot fit), with an Error carrying the code, never abort the process, and never show the
// password of the URL. No Redis is needed except for the rows that connect (to a refused port).

const test = require("node:test");
const assert = require("node:assert/strict");
const net = require("node:net");

const { Emitter } = require("..");

const SECRET = "s3cret-pw";
/** The longest any row may take (the connecting rows are bounded by their short budget). */
const FAST_MS = 1500;

/** An array claiming 2^32 - 1 elements, with none. */
function sparse() {
  const a = [];
  a.length = 2 ** 32 - 1;
  return a;
}

/** `levels` arrays nested in each other. */
function nested(levels) {
  let v = null;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

function cycle() {
  const obj = { list: [] };
  obj.list.push(obj);
  return obj;
}

/** A port nothing listens on (connections to it are refused). */
async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const offline = Emitter.offline();
const small = Emitter.offline({ max_payload_bytes: 1024 });
const ctor = (options) => () => new Emitter("redis://127.0.0.1:1", options);
const SHORT = { connect_timeout: 200, response_timeout: 200 };

// [what, run, expected code, message pattern (optional), path (optional)]
const ROWS = [
  // Durations: huge, NaN, negative, infinite, zero, a day and a bit; never an abort.
  ["connect_timeout 1e300", ctor({ connect_timeout: 1e300 }), "INVALID_ARGUMENT", /connect_timeout/],
  ["connectTimeout 1e300 (camelCase)", ctor({ connectTimeout: 1e300 }), "INVALID_ARGUMENT", /connect_timeout/],
  ["connect_timeout NaN", ctor({ connect_timeout: NaN }), "INVALID_ARGUMENT", /connect_timeout.*NaN/],
  ["connect_timeout -1", ctor({ connect_timeout: -1 }), "INVALID_ARGUMENT", /connect_timeout/],
  ["connect_timeout Infinity", ctor({ connect_timeout: Infinity }), "INVALID_ARGUMENT", /connect_timeout/],
  ["connect_timeout 0", ctor({ connect_timeout: 0 }), "INVALID_ARGUMENT", /connect_timeout must be greater than zero/],
  ["connect_timeout one day and 1 ms", ctor({ connect_timeout: 86_400_001 }), "INVALID_ARGUMENT", /connect_timeout/],
  ["connect_timeout a string", ctor({ connect_timeout: "5000" }), "INVALID_ARGUMENT", /connect_timeout must be a number/],
  ["response_timeout 1e300", ctor({ response_timeout: 1e300 }), "INVALID_ARGUMENT", /response_timeout/],
  ["response_timeout -0.5", ctor({ response_timeout: -0.5 }), "INVALID_ARGUMENT", /response_timeout/],
  ["reconnect_min_delay NaN", ctor({ reconnect_min_delay: NaN }), "INVALID_ARGUMENT", /reconnect_min_delay/],
  ["reconnect_max_delay Infinity", ctor({ reconnect_max_delay: Infinity }), "INVALID_ARGUMENT", /reconnect_max_delay/],
  ["reconnect_max_delay 1e19", ctor({ reconnect_max_delay: 1e19 }), "INVALID_ARGUMENT", /reconnect_max_delay/],
  ["flush({ timeout: NaN })", () => offline.flush({ timeout: NaN }), "INVALID_ARGUMENT", /timeout/],
  ["flush({ timeout: -1 })", () => offline.flush({ timeout: -1 }), "INVALID_ARGUMENT", /timeout/],
  ["flush({ timeout: '1s' })", () => offline.flush({ timeout: "1s" }), "INVALID_ARGUMENT", /timeout/],
  ["close(1e300)", () => offline.close(1e300), "INVALID_ARGUMENT", /timeout/],
  ["close({ timeout: Infinity })", () => offline.close({ timeout: Infinity }), "INVALID_ARGUMENT", /timeout/],

  // Counts, the payload bound, and the queue options (this binding has no emit_nowait queue).
  ["reconnect_attempts 1001", ctor({ reconnect_attempts: 1001 }), "INVALID_ARGUMENT", /reconnect_attempts must be at most 1000/],
  ["reconnect_attempts -1", ctor({ reconnect_attempts: -1 }), "INVALID_ARGUMENT", /reconnect_attempts/],
  ["reconnect_attempts 1.5", ctor({ reconnect_attempts: 1.5 }), "INVALID_ARGUMENT", /reconnect_attempts/],
  ["reconnect_attempts 2^53", ctor({ reconnect_attempts: 2 ** 53 }), "INVALID_ARGUMENT", /reconnect_attempts/],
  ["max_payload_bytes 0", ctor({ max_payload_bytes: 0 }), "INVALID_ARGUMENT", /max_payload_bytes/],
  ["max_payload_bytes 1 GiB", ctor({ max_payload_bytes: 2 ** 30 }), "INVALID_ARGUMENT", /max_payload_bytes must be between 1 and 536870912/],
  ["maxPayloadBytes 1.5", ctor({ maxPayloadBytes: 1.5 }), "INVALID_ARGUMENT", /max_payload_bytes|maxPayloadBytes/],
  ["max_payload_bytes '16M'", ctor({ max_payload_bytes: "16M" }), "INVALID_ARGUMENT", /max_payload_bytes/],
  ["offline max_payload_bytes 0", () => Emitter.offline({ max_payload_bytes: 0 }), "INVALID_ARGUMENT", /max_payload_bytes/],
  ["queue_capacity", ctor({ queue_capacity: 0 }), "INVALID_ARGUMENT", /queue_capacity is not supported/],
  ["queue_max_bytes", ctor({ queue_max_bytes: 2 ** 40 }), "INVALID_ARGUMENT", /queue_max_bytes is not supported/],
  ["queueFull", ctor({ queueFull: "error" }), "INVALID_ARGUMENT", /queueFull is not supported/],

  // Sparse giant arrays: refused from their length, before anything is walked.
  ["emit(sparse 2^32 - 1)", () => offline.emit("ev", sparse()), "ENCODE", /4294967295 elements take more than max_payload_bytes \(16777216 bytes\)/, "args[0]"],
  ["emit({ a: sparse })", () => offline.emit("ev", { a: sparse() }), "ENCODE", /max_payload_bytes/, "args[0]['a']"],
  ["encodeEmit(sparse)", () => offline.encodeEmit("ev", 1, sparse()), "ENCODE", /max_payload_bytes/, "args[1]"],
  ["serverSideEmit(sparse)", () => offline.serverSideEmit("ev", sparse()), "ENCODE", /max_payload_bytes/, "args[0]"],
  ["serverSideEmit({ a: [sparse] })", () => offline.serverSideEmit("ev", { a: [sparse()] }), "ENCODE", /max_payload_bytes/, "args[0]['a'][0]"],
  ["to(sparse)", () => offline.to(sparse()), "INVALID_ARGUMENT", /a room must be a string or an integer/],
  ["except(sparse)", () => offline.except(sparse()), "INVALID_ARGUMENT", /a room/],
  ["socketsJoin(sparse)", () => offline.socketsJoin(sparse()), "INVALID_ARGUMENT", /a room/],

  // max_payload_bytes exceeded (an emitter configured with 1024 bytes).
  ["a Buffer over the bound", () => small.emit("ev", Buffer.alloc(2000)), "ENCODE", /max_payload_bytes \(1024 bytes\)/, "args[0]"],
  ["a Float64Array over the bound", () => small.emit("ev", new Float64Array(5000)), "ENCODE", /max_payload_bytes/, "args[0]"],
  ["an ArrayBuffer over the bound", () => small.emit("ev", new ArrayBuffer(5000)), "ENCODE", /max_payload_bytes/, "args[0]"],
  ["a string over the bound", () => small.emit("ev", { s: "é".repeat(1000) }), "ENCODE", /max_payload_bytes/, "args[0]['s']"],
  ["many floats over the bound", () => small.emit("ev", Array(200).fill(0.5)), "ENCODE", /max_payload_bytes/],
  ["a long key over the bound", () => small.emit("ev", { ["k".repeat(2000)]: 1 }), "ENCODE", /max_payload_bytes/],
  ["serverSideEmit string over the bound", () => small.serverSideEmit("ev", "x".repeat(2000)), "ENCODE", /max_payload_bytes/, "args[0]"],
  ["serverSideEmit many numbers over the bound", () => small.serverSideEmit("ev", Array(600).fill(1)), "ENCODE", /max_payload_bytes/],
  ["the envelope over the bound", () => small.encodeEmit("ev", "x".repeat(1000)), "ENCODE", /the payload is \d+ bytes, more than max_payload_bytes \(1024\)/, "args"],
  ["serverSideEmit envelope over the bound", () => small.encodeServerSideEmit("ev", "x".repeat(1015)), "ENCODE", /max_payload_bytes/, "args"],

  // BigInt, cycles and nesting, in emit and serverSideEmit.
  ["emit(1n)", () => offline.emit("ev", 1n), "ENCODE", /^Could not encode$/, "args[0]"],
  ["emit({ a: { b: 1n } })", () => offline.emit("ev", 1, { a: { b: 1n } }), "ENCODE", /^Could not encode$/, "args[1]['a']['b']"],
  ["serverSideEmit(1n)", () => offline.serverSideEmit("ev", 1n), "ENCODE", /^Do not know how to serialize a BigInt$/, "args[0]"],
  ["serverSideEmit(Object(1n))", () => offline.serverSideEmit("ev", [Object(1n)]), "ENCODE", /BigInt/, "args[0][0]"],
  ["serverSideEmit({ a: [1, 2n] })", () => offline.serverSideEmit("ev", { a: [1, 2n] }), "ENCODE", /BigInt/, "args[0]['a'][1]"],
  ["encodeServerSideEmit(1n)", () => offline.encodeServerSideEmit("ev", "x", 1n), "ENCODE", /BigInt/, "args[1]"],
  ["emit(cycle)", () => offline.emit("ev", cycle()), "ENCODE", /nested deeper than 512 levels/],
  ["serverSideEmit(cycle)", () => offline.serverSideEmit("ev", cycle()), "ENCODE", /circular/, "args[0]['list'][0]"],
  ["emit(513 levels)", () => offline.emit("ev", nested(513)), "ENCODE", /nested deeper than 512 levels/],
  ["serverSideEmit(513 levels)", () => offline.serverSideEmit("ev", nested(513)), "ENCODE", /nested deeper than 512 levels/],
  ["emit(100 000 levels)", () => offline.emit("ev", nested(100_000)), "ENCODE", /nested deeper than 512 levels/],
  ["serverSideEmit(100 000 levels)", () => offline.serverSideEmit("ev", { deep: nested(100_000) }), "ENCODE", /nested deeper than 512 levels/],

  // Event names (encode* still encode an empty one: see the test below).
  ["emit('')", () => offline.emit(""), "INVALID_ARGUMENT", /^the event name must not be empty$/],
  ["to(room).emit('')", () => offline.to("r").emit("", 1), "INVALID_ARGUMENT", /must not be empty/],
  ["serverSideEmit('')", () => offline.serverSideEmit(""), "INVALID_ARGUMENT", /must not be empty/],
  ["of(nsp).serverSideEmit('', 1)", () => offline.of("/a").serverSideEmit("", 1), "INVALID_ARGUMENT", /must not be empty/],
  ["emit(7)", () => offline.emit(7), "INVALID_ARGUMENT", /must be a string/],
  ["to(room).emit(null)", () => offline.to("r").emit(null, 1), "INVALID_ARGUMENT", /must be a string/],
  ["serverSideEmit(7)", () => offline.serverSideEmit(7), "INVALID_ARGUMENT", /must be a string/],
  ["serverSideEmit()", () => offline.serverSideEmit(), "INVALID_ARGUMENT", /must be a string/],
  ["serverSideEmit('connection')", () => offline.serverSideEmit("connection"), "RESERVED_EVENT"],
  ["emit('connect')", () => offline.emit("connect"), "RESERVED_EVENT", /^"connect" is a reserved event name$/],

  // URLs: refused at construction, the password never shown.
  ["an empty URL", () => new Emitter(""), "INVALID_ARGUMENT"],
  ["not a URL", () => new Emitter(`not a url ${SECRET}`), "INVALID_ARGUMENT"],
  ["http://", () => new Emitter(`http://u:${SECRET}@localhost:6379`), "INVALID_ARGUMENT", /redis:\/\/ or rediss:\/\//],
  ["a bad port", () => new Emitter(`redis://u:${SECRET}@localhost:99999`), "INVALID_ARGUMENT"],
  ["a bad host", () => new Emitter(`redis://u:${SECRET}@[::1/0`), "INVALID_ARGUMENT"],
  ["the url option missing", () => new Emitter({ key: "k" }), "INVALID_ARGUMENT", /url/],

  // Topology: node lists are arrays of URL strings; how the options combine is checked too.
  ["cluster_nodes empty", () => new Emitter({ cluster_nodes: [] }), "INVALID_ARGUMENT", /cluster_nodes must list at least one node/],
  ["cluster_nodes a string", () => new Emitter({ cluster_nodes: `redis://u:${SECRET}@127.0.0.1:1` }), "INVALID_ARGUMENT", /option cluster_nodes must be an array/],
  ["clusterNodes a Set", () => new Emitter({ clusterNodes: new Set(["redis://127.0.0.1:1"]) }), "INVALID_ARGUMENT", /option clusterNodes must be an array/],
  ["cluster_nodes null", () => new Emitter({ cluster_nodes: null }), "INVALID_ARGUMENT", /cluster_nodes must be an array.*got null/],
  ["cluster_nodes a number entry", () => new Emitter({ cluster_nodes: ["redis://a:1", 7001] }), "INVALID_ARGUMENT", /option cluster_nodes\[1\] must be a string/],
  ["cluster_nodes a Buffer entry", () => new Emitter({ cluster_nodes: [Buffer.from("redis://a:1")] }), "INVALID_ARGUMENT", /cluster_nodes\[0\] must be a string/],
  ["cluster_nodes a hole", () => new Emitter({ cluster_nodes: sparse() }), "INVALID_ARGUMENT", /cluster_nodes\[0\] must be a string/],
  ["cluster_nodes http:// with a password", () => new Emitter({ cluster_nodes: [`http://u:${SECRET}@127.0.0.1:1`] }), "INVALID_ARGUMENT", /cluster_nodes: each node must be a redis:\/\/ or rediss:\/\/ URL/],
  ["cluster_nodes unparsable with a password", () => new Emitter({ cluster_nodes: [`redis://u:${SECRET}@[::1`] }), "INVALID_ARGUMENT", /cluster_nodes/],
  ["cluster_nodes mixed schemes", () => new Emitter({ cluster_nodes: ["redis://a:1", "rediss://b:1"] }), "INVALID_ARGUMENT", /mixes redis:\/\/ and rediss:\/\//],
  ["cluster_nodes and a url", () => new Emitter(`redis://u:${SECRET}@127.0.0.1:1`, { cluster_nodes: ["redis://127.0.0.1:1"] }), "INVALID_ARGUMENT", /set either url or cluster_nodes/],
  ["cluster_nodes and a url option", () => new Emitter({ url: "redis://10.0.0.1:6379", clusterNodes: ["redis://127.0.0.1:1"] }), "INVALID_ARGUMENT", /set either url or cluster_nodes/],
  ["cluster_nodes with require_receivers on classic", () => new Emitter({ cluster_nodes: ["redis://127.0.0.1:1"], require_receivers: true }), "INVALID_ARGUMENT", /require_receivers/],
  ["cluster_nodes and sentinel", () => new Emitter({ cluster_nodes: ["redis://a:1"], sentinel_master: "m", sentinel_nodes: ["redis://b:1"] }), "INVALID_ARGUMENT", /either cluster_nodes or sentinel_master/],
  ["sentinel_master without sentinel_nodes", () => new Emitter({ sentinel_master: "m" }), "INVALID_ARGUMENT", /sentinel_master needs sentinel_nodes/],
  ["sentinelNodes without sentinelMaster", () => new Emitter({ sentinelNodes: ["redis://127.0.0.1:1"] }), "INVALID_ARGUMENT", /sentinel_nodes needs sentinel_master/],
  ["sentinel_master empty", () => new Emitter({ sentinel_master: "", sentinel_nodes: ["redis://127.0.0.1:1"] }), "INVALID_ARGUMENT", /sentinel_master must name/],
  ["sentinel_master a number", () => new Emitter({ sentinel_master: 1, sentinel_nodes: ["redis://127.0.0.1:1"] }), "INVALID_ARGUMENT", /option sentinel_master must be a string/],
  ["sentinel_nodes empty", () => new Emitter({ sentinel_master: "m", sentinel_nodes: [] }), "INVALID_ARGUMENT", /sentinel_nodes must list at least one node/],
  ["sentinel_nodes a string", () => new Emitter({ sentinel_master: "m", sentinel_nodes: "redis://127.0.0.1:1" }), "INVALID_ARGUMENT", /option sentinel_nodes must be an array/],
  ["sentinel_nodes not a URL, with passwords", () => new Emitter(`redis://u:${SECRET}@127.0.0.1:1`, { sentinel_master: "m", sentinel_nodes: [`not a url ${SECRET}`] }), "INVALID_ARGUMENT", /sentinel_nodes/],
  ["sentinel_nodes no host, with a password", () => new Emitter({ sentinel_master: "m", sentinel_nodes: [`redis://u:${SECRET}@:1`] }), "INVALID_ARGUMENT", /sentinel_nodes/],
  [
    "a refused port with a password",
    async () => Emitter.connect(`redis://u:${SECRET}@127.0.0.1:${await refusedPort()}`, SHORT),
    "CONNECTION",
    /refused/i,
  ],
];

for (const [what, run, code, message, path] of ROWS) {
  test(`${what}: ${code}`, async () => {
    const started = Date.now();
    let err;
    try {
      const result = run();
      if (result && typeof result.then === "function") await result;
    } catch (e) {
      err = e;
    }
    const elapsed = Date.now() - started;
    assert.ok(err, "it must be refused");
    assert.ok(err instanceof Error, `an Error, got ${err}`);
    assert.equal(err.code, code, `${err.code}: ${err.message}`);
    if (message) assert.match(err.message, message);
    if (path !== undefined) assert.equal(err.path, path);
    assert.ok(!String(err.message).includes(SECRET) && !String(err.stack).includes(SECRET), err.message);
    assert.ok(elapsed < FAST_MS, `refused after ${elapsed} ms`);
  });
}

test("an empty event name is encoded as the official emitter does (golden vector event_name_empty)", () => {
  // Sending one is refused (above); encoding it stays byte-identical to the official emitter.
  assert.ok(offline.encodeEmit("").payload.toString("hex").includes("a46461746191a0"));
  assert.equal(offline.encodeServerSideEmit("").channel, "socket.io-request#/#");
});

test("the nesting limit is the one the message names, in emit and serverSideEmit", () => {
  // 512 containers inside one argument are accepted; 513 are refused, naming 512.
  for (const call of ["encodeEmit", "encodeServerSideEmit"]) {
    assert.ok(offline[call]("ev", nested(512)).payload.length > 512, call);
    assert.throws(() => offline[call]("ev", nested(513)), { code: "ENCODE", message: /512/ });
  }
});

test("what fits max_payload_bytes is accepted, up to the exact bound", () => {
  const { payload } = small.encodeEmit("ev", "x".repeat(500));
  const room = 1024 - payload.length;
  assert.equal(small.encodeEmit("ev", "x".repeat(500 + room)).payload.length, 1024);
  assert.throws(() => small.encodeEmit("ev", "x".repeat(501 + room)), { code: "ENCODE" });
  assert.equal(small.encodeEmit("ev", Buffer.alloc(900)).payload.length > 900, true);
  assert.equal(offline.encodeEmit("ev", Buffer.alloc(8 << 20)).payload.length > 8 << 20, true);
});

test("every option value is refused or accepted without aborting (a child process)", () => {
  // What used to abort the process (exit 134: "cannot convert float seconds to Duration").
  const { spawnSync } = require("node:child_process");
  const script = `
    const { Emitter } = require(${JSON.stringify(require.resolve(".."))});
    const values = [1e300, -1e300, NaN, Infinity, -Infinity, -0, 0, 5e-324, 2 ** 64, 86400000, 86400000.5];
    let refused = 0;
    for (const name of ["connect_timeout", "response_timeout", "reconnect_min_delay", "reconnect_max_delay"]) {
      for (const v of values) {
        try { new Emitter("redis://127.0.0.1:1", { [name]: v }).close(); } catch (e) {
          if (e.code !== "INVALID_ARGUMENT") throw e;
          refused++;
        }
      }
    }
    console.log(refused);
  `;
  const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(Number(child.stdout) > 20, child.stdout);
});
