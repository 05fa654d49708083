"use strict";
// The README's marked code blocks are files, and each one runs here against real servers:
// `<!-- example: examples/X.mjs -->` blocks are the files of examples/ (run as they are, with the
// harness's addresses in their environment variables), and `<!-- server example:
// tests/fixtures/X.mjs -->` blocks are server-side snippets, run as real Socket.IO servers.

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { Emitter } = require("..");
const { REPO, FIXTURES, harnessDriver, clients, received } = require("./support.js");

const PKG = path.resolve(__dirname, "..");
const README = fs.readFileSync(path.join(PKG, "README.md"), "utf8");
const EXAMPLE = /<!-- example: (examples\/[\w.]+) -->\n```(?:js|ts)\n([\s\S]*?)\n```/g;
const SERVER_EXAMPLE = /<!-- server example: (tests\/fixtures\/[\w.]+) -->\n```js\n([\s\S]*?)\n```/g;
const START = { servers: 2, timeoutMs: 120000 };

const blocks = (pattern) => Object.fromEntries([...README.matchAll(pattern)].map((m) => [m[1], m[2]]));

/** Runs `file` with node; resolves to its stdout, rejects with its stderr if it fails. */
function run(file, env, { cwd = PKG, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test("the README's marked blocks are the example and fixture files", () => {
  const examples = blocks(EXAMPLE);
  const files = fs.readdirSync(path.join(PKG, "examples")).map((f) => `examples/${f}`);
  assert.deepEqual(Object.keys(examples).sort(), files.sort());
  for (const [name, code] of Object.entries(examples)) {
    assert.equal(code, fs.readFileSync(path.join(PKG, name), "utf8").replace(/\n$/, ""), `${name} drifted`);
  }
  const servers = blocks(SERVER_EXAMPLE);
  assert.deepEqual(Object.keys(servers), ["tests/fixtures/cluster_server.mjs"]);
  // The project README shows the same server.
  const root = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const rootServers = Object.fromEntries([...root.matchAll(SERVER_EXAMPLE)].map((m) => [m[1], m[2]]));
  assert.deepEqual(rootServers, servers, "README.md's server example drifted");
  for (const [name, code] of Object.entries(servers)) {
    assert.equal(code, fs.readFileSync(path.join(REPO, name), "utf8").replace(/\n$/, ""), `${name} drifted`);
  }
});

test("examples/cluster.mjs, and the server-side snippet, on a Redis Cluster", async (t) => {
  const h = await harnessDriver().start({ ...START, args: ["--topology", "cluster", "--adapter", "sharded"] });
  t.after(() => h.close());
  const nodes = h.ready.redis_nodes.join(",");

  await t.test("examples/cluster.mjs", async () => {
    for (const [name, server, rooms] of [
      ["cl-room1", 0, ["room1"]],
      ["cl-other", 1, []],
    ]) {
      await h.cmd({ cmd: "client", name, server, nsp: "/", rooms });
    }
    await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
    const out = await run("examples/cluster.mjs", { REDIS_CLUSTER_NODES: nodes });
    assert.equal(out.trim(), "news reached 2 server(s), chat 1");
    const { events, lines } = await received(h, ["cl-room1", "cl-other"]);
    assert.deepEqual(events["cl-room1"], [
      ["news", [{ title: "hello" }]],
      ["chat", [{ text: "hi" }, { $bytes: "0001" }]],
    ]);
    assert.deepEqual(events["cl-other"], [["news", [{ title: "hello" }]]]);
    const handled = lines.filter((l) => l.type === "server_event" && l.args[0] === "cache-invalidate");
    assert.deepEqual(handled.map((l) => l.server).sort(), [0, 1]);
  });

  await t.test("tests/fixtures/cluster_server.mjs (the server-side snippet), as it is", async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [path.join(REPO, "tests/fixtures/cluster_server.mjs")], {
      env: { ...process.env, REDIS_CLUSTER_NODES: nodes, PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    server.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise((resolve) => server.on("exit", resolve));
    const { io: connectClient } = require(path.join(FIXTURES, "node_modules", "socket.io-client"));
    const client = connectClient(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnectionDelay: 100 });
    const io = new Emitter({ cluster_nodes: h.ready.redis_nodes, adapter: "sharded" });
    try {
      await new Promise((resolve) => client.once("connect", resolve));
      // Once its adapter has subscribed, SPUBLISH counts it beside the harness's two servers.
      const deadline = Date.now() + 30000;
      while ((await io.emit("probe")) < 3) {
        assert.ok(Date.now() < deadline && server.exitCode === null, `the snippet's server is not subscribed:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const got = new Promise((resolve) => client.once("news", (...args) => resolve(args)));
      assert.equal(await io.emit("news", { title: "hello" }, Buffer.from([0, 1])), 3);
      const [obj, bin] = await got;
      assert.deepEqual(obj, { title: "hello" });
      assert.deepEqual(Buffer.from(bin), Buffer.from([0, 1]));
    } finally {
      client.close();
      await io.close();
      server.kill("SIGTERM");
      await exited;
    }
    assert.doesNotMatch(stderr, /Error/);
  });
});

test("examples/sentinel.mjs, on a master found through Sentinel", async (t) => {
  const h = await harnessDriver().start({ ...START, args: ["--topology", "sentinel", "--adapter", "classic"] });
  t.after(() => h.close());
  for (const [name, server, rooms] of [
    ["se-room1", 0, ["room1"]],
    ["se-other", 1, []],
  ]) {
    await h.cmd({ cmd: "client", name, server, nsp: "/", rooms });
  }
  await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
  const out = await run("examples/sentinel.mjs", {
    REDIS_URL: h.redisUrl,
    SENTINEL_MASTER: h.ready.sentinel_master,
    SENTINEL_NODES: h.ready.sentinel_urls.join(","),
  });
  assert.equal(out.trim(), "news reached 2 server(s)");
  const { events } = await received(h, ["se-room1", "se-other"]);
  assert.deepEqual(events["se-room1"], [
    ["news", [{ title: "hello" }]],
    ["chat", [{ text: "hi" }]],
  ]);
  assert.deepEqual(events["se-other"], [["news", [{ title: "hello" }]]]);
});

test("examples/streams.mjs, on servers with the Redis Streams adapter 0.3.1", async (t) => {
  const h = await harnessDriver().start({ ...START, serverEvents: "cache-invalidate", args: ["--adapter", "streams"] });
  t.after(() => h.close());
  await clients(h, "/", [["st-room1", 0, ["room1"]], ["st-other", 1, []]]);
  const out = await run("examples/streams.mjs", { REDIS_URL: h.redisUrl });
  assert.equal(out.trim(), "news reached 2 server(s)\nXADD with 14 arguments");
  const { events, lines } = await received(h, ["st-room1", "st-other"]);
  const news = ["news", [{ title: "hello" }, "1970-01-01T00:00:00.000Z"]];
  assert.deepEqual(events["st-room1"], [news, ["chat", [{ text: "hi" }, { $bytes: "0001" }]]]);
  assert.deepEqual(events["st-other"], [news]);
  const handled = lines.filter((l) => l.type === "server_event" && l.event === "cache-invalidate");
  assert.deepEqual(handled.map((l) => [l.server, l.args]).sort(), [[0, ["users"]], [1, ["users"]]]);
});

test("examples/streams_v02.mjs, on servers with the Redis Streams adapter 0.2.3", async (t) => {
  const h = await harnessDriver().start({ ...START, serverEvents: "cache-invalidate", args: ["--adapter", "streams", "--streams-version", "0.2"] });
  t.after(() => h.close());
  await clients(h, "/", [["s2-a", 0, []], ["s2-b", 1, []]]);
  const out = await run("examples/streams_v02.mjs", { REDIS_URL: h.redisUrl });
  assert.equal(out.trim(), "news stored: 1");
  const { events, lines } = await received(h, ["s2-a", "s2-b"]);
  const news = [["news", [{ title: "hello" }]]];
  assert.deepEqual(events, { "s2-a": news, "s2-b": news });
  const handled = lines.filter((l) => l.type === "server_event" && l.event === "cache-invalidate");
  assert.deepEqual(handled.map((l) => [l.server, l.args]).sort(), [[0, ["users"]], [1, ["users"]]]);
});

test("examples/legacy.mjs, on socket.io 2.5 servers with socket.io-redis 5.4", async (t) => {
  const h = await harnessDriver().start({ ...START, args: ["--stack", "socket.io-redis-5"] });
  t.after(() => h.close());
  await clients(h, "/", [["lg-muted", 0, ["muted"]], ["lg-other", 1, []]]);
  const out = await run("examples/legacy.mjs", { REDIS_URL: h.redisUrl });
  const lines = out.trim().split("\n");
  assert.match(lines[0], /^unsupported: except is not possible with socket\.io-redis 5\.x \(socket\.io 2\.x\) \(compat "socket\.io-redis-5"\): /);
  assert.equal(lines[1], "news reached 2 server(s)");
  const { events } = await received(h, ["lg-muted", "lg-other"]);
  const news = [["news", [{ title: "hello" }, { $bytes: "0001" }, "1970-01-01T00:00:00.000Z"]]];
  assert.deepEqual(events, { "lg-muted": news, "lg-other": news }, "the refused chat was not published");
});

test("examples/ask.mjs, with a client that acknowledges", async (t) => {
  const h = await harnessDriver().start({ ...START });
  t.after(() => h.close());
  await h.cmd({ cmd: "client", name: "ask-user42", server: 1, nsp: "/", rooms: ["user:42"], data: { name: "Ada" }, ack: "ok" });
  await h.cmd({ cmd: "wait_subscribed", nsp: "/" });
  const out = await run("examples/ask.mjs", { REDIS_URL: h.redisUrl });
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "2 servers", out);
  assert.match(lines[1], /^online: \S+ \[ '\S+', 'user:42' \] {"name":"Ada"}$/, out);
  assert.equal(lines[2], "1 of 1 clients answered: [ 'ok' ]", out);
});
