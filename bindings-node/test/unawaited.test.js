"use strict";
// Code written for the official emitter never awaits emit(). A failure nobody waits for must
// not stop the process (an unhandled rejection exits with code 1): it is delivered to the
// emitter's "error" listeners, or else printed as a process warning. Whoever awaits still gets
// the typed rejection, and is then the only one told. Each case runs in a child process, as
// an application would, against a port where nothing listens (or a closed emitter).

const test = require("node:test");
const assert = require("node:assert/strict");
const net = require("node:net");
const { spawn } = require("node:child_process");

const ENTRY = require.resolve("..");

async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `body` (an async function's text, with `Emitter`, `url` and `log` in scope) in a child. */
async function child(body) {
  const url = `redis://127.0.0.1:${await refusedPort()}`;
  const script = `
    const { Emitter } = require(${JSON.stringify(ENTRY)});
    const url = ${JSON.stringify(url)};
    const log = (line) => process.stdout.write(JSON.stringify(line) + "\\n");
    (async () => { ${body} })();
  `;
  const proc = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (c) => (stdout += c));
  proc.stderr.on("data", (c) => (stderr += c));
  const code = await new Promise((resolve) => proc.on("exit", resolve));
  const lines = stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { code, lines, stderr };
}

const SHORT = "{ connect_timeout: 100, response_timeout: 100 }";

test("un-awaited operations that fail: the process exits 0 and prints one warning", async () => {
  const { code, lines, stderr } = await child(`
    const io = new Emitter(url, ${SHORT});
    io.emit("a", 1);
    io.to("room").emit("b");
    io.of("/admin").serverSideEmit("c", { x: 1 });
    io.socketsJoin("r2");
    io.in("r").disconnectSockets(true);
    process.on("warning", (w) => log({ name: w.name, code: w.code, count: w.count, codes: w.errors.map((e) => e.code) }));
  `);
  assert.equal(code, 0, stderr);
  const warnings = lines.filter((l) => l.name === "SocketIOEmitterWarning");
  const reported = warnings.reduce((n, w) => n + w.count, 0);
  assert.equal(reported, 5, JSON.stringify(lines));
  assert.ok(warnings.length <= 2, `failures of one turn share a warning: ${JSON.stringify(warnings)}`);
  for (const w of warnings) assert.ok(w.codes.every((c) => c === "CONNECTION"), JSON.stringify(w));
  assert.match(stderr, /SocketIOEmitterWarning: socketio-emitter: .*nobody awaited failed \(CONNECTION: /);
  assert.doesNotMatch(stderr, /UnhandledPromiseRejection|unhandled/i);
});

test("with an 'error' listener, each un-awaited failure is an event and there is no warning", async () => {
  const { code, lines, stderr } = await child(`
    const io = new Emitter(url, ${SHORT});
    const admin = io.of("/admin");
    admin.on("error", (err) => log({ event: "error", code: err.code, message: err.message }));
    io.emit("a");
    io.to("r").emit("b");
    admin.serverSideEmit("c");
    process.on("warning", (w) => log({ warning: w.name }));
  `);
  assert.equal(code, 0, stderr);
  const events = lines.filter((l) => l.event === "error");
  assert.equal(events.length, 3, JSON.stringify(lines));
  for (const e of events) {
    assert.equal(e.code, "CONNECTION");
    assert.match(e.message, /refused/i, "the cause is named");
  }
  assert.deepEqual(lines.filter((l) => l.warning), []);
  assert.doesNotMatch(stderr, /SocketIOEmitterWarning/);
});

test("awaited, then()-ed, caught or combined promises reject as before and are not reported", async () => {
  const { code, lines, stderr } = await child(`
    const io = new Emitter(url, ${SHORT});
    io.on("error", (err) => log({ reported: err.code }));
    try {
      await io.emit("awaited", 1);
      log({ awaited: "resolved" });
    } catch (err) {
      log({ awaited: err.code, isError: err instanceof Error, message: err.message });
    }
    const caught = io.emit("caught");
    caught.catch((err) => log({ caught: err.code }));
    io.emit("then").then(() => {}, (err) => log({ then: err.code }));
    const settled = await Promise.allSettled([io.emit("all1"), io.to("r").emit("all2")]);
    log({ allSettled: settled.map((s) => s.reason && s.reason.code) });
    await io.emit("finally").finally(() => log({ finally: true })).catch((err) => log({ afterFinally: err.code }));
    await io.close();
    try {
      await io.emit("after close");
    } catch (err) {
      log({ afterClose: err.code });
    }
    io.emit("not awaited after close");
  `);
  assert.equal(code, 0, stderr);
  const by = (key) => lines.filter((l) => key in l).map((l) => l[key]);
  assert.deepEqual(by("awaited"), ["CONNECTION"]);
  assert.deepEqual(by("isError"), [true]);
  assert.deepEqual(by("caught"), ["CONNECTION"]);
  assert.deepEqual(by("then"), ["CONNECTION"]);
  assert.deepEqual(by("allSettled"), [["CONNECTION", "CONNECTION"]]);
  assert.deepEqual(by("finally"), [true]);
  assert.deepEqual(by("afterFinally"), ["CONNECTION"]);
  assert.deepEqual(by("afterClose"), ["CLOSED"]);
  // Only the last emit, which nobody looked at, is reported.
  assert.deepEqual(by("reported"), ["CLOSED"]);
});

test("without any handling at all, a closed emitter's emits only warn (exit code 0)", async () => {
  const { code, lines, stderr } = await child(`
    const io = new Emitter(url, ${SHORT});
    await io.close();
    process.on("warning", (w) => log({ count: w.count, code: w.code }));
    for (let i = 0; i < 100; i++) io.emit("late", i);
  `);
  assert.equal(code, 0, stderr);
  // Failures settled in the same turn of the event loop share one warning.
  assert.equal(lines.reduce((n, l) => n + l.count, 0), 100, JSON.stringify(lines));
  assert.ok(lines.length < 10, JSON.stringify(lines));
  assert.ok(lines.every((l) => l.code === "CLOSED"));
  assert.match(stderr, /operations nobody awaited failed \(CLOSED: the emitter is closed\)/);
});

test("flush() reports the failures nobody awaited, with the successes' counts", async () => {
  const { code, lines, stderr } = await child(`
    const io = new Emitter(url, ${SHORT});
    io.on("error", () => {});
    io.emit("a");
    io.to("r").emit("b");
    try {
      await io.flush();
      log({ flush: "resolved" });
    } catch (err) {
      log({ flush: err.code, report: err.report, failures: err.failures.map((f) => [f.ticket, f.channel, f.code]) });
    }
    log({ again: await io.flush() });
    log({ close: await io.close() });
  `);
  assert.equal(code, 0, stderr);
  const [first, again, close] = lines;
  assert.equal(first.flush, "FLUSH");
  assert.deepEqual(first.report, { sent: 0, receivers: 0, reachedNone: 0, failed: 2 });
  assert.deepEqual(first.failures, [
    [1, "socket.io#/#", "CONNECTION"],
    [2, "socket.io#/#r#", "CONNECTION"],
  ]);
  assert.deepEqual(again.again, { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
  assert.deepEqual(close.close, { sent: 0, receivers: 0, reachedNone: 0, failed: 0 });
});
