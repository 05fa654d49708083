#!/usr/bin/env node
"use strict";
// Interop harness: one redis-server (or a Redis Cluster, or a master/replica pair watched by
// sentinels), N Socket.IO 4.8.1 servers with the classic Redis adapter (or the sharded one), and
// recording socket.io-client clients, driven over stdin/stdout JSON lines (with `--adapter
// streams`, the Redis Streams adapter and connection state recovery: lib/streams.js). The
// protocol is specified in README.md next to this file; keep the two in step.
//
//   node tests/harness/harness.js [--servers 2] [--key socket.io] [--server-events a,b]
//                                 [--server-acks a,b]
//                                 [--specific-response-channel] [--verbose]
//                                 [--adapter classic|sharded|streams] [--subscription-mode MODE]
//                                 [--streams-version 0.3|0.2] [--stream-name S] [--stream-count N]
//                                 [--max-len N]
//                                 [--topology standalone|cluster|sentinel] [--stack NAME]
//
// Diagnostics (its own, Redis' log, the servers' stderr) are kept in memory and shown only when
// asked (the `logs` command) or when the harness itself fails; HARNESS_VERBOSE=1 shows them live.

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");
const { createRequire } = require("node:module");
const { randomBytes } = require("node:crypto");

const { FIXTURES, RedisProcess, ServerProcess, killAllNow, makeTlsFiles } = require("./lib/processes");
const { Clients } = require("./lib/clients");
const { Logs, verboseFromEnv } = require("./lib/logs");
const { ClusterTopology, SentinelTopology } = require("./lib/topology");
const { StreamsHarness, parseStreamsOption, checkStreamsOptions } = require("./lib/streams");
const { STACKS, DEFAULT_STACK } = require("./lib/stacks");

// ------------------------------------------------------------------------------------------------
// Output

let stdoutClosed = false;
/** How many asynchronous lines (not replies) have been written: a sign of progress. */
let linesWritten = 0;
function out(obj) {
  if (obj.type !== "reply") linesWritten++;
  if (stdoutClosed) return;
  try {
    process.stdout.write(JSON.stringify(obj) + "\n");
  } catch (_) {
    stdoutClosed = true;
  }
}
const logs = new Logs({ verbose: verboseFromEnv() });
function log(msg) {
  logs.write("harness", msg);
}
/** The harness itself failed: say why on stderr, after everything logged so far. */
function logFailure(msg) {
  log(msg);
  if (!logs.verbose) logs.dump("the harness failed");
}

// ------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = {
    servers: 2,
    key: "socket.io",
    serverEvents: "server_event,ping_servers",
    serverAcks: "",
    specificResponseChannel: false,
    adapter: "classic",
    subscriptionMode: "dynamic",
    redisUser: null,
    redisPassword: null,
    redisTls: false,
    topology: "standalone",
    stack: DEFAULT_STACK,
    verbose: verboseFromEnv(),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case "--servers":
        opts.servers = Number(value());
        if (!Number.isInteger(opts.servers) || opts.servers < 1 || opts.servers > 16) {
          throw new Error("--servers must be an integer from 1 to 16");
        }
        break;
      case "--key":
        opts.key = value();
        break;
      case "--server-events":
        opts.serverEvents = value();
        break;
      case "--server-acks":
        opts.serverAcks = value();
        break;
      case "--specific-response-channel":
        opts.specificResponseChannel = true;
        break;
      case "--verbose":
        opts.verbose = true;
        break;
      case "--adapter":
        opts.adapter = value();
        if (!["classic", "sharded", "streams"].includes(opts.adapter)) {
          throw new Error("--adapter must be classic, sharded or streams");
        }
        break;
      case "--subscription-mode":
        opts.subscriptionMode = value();
        if (!["static", "dynamic", "dynamic-private"].includes(opts.subscriptionMode)) {
          throw new Error("--subscription-mode must be static, dynamic or dynamic-private");
        }
        break;
      case "--redis-user":
        opts.redisUser = value();
        break;
      case "--redis-password":
        opts.redisPassword = value();
        break;
      case "--redis-tls":
        opts.redisTls = true;
        break;
      case "--topology":
        opts.topology = value();
        if (!["standalone", "cluster", "sentinel"].includes(opts.topology)) {
          throw new Error("--topology must be standalone, cluster or sentinel");
        }
        break;
      case "--stack":
        opts.stack = value();
        if (!Object.hasOwn(STACKS, opts.stack)) {
          throw new Error(`--stack must be one of ${Object.keys(STACKS).join(", ")}`);
        }
        break;
      default:
        if (!parseStreamsOption(flag, value, opts)) throw new Error(`unknown argument ${arg}`);
    }
  }
  checkStreamsOptions(opts);
  if (opts.serverAcks && STACKS[opts.stack].script !== "server.js") {
    throw new Error(`--server-acks needs a socket.io 4 stack (not ${opts.stack})`);
  }
  checkStack(opts);
  return opts;
}

/** Refuses the combinations an older server stack cannot run (README, "Server stacks"). */
function checkStack(opts) {
  if (opts.stack === DEFAULT_STACK) return;
  const stack = STACKS[opts.stack];
  if (opts.adapter !== "classic") {
    throw new Error(`--stack ${opts.stack} has the classic adapter only (not --adapter ${opts.adapter})`);
  }
  if (opts.topology === "cluster") {
    const why =
      stack.script === "server.js"
        ? "@socket.io/redis-adapter 7.2.0 cannot count servers through a node-redis 4 cluster client"
        : "socket.io-redis' node-redis 3 has no cluster client";
    throw new Error(`--stack ${opts.stack} cannot run on --topology cluster (${why})`);
  }
  if (opts.specificResponseChannel && !stack.specificResponseChannel) {
    throw new Error(
      `--stack ${opts.stack} has no publishOnSpecificResponseChannel (added in @socket.io/redis-adapter 7.1.0)`,
    );
  }
}

// ------------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Like withTimeout, but the clock restarts whenever `progress()` changes, so it fails only after
 * `ms` without progress. `what()` describes what is still awaited, at the time of the failure.
 */
function withIdleTimeout(promise, ms, progress, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    let seen = progress();
    let deadline = Date.now() + ms;
    timer = setInterval(() => {
      const now = progress();
      if (now !== seen) {
        seen = now;
        deadline = Date.now() + ms;
      } else if (Date.now() >= deadline) {
        reject(new Error(`${what()}: nothing arrived for ${ms} ms`));
      }
    }, Math.max(5, Math.min(100, ms / 10)));
  });
  return Promise.race([promise, timeout]).finally(() => clearInterval(timer));
}

/** A command's `to` or `except`: a room or an array of rooms (strings or numbers). */
function roomList(msg, field) {
  const v = msg[field] ?? [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((r) => typeof r === "string" || (typeof r === "number" && Number.isFinite(r)))) {
    throw new Error(`${field} must be a room or an array of rooms (strings or numbers)`);
  }
  return list;
}

function normalizeNsp(nsp) {
  if (nsp === undefined || nsp === null) return "/";
  if (typeof nsp !== "string") throw new Error("nsp must be a string");
  return nsp.startsWith("/") ? nsp : "/" + nsp;
}

function optTimeout(msg, fallback) {
  if (msg.timeout_ms === undefined) return fallback;
  const t = Number(msg.timeout_ms);
  if (!Number.isFinite(t) || t <= 0) throw new Error("timeout_ms must be a positive number");
  return t;
}

function parseClientList(text) {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const fields = {};
      for (const part of line.split(" ")) {
        const eq = part.indexOf("=");
        if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
      }
      return fields;
    });
}

/** Removes temp dirs left by harnesses that were killed with SIGKILL. */
function sweepStaleTmpDirs() {
  let names = [];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch (_) {
    return;
  }
  for (const name of names) {
    const m = /^sio-harness-(\d+)-/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if (err.code === "ESRCH") {
        fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// The harness

class Harness {
  constructor(opts) {
    this.opts = opts;
    if (!fs.existsSync(path.join(FIXTURES, "node_modules", "socket.io-client"))) {
      throw new Error(`the pinned packages are not installed; run \`npm ci\` in ${FIXTURES}`);
    }
    this.tagged = require(path.join(FIXTURES, "tagged.js"));
    sweepStaleTmpDirs();
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `sio-harness-${process.pid}-`));
    this.tls = opts.redisTls ? makeTlsFiles(this.tmpDir) : null;
    this.topology = opts.topology;
    this.security = { user: opts.redisUser, password: opts.redisPassword, tls: this.tls };
    this.redis = null; // standalone: the one redis-server
    this.topo = null; // cluster or sentinel: lib/topology.js, created once node-redis is loaded
    if (this.topology === "standalone") {
      this.redis = new RedisProcess({ dir: this.tmpDir, log, logs, security: this.security });
      this.redis.onUnexpectedExit = (code, signal) => {
        if (this.stopping) return;
        log(`redis-server exited unasked (code ${code}, signal ${signal})`);
        out({ type: "redis_exit", code, signal, port: this.redis.port });
      };
    }
    this.redisPortValue = null; // cluster and sentinel: the port in `redis_url`
    this.servers = [];
    this.clients = null; // created once the packages are loaded
    this.control = null; // node-redis client used for checks, flush markers and `official`
    this.flushAcks = new Map(); // token -> Set of server indexes still to ack
    this.streams =
      opts.adapter === "streams"
        ? new StreamsHarness(this, { progress: () => linesWritten, withIdleTimeout, log })
        : null;
    this.stopping = false;
  }

  /** The URL of a Redis node on `port`, with the credentials and scheme the options ask for. */
  urlFor(port, { credentials = true } = {}) {
    const { redisUser, redisPassword } = this.opts;
    const enc = encodeURIComponent;
    let auth = "";
    if (credentials && redisUser) auth = `${enc(redisUser)}:${enc(redisPassword || "")}@`;
    else if (credentials && redisPassword) auth = `:${enc(redisPassword)}@`;
    return `${this.tls ? "rediss" : "redis"}://${auth}127.0.0.1:${port}`;
  }

  /** The port in `redis_url`: the one Redis, the cluster's first master, the sentinels' master. */
  get redisPort() {
    return this.redis ? this.redis.port : this.redisPortValue;
  }

  /** The URL every client uses, with the credentials and scheme the options ask for. */
  get redisUrl() {
    return this.urlFor(this.redisPort);
  }

  /** node-redis socket options for our Redis (trusting the throwaway CA under --redis-tls). */
  socketOptions(extra) {
    return this.tls ? { ...extra, tls: true, ca: fs.readFileSync(this.tls.ca) } : extra;
  }

  /** Loads the pinned packages (about 0.3 s, so it runs while the servers boot). */
  loadPackages() {
    const fixturesRequire = createRequire(path.join(FIXTURES, "package.json"));
    const stack = STACKS[this.opts.stack];
    const clientLib = fixturesRequire(stack.client);
    // socket.io-client 2.x exports `io` itself (the module is the function).
    this.ioClient = clientLib.io || clientLib;
    this.redisLib = fixturesRequire("redis");
    this.Emitter = fixturesRequire("@socket.io/redis-emitter").Emitter;
    const offsets = Boolean(this.streams); // streams servers append CSR offsets to events
    this.clients = new Clients({
      io: this.ioClient,
      major: stack.clientMajor,
      encode: this.tagged.encode,
      out,
      offsets,
    });
  }

  /** The harness's own node-redis client (standalone and sentinel; a cluster uses topo.nc). */
  connectControl(url) {
    this.control = this.redisLib.createClient({
      url,
      name: "sio-harness-control",
      socket: this.socketOptions({ reconnectStrategy: (n) => Math.min(20 + n * 10, 100) }),
    });
    let lastError = "";
    this.control.on("error", (err) => {
      if (err.message !== lastError && !this.stopping) log(`control client: ${err.message}`);
      lastError = err.message;
    });
    return this.control.connect();
  }

  async start() {
    const t0 = Date.now();
    let serversStarted;
    let controlConnected = Promise.resolve();
    let redisMs;
    const extra = {};
    if (this.topology === "standalone") {
      await this.redis.start();
      redisMs = Date.now() - t0;
      serversStarted = this.startServers({ redisUrl: this.redisUrl });
      this.loadPackages();
      controlConnected = this.connectControl(this.redisUrl);
    } else {
      this.loadPackages();
      const Topology = this.topology === "cluster" ? ClusterTopology : SentinelTopology;
      this.topo = new Topology({
        dir: this.tmpDir,
        log,
        logs,
        security: this.security,
        redisLib: this.redisLib,
      });
      this.topo.onUnexpectedExit = (port, code, signal) => {
        if (this.stopping) return;
        log(`redis-server :${port} exited unasked (code ${code}, signal ${signal})`);
        out({ type: "redis_exit", code, signal, port });
      };
      await this.topo.start(60000);
      redisMs = Date.now() - t0;
      if (this.topology === "cluster") {
        const { masters, replicas } = this.topo.orderedNodes();
        this.redisPortValue = masters[0].port;
        extra.redis_nodes = [...masters, ...replicas].map((e) => this.urlFor(e.port));
        serversStarted = this.startServers({
          redisUrl: this.redisUrl,
          redisClusterUrls: extra.redis_nodes,
        });
      } else {
        this.redisPortValue = await this.topo.masterPort();
        const proxyUrl = this.urlFor(this.topo.proxy.port);
        const noCredentials = { credentials: false }; // the sentinels have no password
        extra.sentinel_urls = this.topo.sentinels.map((n) => this.urlFor(n.proc.port, noCredentials));
        extra.sentinel_master = this.topo.masterName;
        extra.sentinel_proxy_url = proxyUrl;
        serversStarted = this.startServers({ redisUrl: proxyUrl });
        controlConnected = this.connectControl(proxyUrl);
      }
    }
    await Promise.all([controlConnected, serversStarted]);
    out({
      type: "ready",
      topology: this.topology,
      redis_url: this.redisUrl,
      redis_port: this.redisPort,
      redis_ca_file: this.tls ? this.tls.ca : null,
      ...extra,
      servers: this.servers.map((s) => ({ index: s.index, port: s.port })),
      key: this.opts.key,
      adapter: this.opts.adapter,
      subscription_mode: this.opts.adapter === "sharded" ? this.opts.subscriptionMode : null,
      ...StreamsHarness.readyFields(this.opts),
      stack: this.opts.stack,
      versions: this.stackVersions(),
      pid: process.pid,
      startup_ms: Date.now() - t0,
    });
    log(
      `ready in ${Date.now() - t0} ms (redis ${redisMs} ms, process uptime ` +
        `${Math.round(process.uptime() * 1000)} ms)`,
    );
  }

  /** The installed versions of the stack's packages, e.g. {"socket.io": "2.5.1", …}. */
  stackVersions() {
    const stack = STACKS[this.opts.stack];
    const version = (pkg) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(FIXTURES, "node_modules", pkg, "package.json"))).version;
      } catch (_) {
        return null;
      }
    };
    return {
      "socket.io": version(stack.server),
      adapter: version(stack.adapter),
      "socket.io-client": version(stack.client),
    };
  }

  startServers({ redisUrl, redisClusterUrls = null }) {
    for (let i = 0; i < this.opts.servers; i++) {
      const server = new ServerProcess({
        index: i,
        redisUrl,
        redisClusterUrls,
        redisCaFile: this.tls ? this.tls.ca : null,
        key: this.opts.key,
        serverEvents: this.opts.serverEvents,
        serverAcks: this.opts.serverAcks,
        specificResponseChannel: this.opts.specificResponseChannel,
        adapter: this.opts.adapter,
        subscriptionMode: this.opts.subscriptionMode,
        env: this.streams ? this.streams.serverEnv() : {},
        stack: this.opts.stack,
        log,
        logs,
        onLine: (msg) => this.onServerLine(msg),
      });
      server.onUnexpectedExit = (code, signal, stderrTail) => {
        for (const pending of this.flushAcks.values()) pending.delete(server.index);
        if (!this.stopping) {
          log(`server ${server.index} exited unasked (code ${code}, signal ${signal})`);
          out({ type: "server_exit", server: server.index, code, signal, stderr_tail: stderrTail });
        }
      };
      this.servers.push(server);
    }
    return Promise.all(this.servers.map((s) => s.start()));
  }

  onServerLine(msg) {
    switch (msg.type) {
      case "server_event":
        if (!this.stopping) out(msg);
        return;
      case "flush_ack": {
        const pending = this.flushAcks.get(msg.token);
        if (pending) pending.delete(msg.server);
        return;
      }
      default:
        log(`unexpected line from server ${msg.server}: ${JSON.stringify(msg)}`);
    }
  }

  server(index) {
    if (!Number.isInteger(index) || index < 0 || index >= this.servers.length) {
      throw new Error(`no server ${JSON.stringify(index)} (there are ${this.servers.length})`);
    }
    return this.servers[index];
  }

  aliveServers() {
    return this.servers.filter((s) => s.alive);
  }

  requireRedis() {
    if (this.redis && !this.redis.running) {
      throw new Error("redis-server is stopped (send redis_start first)");
    }
  }

  requireStandalone(cmd) {
    if (!this.redis) {
      throw new Error(
        `${cmd} needs --topology standalone (this harness runs ${this.topology}; see kill_master)`,
      );
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Redis access for the checks, the markers and `official`, whatever the topology. A cluster is
  // reached node by node (topo.nc), routed by the harness: PUBLISH on any node (the cluster bus
  // copies it to every node), SPUBLISH and SHARDNUMSUB on the master of the channel's slot,
  // NUMSUB and CLIENT LIST on every live node (summed).

  controlReady() {
    return this.topology === "cluster" ? true : Boolean(this.control && this.control.isReady);
  }

  async publish(channel, payload) {
    if (this.topology !== "cluster") return this.control.publish(channel, payload);
    return Number(await this.topo.nc.command(this.topo.anyPort(), ["PUBLISH", channel, payload]));
  }

  async sPublish(channel, payload) {
    if (this.topology !== "cluster") return this.control.sPublish(channel, payload);
    return Number(await this.topo.onOwner(channel, ["SPUBLISH", channel, payload]));
  }

  /** PUBSUB NUMSUB or SHARDNUMSUB for `channels`: Map channel -> subscribers. */
  async pubsubCounts(kind, channels) {
    const counts = new Map(channels.map((c) => [c, 0]));
    if (channels.length === 0) return counts;
    const add = (reply) => {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const channel = String(reply[i]);
        counts.set(channel, (counts.get(channel) || 0) + Number(reply[i + 1]));
      }
    };
    if (this.topology !== "cluster") {
      add(await this.control.sendCommand(["PUBSUB", kind, ...channels]));
    } else if (kind === "NUMSUB") {
      const nc = this.topo.nc;
      const ports = this.topo.liveNodes().map((n) => n.proc.port);
      const replies = await Promise.all(ports.map((p) => nc.command(p, ["PUBSUB", "NUMSUB", ...channels])));
      replies.forEach(add);
    } else {
      const byOwner = new Map();
      for (const c of channels) {
        const port = this.topo.ownerPort(c);
        if (!byOwner.has(port)) byOwner.set(port, []);
        byOwner.get(port).push(c);
      }
      try {
        const replies = await Promise.all(
          [...byOwner].map(([port, list]) => this.topo.nc.command(port, ["PUBSUB", kind, ...list])),
        );
        replies.forEach(add);
      } catch (err) {
        await this.topo.refreshTable().catch(() => {});
        throw err;
      }
    }
    return counts;
  }

  /**
   * Pub/Sub counts of each server's subscriber connections (CLIENT LIST, by connection name
   * `sio-harness-sub-<i>`), summed over that name's connections (a cluster client has several,
   * on several nodes): Map index -> {psub, sub, ssub}. A server without any is missing.
   */
  async subscriberStats() {
    let lists;
    if (this.topology !== "cluster") lists = [await this.control.sendCommand(["CLIENT", "LIST"])];
    else {
      const nc = this.topo.nc;
      const ports = this.topo.liveNodes().map((n) => n.proc.port);
      lists = await Promise.all(ports.map((p) => nc.command(p, ["CLIENT", "LIST"])));
    }
    const stats = new Map();
    for (const text of lists) {
      for (const entry of parseClientList(String(text))) {
        const m = /^sio-harness-sub-(\d+)$/.exec(entry.name || "");
        if (!m) continue;
        const s = stats.get(Number(m[1])) || { psub: 0, sub: 0, ssub: 0 };
        s.psub += Number(entry.psub || 0);
        s.sub += Number(entry.sub || 0);
        s.ssub += Number(entry.ssub || 0);
        stats.set(Number(m[1]), s);
      }
    }
    return stats;
  }

  /**
   * Polls Redis until the subscriptions match what the live servers should hold:
   * for every namespace, PUBSUB NUMSUB <key>-request#<nsp># equals the number of live servers
   * that have created it; and every server's subscriber connection (CLIENT LIST, by name) has one
   * pattern and three channels (two on the socket.io-redis stacks) per namespace. PUBSUB NUMPAT
   * cannot be used for the second check: Redis 7 counts unique patterns, so two servers on the
   * same pattern count once.
   */
  async waitSubscriptions(onlyNsp, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        const problems = await this.subscriptionProblems(onlyNsp);
        if (problems.length === 0) return;
        last = problems.join("; ");
      } catch (err) {
        last = err.message;
      }
      if (Date.now() > deadline) throw new Error(`subscriptions not restored: ${last}`);
      await sleep(10);
    }
  }

  async subscriptionProblems(onlyNsp) {
    if (!this.controlReady()) return ["control client not connected yet"];
    if (this.opts.adapter === "sharded") return this.shardedSubscriptionProblems();
    if (this.streams) return this.streams.subscriptionProblems(onlyNsp);
    const alive = this.aliveServers();
    const problems = [];
    const nsps = new Set();
    for (const s of alive) for (const n of s.nsps) nsps.add(n);
    if (onlyNsp !== undefined) {
      nsps.clear();
      nsps.add(onlyNsp);
    }
    const channelOf = (nsp) => `${this.opts.key}-request#${nsp}#`;
    const counts = await this.pubsubCounts("NUMSUB", [...nsps].map(channelOf));
    for (const nsp of nsps) {
      const channel = channelOf(nsp);
      const expected = alive.filter((s) => s.nsps.has(nsp)).length;
      const count = counts.get(channel);
      if (count !== expected) problems.push(`NUMSUB ${channel} = ${count}, want ${expected}`);
    }
    if (onlyNsp === undefined) {
      const stats = await this.subscriberStats();
      for (const s of alive) {
        const entry = stats.get(s.index);
        const want = { psub: s.nsps.size, sub: STACKS[this.opts.stack].channelsPerNsp * s.nsps.size };
        if (!entry) {
          problems.push(`server ${s.index}: subscriber not connected`);
        } else if (Number(entry.psub) !== want.psub || Number(entry.sub) !== want.sub) {
          problems.push(
            `server ${s.index}: psub=${entry.psub} sub=${entry.sub}, want psub=${want.psub} sub=${want.sub}`,
          );
        }
      }
    }
    return problems;
  }

  /**
   * The sharded counterpart: each live server lists the channels its adapters should hold now
   * (main and response channel per namespace, plus room channels in the dynamic modes, by the
   * adapter's own rule). Every such channel must have exactly as many shard subscribers as
   * servers that list it (PUBSUB SHARDNUMSUB), and every server's subscriber connection exactly
   * as many shard channels as it listed (CLIENT LIST `ssub`): a subscription still pending
   * fails the first check, an unsubscription still pending the second. Room channels change
   * with rooms, so this checks every namespace whatever `onlyNsp` says.
   */
  async shardedSubscriptionProblems() {
    const alive = this.aliveServers();
    const lists = await Promise.all(alive.map((s) => s.request("channels")));
    const want = new Map();
    for (const { channels } of lists) for (const c of channels) want.set(c, (want.get(c) || 0) + 1);
    const problems = [];
    const counts = await this.pubsubCounts("SHARDNUMSUB", [...want.keys()]);
    for (const [channel, count] of counts) {
      if (count !== want.get(channel)) {
        problems.push(`SHARDNUMSUB ${channel} = ${count}, want ${want.get(channel)}`);
      }
    }
    const stats = await this.subscriberStats();
    alive.forEach((s, i) => {
      const entry = stats.get(s.index);
      const expected = lists[i].channels.length;
      if (!entry) problems.push(`server ${s.index}: subscriber not connected`);
      else if (Number(entry.ssub) !== expected) {
        problems.push(`server ${s.index}: ssub=${entry.ssub}, want ${expected}`);
      }
    });
    return problems;
  }

  // ----------------------------------------------------------------------------------------------
  // Commands

  async command(msg) {
    if (this.stopping && msg.cmd !== "shutdown") throw new Error("the harness is shutting down");
    switch (msg.cmd) {
      case "ping":
        return {};

      case "client": {
        if (typeof msg.name !== "string" || msg.name === "") {
          throw new Error("name must be a non-empty string");
        }
        const shared = msg.share !== undefined;
        if (shared && typeof msg.share !== "string") throw new Error("share must be a client name");
        const server = this.server(msg.server ?? (shared ? this.clients.serverOf(msg.share) : 0));
        if (!server.alive) throw new Error(`server ${server.index} is not running`);
        const rooms = msg.rooms ?? [];
        if (
          !Array.isArray(rooms) ||
          !rooms.every((r) => typeof r === "string" || (typeof r === "number" && Number.isFinite(r)))
        ) {
          throw new Error("rooms must be an array of strings and numbers");
        }
        const nsp = normalizeNsp(msg.nsp);
        if (msg.data !== undefined && STACKS[this.opts.stack].script !== "server.js") {
          throw new Error(`data needs a socket.io 4 stack (socket.data; not ${this.opts.stack})`);
        }
        const { sid } = await this.clients.connect({
          data: msg.data,
          ack: msg.ack,
          name: msg.name,
          server: server.index,
          share: msg.share,
          port: server.port,
          nsp,
          rooms,
          timeoutMs: optTimeout(msg, 10000),
          recovery: this.recoveryOption(msg),
        });
        return { sid, server: server.index, nsp };
      }

      case "client_drop":
        if (!this.streams) throw new Error("client_drop needs --adapter streams");
        return this.streams.clientDrop(msg.name, optTimeout(msg, 10000));

      case "client_reconnect": {
        if (!this.streams) throw new Error("client_reconnect needs --adapter streams");
        const known = this.clients.byName.get(msg.name);
        if (!known) throw new Error(`unknown client ${JSON.stringify(msg.name)}`);
        const server = this.server(msg.server ?? known.server);
        if (!server.alive) throw new Error(`server ${server.index} is not running`);
        const timeoutMs = optTimeout(msg, 10000);
        const { sid, recovered } = await this.clients.reconnect(msg.name, {
          server: server.index,
          port: server.port,
          timeoutMs,
        });
        return { sid, recovered, server: server.index, nsp: known.nsp };
      }

      case "close_client":
        this.clients.close(msg.name);
        return {};

      case "redis_stop":
        this.requireStandalone("redis_stop");
        await this.redis.kill();
        return {};

      case "redis_start": {
        this.requireStandalone("redis_start");
        const t0 = Date.now();
        const timeoutMs = optTimeout(msg, 15000);
        await this.redis.start(this.redis.port);
        await withTimeout(
          (async () => {
            await Promise.all(
              this.aliveServers().map((s) => s.request("check", { timeout_ms: timeoutMs }, timeoutMs)),
            );
            await this.waitSubscriptions(undefined, timeoutMs);
          })(),
          timeoutMs,
          "redis_start",
        );
        return { resubscribed_ms: Date.now() - t0 };
      }

      case "wait_subscribed": {
        this.requireRedis();
        const nsp = normalizeNsp(msg.nsp);
        const timeoutMs = optTimeout(msg, 10000);
        if (msg.create !== false) {
          await Promise.all(
            this.aliveServers().map((s) => s.request("ensure_nsp", { nsp }, timeoutMs)),
          );
        }
        if (this.streams) return this.streams.waitSubscribed(nsp, timeoutMs);
        await this.waitSubscriptions(nsp, timeoutMs);
        const servers = this.aliveServers()
          .filter((s) => s.nsps.has(nsp))
          .map((s) => s.index);
        return { nsp, servers, subscribers: servers.length };
      }

      case "flush":
        if (this.streams) {
          this.requireRedis();
          return this.streams.flush(optTimeout(msg, 10000));
        }
        return this.flush(optTimeout(msg, 10000));

      case "kill_master":
        return this.killMaster(msg);

      case "server_emit": {
        const server = this.server(msg.server ?? 0);
        if (!server.alive) throw new Error(`server ${server.index} is not running`);
        if (typeof msg.event !== "string") throw new Error("event must be a string");
        if (!Array.isArray(msg.args ?? [])) throw new Error("args must be an array");
        const rooms = (field) => {
          const v = msg[field] ?? [];
          const list = Array.isArray(v) ? v : [v];
          if (!list.every((r) => typeof r === "string" || (typeof r === "number" && Number.isFinite(r)))) {
            throw new Error(`${field} must be a room or an array of rooms (strings or numbers)`);
          }
          return list;
        };
        const timeoutMs = optTimeout(msg, 10000);
        await server.request(
          "emit",
          {
            nsp: normalizeNsp(msg.nsp),
            to: rooms("to"),
            except: rooms("except"),
            event: msg.event,
            args: msg.args ?? [],
            timeout_ms: timeoutMs,
          },
          timeoutMs + 1000,
        );
        return {};
      }

      case "official":
        return this.official(msg);

      case "server_restart": {
        const server = this.server(msg.server);
        await server.stop();
        await server.start(optTimeout(msg, 15000));
        return { port: server.port };
      }

      case "server_query": {
        const server = this.server(msg.server ?? 0);
        if (!server.alive) throw new Error(`server ${server.index} is not running`);
        if (STACKS[this.opts.stack].script !== "server.js") {
          throw new Error(`server_query needs a socket.io 4 stack (not ${this.opts.stack})`);
        }
        const ops = ["fetchSockets", "serverCount", "allRooms", "serverSideEmitWithAck", "emitWithAck"];
        if (!ops.includes(msg.op)) throw new Error(`op must be one of ${ops.join(", ")}`);
        if (msg.op.endsWith("WithAck") && typeof msg.event !== "string") {
          throw new Error("event must be a string");
        }
        if (!Array.isArray(msg.args ?? [])) throw new Error("args must be an array");
        const timeoutMs = optTimeout(msg, 5000);
        const { type, server: _, id: __, ok: ___, ...result } = await server.request(
          "query",
          {
            op: msg.op,
            nsp: normalizeNsp(msg.nsp),
            to: roomList(msg, "to"),
            except: roomList(msg, "except"),
            event: msg.event,
            args: msg.args ?? [],
            timeout_ms: timeoutMs,
          },
          Math.max(timeoutMs, 5000) + 5000,
        );
        return { server: server.index, ...result };
      }

      case "kill_server":
        return this.killServer(msg);

      case "server_stall": {
        const ms = Number(msg.ms);
        if (!(ms >= 0 && ms <= 120000)) throw new Error("server_stall needs ms between 0 and 120000");
        await this.server(msg.server).request("stall", { ms }, ms + 10000);
        return {};
      }

      case "logs": {
        const text = logs.text();
        if (msg.clear === true) logs.clear();
        return { logs: text };
      }

      case "shutdown":
        await this.shutdown();
        return {};

      default:
        throw new Error(`unknown cmd ${JSON.stringify(msg.cmd)}`);
    }
  }

  /**
   * `kill_server`: stops one Socket.IO server (SIGTERM: the process exits at once, its adapters
   * say goodbye to nobody) and replies once Redis no longer lists any connection of it (CLIENT
   * LIST, by name) and the remaining servers' subscriptions are as expected, so that a request
   * made next counts only the servers left.
   */
  async killServer(msg) {
    this.requireRedis();
    const server = this.server(msg.server);
    if (!server.alive) throw new Error(`server ${server.index} is not running`);
    const timeoutMs = optTimeout(msg, 15000);
    const t0 = Date.now();
    await server.stop();
    const ownName = new RegExp(`^sio-harness-[a-z]+-${server.index}$`);
    await withTimeout(
      (async () => {
        for (;;) {
          const names = await this.connectionNames().catch(() => null);
          if (names && !names.some((n) => ownName.test(n))) break;
          await sleep(10);
        }
        await this.waitSubscriptions(undefined, timeoutMs);
      })(),
      timeoutMs,
      `kill_server ${server.index} (waiting for Redis to drop its connections)`,
    );
    return { server: server.index, gone_ms: Date.now() - t0 };
  }

  /** The names of every client connection Redis knows (CLIENT LIST, every live node). */
  async connectionNames() {
    let lists;
    if (this.topology !== "cluster") lists = [await this.control.sendCommand(["CLIENT", "LIST"])];
    else {
      const nc = this.topo.nc;
      const ports = this.topo.liveNodes().map((n) => n.proc.port);
      lists = await Promise.all(ports.map((p) => nc.command(p, ["CLIENT", "LIST"])));
    }
    return lists.flatMap((text) => parseClientList(String(text)).map((e) => e.name || ""));
  }

  /** The `recovery` field of `client`: only streams servers recover connection state. */
  recoveryOption(msg) {
    if (msg.recovery === undefined || msg.recovery === false) return false;
    if (msg.recovery !== true) throw new Error("recovery must be a boolean");
    if (!this.streams) throw new Error("recovery needs --adapter streams (connection state recovery)");
    return true;
  }

  /**
   * Barrier: publishes a marker to every namespace that has connected clients and a server-side
   * marker on "/", then waits until every connected client and every live server has seen its
   * marker. Redis delivers messages to each subscriber in publish order, and every server and
   * client keeps that order, so anything published (and acknowledged by Redis) before the flush
   * has been delivered and written out by the time the reply is written.
   *
   * A marker queued behind a large backlog (say 100 000 events for one client) takes as long as
   * the backlog, which depends on the machine's load; so `timeoutMs` bounds the time without
   * progress (no event, disconnect or server_event line written), not the whole wait.
   */
  async flush(timeoutMs) {
    this.requireRedis();
    if (this.topology === "cluster") await this.clusterFlushPaths(timeoutMs);
    const token = randomBytes(8).toString("hex");
    const clients = this.clients.connectedClients();
    const serverSet = new Set(this.aliveServers().map((s) => s.index));
    this.flushAcks.set(token, serverSet);
    const clientWait = this.clients.waitFlush(
      token,
      clients.map((c) => c.name),
    );
    try {
      const publishes = [];
      const nsps = new Set(clients.map((c) => c.nsp));
      if (this.opts.adapter === "sharded") {
        publishes.push(...this.shardedFlushMarkers(nsps, token));
      } else {
        const recorder = {
          publish: (channel, payload) => publishes.push(this.publish(channel, payload)),
        };
        const emitter = new this.Emitter(recorder, { key: this.opts.key });
        if (STACKS[this.opts.stack].serverSideEmit) {
          for (const nsp of nsps) emitter.of(nsp).emit("__harness_flush", token);
          emitter.serverSideEmit("__harness_flush", token);
        } else {
          // No serverSideEmit: the servers ack the broadcast marker on "/" (server_legacy.js
          // hooks the adapter's onmessage), so "/" always gets one, and it goes last.
          nsps.delete("/");
          for (const nsp of [...nsps, "/"]) emitter.of(nsp).emit("__harness_flush", token);
        }
      }
      await withIdleTimeout(
        (async () => {
          await Promise.all(publishes);
          await clientWait.done;
          while (serverSet.size > 0) await sleep(2);
        })(),
        timeoutMs,
        () => linesWritten,
        () =>
          `flush (waiting for clients [${[...clientWait.waiter.pending].join(", ")}], ` +
          `servers [${[...serverSet].join(", ")}])`,
      );
    } finally {
      clientWait.cancel();
      this.flushAcks.delete(token);
    }
    return {};
  }

  /**
   * The flush markers for sharded servers, which only hear SPUBLISH and read ClusterAdapter
   * messages (docs/protocol.md §3.2): a broadcast per namespace and a serverSideEmit on "/", all on
   * main channels. Each server reads every channel (room ones too) over one connection, in
   * publish order, so a marker still comes after everything published before it.
   */
  shardedFlushMarkers(nsps, token) {
    const key = this.opts.key;
    const message = (nsp, type, data) => JSON.stringify({ type, data, uid: "emitter", nsp });
    const opts = { rooms: [], except: [], flags: {} };
    const sends = [...nsps].map((nsp) =>
      this.sPublish(
        `${key}#${nsp}#`,
        message(nsp, 3, { packet: { type: 2, data: ["__harness_flush", token] }, opts }),
      ),
    );
    sends.push(this.sPublish(`${key}#/#`, message("/", 9, { packet: ["__harness_flush", token] })));
    return sends;
  }

  /**
   * The first phase of `flush` on a cluster. There a server reads over several connections
   * (sharded: one per master that holds one of its channels), or over one connection that
   * carries PUBLISHes made on every node (classic: the cluster bus copies each one to every
   * node, in order per origin node, but origins interleave). Order only holds per connection
   * and per origin, so a single marker proves nothing about the other paths. This phase sends
   * a server-side marker down every path (sharded: a SERVER_SIDE_EMIT on every main and room
   * channel some server should hold, on its master; classic: a serverSideEmit request on every
   * live node) and waits until every server acked each marker of its paths. After that, each
   * server has handled, and written to its clients, everything published before the flush; the
   * usual markers that follow then arrive after it on every client connection.
   *
   * Sharded paths change while the flush runs: in the dynamic modes a server SUNSUBSCRIBEs a
   * room channel as soon as the room empties, and the tests of one harness run concurrently
   * (and a test's own socketsLeave or disconnectSockets may still be applied while its flush
   * starts). A server that listed `…#r#` and left room r a moment later never receives a
   * marker sent there after its SUNSUBSCRIBE: nothing is wrong with its subscriptions, the
   * path is simply gone (seen in traces: "channels" answered, then the server's SUNSUBSCRIBE,
   * then the marker; the marker was resent until the flush timed out). So while markers are
   * unacknowledged the servers list their channels again, and a path a server no longer lists
   * is dropped from that server's wait. That keeps the barrier sound: a room channel only
   * carries broadcasts to that one room, which reach nobody on a server that no longer has the
   * room. A path listed again (the room was made anew) stays awaited, and its marker is resent.
   */
  async clusterFlushPaths(timeoutMs) {
    const alive = this.aliveServers();
    const base = randomBytes(8).toString("hex");
    const markers = []; // {token, servers: Set of indexes, send: () => Promise}
    if (this.opts.adapter === "sharded") {
      const lists = await Promise.all(alive.map((s) => s.request("channels", {}, timeoutMs)));
      const byChannel = new Map(); // channel -> {nsp, servers}
      lists.forEach((list, i) => {
        for (const [nsp, channels] of Object.entries(list.broadcast)) {
          for (const channel of channels) {
            if (!byChannel.has(channel)) byChannel.set(channel, { nsp, servers: new Set() });
            byChannel.get(channel).servers.add(alive[i].index);
          }
        }
      });
      let n = 0;
      for (const [channel, { nsp, servers }] of byChannel) {
        const token = `${base}:${n++}`;
        const packet = ["__harness_flush", token];
        const payload = JSON.stringify({ type: 9, data: { packet }, uid: "emitter", nsp });
        markers.push({ token, channel, servers, send: () => this.sPublish(channel, payload) });
      }
    } else {
      for (const node of this.topo.liveNodes()) {
        const token = `${base}:${node.proc.port}`;
        let payload;
        const recorder = { publish: (channel, p) => (payload = { channel, p }) };
        new this.Emitter(recorder, { key: this.opts.key }).serverSideEmit("__harness_flush", token);
        const send = () => this.topo.nc.command(node.proc.port, ["PUBLISH", payload.channel, payload.p]);
        markers.push({ token, servers: new Set(alive.map((s) => s.index)), send });
      }
    }
    for (const m of markers) this.flushAcks.set(m.token, m.servers);
    try {
      const pending = () => markers.filter((m) => m.servers.size > 0);
      const unacked = () => markers.reduce((sum, m) => sum + m.servers.size, 0);
      await withIdleTimeout(
        (async () => {
          await Promise.all(markers.map((m) => m.send()));
          // Every 250 ms without all acks: drop the sharded paths a server no longer holds
          // (see above), then send the markers still unacknowledged again (a room left and
          // joined again missed the first copy). Any copy is a valid barrier (each was sent
          // after the flush began); acks are by token, so a second copy is harmless. The idle
          // timeout still bounds the wait.
          let sentAt = Date.now();
          while (pending().length > 0) {
            await sleep(2);
            if (Date.now() - sentAt >= 250) {
              if (this.opts.adapter === "sharded") await this.dropLeftPaths(markers, timeoutMs);
              sentAt = Date.now();
              await Promise.all(pending().map((m) => m.send()));
            }
          }
        })(),
        timeoutMs,
        () => `${linesWritten}:${unacked()}`, // an ack is progress too
        () => {
          const waiting = new Set();
          for (const m of pending()) for (const i of m.servers) waiting.add(i);
          const channels = pending()
            .filter((m) => m.channel !== undefined)
            .map((m) => `${m.channel} (servers ${[...m.servers].join(", ")})`);
          return (
            `flush (cluster paths; waiting for servers [${[...waiting].join(", ")}]` +
            (channels.length ? ` on ${channels.join(", ")})` : ")")
          );
        },
      );
    } finally {
      for (const m of markers) this.flushAcks.delete(m.token);
    }
  }

  /**
   * Sharded cluster flush: asks each server still owing an ack which channels it holds now, and
   * stops waiting for its markers on the channels it no longer lists (rooms it left since the
   * flush began; see clusterFlushPaths).
   */
  async dropLeftPaths(markers, timeoutMs) {
    const owing = new Set();
    for (const m of markers) for (const i of m.servers) owing.add(i);
    const servers = this.aliveServers().filter((s) => owing.has(s.index));
    const lists = await Promise.all(servers.map((s) => s.request("channels", {}, timeoutMs)));
    servers.forEach((server, k) => {
      const held = new Set(Object.values(lists[k].broadcast).flat());
      for (const m of markers) {
        if (m.servers.has(server.index) && !held.has(m.channel)) {
          m.servers.delete(server.index);
          log(`flush: server ${server.index} no longer holds ${m.channel}; that path is dropped`);
        }
      }
    });
  }

  /**
   * `kill_master`: SIGKILLs a master and replies once the failover is over (see README). Under
   * sentinel the servers (and the harness's control client) reconnect through the proxy, so the
   * reply also waits until they have re-subscribed there.
   */
  async killMaster(msg) {
    if (!this.topo) throw new Error("kill_master needs --topology cluster or sentinel");
    if (msg.channel !== undefined && typeof msg.channel !== "string") {
      throw new Error("channel must be a string");
    }
    const timeoutMs = optTimeout(msg, 60000);
    const t0 = Date.now();
    const result =
      this.topology === "cluster"
        ? await this.topo.killMaster(msg.channel, timeoutMs)
        : await this.topo.killMaster(timeoutMs);
    if (this.topology === "sentinel") {
      const left = () => Math.max(1, timeoutMs - (Date.now() - t0));
      await withTimeout(
        (async () => {
          await Promise.all(
            this.aliveServers().map((s) => s.request("check", { timeout_ms: left() }, left())),
          );
          await this.waitSubscriptions(undefined, left());
        })(),
        left(),
        "kill_master (servers re-subscribing through the proxy)",
      );
      log(`kill_master: servers re-subscribed on :${result.new_master_port} after ${Date.now() - t0} ms`);
    }
    return { ...result, redis_url: this.urlFor(result.new_master_port), failover_ms: Date.now() - t0 };
  }

  /** Publishes through the official @socket.io/redis-emitter 5.1.0 (classic format). */
  async official(msg) {
    this.requireRedis();
    const { decode, encode } = this.tagged;
    const recorded = [];
    const recorder = {
      publish: (channel, payload) => {
        const p = this.publish(channel, payload);
        recorded.push({ channel, payload, p });
        return p;
      },
    };
    const roomList = (field) => {
      const v = msg[field] ?? [];
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((r) => typeof r === "string" || typeof r === "number")) {
        throw new Error(`${field} must be a room or an array of rooms (strings or numbers)`);
      }
      return list;
    };
    let target = new this.Emitter(recorder, { key: this.opts.key }).of(normalizeNsp(msg.nsp));
    for (const room of roomList("to")) target = target.to(room);
    for (const room of roomList("except")) target = target.except(room);
    if (!Array.isArray(msg.args ?? [])) throw new Error("args must be an array");
    if (msg.volatile) target = target.volatile;
    if (msg.compress !== undefined) target = target.compress(Boolean(msg.compress));
    const op = msg.op ?? "emit";
    switch (op) {
      case "emit":
        if (typeof msg.event !== "string") throw new Error("event must be a string");
        target.emit(msg.event, ...decode(msg.args ?? []));
        break;
      case "socketsJoin":
        if (msg.rooms === undefined) throw new Error("socketsJoin needs rooms");
        target.socketsJoin(roomList("rooms"));
        break;
      case "socketsLeave":
        if (msg.rooms === undefined) throw new Error("socketsLeave needs rooms");
        target.socketsLeave(roomList("rooms"));
        break;
      case "disconnectSockets":
        target.disconnectSockets(Boolean(msg.close));
        break;
      case "serverSideEmit":
        if (typeof msg.event !== "string") throw new Error("event must be a string");
        target.serverSideEmit(msg.event, ...decode(msg.args ?? []));
        break;
      default:
        throw new Error(`unknown op ${JSON.stringify(op)}`);
    }
    const settled = await Promise.allSettled(recorded.map((r) => r.p));
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw new Error(`PUBLISH failed: ${failed.reason && failed.reason.message}`);
    const published = recorded.map((r, i) => ({
      channel: r.channel,
      payload: encode(Buffer.from(r.payload)),
      receivers: Number(settled[i].value),
    }));
    return { published };
  }

  async shutdown() {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.stopping = true;
    this.shutdownPromise = (async () => {
      if (this.clients) this.clients.closeAll();
      if (this.control) {
        try {
          await withTimeout(this.control.disconnect(), 1000, "control disconnect");
        } catch (_) {
          // Redis may already be gone
        }
      }
      await Promise.all(this.servers.map((s) => s.stop()));
      if (this.redis) await this.redis.kill();
      if (this.topo) await this.topo.stop();
      this.removeTmpDir();
    })();
    return this.shutdownPromise;
  }

  removeTmpDir() {
    try {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
    } catch (_) {
      // best effort
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Main

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    out({ type: "fatal", error: err.message });
    logFailure(err.message);
    process.exit(2);
  }
  if (opts.verbose) logs.verbose = true;

  let harness;
  const finish = async (code) => {
    try {
      if (harness) await withTimeout(harness.shutdown(), 5000, "shutdown");
    } catch (err) {
      log(`shutdown: ${err.message}`);
    }
    killAllNow();
    if (harness) harness.removeTmpDir();
    process.exit(code);
  };

  process.on("exit", () => {
    killAllNow();
    if (harness) harness.removeTmpDir();
  });
  process.on("SIGTERM", () => finish(0));
  process.on("SIGINT", () => finish(0));
  process.on("SIGHUP", () => finish(0));
  process.stdout.on("error", () => {
    stdoutClosed = true;
    finish(0);
  });
  process.on("uncaughtException", (err) => {
    logFailure(`uncaught exception: ${err && err.stack ? err.stack : err}`);
    out({ type: "fatal", error: String(err && err.message ? err.message : err) });
    finish(1);
  });

  try {
    harness = new Harness(opts);
    await harness.start();
  } catch (err) {
    out({ type: "fatal", error: err.message });
    logFailure(`startup failed: ${err.stack || err.message}`);
    await finish(1);
    return;
  }

  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
      if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
        throw new Error("a command must be a JSON object");
      }
    } catch (err) {
      out({ type: "reply", id: null, ok: false, error: `bad command line: ${err.message}` });
      return;
    }
    const id = msg.id ?? null;
    harness.command(msg).then(
      (fields) => {
        out({ type: "reply", id, ok: true, ...fields });
        if (msg.cmd === "shutdown") finish(0);
      },
      (err) => out({ type: "reply", id, ok: false, error: String(err && err.message ? err.message : err) }),
    );
  });
  rl.on("close", () => finish(0));
}

main();
