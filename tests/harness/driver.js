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
   * @param {string[]} [opts.args]         extra command-line arguments
   * @param {number} [opts.timeoutMs]      how long to wait for "ready" (default 20000)
   */
  static async start(opts = {}) {
    const args = [HARNESS_JS];
    if (opts.servers !== undefined) args.push("--servers", String(opts.servers));
    if (opts.key !== undefined) args.push("--key", opts.key);
    if (opts.serverEvents !== undefined) args.push("--server-events", opts.serverEvents);
    args.push(...(opts.args || []));
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
    const h = new Harness(child);
    h.ready = await h.waitFor((l) => l.type === "ready" || l.type === "fatal", opts.timeoutMs ?? 20000);
    h.lines.splice(h.lines.indexOf(h.ready), 1);
    if (h.ready.type === "fatal") throw new Error(`harness failed to start: ${h.ready.error}`);
    return h;
  }

  constructor(child) {
    this.child = child;
    this.lines = []; // every asynchronous line (not replies) not yet taken
    this.waiters = new Set();
    this.replies = new Map();
    this.nextId = 1;
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
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
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ id, ...command }) + "\n");
    });
  }

  /** Resolves with the first untaken line matching `pred` (it stays in `lines`). */
  waitFor(pred, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.find(pred);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for a line; have ${JSON.stringify(this.lines)}`));
      }, timeoutMs);
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
