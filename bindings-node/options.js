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
  // The values ("classic"/"sharded", "static"/"dynamic"/"dynamic-private") are checked
  // natively by the core, whose error names the accepted ones.
  adapter: ["adapter", "string"],
  subscription_mode: ["subscriptionMode", "string"],
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

function checkOption(name, kind, value) {
  switch (kind) {
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
    case "boolean":
      if (typeof value === "boolean") return value;
      break;
  }
  const wanted = {
    string: "a string",
    pem: "a PEM string or Buffer",
    ms: "a number of milliseconds",
    count: "a non-negative integer",
    boolean: "a boolean",
  }[kind];
  const got = typeof value === "number" && (kind === "count" || kind === "ms") ? value : typeof value;
  throw invalid(`option ${name} must be ${wanted}, got ${got}`);
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
  if (typeof url !== "string") throw invalid("the `url` option (a redis:// or rediss:// URL) is required");
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

module.exports = { invalid, checkOption, parseArguments };
