"use strict";
// The constructor's arguments: a Redis URL or an options object, with the option names every
// language binding uses. Refuses the official constructor's Redis client with an explanation.

function invalid(message) {
  const err = new TypeError(message);
  err.code = "INVALID_ARGUMENT";
  return err;
}

const MIGRATION =
  "socketio-emitter opens its own Redis connection: instead of `new Emitter(redisClient, opts)`, " +
  'write `new Emitter("redis://host:6379", opts)` (the URL your Redis client uses; `opts.key` ' +
  "and the namespace argument stay the same). The Redis client is not needed for emitting any more.";

function looksLikeRedisClient(value) {
  if (value === null || typeof value !== "object") return false;
  return ["publish", "sendCommand", "duplicate", "connect", "quit"].some(
    (name) => typeof value[name] === "function",
  );
}

// Option names as documented for every language (snake_case), plus their camelCase spellings.
// Durations are milliseconds. Types are checked here; ranges natively, by the core's rules
// (EmitterConfig::validate), so every binding accepts the same values.
const OPTIONS = {
  key: ["key", "string"],
  nsp: ["nsp", "string"],
  // The values ("classic"/"sharded"/"streams", "static"/"dynamic"/"dynamic-private", the
  // streams versions and the compat stacks) are checked natively by the core, whose error
  // names the accepted ones.
  adapter: ["adapter", "string"],
  subscription_mode: ["subscriptionMode", "string"],
  // The streams adapter's options (its channelPrefix is `key`); ranges and combinations are
  // the core's.
  stream_name: ["streamName", "string"],
  stream_count: ["streamCount", "count"],
  max_len: ["maxLen", "integer"],
  streams_version: ["streamsVersion", "string"],
  // The classic adapter's older server stacks.
  compat: ["compat", "string"],
  // Where Redis is: a Redis Cluster's seed nodes (then `url` is left out), or the Sentinel
  // master's name and the sentinels (the master's credentials, db and TLS come from `url`).
  // The lists' contents (not empty, redis:// or rediss:// URLs) and how the three combine are
  // checked natively, with the core's rules and messages.
  cluster_nodes: ["clusterNodes", "urls"],
  sentinel_master: ["sentinelMaster", "string"],
  sentinel_nodes: ["sentinelNodes", "urls"],
  tls_ca_pem: ["tlsCaPem", "pem"],
  connect_timeout: ["connectTimeoutMs", "ms"],
  response_timeout: ["responseTimeoutMs", "ms"],
  reconnect_min_delay: ["reconnectMinDelayMs", "ms"],
  reconnect_max_delay: ["reconnectMaxDelayMs", "ms"],
  reconnect_attempts: ["reconnectAttempts", "count"],
  require_receivers: ["requireReceivers", "boolean"],
  max_payload_bytes: ["maxPayloadBytes", "count"],
};

// Options of the other bindings' queued API (emit_nowait), which this binding does not have:
// every call here returns its own promise.
const QUEUE_OPTIONS = new Set(["queue_capacity", "queueCapacity", "queue_max_bytes", "queueMaxBytes", "queue_full", "queueFull"]);
const CAMEL = Object.fromEntries(
  Object.keys(OPTIONS).map((name) => [name.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), name]),
);

/** The URL `url` stands for when it is left out: the core's DEFAULT_URL, which is what it accepts beside cluster_nodes (topology_options.test.js). */
const DEFAULT_URL = "redis://127.0.0.1:6379";

/**
 * A list of node URLs: an array of strings, copied. A lone string (one URL without its array)
 * and non-string entries are refused naming the option (and the entry's index); the values are
 * never shown, since they may hold passwords.
 */
function checkUrls(name, value) {
  if (!Array.isArray(value)) {
    const hint = typeof value === "string" ? ' (one URL still goes in an array: ["redis://host:port"])' : "";
    throw invalid(`option ${name} must be an array of redis:// URLs (strings), got ${value === null ? "null" : typeof value}${hint}`);
  }
  const out = [];
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") {
      throw invalid(`option ${name}[${i}] must be a string (a redis:// URL), got ${value[i] === null ? "null" : typeof value[i]}`);
    }
    out.push(value[i]);
  }
  return out;
}

function checkOption(name, kind, value) {
  switch (kind) {
    case "urls":
      return checkUrls(name, value);
    case "string":
      if (typeof value === "string") return value;
      break;
    case "pem":
      if (typeof value === "string") return value;
      if (Buffer.isBuffer(value)) return value.toString("utf8");
      break;
    case "ms":
      // NaN, negative or huge values are refused natively, naming the option.
      if (typeof value === "number") return value;
      break;
    case "count":
      if (Number.isSafeInteger(value) && value >= 0 && value <= 0xffffffff) return value;
      break;
    case "integer":
      if (Number.isSafeInteger(value) && value >= 0) return value;
      break;
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
  }
  const wanted = {
    string: "a string",
    pem: "a PEM string or Buffer",
    ms: "a number of milliseconds",
    count: "a non-negative integer",
    integer: "a non-negative integer",
    boolean: "a boolean",
  }[kind];
  const got = typeof value === "number" && (kind === "count" || kind === "integer" || kind === "ms") ? value : typeof value;
  throw invalid(`option ${name} must be ${wanted}, got ${got}`);
}

/**
 * The options `Emitter.offline()` reads besides `key` and `nsp`: those that shape the bytes,
 * in either spelling, as native options. Others are ignored (they concern the connection).
 */
const OFFLINE_OPTIONS = ["max_payload_bytes", "adapter", "subscription_mode", "stream_name", "stream_count", "max_len", "streams_version", "compat"];

function offlineOptions(options) {
  const native = {};
  for (const name of OFFLINE_OPTIONS) {
    const [nativeName, kind] = OPTIONS[name];
    const given = options[name] !== undefined ? name : nativeName;
    if (options[given] !== undefined) native[nativeName] = checkOption(given, kind, options[given]);
  }
  return native;
}

/** { url, nsp, native options } from the constructor's arguments. */
function parseArguments(first, opts, nsp) {
  if (looksLikeRedisClient(first)) throw invalid(MIGRATION);
  let url;
  let options;
  if (typeof first === "string") {
    url = first;
    options = opts === undefined ? {} : opts;
  } else if (first !== null && typeof first === "object" && !Array.isArray(first)) {
    if (opts !== undefined) {
      throw invalid("new Emitter({ url, ...options }) takes one argument; put every option in the object");
    }
    ({ url, ...options } = first);
  } else {
    throw invalid(
      'new Emitter() takes a Redis URL ("redis://host:6379") or an options object with a `url`' +
        (first === undefined ? "" : `, got ${typeof first}`),
    );
  }
  // A cluster is found through its seed nodes, and a Sentinel master needs `url` only for its
  // credentials: both may leave `url` out.
  const nodesGiven = ["cluster_nodes", "clusterNodes", "sentinel_master", "sentinelMaster", "sentinel_nodes", "sentinelNodes"].some(
    (name) => options !== null && typeof options === "object" && options[name] !== undefined,
  );
  if (url === undefined && nodesGiven) url = DEFAULT_URL;
  if (typeof url !== "string") {
    throw invalid(
      "the `url` option (a redis:// or rediss:// URL) is required, unless cluster_nodes or sentinel_nodes say where Redis is",
    );
  }
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw invalid(`the options must be an object, got ${typeof options}`);
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("the Redis URL cannot be parsed (expected redis://host:port or rediss://host:port)");
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw invalid(`the Redis URL must start with redis:// or rediss://, got ${parsed.protocol}//`);
  }
  const native = {};
  for (const [given, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (given === "parser") {
      throw invalid(
        "the `parser` option is not supported: broadcasts are always notepack msgpack, as with the default parser",
      );
    }
    const name = Object.prototype.hasOwnProperty.call(OPTIONS, given) ? given : CAMEL[given];
    if (name === undefined && QUEUE_OPTIONS.has(given)) {
      throw invalid(
        `option ${given} is not supported: it configures the emit_nowait queue of the other bindings; ` +
          "here every operation returns its own promise (see flush())",
      );
    }
    if (name === undefined) {
      throw invalid(`unknown option ${given}; known options: url, ${Object.keys(OPTIONS).join(", ")}`);
    }
    const [nativeName, kind] = OPTIONS[name];
    native[nativeName] = checkOption(given, kind, value);
  }
  if (nsp === undefined) nsp = native.nsp === undefined ? "/" : native.nsp;
  delete native.nsp;
  if (typeof nsp !== "string") throw invalid(`the namespace must be a string, got ${typeof nsp}`);
  return { url, nsp, native };
}

module.exports = { invalid, checkOption, offlineOptions, parseArguments };
