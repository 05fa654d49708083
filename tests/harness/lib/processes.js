"use strict";
// Child processes of the harness: redis-server and the Socket.IO servers (tests/fixtures/server.js).
// Their output (Redis' log, the servers' stderr, crash stacks) goes to a `Logs` buffer
// (lib/logs.js), never straight to the harness's stderr.
//
// Every child is started through `setpriv --pdeathsig KILL` when setpriv exists, so that the kernel
// kills it if the harness dies without cleaning up (SIGKILL, OOM). The servers also exit when their
// stdin closes, which covers machines without setpriv.

const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const readline = require("node:readline");
const { spawn } = require("node:child_process");

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures");
const { STACKS, DEFAULT_STACK } = require("./stacks");

const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => fs.existsSync(p));

/** Every live child pid, so that the harness can kill them synchronously on exit. */
const livePids = new Set();

function spawnGuarded(command, args, options) {
  const [cmd, argv] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", command, ...args]]
    : [command, args];
  const child = spawn(cmd, argv, options);
  if (child.pid) {
    livePids.add(child.pid);
    child.once("exit", () => livePids.delete(child.pid));
  }
  return child;
}

function killAllNow() {
  for (const pid of livePids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch (_) {
      // already gone
    }
  }
  livePids.clear();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Keeps the last `limit` characters written to a stream. */
function tail(limit) {
  let text = "";
  return {
    push(chunk) {
      text = (text + chunk).slice(-limit);
    },
    get text() {
      return text;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// redis-server

/**
 * Writes a throwaway CA and a server certificate for 127.0.0.1/localhost into `dir` with the
 * openssl CLI; returns the file paths. Used by --redis-tls.
 */
function makeTlsFiles(dir) {
  const { execFileSync } = require("node:child_process");
  const f = (name) => path.join(dir, name);
  const run = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sio-harness-ca",
    "-keyout", f("ca.key"), "-out", f("ca.pem"));
  run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
    "-keyout", f("server.key"), "-out", f("server.csr"));
  fs.writeFileSync(f("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  run("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", f("server.ext"), "-out", f("server.pem"));
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

class RedisProcess {
  /**
   * `security` (optional): `{ user, password, tls }`. With a user, the default user is switched
   * off so that unauthenticated clients are refused; with only a password, `requirepass`.
   * `tls` holds the `makeTlsFiles` paths; the plain port is then closed.
   */
  /**
   * `config` (optional, cluster and sentinel nodes): `async (port) => text`, a whole
   * redis.conf for that port; it is written to `dir` and `security` is then ignored (the text
   * carries it). `sentinel: true` starts `redis-server <conf> --sentinel`. `source` names the
   * node in the logs: a string, or `(port) => string`.
   */
  constructor({ dir, log, logs, binary, security = {}, config = null, sentinel = false, source = "redis" }) {
    this.security = security;
    this.config = config;
    this.sentinel = sentinel;
    this.source = source;
    this.logTail = "";
    this.dir = dir;
    this.log = log;
    this.logs = logs;
    this.binary = binary || process.env.REDIS_SERVER || "redis-server";
    this.port = null;
    this.child = null;
    this.onUnexpectedExit = () => {};
  }

  get running() {
    return this.child !== null;
  }

  /** Starts redis-server. Without a port, tries free ports until one binds. */
  async start(port = null) {
    if (this.child) return;
    const attempts = port === null ? 5 : 3;
    let lastError;
    for (let i = 0; i < attempts; i++) {
      const p = port === null ? await freePort() : port;
      try {
        await this.#startOn(p, this.config ? await this.config(p) : null);
        this.port = p;
        return;
      } catch (err) {
        lastError = err;
        this.log(`redis-server on port ${p} failed: ${err.message}`);
        if (err.code === "ENOENT" || /failed to execute/.test(err.message)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw lastError;
  }

  /** The name of this node in the logs. */
  sourceFor(port) {
    return typeof this.source === "function" ? this.source(port) : this.source;
  }

  #startOn(port, configText) {
    const { user, password, tls } = this.security;
    const listen = tls
      ? ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.cert,
         "--tls-key-file", tls.key, "--tls-ca-cert-file", tls.ca, "--tls-auth-clients", "no"]
      : ["--port", String(port)];
    let auth = [];
    if (user) {
      // The password goes in as its SHA-256 (`#hash`): Redis re-splits its command line on spaces,
      // and the hash also keeps the secret out of `ps`.
      const hash = require("node:crypto").createHash("sha256").update(password || "").digest("hex");
      // One argv element per ACL rule: Redis appends them to the --user directive.
      auth = ["--user", user, "on", `#${hash}`, "~*", "&*", "+@all", "--user", "default", "off"];
    }
    else if (password) auth = ["--requirepass", password];
    const args = [
      ...listen,
      ...auth,
      "--bind", "127.0.0.1",
      "--save", "",
      "--appendonly", "no",
      "--dir", this.dir,
      "--daemonize", "no",
      "--logfile", "",
      "--loglevel", "notice",
    ];
    let argv = args;
    if (configText !== null) {
      const file = path.join(this.dir, this.sentinel ? "sentinel.conf" : "redis.conf");
      fs.writeFileSync(file, configText, { mode: 0o600 });
      argv = this.sentinel ? [file, "--sentinel"] : [file];
    }
    const readyText = this.sentinel ? "Sentinel ID is" : "Ready to accept connections";
    const source = this.sourceFor(port);
    const child = spawnGuarded(this.binary, argv, { stdio: ["ignore", "pipe", "pipe"], cwd: this.dir });
    const logTail = tail(4000);
    return new Promise((resolve, reject) => {
      let ready = false;
      const onData = (chunk) => {
        const s = chunk.toString();
        logTail.push(s);
        this.logTail = logTail.text;
        this.logs.write(source, s);
        if (!ready && s.includes(readyText)) {
          ready = true;
          this.child = child;
          resolve();
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("error", (err) => {
        if (!ready) reject(err);
      });
      child.once("exit", (code, signal) => {
        if (!ready) {
          const why = logTail.text.trim().split("\n").slice(-3).join(" | ");
          const what = source === "redis" ? "redis-server" : `redis-server (${source})`;
          reject(new Error(`${what} exited (code ${code}, signal ${signal}): ${why}`));
          return;
        }
        if (this.child === child) {
          this.child = null;
          this.onUnexpectedExit(code, signal);
        }
      });
    });
  }

  /** SIGKILL (a crash, not a clean shutdown), then wait until the process is gone. */
  async kill() {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill("SIGKILL");
    await waitExit(child);
  }
}

// ------------------------------------------------------------------------------------------------
// Socket.IO servers

class ServerProcess {
  constructor({
    index,
    redisUrl,
    redisClusterUrls = null,
    redisCaFile,
    key,
    serverEvents,
    serverAcks = "",
    specificResponseChannel,
    adapter = "classic",
    subscriptionMode = "dynamic",
    env = {},
    stack = DEFAULT_STACK,
    log,
    logs,
    onLine,
  }) {
    this.env = env; // extra environment (e.g. the streams adapter's options)
    this.redisCaFile = redisCaFile;
    this.index = index;
    this.redisUrl = redisUrl;
    this.redisClusterUrls = redisClusterUrls;
    this.key = key;
    this.serverEvents = serverEvents;
    this.serverAcks = serverAcks;
    this.specificResponseChannel = specificResponseChannel;
    this.adapter = adapter;
    this.subscriptionMode = subscriptionMode;
    this.stack = stack;
    this.log = log;
    this.logs = logs;
    this.onLine = onLine; // lines that the harness relays or reacts to
    this.onUnexpectedExit = () => {};
    this.port = 0;
    this.child = null;
    this.nsps = new Set();
    this.pending = new Map();
    this.nextId = 1;
  }

  get alive() {
    return this.child !== null;
  }

  /**
   * Starts server.js and resolves with its port once it is listening and subscribed. The
   * default deadline matches the topologies' 60 s: a Node process at nice 10 beside two busy
   * loops at nice 0 took 15 s of wall time just to load socket.io, redis and the adapter
   * (0.4 s of CPU), and a harness start under such load failed at the former 15 s.
   */
  start(timeoutMs = 60000) {
    const env = {
      ...process.env,
      REDIS_URL: this.redisUrl,
      REDIS_CLUSTER_URLS: this.redisClusterUrls ? this.redisClusterUrls.join(",") : "",
      REDIS_CA_FILE: this.redisCaFile || "",
      PORT: String(this.port),
      KEY: this.key,
      SERVER_INDEX: String(this.index),
      SERVER_EVENTS: this.serverEvents,
      SERVER_ACKS: this.serverAcks,
      SPECIFIC_RESPONSE_CHANNEL: this.specificResponseChannel ? "1" : "0",
      ADAPTER: this.adapter,
      SUBSCRIPTION_MODE: this.subscriptionMode,
      STACK: this.stack,
      EXIT_ON_STDIN_EOF: "1",
      ...this.env,
    };
    const nsps = new Set(); // namespaces this child created
    this.nsps = nsps;
    const stderrTail = tail(2000);
    const pending = new Map(); // this child's unanswered stdin commands
    this.pending = pending;
    const child = spawnGuarded(process.execPath, [path.join(FIXTURES, STACKS[this.stack].script)], {
      env,
      cwd: FIXTURES,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // "close" rather than "exit": stdout and stderr have been read to the end by then.
    this.closed = new Promise((resolve) => child.once("close", resolve));
    child.stdin.on("error", () => {}); // EPIPE once the server is gone
    const source = `server ${this.index}`;
    const ownPrefix = `[${source}] `;
    readline.createInterface({ input: child.stderr }).on("line", (line) => {
      stderrTail.push(line + "\n");
      this.logs.write(source, line.startsWith(ownPrefix) ? line.slice(ownPrefix.length) : line);
    });
    return new Promise((resolve, reject) => {
      let listening = false;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`server ${this.index} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      readline.createInterface({ input: child.stdout }).on("line", (line) => {
        let msg;
        try {
          msg = JSON.parse(line);
        } catch (_) {
          this.logs.write(source, `(stdout, not JSON) ${line}`);
          return;
        }
        switch (msg.type) {
          case "listening":
            this.port = msg.port;
            if (!listening) {
              listening = true;
              this.child = child;
              clearTimeout(timer);
              resolve(msg.port);
            }
            return;
          case "nsp":
            nsps.add(msg.nsp);
            return;
          case "ack": {
            const p = pending.get(msg.id);
            if (!p) return;
            pending.delete(msg.id);
            if (msg.ok) p.resolve(msg);
            else p.reject(new Error(`server ${this.index}: ${msg.error}`));
            return;
          }
          default:
            this.onLine(msg);
        }
      });
      child.once("error", (err) => {
        clearTimeout(timer);
        if (!listening) reject(err);
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        for (const p of pending.values()) {
          p.reject(new Error(`server ${this.index} exited (code ${code}, signal ${signal})`));
        }
        pending.clear();
        if (!listening) {
          const why = stderrTail.text.trim().split("\n").slice(-3).join(" | ");
          reject(new Error(`server ${this.index} exited during startup (code ${code}): ${why}`));
          return;
        }
        if (this.child === child) {
          this.child = null;
          this.onUnexpectedExit(code, signal, stderrTail.text);
        }
      });
    });
  }

  /** Sends a command to server.js over its stdin and resolves with its ack. */
  request(cmd, fields = {}, timeoutMs = 10000) {
    if (!this.child) return Promise.reject(new Error(`server ${this.index} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`server ${this.index} did not answer ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.child.stdin.write(JSON.stringify({ id, cmd, ...fields }) + "\n");
    });
  }

  /** Stops the server on purpose (no server_exit line). */
  async stop(graceMs = 2000) {
    const child = this.child;
    if (!child) return;
    this.child = null;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await this.closed;
    clearTimeout(timer);
  }
}

module.exports = {
  FIXTURES,
  RedisProcess,
  ServerProcess,
  killAllNow,
  freePort,
  makeTlsFiles,
  spawnGuarded,
  waitExit,
  tail,
};
