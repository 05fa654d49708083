"use strict";
// `--adapter streams`: the harness side of the Redis Streams adapter (@socket.io/redis-streams-adapter
// 0.3.1 or 0.2.3, with connection state recovery on the servers; see tests/fixtures/streams.js and
// README.md). Markers go through the streams as ClusterAdapter entries (docs/protocol.md §4.3, §4.5):
// XADD <stream> MAXLEN ~ <maxLen> * uid emitter nsp <nsp> type <type> data <json>.

const { randomBytes } = require("node:crypto");
const path = require("node:path");
const { createRequire } = require("node:module");
const { FIXTURES } = require("./processes");
const { hashCode } = require(path.join(FIXTURES, "streams.js"));

const FLUSH_EVENT = "__harness_flush";
const RESEND_MS = 250;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Command-line options of the streams adapter: fills `opts`; returns false if `flag` is not one. */
function parseStreamsOption(flag, value, opts) {
  switch (flag) {
    case "--streams-version":
      opts.streamsVersion = value();
      if (!["0.3", "0.2"].includes(opts.streamsVersion)) {
        throw new Error("--streams-version must be 0.3 or 0.2");
      }
      return true;
    case "--stream-name":
      opts.streamName = value();
      if (opts.streamName === "") throw new Error("--stream-name must not be empty");
      return true;
    case "--stream-count":
      opts.streamCount = Number(value());
      if (!Number.isInteger(opts.streamCount) || opts.streamCount < 1 || opts.streamCount > 64) {
        throw new Error("--stream-count must be an integer from 1 to 64");
      }
      return true;
    case "--max-len":
      opts.maxLen = Number(value());
      if (!Number.isInteger(opts.maxLen) || opts.maxLen < 1) {
        throw new Error("--max-len must be a positive integer");
      }
      return true;
    default:
      return false;
  }
}

/** Checks the streams options once every argument was read (defaults filled in). */
function checkStreamsOptions(opts) {
  opts.streamsVersion ??= "0.3";
  opts.streamName ??= "socket.io";
  opts.streamCount ??= 1;
  opts.maxLen ??= 10000;
  if (opts.adapter !== "streams") return;
  if (opts.streamsVersion === "0.2" && opts.streamCount !== 1) {
    throw new Error("--stream-count needs --streams-version 0.3 (0.2 has a single stream)");
  }
  if (opts.topology !== "standalone") throw new Error("--adapter streams needs --topology standalone");
}

class StreamsHarness {
  /**
   * @param h         the Harness (its control client, servers, clients and flushAcks)
   * @param progress  () => a value that changes whenever a line was written
   * @param withIdleTimeout, log  harness.js helpers
   */
  constructor(h, { progress, withIdleTimeout, log }) {
    this.h = h;
    this.opts = h.opts;
    this.progress = progress;
    this.withIdleTimeout = withIdleTimeout;
    this.log = log;
    this.version = this.opts.streamsVersion;
    const { streamName, streamCount } = this.opts;
    this.readStreams =
      streamCount === 1 ? [streamName] : Array.from({ length: streamCount }, (_, i) => `${streamName}-${i}`);
  }

  /** Environment for server.js. */
  serverEnv() {
    return {
      STREAMS_VERSION: this.version,
      STREAM_NAME: this.opts.streamName,
      STREAM_COUNT: String(this.opts.streamCount),
      MAX_LEN: String(this.opts.maxLen),
    };
  }

  /** Fields of the `ready` line (null for other adapters). */
  static readyFields(opts) {
    const on = opts.adapter === "streams";
    return {
      streams_version: on ? opts.streamsVersion : null,
      stream_name: on ? opts.streamName : null,
      stream_count: on ? opts.streamCount : null,
      max_len: on ? opts.maxLen : null,
    };
  }

  /** The stream a namespace is written to (docs/protocol.md §4.2; may be one nobody reads). */
  streamKey(nsp) {
    const { streamName, streamCount } = this.opts;
    return streamCount === 1 ? streamName : `${streamName}-${hashCode(nsp) % streamCount}`;
  }

  /** Whether the servers read the namespace's stream (false for a negative hash remainder). */
  isRead(nsp) {
    return this.readStreams.includes(this.streamKey(nsp));
  }

  xadd(stream, nsp, type, data) {
    const fields = { uid: "emitter", nsp, type: String(type), data: JSON.stringify(data) };
    const trim = { TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: this.opts.maxLen } };
    return this.h.control.xAdd(stream, "*", fields, trim);
  }

  /** 0.3: a SERVER_SIDE_EMIT over Pub/Sub, as servers and emitters send it (msgpack, §4.4). */
  publishServerSideEmit(nsp, packet) {
    if (!this.msgpack) {
      this.msgpack = createRequire(path.join(FIXTURES, "package.json"))("@msgpack/msgpack");
    }
    const message = { type: 9, data: { packet }, uid: "emitter", nsp };
    return this.h.control.publish(`${this.opts.key}#${nsp}#`, Buffer.from(this.msgpack.encode(message)));
  }

  /**
   * Sends server-side markers down `paths` ([{name, send(token)}]) and resolves once each server
   * in `servers` (a Set of indexes) acked each one. A marker not acked within RESEND_MS is sent
   * again (a copy sent later is still a valid barrier; acks are by token). `timeoutMs` bounds the
   * time without progress.
   */
  async serverMarkers(paths, servers, timeoutMs, what) {
    const base = randomBytes(8).toString("hex");
    const markers = paths.map((p, i) => ({ ...p, token: `${base}:${i}`, servers: new Set(servers) }));
    for (const m of markers) this.h.flushAcks.set(m.token, m.servers);
    const pending = () => markers.filter((m) => m.servers.size > 0);
    const unacked = () => markers.reduce((sum, m) => sum + m.servers.size, 0);
    try {
      await this.withIdleTimeout(
        (async () => {
          for (let first = true; pending().length > 0; first = false) {
            if (!first) {
              const sentAt = Date.now();
              while (pending().length > 0 && Date.now() - sentAt < RESEND_MS) await sleep(2);
              if (pending().length === 0) break;
            }
            await Promise.all(pending().map((m) => m.send(m.token)));
          }
        })(),
        timeoutMs,
        () => `${this.progress()}:${unacked()}`,
        () =>
          `${what} (waiting for ` +
          pending()
            .map((m) => `servers [${[...m.servers].join(", ")}] on ${m.name}`)
            .join("; ") +
          ")",
      );
    } finally {
      for (const m of markers) this.h.flushAcks.delete(m.token);
    }
  }

  /**
   * Every path a server reads: a SERVER_SIDE_EMIT entry on "/" in each stream the servers read
   * (their readers dispatch by the entry's nsp, whatever the stream), and in 0.3 one over Pub/Sub.
   */
  allPaths() {
    const paths = this.readStreams.map((stream) => ({
      name: `stream ${stream}`,
      send: (token) => this.xadd(stream, "/", 9, { packet: [FLUSH_EVENT, token] }),
    }));
    if (this.version !== "0.2") {
      paths.push({
        name: `Pub/Sub ${this.opts.key}#/#`,
        send: (token) => this.publishServerSideEmit("/", [FLUSH_EVENT, token]),
      });
    }
    return paths;
  }

  /**
   * `flush`: first a server-side marker down every path (each stream read, and 0.3's Pub/Sub),
   * acked by every live server: each has then handled, and written to its clients, everything
   * added before. Then a BROADCAST marker per namespace with clients, in that namespace's
   * stream, awaited from every connected client there; clients of a namespace whose stream no
   * server reads (negative hash remainder) are not awaited.
   */
  async flush(timeoutMs) {
    const h = this.h;
    const alive = h.aliveServers().map((s) => s.index);
    await this.serverMarkers(this.allPaths(), alive, timeoutMs, "flush (servers)");
    const clients = h.clients.connectedClients().filter((c) => this.isRead(c.nsp));
    const token = randomBytes(8).toString("hex");
    const clientWait = h.clients.waitFlush(
      token,
      clients.map((c) => c.name),
    );
    try {
      const nsps = new Set(clients.map((c) => c.nsp));
      const opts = { rooms: [], except: [], flags: {} };
      const sends = [...nsps].map((nsp) =>
        this.xadd(this.streamKey(nsp), nsp, 3, { packet: { type: 2, data: [FLUSH_EVENT, token] }, opts }),
      );
      await this.withIdleTimeout(
        (async () => {
          await Promise.all(sends);
          await clientWait.done;
        })(),
        timeoutMs,
        this.progress,
        () => `flush (waiting for clients [${[...clientWait.waiter.pending].join(", ")}])`,
      );
    } finally {
      clientWait.cancel();
    }
    return {};
  }

  /**
   * `wait_subscribed`: (ensure_nsp done by the caller) in 0.3 PUBSUB NUMSUB <key>#<nsp># equals
   * the servers that have the namespace; then a SERVER_SIDE_EMIT marker for that namespace
   * through its stream (or, when nobody reads that stream, the first stream read) comes back
   * from each of them.
   */
  async waitSubscribed(nsp, timeoutMs) {
    const h = this.h;
    await h.waitSubscriptions(nsp, timeoutMs);
    const servers = h
      .aliveServers()
      .filter((s) => s.nsps.has(nsp))
      .map((s) => s.index);
    const stream = this.streamKey(nsp);
    const read = this.isRead(nsp);
    const via = read ? stream : this.readStreams[0];
    const path = {
      name: `stream ${via}`,
      send: (token) => this.xadd(via, nsp, 9, { packet: [FLUSH_EVENT, token] }),
    };
    if (servers.length) await this.serverMarkers([path], servers, timeoutMs, "wait_subscribed");
    return { nsp, servers, subscribers: servers.length, stream, stream_read: read };
  }

  /** 0.3: PUBSUB NUMSUB <key>#<nsp># must equal the live servers that have <nsp>. 0.2: no Pub/Sub. */
  async subscriptionProblems(onlyNsp) {
    if (this.version === "0.2") return [];
    const h = this.h;
    const alive = h.aliveServers();
    const nsps = new Set();
    if (onlyNsp !== undefined) nsps.add(onlyNsp);
    else for (const s of alive) for (const n of s.nsps) nsps.add(n);
    const channelOf = (nsp) => `${this.opts.key}#${nsp}#`;
    const counts = await h.pubsubCounts("NUMSUB", [...nsps].map(channelOf));
    const problems = [];
    for (const nsp of nsps) {
      const expected = alive.filter((s) => s.nsps.has(nsp)).length;
      const count = counts.get(channelOf(nsp));
      if (count !== expected) problems.push(`NUMSUB ${channelOf(nsp)} = ${count}, want ${expected}`);
    }
    return problems;
  }

  /** `client_drop`: see README. */
  async clientDrop(name, timeoutMs) {
    const h = this.h;
    const client = h.clients.byName.get(name);
    if (!client) throw new Error(`unknown client ${JSON.stringify(name)}`);
    const serverIndex = client.server;
    const dropped = await h.clients.drop(name, timeoutMs);
    const server = h.server(serverIndex);
    if (!server.alive) throw new Error(`server ${serverIndex} is not running (no session can be persisted)`);
    await server.request("wait_session", { pid: dropped.pid, timeout_ms: timeoutMs }, timeoutMs + 1000);
    return { ...dropped, server: serverIndex };
  }
}

module.exports = { StreamsHarness, parseStreamsOption, checkStreamsOptions };
