"use strict";
// The Redis Cluster and Sentinel topologies of the harness (`--topology cluster|sentinel`):
// their redis-server nodes and sentinels, the cluster creation with `redis-cli --cluster create`,
// health checks that wait on observable conditions (never fixed sleeps), `kill_master`, and the
// small TCP proxy that follows the sentinels' current master for the Socket.IO servers.
//
// Every process is started through lib/processes.js (RedisProcess, spawnGuarded), so the harness's
// exit handlers kill them all, and their logs go to the harness's diagnostics buffer, labelled
// with the node's port (`[redis :PORT]`, `[sentinel :PORT]`, `[redis-cli]`).

const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const { createHash } = require("node:crypto");
const { RedisProcess, freePort, spawnGuarded, waitExit, tail } = require("./processes");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A value for redis.conf, double-quoted by sdssplitargs' rules, so that any byte survives. */
function confQuote(value) {
  let out = '"';
  for (const ch of String(value)) {
    const code = ch.codePointAt(0);
    if (ch === "\\" || ch === '"') out += "\\" + ch;
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

/** The conf lines for `--redis-user` / `--redis-password` on a data node (and its replication). */
function securityConf({ user, password }) {
  if (user) {
    const hash = createHash("sha256")
      .update(password || "")
      .digest("hex");
    return [
      `user ${confQuote(user)} on #${hash} ~* &* +@all`,
      "user default off",
      `masteruser ${confQuote(user)}`,
      `masterauth ${confQuote(password || "")}`,
    ];
  }
  if (password) return [`requirepass ${confQuote(password)}`, `masterauth ${confQuote(password)}`];
  return [];
}

/** The conf lines that make a node listen on `port` (TLS only under --redis-tls). */
function listenConf(port, tls, { cluster = false } = {}) {
  const lines = ["bind 127.0.0.1"];
  if (!tls) return [...lines, `port ${port}`];
  lines.push(
    "port 0",
    `tls-port ${port}`,
    `tls-cert-file ${confQuote(tls.cert)}`,
    `tls-key-file ${confQuote(tls.key)}`,
    `tls-ca-cert-file ${confQuote(tls.ca)}`,
    "tls-auth-clients no",
    "tls-replication yes",
  );
  if (cluster) lines.push("tls-cluster yes");
  return lines;
}

/** The conf lines every data node shares (no persistence, logs on stdout, quick replication). */
function commonConf(dir) {
  return [
    `dir ${confQuote(dir)}`,
    "daemonize no",
    'logfile ""',
    "loglevel notice",
    'save ""',
    "appendonly no",
    // Redis 7 waits 5 s before a diskless full sync by default; nothing is gained by waiting here.
    "repl-diskless-sync-delay 0",
  ];
}

// ------------------------------------------------------------------------------------------------
// Cluster hash slots (CRC16-XMODEM of the key, or of its {hash tag}, modulo 16384)

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let j = 0; j < 8; j++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(buf) {
  let crc = 0;
  for (const b of buf) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b) & 0xff];
  return crc;
}

/** The hash slot of a key or sharded channel name, as Redis computes it (hash tags included). */
function keySlot(key) {
  const buf = Buffer.from(key);
  const open = buf.indexOf(0x7b); // {
  if (open !== -1) {
    const close = buf.indexOf(0x7d, open + 1); // }
    if (close !== -1 && close !== open + 1) return crc16(buf.subarray(open + 1, close)) & 16383;
  }
  return crc16(buf) & 16383;
}

/**
 * Parses CLUSTER NODES: one entry per node with `id`, `port`, `flags` (array), `masterId`
 * (or null), `linkState` and `slots` (array of [from, to]; migrating/importing markers ignored).
 */
function parseClusterNodes(text) {
  return String(text)
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const f = line.trim().split(" ");
      const addr = f[1].split("@")[0].split(",")[0];
      const slots = [];
      for (const s of f.slice(8)) {
        if (s.startsWith("[")) continue;
        const [from, to] = s.split("-").map(Number);
        slots.push([from, to === undefined ? from : to]);
      }
      return {
        id: f[0],
        port: Number(addr.slice(addr.lastIndexOf(":") + 1)),
        flags: f[2].split(","),
        masterId: f[3] === "-" ? null : f[3],
        linkState: f[7],
        slots,
      };
    });
}

/** A CLUSTER NODES entry of a master that serves slots and is not flagged failing. */
function servingMaster(e) {
  return e.flags.includes("master") && e.slots.length > 0 && !e.flags.some((f) => f.startsWith("fail"));
}

function ownerOf(table, slot) {
  return table.find((e) => e.slots.some(([a, b]) => slot >= a && slot <= b)) || null;
}

/** Parses `key:value` lines (INFO, CLUSTER INFO). */
function parseInfo(text) {
  const fields = {};
  for (const line of String(text).split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) fields[line.slice(0, i)] = line.slice(i + 1);
  }
  return fields;
}

/** A flat RESP array [k1, v1, k2, v2, ...] as an object. */
function pairs(list) {
  const obj = {};
  for (let i = 0; i + 1 < list.length; i += 2) obj[String(list[i])] = list[i + 1];
  return obj;
}

// ------------------------------------------------------------------------------------------------
// Control connections to single nodes

/**
 * One node-redis client per port, for the harness's own checks (CLUSTER INFO, PUBSUB, CLIENT
 * LIST, SENTINEL ...). Commands never queue: on a node that is not connected (yet, or any more)
 * they fail at once, and the pollers simply try again.
 */
class NodeClients {
  constructor({ redisLib, security = {}, tlsCa = null, log, name = "sio-harness-control" }) {
    this.redisLib = redisLib;
    this.security = security;
    this.tlsCa = tlsCa; // Buffer, when the nodes listen with TLS
    this.log = log;
    this.name = name;
    this.clients = new Map();
  }

  client(port) {
    let client = this.clients.get(port);
    if (client) return client;
    const { user, password } = this.security;
    client = this.redisLib.createClient({
      socket: {
        host: "127.0.0.1",
        port,
        reconnectStrategy: (n) => Math.min(20 + n * 10, 100),
        connectTimeout: 5000,
        ...(this.tlsCa ? { tls: true, ca: this.tlsCa } : {}),
      },
      ...(user ? { username: user } : {}),
      ...(password ? { password } : {}),
      name: this.name,
      disableOfflineQueue: true,
    });
    let lastError = "";
    client.on("error", (err) => {
      if (err.message !== lastError) this.log(`control connection to :${port}: ${err.message}`);
      lastError = err.message;
    });
    client.on("ready", () => (lastError = ""));
    client.connect().catch(() => {}); // retries by itself; errors are logged above
    this.clients.set(port, client);
    return client;
  }

  /** Sends one command to the node on `port`; rejects at once if it is not connected. */
  async command(port, args) {
    const client = this.client(port);
    if (!client.isReady) throw new Error(`:${port} not connected`);
    return client.sendCommand(args);
  }

  /** Forgets the node on `port` (it was killed): no more reconnect attempts. */
  drop(port) {
    const client = this.clients.get(port);
    if (!client) return;
    this.clients.delete(port);
    client.disconnect().catch(() => {});
  }

  async closeAll() {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map((c) => c.disconnect()));
  }
}

/** Polls `problems()` (a list of strings, empty when done) until it is empty or `deadline`. */
async function waitFor(problems, deadline, what, intervalMs = 25) {
  let last = "";
  for (;;) {
    try {
      const list = await problems();
      if (list.length === 0) return;
      last = list.join("; ");
    } catch (err) {
      last = err.message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: ${last}`);
    await sleep(intervalMs);
  }
}

/** Starts `nodes` (RedisProcess) together; a failure names the node and carries its log tail. */
async function startAll(procs, label) {
  const results = await Promise.allSettled(procs.map((p) => p.start()));
  const failed = results.findIndex((r) => r.status === "rejected");
  if (failed !== -1) {
    const lines = procs[failed].logTail.trim().split("\n");
    const more = lines.length > 3 ? `\nthe end of its log:\n${lines.slice(-15).join("\n")}` : "";
    throw new Error(`${label(failed)} failed to start: ${results[failed].reason.message}${more}`);
  }
}

// ------------------------------------------------------------------------------------------------
// Redis Cluster

class ClusterTopology {
  /**
   * @param {object} o
   * @param {string} o.dir        the harness's temp dir (each node gets a subdirectory)
   * @param {object} o.security   `{ user, password, tls }` (tls: the makeTlsFiles paths)
   * @param {object} o.redisLib   node-redis
   */
  constructor({ dir, log, logs, security, redisLib, masters = 3 }) {
    this.dir = dir;
    this.log = log;
    this.logs = logs;
    this.security = security;
    this.redisLib = redisLib;
    this.size = masters * 2;
    this.expectedMasters = masters;
    this.nodes = []; // {index, dir, proc, killed}
    this.onUnexpectedExit = () => {};
    this.stopping = false;
    this.nc = new NodeClients({
      redisLib,
      security,
      tlsCa: security.tls ? fs.readFileSync(security.tls.ca) : null,
      log,
    });
    this.table = []; // the last CLUSTER NODES seen, parsed
  }

  liveNodes() {
    return this.nodes.filter((n) => !n.killed && n.proc.running);
  }

  nodeConf(dir, port, busPort) {
    return [
      ...listenConf(port, this.security.tls, { cluster: true }),
      ...commonConf(dir),
      "cluster-enabled yes",
      "cluster-config-file nodes.conf",
      "cluster-node-timeout 2000",
      `cluster-port ${busPort}`,
      ...securityConf(this.security),
      "",
    ].join("\n");
  }

  async start(timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < this.size; i++) {
      const dir = path.join(this.dir, `cluster-${i}`);
      fs.mkdirSync(dir);
      const node = { index: i, dir, killed: false };
      node.proc = new RedisProcess({
        dir,
        log: this.log,
        logs: this.logs,
        source: (p) => `redis :${p}`,
        // The cluster bus port is chosen explicitly: the default (port + 10000) may be taken, or
        // above 65535 for an ephemeral port.
        config: async (port) => this.nodeConf(dir, port, await freePort()),
      });
      node.proc.onUnexpectedExit = (code, signal) => {
        if (!this.stopping) this.onUnexpectedExit(node.proc.port, code, signal);
      };
      this.nodes.push(node);
    }
    await startAll(
      this.nodes.map((n) => n.proc),
      (i) => `cluster node ${i}`,
    );
    await this.create(deadline);
    await waitFor(() => this.healthProblems(undefined, true), deadline, "the cluster did not become healthy");
    const { masters, replicas } = this.orderedNodes();
    const byId = new Map(masters.map((m) => [m.id, m.port]));
    const masterText = masters.map((m) => `:${m.port} [${m.slots.map((r) => r.join("-"))}]`);
    const replicaText = replicas.map((r) => `:${r.port} (of :${byId.get(r.masterId)})`);
    this.log(`cluster healthy: masters ${masterText.join(", ")}; replicas ${replicaText.join(", ")}`);
  }

  /** `redis-cli --cluster create` with one replica per master, as the README describes. */
  async create(deadline) {
    const { user, password, tls } = this.security;
    const args = ["--cluster", "create", ...this.nodes.map((n) => `127.0.0.1:${n.proc.port}`)];
    args.push("--cluster-replicas", "1", "--cluster-yes");
    if (tls) args.push("--tls", "--cacert", tls.ca);
    if (user) args.push("--user", user);
    const env = { ...process.env };
    delete env.REDISCLI_AUTH;
    if (password) env.REDISCLI_AUTH = password; // keeps the password out of `ps`
    const cli = process.env.REDIS_CLI || "redis-cli";
    const child = spawnGuarded(cli, args, { stdio: ["ignore", "pipe", "pipe"], env, cwd: this.dir });
    const outTail = tail(4000);
    const onData = (chunk) => {
      const s = chunk.toString().replace(/\x1b\[[0-9;]*m/g, "");
      outTail.push(s);
      this.logs.write("redis-cli", s);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const failed = new Promise((_, reject) => child.once("error", reject));
    const timer = setTimeout(() => child.kill("SIGKILL"), Math.max(1000, deadline - Date.now()));
    try {
      await Promise.race([waitExit(child), failed]);
    } finally {
      clearTimeout(timer);
    }
    if (child.exitCode !== 0) {
      const why = outTail.text.trim().split("\n").slice(-8).join("\n");
      throw new Error(
        `redis-cli --cluster create failed (code ${child.exitCode}, signal ${child.signalCode}):\n${why}`,
      );
    }
  }

  /**
   * What still keeps the cluster from being healthy (empty: healthy): every live node says
   * cluster_state:ok; every live node's CLUSTER NODES lists the same masters (id, port, slots)
   * among the nodes not flagged `fail`, `expectedMasters` of them, all live, covering all 16384
   * slots; every live replica's link to its master is up. `extra(table, port)` adds problems;
   * `requireReplicas` (startup) wants a live replica for every master.
   */
  async healthProblems(extra = () => [], requireReplicas = false) {
    const live = this.liveNodes();
    const livePorts = new Set(live.map((n) => n.proc.port));
    const views = await Promise.all(
      live.map(async (n) => {
        const port = n.proc.port;
        const [info, nodes, repl] = await Promise.all([
          this.nc.command(port, ["CLUSTER", "INFO"]),
          this.nc.command(port, ["CLUSTER", "NODES"]),
          this.nc.command(port, ["INFO", "replication"]),
        ]);
        return { port, info: parseInfo(info), table: parseClusterNodes(nodes), repl: parseInfo(repl) };
      }),
    );
    const problems = [];
    let reference = null;
    for (const v of views) {
      if (v.info.cluster_state !== "ok") problems.push(`:${v.port} cluster_state:${v.info.cluster_state}`);
      const masters = v.table
        .filter(servingMaster)
        .map((e) => `${e.id.slice(0, 8)}@${e.port}[${e.slots.map((s) => s.join("-")).join(",")}]`)
        .sort()
        .join(" ");
      if (reference === null) reference = { port: v.port, masters, table: v.table };
      else if (masters !== reference.masters) {
        problems.push(`:${v.port} sees masters ${masters}, :${reference.port} sees ${reference.masters}`);
      }
      if (v.repl.role === "slave" && v.repl.master_link_status !== "up") {
        problems.push(`:${v.port} replica link ${v.repl.master_link_status}`);
      }
      problems.push(...extra(v.table, v.port));
    }
    if (reference) {
      const masters = reference.table.filter(servingMaster);
      if (masters.length !== this.expectedMasters) {
        problems.push(`${masters.length} masters with slots, want ${this.expectedMasters}`);
      }
      let covered = 0;
      for (const m of masters) {
        for (const [a, b] of m.slots) covered += b - a + 1;
        if (!livePorts.has(m.port)) problems.push(`master :${m.port} is not running`);
      }
      if (covered !== 16384) problems.push(`${covered} of 16384 slots served`);
      // Every live node is one of those masters or a replica of one (a node that
      // redis-cli has not made a replica yet is an empty master); at startup, every master
      // has its replica.
      const masterIds = new Set(masters.map((m) => m.id));
      for (const port of livePorts) {
        const e = reference.table.find((x) => x.port === port);
        if (!e) problems.push(`:${reference.port} does not know :${port}`);
        else if (!masterIds.has(e.id) && !masterIds.has(e.masterId)) {
          problems.push(`:${port} is neither a master with slots nor a replica of one`);
        }
      }
      if (requireReplicas) {
        for (const m of masters) {
          if (!reference.table.some((e) => e.masterId === m.id && livePorts.has(e.port))) {
            problems.push(`master :${m.port} has no replica yet`);
          }
        }
      }
      if (problems.length === 0) this.table = reference.table;
    } else {
      problems.push("no live node");
    }
    return problems;
  }

  /** Masters (ordered by their first slot), then replicas (in their masters' order). */
  orderedNodes() {
    const masters = this.table.filter(servingMaster).sort((a, b) => a.slots[0][0] - b.slots[0][0]);
    const live = new Set(this.liveNodes().map((n) => n.proc.port));
    const replicas = [];
    for (const m of masters) {
      replicas.push(
        ...this.table.filter((e) => e.masterId === m.id && live.has(e.port)).sort((a, b) => a.port - b.port),
      );
    }
    return { masters, replicas };
  }

  /** Re-reads CLUSTER NODES from a live node (routing after a MOVED). */
  async refreshTable() {
    for (const n of this.liveNodes()) {
      try {
        this.table = parseClusterNodes(await this.nc.command(n.proc.port, ["CLUSTER", "NODES"]));
        return;
      } catch (_) {
        // try the next node
      }
    }
    throw new Error("no cluster node answers");
  }

  /** The port of the master serving `channel`'s slot (from the last table seen). */
  ownerPort(channel) {
    const owner = ownerOf(this.table, keySlot(channel));
    if (!owner) throw new Error(`no master serves slot ${keySlot(channel)} of ${channel}`);
    return owner.port;
  }

  /** Runs `args` on the master of `channel`'s slot, following one MOVED by re-reading the table. */
  async onOwner(channel, args) {
    try {
      return await this.nc.command(this.ownerPort(channel), args);
    } catch (err) {
      if (!/^(MOVED|ASK|CLUSTERDOWN)|not connected/.test(err.message)) throw err;
      await this.refreshTable();
      return this.nc.command(this.ownerPort(channel), args);
    }
  }

  /** A live node to send commands that any node answers (PUBLISH, KEYSLOT). */
  anyPort() {
    const { masters } = this.orderedNodes();
    const live = new Set(this.liveNodes().map((n) => n.proc.port));
    const m = masters.find((e) => live.has(e.port));
    if (m) return m.port;
    const n = this.liveNodes()[0];
    if (!n) throw new Error("no cluster node is running");
    return n.proc.port;
  }

  /**
   * SIGKILLs the master serving `channel`'s slot (CLUSTER KEYSLOT asked of a node), or the first
   * master, then waits until one of its replicas serves that slot and the cluster is healthy
   * again (every live node: cluster_state:ok, the same masters, the slot on the new master).
   */
  async killMaster(channel, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    await this.refreshTable();
    const { masters } = this.orderedNodes();
    let slot;
    if (channel === undefined) {
      if (!masters.length) throw new Error("no master to kill");
      slot = masters[0].slots[0][0];
    } else {
      slot = Number(await this.nc.command(this.anyPort(), ["CLUSTER", "KEYSLOT", String(channel)]));
      if (slot !== keySlot(String(channel))) {
        this.log(`CLUSTER KEYSLOT ${channel} = ${slot}, the harness computed ${keySlot(String(channel))}`);
      }
    }
    const victim = ownerOf(this.table, slot);
    if (!victim) throw new Error(`no master serves slot ${slot}`);
    const live = new Set(this.liveNodes().map((n) => n.proc.port));
    const replicas = this.table.filter((e) => e.masterId === victim.id && live.has(e.port));
    if (!replicas.length) {
      throw new Error(`master :${victim.port} (slot ${slot}) has no live replica left to promote`);
    }
    const node = this.nodes.find((n) => n.proc.port === victim.port && !n.killed);
    if (!node) throw new Error(`master :${victim.port} is not one of the harness's nodes`);
    const t0 = Date.now();
    node.killed = true;
    await node.proc.kill();
    this.nc.drop(victim.port);
    const of = channel === undefined ? "" : ` of ${channel}`;
    this.log(
      `kill_master: SIGKILLed master :${victim.port} (slot ${slot}${of}); ` +
        `replicas ${replicas.map((r) => `:${r.port}`).join(", ")}`,
    );
    let newPort = null;
    await waitFor(
      () =>
        this.healthProblems((table, port) => {
          const owner = ownerOf(table, slot);
          if (!owner || owner.id === victim.id) return [`:${port} still has slot ${slot} on :${victim.port}`];
          newPort = owner.port;
          return [];
        }),
      deadline,
      `kill_master: no failover of :${victim.port} within ${timeoutMs} ms`,
    );
    const role = await this.nc.command(newPort, ["ROLE"]);
    if (String(role[0]) !== "master") throw new Error(`kill_master: :${newPort} reports role ${role[0]}`);
    this.log(
      `kill_master: slot ${slot} now on master :${newPort}, cluster healthy after ${Date.now() - t0} ms`,
    );
    return { killed_port: victim.port, new_master_port: newPort, slot };
  }

  async stop() {
    this.stopping = true;
    await this.nc.closeAll();
    await Promise.all(this.nodes.map((n) => n.proc.kill()));
  }
}

// ------------------------------------------------------------------------------------------------
// Sentinel: one master, one replica, three sentinels, and a proxy in front of the current master

/**
 * A TCP proxy on a free loopback port. Each new connection asks `resolve()` (the sentinels) for
 * the current master and is piped to it; when the master dies its connections drop, and a
 * client that reconnects reaches whatever the sentinels name then. Bytes pass through untouched
 * (TLS included), so clients keep their credentials and certificate checks.
 */
class MasterProxy {
  constructor({ resolve, log }) {
    this.resolve = resolve;
    this.log = log;
    this.sockets = new Set();
    this.server = null;
    this.port = null;
    this.lastTarget = null;
  }

  async start() {
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const server = net.createServer((socket) => this.onConnection(socket));
      try {
        await new Promise((resolve, reject) => {
          server.once("error", reject);
          server.listen(port, "127.0.0.1", resolve);
        });
        this.server = server;
        this.port = port;
        return;
      } catch (err) {
        if (attempt >= 4) throw err;
      }
    }
  }

  track(socket) {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  onConnection(down) {
    this.track(down);
    down.on("error", () => {});
    this.resolve().then(
      ({ host, port }) => {
        if (down.destroyed) return;
        const target = `${host}:${port}`;
        if (target !== this.lastTarget) {
          this.log(`proxy :${this.port}: forwarding new connections to ${target}`);
          this.lastTarget = target;
        }
        const up = net.connect({ host, port });
        this.track(up);
        up.on("error", () => down.destroy());
        up.once("close", () => down.destroy());
        down.once("close", () => up.destroy());
        down.pipe(up);
        up.pipe(down);
      },
      (err) => {
        this.log(`proxy :${this.port}: no master to forward to (${err.message})`);
        down.destroy();
      },
    );
  }

  close() {
    if (this.server) this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

class SentinelTopology {
  /**
   * @param {object} o
   * @param {string} o.dir        the harness's temp dir (each node gets a subdirectory)
   * @param {object} o.security   `{ user, password, tls }` for the data nodes; the sentinels
   *                              have no password (under TLS they listen with TLS too)
   */
  constructor({ dir, log, logs, security, redisLib, masterName = "mymaster", sentinels = 3 }) {
    this.dir = dir;
    this.log = log;
    this.logs = logs;
    this.security = security;
    this.redisLib = redisLib;
    this.masterName = masterName;
    this.sentinelCount = sentinels;
    this.data = []; // {proc, killed, dir}: [0] started as master, [1] as its replica
    this.sentinels = []; // {proc, dir}
    this.onUnexpectedExit = () => {};
    this.stopping = false;
    const tlsCa = security.tls ? fs.readFileSync(security.tls.ca) : null;
    this.nc = new NodeClients({ redisLib, security, tlsCa, log });
    this.sc = new NodeClients({ redisLib, security: {}, tlsCa, log });
    this.proxy = new MasterProxy({ resolve: () => this.resolveMaster(), log });
  }

  makeNode(name, config, { sentinel = false } = {}) {
    const dir = path.join(this.dir, name);
    fs.mkdirSync(dir);
    const node = { dir, killed: false };
    node.proc = new RedisProcess({
      dir,
      log: this.log,
      logs: this.logs,
      sentinel,
      source: (p) => `${sentinel ? "sentinel" : "redis"} :${p}`,
      config: (port) => config(dir, port),
    });
    node.proc.onUnexpectedExit = (code, signal) => {
      if (!this.stopping) this.onUnexpectedExit(node.proc.port, code, signal);
    };
    return node;
  }

  dataConf(dir, port, masterPort) {
    return [
      ...listenConf(port, this.security.tls),
      ...commonConf(dir),
      ...securityConf(this.security),
      ...(masterPort ? [`replicaof 127.0.0.1 ${masterPort}`] : []),
      "",
    ].join("\n");
  }

  sentinelConf(dir, port, masterPort) {
    const { user, password, tls } = this.security;
    const m = this.masterName;
    const lines = [...listenConf(port, tls), `dir ${confQuote(dir)}`, "daemonize no", 'logfile ""'];
    lines.push(
      `sentinel monitor ${m} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${m} 1000`,
      `sentinel failover-timeout ${m} 5000`,
      `sentinel parallel-syncs ${m} 1`,
    );
    if (user) lines.push(`sentinel auth-user ${m} ${confQuote(user)}`);
    if (password) lines.push(`sentinel auth-pass ${m} ${confQuote(password)}`);
    return lines.join("\n") + "\n";
  }

  liveData() {
    return this.data.filter((n) => !n.killed && n.proc.running);
  }

  liveSentinels() {
    return this.sentinels.filter((n) => n.proc.running);
  }

  async start(timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    const master = this.makeNode("master", (dir, port) => this.dataConf(dir, port, null));
    this.data.push(master);
    await startAll([master.proc], () => "the sentinel topology's master");
    const replica = this.makeNode("replica", (dir, port) => this.dataConf(dir, port, master.proc.port));
    this.data.push(replica);
    await startAll([replica.proc], () => "the sentinel topology's replica");
    // The sentinels learn the replica from the master's INFO: start them once it is attached.
    await waitFor(() => this.replicaProblems(replica.proc.port), deadline, "the replica did not sync");
    for (let i = 0; i < this.sentinelCount; i++) {
      this.sentinels.push(
        this.makeNode(`sentinel-${i}`, (dir, port) => this.sentinelConf(dir, port, master.proc.port), {
          sentinel: true,
        }),
      );
    }
    await startAll(
      this.sentinels.map((n) => n.proc),
      (i) => `sentinel ${i}`,
    );
    await waitFor(() => this.sentinelProblems(master.proc.port), deadline, "the sentinels did not settle");
    this.log(
      `sentinel topology healthy: master :${master.proc.port}, replica :${replica.proc.port}, ` +
        `sentinels ${this.sentinels.map((n) => `:${n.proc.port}`).join(", ")}`,
    );
    await this.proxy.start();
  }

  async replicaProblems(port) {
    const info = parseInfo(await this.nc.command(port, ["INFO", "replication"]));
    if (info.role !== "slave" || info.master_link_status !== "up") {
      return [`:${port} role ${info.role}, master_link_status ${info.master_link_status}`];
    }
    return [];
  }

  /**
   * Every live sentinel monitors `masterPort` as a healthy master, knows the live replicas
   * (linked to it) and the other sentinels.
   */
  async sentinelProblems(masterPort) {
    const problems = [];
    const wantReplicas = this.liveData().filter((n) => n.proc.port !== masterPort).length;
    const wantOthers = this.liveSentinels().length - 1;
    await Promise.all(
      this.liveSentinels().map(async (s) => {
        const port = s.proc.port;
        const m = pairs(await this.sc.command(port, ["SENTINEL", "MASTER", this.masterName]));
        const replicas = (await this.sc.command(port, ["SENTINEL", "REPLICAS", this.masterName])).map(pairs);
        const okReplicas = replicas.filter(
          (r) =>
            r.flags === "slave" &&
            r["master-link-status"] === "ok" &&
            Number(r["master-port"]) === masterPort,
        );
        if (Number(m.port) !== masterPort || m.flags !== "master") {
          problems.push(`sentinel :${port}: master :${m.port} flags ${m.flags}`);
        }
        if (okReplicas.length !== wantReplicas) {
          problems.push(`sentinel :${port}: ${okReplicas.length} healthy replicas, want ${wantReplicas}`);
        }
        if (Number(m["num-other-sentinels"]) !== wantOthers) {
          problems.push(
            `sentinel :${port}: knows ${m["num-other-sentinels"]} other sentinels, want ${wantOthers}`,
          );
        }
      }),
    );
    return problems;
  }

  askMasterAddr(sentinelPort) {
    return this.sc.command(sentinelPort, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.masterName]);
  }

  /** What each live sentinel answers to GET-MASTER-ADDR-BY-NAME: [{sentinel, port}]. */
  async masterPorts() {
    return Promise.all(
      this.liveSentinels().map(async (s) => {
        const reply = await this.askMasterAddr(s.proc.port);
        return { sentinel: s.proc.port, port: reply ? Number(reply[1]) : null };
      }),
    );
  }

  /** The master's address according to the first sentinel that answers (for the proxy). */
  async resolveMaster() {
    let lastError = new Error("no sentinel is running");
    for (const s of this.liveSentinels()) {
      try {
        const reply = await this.askMasterAddr(s.proc.port);
        if (reply) return { host: String(reply[0]), port: Number(reply[1]) };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /** The master's port (all sentinels agreeing), for the ready line. */
  async masterPort() {
    const ports = new Set((await this.masterPorts()).map((a) => a.port));
    if (ports.size !== 1) throw new Error(`the sentinels disagree on the master: ${[...ports].join(", ")}`);
    return [...ports][0];
  }

  /**
   * SIGKILLs the current master, then waits until every live sentinel names another live node
   * as the master and that node's ROLE is master.
   */
  async killMaster(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const oldPort = await this.masterPort();
    const victim = this.data.find((n) => n.proc.port === oldPort && !n.killed);
    if (!victim) throw new Error(`the master :${oldPort} is not one of the harness's nodes`);
    const others = this.liveData().filter((n) => n !== victim);
    if (!others.length) throw new Error(`the master :${oldPort} has no live replica left to promote`);
    const t0 = Date.now();
    victim.killed = true;
    await victim.proc.kill();
    this.nc.drop(oldPort);
    this.log(
      `kill_master: SIGKILLed master :${oldPort}; replica ${others.map((n) => `:${n.proc.port}`).join(", ")}`,
    );
    let newPort = null;
    await waitFor(
      async () => {
        const answers = await this.masterPorts();
        const ports = new Set(answers.map((a) => a.port));
        if (ports.size !== 1 || ports.has(oldPort)) {
          return [`sentinels name ${answers.map((a) => `:${a.port} (sentinel :${a.sentinel})`).join(", ")}`];
        }
        newPort = [...ports][0];
        const role = await this.nc.command(newPort, ["ROLE"]);
        return String(role[0]) === "master" ? [] : [`:${newPort} reports role ${role[0]}`];
      },
      deadline,
      `kill_master: no failover of :${oldPort} within ${timeoutMs} ms`,
    );
    this.log(`kill_master: the sentinels name :${newPort} after ${Date.now() - t0} ms`);
    return { killed_port: oldPort, new_master_port: newPort };
  }

  async stop() {
    this.stopping = true;
    this.proxy.close();
    await Promise.all([this.nc.closeAll(), this.sc.closeAll()]);
    await Promise.all([...this.sentinels, ...this.data].map((n) => n.proc.kill()));
  }
}

module.exports = {
  ClusterTopology,
  SentinelTopology,
  MasterProxy,
  NodeClients,
  keySlot,
  parseClusterNodes,
  parseInfo,
  pairs,
  confQuote,
  waitFor,
};
