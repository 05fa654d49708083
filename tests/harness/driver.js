"use strict";
// A small Node driver for harness.js: spawns it, sends commands, and collects the asynchronous
// lines. Node test suites can use it as is; other languages implement the same few methods.
//
//   const { Harness } = require("../../tests/harness/driver");
//   const h = await Harness.start({ servers: 2 });
//   await h.cmd({ cmd: "client", name: "c1", server: 0, rooms: ["room1"] });
//   ... publish ...
//   const events = await h.flushAndTake();       // every line observed since the last take
//   await h.close();
//
// The harness keeps Redis' and the servers' output to itself; show it for failed tests only:
//
//   afterEach((t) => h.printLogsIfFailed(t));     // node:test

const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");

const HARNESS_JS = path.join(__dirname, "harness.js");

class Harness {
  /**
   * @param {object} [opts]
   * @param {number} [opts.servers]        number of Socket.IO servers (default 2)
   * @param {string} [opts.key]            adapter key (default "socket.io")
   * @param {string} [opts.serverEvents]   comma-separated serverSideEmit events to record
   * @param {string} [opts.serverAcks]     comma-separated serverSideEmit events the servers ack
   * @param {string[]} [opts.args]         extra command-line arguments
   * @param {number} [opts.timeoutMs]      how long to wait for "ready" (default 60000; startup
   *                                       takes about 0.6 s, but 10 s was seen under load)
   * @param {boolean} [opts.captureStderr] collect the harness's stderr in `stderrText` instead of
   *                                       passing it through (it is empty unless the harness
   *                                       fails or HARNESS_VERBOSE=1)
   */
  static async start(opts = {}) {
    const args = [HARNESS_JS];
    if (opts.servers !== undefined) args.push("--servers", String(opts.servers));
    if (opts.key !== undefined) args.push("--key", opts.key);
    if (opts.serverEvents !== undefined) args.push("--server-events", opts.serverEvents);
    if (opts.serverAcks !== undefined) args.push("--server-acks", opts.serverAcks);
    args.push(...(opts.args || []));
    const child = spawn(process.execPath, args, {
      stdio: ["pipe", "pipe", opts.captureStderr ? "pipe" : "inherit"],
    });
    const h = new Harness(child);
    if (opts.captureStderr) child.stderr.on("data", (chunk) => (h.stderrText += chunk));
    try {
      h.ready = await h.waitFor((l) => l.type === "ready" || l.type === "fatal", opts.timeoutMs ?? 60000);
    } catch (err) {
      child.kill("SIGKILL");
      throw new Error(`the harness did not start: ${err.message}${h.stderrText ? `\n${h.stderrText}` : ""}`);
    }
    h.lines.splice(h.lines.indexOf(h.ready), 1);
    if (h.ready.type === "fatal") {
      throw new Error(`harness failed to start: ${h.ready.error}${h.stderrText ? `\n${h.stderrText}` : ""}`);
    }
    return h;
  }

  constructor(child) {
    this.child = child;
    child.stdin.on("error", () => {}); // EPIPE once the harness is gone; `exited` reports it
    this.lines = []; // every asynchronous line (not replies) not yet taken
    this.waiters = new Set();
    this.replies = new Map();
    this.nextId = 1;
    this.stderrText = "";
    this.exitCode = undefined; // set once the process has exited
    this.exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        this.exitCode = code;
        // A reply will never come now: answer every waiting command instead of hanging.
        for (const [id, settle] of this.replies) {
          settle({ type: "reply", id, ok: false, error: `the harness exited (code ${code})` });
        }
        this.replies.clear();
        for (const w of this.waiters) w();
        resolve(code);
      }),
    );
    readline.createInterface({ input: child.stdout }).on("line", (text) => {
      const line = JSON.parse(text);
      if (line.type === "reply") {
        const r = this.replies.get(line.id);
        if (r) {
          this.replies.delete(line.id);
          r(line);
        }
        return;
      }
      this.lines.push(line);
      for (const w of this.waiters) w();
    });
  }

  get redisUrl() {
    return this.ready.redis_url;
  }

  /** Sends one command; resolves with its reply, rejects if the reply has ok:false. */
  async cmd(command) {
    const reply = await this.send(command);
    if (!reply.ok) throw new Error(`${command.cmd} failed: ${reply.error}`);
    return reply;
  }

  /** Sends one command; resolves with its reply whatever `ok` says. */
  send(command) {
    const id = this.nextId++;
    if (this.exitCode !== undefined) {
      return Promise.resolve({ type: "reply", id, ok: false, error: "the harness has exited" });
    }
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ id, ...command }) + "\n");
    });
  }

  /**
   * The harness's buffered diagnostics: its own messages, Redis' log and every server's stderr
   * (warnings, crash stacks), oldest first. `clear: true` empties the buffer afterwards.
   */
  async logs({ clear = false } = {}) {
    const reply = await this.cmd({ cmd: "logs", ...(clear ? { clear: true } : {}) });
    return reply.logs;
  }

  /** Writes the buffered diagnostics to stderr, framed with `title`. */
  async printLogs(title = "harness logs") {
    let text;
    try {
      text = await this.logs();
    } catch (err) {
      text = `(could not read them: ${err.message})\n`;
    }
    process.stderr.write(`----- ${title} -----\n${text}----- end of ${title} -----\n`);
  }

  /** For node:test's `afterEach((t) => h.printLogsIfFailed(t))`: logs only for a failed test. */
  async printLogsIfFailed(t) {
    if (t.passed === false) await this.printLogs(`harness logs (failed: ${t.name})`);
  }

  /**
   * Resolves with the first untaken line matching `pred` (it stays in `lines`); rejects after
   * `timeoutMs`, or as soon as the harness exits without such a line. The default is generous:
   * it only bounds a wait that went wrong, and a loaded machine is slow.
   */
  waitFor(pred, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const done = (err, line) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(line);
      };
      const check = () => {
        const found = this.lines.find(pred);
        if (found) done(null, found);
        else if (this.exitCode !== undefined) {
          done(new Error(`the harness exited (code ${this.exitCode}); have ${JSON.stringify(this.lines)}`));
        }
      };
      const timer = setTimeout(
        () => done(new Error(`timed out waiting for a line; have ${JSON.stringify(this.lines)}`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /** Removes and returns every collected line. */
  take() {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  /** Sends a flush barrier, then removes and returns every line collected before its reply. */
  async flushAndTake(timeoutMs) {
    await this.cmd({ cmd: "flush", ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) });
    return this.take();
  }

  async close() {
    if (this.child.exitCode === null) {
      this.child.stdin.end(JSON.stringify({ id: this.nextId++, cmd: "shutdown" }) + "\n");
    }
    return this.exited;
  }
}

module.exports = { Harness };
