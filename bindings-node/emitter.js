"use strict";
// The public API: the surface of @socket.io/redis-emitter 5.1.0 (same names, same immutable
// operators, same synchronous errors), over the native NativeEmitter. What stays in
// JavaScript is what only JavaScript can do: the `volatile` getter, varargs, recognising
// the old constructor, JSON.stringify for serverSideEmit (the official emitter sends exactly
// that text), and noticing promises nobody waits for. Values are converted and checked
// natively, synchronously.

const { EventEmitter } = require("node:events");
const { NativeEmitter } = require("./native.js");

/** Event names `emit` refuses (the official list and message). */
const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

/** Every `error.code` this package produces (the core's stable codes). */
const ERROR_CODES = Object.freeze([
  "INVALID_ARGUMENT",
  "RESERVED_EVENT",
  "ENCODE",
  "CONNECTION",
  "REDIS",
  "TIMEOUT",
  "CLOSED",
  "UNSUPPORTED",
  "NO_SUBSCRIBERS",
  "QUEUE_FULL",
  "FLUSH",
  "INTERNAL",
  "DETECTION_FAILED",
]);

/** The core's nesting limit (`encode::MAX_DEPTH`): containers inside one argument. */
const MAX_DEPTH = 512;

// Lets `of()` and the operators build objects sharing one connection without going through
// the public constructor's argument handling.
const INTERNAL = Symbol("socketio-emitter internal");

const { invalid, checkOption, offlineOptions, parseArguments } = require("./options.js");

function checkRoom(room) {
  if (typeof room === "string" || Number.isSafeInteger(room)) return room;
  throw invalid(
    `a room must be a string or an integer, got ${typeof room === "number" ? room : typeof room}`,
  );
}

/**
 * The rooms of an array, checked. Read index by index (a hole is `undefined`, refused), so
 * that a sparse array claiming 2^32 - 1 elements is refused at its first hole instead of
 * being walked.
 */
function checkedRooms(rooms) {
  const out = [];
  for (let i = 0; i < rooms.length; i++) out.push(checkRoom(rooms[i]));
  return out;
}

/** `room` (one or an array) added to an insertion-ordered set, like the official Set. */
function withRooms(rooms, room) {
  const set = new Set(rooms);
  if (Array.isArray(room)) for (const r of checkedRooms(room)) set.add(r);
  else set.add(checkRoom(room));
  return [...set];
}

/** The rooms of socketsJoin/socketsLeave: as given, not deduplicated. */
function roomList(rooms) {
  return Array.isArray(rooms) ? checkedRooms(rooms) : [checkRoom(rooms)];
}

function checkEvent(ev) {
  if (typeof ev !== "string") throw invalid(`the event name must be a string, got ${typeof ev}`);
}

/**
 * Sending an empty event name is refused (no client code listens for ""; it is a bug in the
 * caller's code). The encode* methods still encode it as the official emitter does (golden
 * vector event_name_empty), like the C binding.
 */
function checkSentEvent(ev) {
  checkEvent(ev);
  if (ev === "") throw invalid("the event name must not be empty");
}

/** Flags in first-set order: `v` volatile, `C`/`c` compress on/off. */
function flagString(flags) {
  let out = "";
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    out += name === "volatile" ? "v" : value ? "C" : "c";
  }
  return out;
}

/** `{ timeout }` or a number of milliseconds, for flush() and close(); undefined: no limit. */
function timeoutOf(options, method) {
  let timeout = options;
  if (options !== null && typeof options === "object" && !Array.isArray(options)) {
    ({ timeout } = options);
  }
  if (timeout === undefined || typeof timeout === "number") return timeout; // range: native
  throw invalid(`${method}() takes { timeout } in milliseconds (or a number), got ${typeof timeout}`);
}

// ---------------------------------------------------------------------------------------
// Asking the cluster: the native side answers with the core result's JSON text.

/** How long a question waits for answers unless told (ms): a server's own requestsTimeout. */
const DEFAULT_ASK_TIMEOUT = 5000;

/** The longest a question may wait (ms): the native side's bound on every duration. */
const MAX_ASK_TIMEOUT = 86_400_000;

/** Checked here, not only natively, so that timeout(-1) throws where it is written. */
function askTimeout(timeout, method) {
  if (typeof timeout !== "number") {
    throw invalid(`${method}() takes a timeout in milliseconds, got ${typeof timeout}`);
  }
  if (!(timeout > 0 && timeout <= MAX_ASK_TIMEOUT)) {
    throw invalid(`${method}() takes a timeout of more than 0 and at most ${MAX_ASK_TIMEOUT} ms, got ${timeout}`);
  }
  return timeout;
}

/** `{ timeout }`, a number of ms, or nothing (the operator's timeout). */
function askOptions(options, fallback, method) {
  if (options === undefined) return fallback;
  if (options !== null && typeof options === "object" && !Array.isArray(options)) {
    return options.timeout === undefined ? fallback : askTimeout(options.timeout, method);
  }
  return askTimeout(options, method);
}

const ANSWERS = {
  serverCount: (n) => n,
  fetchSockets: (a) => ({
    sockets: a.sockets.map((s) => ({ id: s.id, rooms: new Set(s.rooms), data: s.data, handshake: s.handshake })),
    serversAnswered: a.servers_answered,
    serversMissing: a.servers_missing,
    complete: a.complete,
  }),
  allRooms: (a) => ({
    rooms: new Set(a.rooms),
    serversAnswered: a.servers_answered,
    serversMissing: a.servers_missing,
    complete: a.complete,
  }),
  serverSideEmitWithAck: (a) => ({
    responses: a.responses,
    serversAnswered: a.servers_answered,
    serversMissing: a.servers_missing,
    complete: a.complete,
  }),
  emitWithAck: (a) => ({
    responses: a.responses,
    clientsTargeted: a.clients_targeted,
    clientsMissing: a.clients_missing,
    serversMissing: a.servers_missing,
    complete: a.complete,
  }),
};

/** One question to the cluster, resolved to plain objects (camelCase, rooms as Sets). */
function ask(conn, kind, nsp, rooms, except, flags, ev, args, timeout) {
  const answer = conn.native.ask(kind, nsp, rooms, except, flags, ev, args, timeout);
  return promiseThen.call(answer, (text) => ANSWERS[kind](JSON.parse(text)));
}

// ---------------------------------------------------------------------------------------
// Promises nobody waits for.
//
// Code written for the official emitter never looks at what emit() returns. A rejection
// nobody handles would stop Node (unhandled rejection), so every operation's promise is
// marked handled here, and its failure is reported when nothing was waiting for it: to the
// emitter's "error" listeners, or else as one process warning per event-loop turn. Whoever
// awaits the promise (or calls then/catch/finally, or passes it to Promise.all) still gets the
// rejection, and then no report is made. What these operations did is counted for flush()
// and close(), like the other bindings' queued operations.

const OBSERVED = Symbol("socketio-emitter observed");
const promiseThen = Promise.prototype.then;

/**
 * The class of the promises operations return: a native promise whose `then` notes that
 * someone is waiting. `await` and the Promise combinators go through `then` for a promise
 * of a subclass, so every way of waiting is seen. Derived promises are plain promises.
 */
class OperationPromise extends Promise {
  static get [Symbol.species]() {
    return Promise;
  }

  then(onFulfilled, onRejected) {
    this[OBSERVED] = true;
    return promiseThen.call(this, onFulfilled, onRejected);
  }
}

/** At most this many errors are kept on one warning (`warning.errors`); all are counted. */
const WARNING_ERRORS = 100;

/** At most this many failures are listed by one FLUSH error; `report.failed` counts all. */
const LISTED_FAILURES = 1000;

function emptyLedger() {
  return { sent: 0, receivers: 0, reachedNone: 0, failed: 0, failures: [] };
}

/** Resolves after the process.nextTick callbacks already scheduled. */
function afterTicks() {
  return new Promise((resolve) => process.nextTick(resolve));
}

/** What the emitters and operators made from one constructor share. */
class Connection {
  constructor(native) {
    this.native = native;
    this.key = native.key;
    this.maxPayloadBytes = native.maxPayloadBytes;
    /** The "error" listeners, made on first use. */
    this.events = undefined;
    /** Failures waiting for this turn's warning, and how many there were. */
    this.warnings = undefined;
    this.warned = 0;
    /** Operations started (their tickets), and what the un-awaited ones did since the last report. */
    this.seq = 0;
    this.ledger = emptyLedger();
  }

  /**
   * An operation's promise, marked handled; what it does is counted if nobody waits for it,
   * and its failure reported. `rooms` is the broadcast's rooms, or null for a request;
   * `serverSide` marks serverSideEmit.
   */
  track(promise, nsp, rooms, serverSide = false) {
    const ticket = ++this.seq;
    Object.setPrototypeOf(promise, OperationPromise.prototype);
    promiseThen.call(
      promise,
      (receivers) => {
        if (promise[OBSERVED]) return;
        const ledger = this.ledger;
        ledger.sent++;
        ledger.receivers += receivers;
        if (receivers === 0) ledger.reachedNone++;
      },
      (err) => {
        if (promise[OBSERVED]) return;
        // After the current microtasks: code that attaches its handler in the same turn (as
        // Node's own unhandled-rejection check allows) is not reported.
        process.nextTick(() => {
          if (!promise[OBSERVED]) this.unawaited(err, ticket, nsp, rooms, serverSide);
        });
      },
    );
    return promise;
  }

  /** flush()/close(): marked handled; an un-awaited FLUSH is not reported again. */
  trackCall(promise) {
    Object.setPrototypeOf(promise, OperationPromise.prototype);
    promiseThen.call(promise, undefined, (err) => {
      if (promise[OBSERVED] || (err && err.code === "FLUSH")) return;
      process.nextTick(() => {
        if (!promise[OBSERVED]) this.report(err);
      });
    });
    return promise;
  }

  unawaited(err, ticket, nsp, rooms, serverSide) {
    const ledger = this.ledger;
    ledger.failed++;
    if (ledger.failures.length < LISTED_FAILURES && err !== null && typeof err === "object") {
      err.ticket = ticket;
      if (err.channel === undefined) err.channel = this.channelOf(nsp, rooms, serverSide);
      ledger.failures.push(err);
    }
    this.report(err);
  }

  /**
   * The servers' adapter ("classic", "sharded" or "streams"): it decides how serverSideEmit
   * arguments travel. Read each time: with adapter "auto" it is known once connected.
   */
  get adapter() {
    return this.native.adapter;
  }

  /**
   * The channel an operation was for, as the core names it: the classic adapter's (the
   * sharded one's static mode differs only for one room), or for the streams adapter the
   * stream (0.3's serverSideEmit: its Pub/Sub side channel).
   */
  channelOf(nsp, rooms, serverSide) {
    if (this.adapter === "streams") {
      return serverSide && this.native.streamsVersion === "0.3" ? `${this.key}#${nsp}#` : this.native.streamKey(nsp);
    }
    return rooms === null
      ? `${this.key}-request#${nsp}#`
      : `${this.key}#${nsp}#${rooms.length === 1 ? `${rooms[0]}#` : ""}`;
  }

  /** The report of the un-awaited operations since the previous one, or a FLUSH error. */
  take() {
    const { sent, receivers, reachedNone, failed, failures } = this.ledger;
    this.ledger = emptyLedger();
    const report = { sent, receivers, reachedNone, failed };
    if (failed === 0) return report;
    // Operations settle in any order: list them in call order.
    failures.sort((a, b) => a.ticket - b.ticket);
    const first = failures[0];
    const err = new Error(
      `${failed} operation(s) nobody awaited failed` +
        (first ? `; first: ticket ${first.ticket} to ${first.channel}: ${first.message}` : ""),
    );
    err.code = "FLUSH";
    err.failures = failures;
    err.report = report;
    throw err;
  }

  report(err) {
    if (this.events !== undefined && this.events.listenerCount("error") > 0) {
      this.events.emit("error", err);
      return;
    }
    if (this.warnings === undefined) {
      this.warnings = [];
      this.warned = 0;
      setImmediate(() => this.warn());
    }
    if (this.warnings.length < WARNING_ERRORS) this.warnings.push(err);
    this.warned++;
  }

  /** One process warning for the failures gathered during this turn. */
  warn() {
    const errors = this.warnings;
    const count = this.warned;
    this.warnings = undefined;
    const first = errors[0];
    const what = count === 1 ? "an operation nobody awaited failed" : `${count} operations nobody awaited failed`;
    const warning = new Error(
      `socketio-emitter: ${what} (${first && first.code}: ${first && first.message}). ` +
        'Await or .catch() the promises, or listen with emitter.on("error", listener).',
    );
    warning.name = "SocketIOEmitterWarning";
    warning.code = first && first.code;
    warning.cause = first;
    warning.errors = errors;
    warning.count = count;
    process.emitWarning(warning);
  }

  listeners() {
    if (this.events === undefined) this.events = new EventEmitter();
    return this.events;
  }

  /** flush() and close(): wait natively, then let the last failures be counted, then report. */
  settle(promise) {
    return this.trackCall(
      promiseThen.call(promiseThen.call(promise, afterTicks), () => this.take()),
    );
  }
}

function checkListener(event, listener) {
  if (event !== "error") {
    throw invalid(`an emitter only emits "error" (failures of operations nobody awaited), got ${String(event)}`);
  }
  if (typeof listener !== "function") throw invalid(`the listener must be a function, got ${typeof listener}`);
}

// ---------------------------------------------------------------------------------------

const NONE = Object.freeze([]);

class BroadcastOperator {
  #conn;
  #nsp;
  #rooms;
  #except;
  #flags;
  #flagString;
  #timeout;

  constructor(internal, conn, nsp, rooms = NONE, except = NONE, flags = {}, timeout = DEFAULT_ASK_TIMEOUT) {
    if (internal !== INTERNAL) {
      throw invalid("BroadcastOperator is created by emitter.to(), .in(), .except(), .volatile and .compress()");
    }
    this.#conn = conn;
    this.#nsp = nsp;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = Object.freeze(flags);
    this.#flagString = flagString(flags);
    this.#timeout = timeout;
  }

  #with(rooms, except, flags, timeout = this.#timeout) {
    return new BroadcastOperator(INTERNAL, this.#conn, this.#nsp, rooms, except, flags, timeout);
  }

  /**
   * How long the questions asked through this operator (fetchSockets, emitWithAck, ...)
   * wait for the servers' and clients' answers, in ms (default 5000).
   */
  timeout(ms) {
    return this.#with(this.#rooms, this.#except, this.#flags, askTimeout(ms, "timeout"));
  }

  #ask(kind, ev = "", args = NONE, options = undefined) {
    const timeout = askOptions(options, this.#timeout, kind);
    return ask(this.#conn, kind, this.#nsp, this.#rooms, this.#except, this.#flagString, ev, args, timeout);
  }

  /**
   * The matching sockets of every server: resolves to `{ sockets: [{ id, rooms (a Set),
   * data, handshake }], serversAnswered, serversMissing, complete }`. Waits at most the
   * timeout (`{ timeout }` ms, or the operator's); servers that did not answer are counted
   * in `serversMissing`, and `complete` is false.
   */
  fetchSockets(options) {
    return this.#ask("fetchSockets", "", NONE, options);
  }

  /**
   * Emits to the matching clients, each asked to acknowledge: resolves to `{ responses,
   * clientsTargeted, clientsMissing, serversMissing, complete }` once every targeted client
   * answered, or when the timeout (`timeout(ms)`, default 5000) ends.
   */
  emitWithAck(ev, ...args) {
    checkSentEvent(ev);
    return this.#ask("emitWithAck", ev, args);
  }

  /** The servers' serverSideEmit handlers' acknowledgements (see Emitter#serverSideEmitWithAck). */
  serverSideEmitWithAck(ev, ...args) {
    checkSentEvent(ev);
    return ask(this.#conn, "serverSideEmitWithAck", this.#nsp, NONE, NONE, "", ev, args, this.#timeout);
  }

  /** Every room of the namespace (see Emitter#allRooms). */
  allRooms(options) {
    return ask(this.#conn, "allRooms", this.#nsp, NONE, NONE, "", "", NONE, askOptions(options, this.#timeout, "allRooms"));
  }

  /** Targets a room, or several (sockets in any of them receive the event once). */
  to(room) {
    return this.#with(withRooms(this.#rooms, room), this.#except, this.#flags);
  }

  in(room) {
    return this.to(room);
  }

  /** Excludes the sockets in a room, or in any of several. */
  except(room) {
    return this.#with(this.#rooms, withRooms(this.#except, room), this.#flags);
  }

  /** Sets the compress flag. */
  compress(compress) {
    return this.#with(this.#rooms, this.#except, { ...this.#flags, compress });
  }

  /** The event may be lost if a client is not ready to receive it. */
  get volatile() {
    return this.#with(this.#rooms, this.#except, { ...this.#flags, volatile: true });
  }

  /**
   * Emits to the targeted clients. Throws synchronously for a reserved name or a value that
   * cannot be encoded; resolves to the number of Socket.IO servers that received it.
   */
  emit(ev, ...args) {
    checkSentEvent(ev);
    const conn = this.#conn;
    const nsp = this.#nsp;
    const rooms = this.#rooms;
    return conn.track(conn.native.emit(nsp, rooms, this.#except, this.#flagString, ev, args), nsp, rooms);
  }

  /** Makes the matching sockets join `rooms`. */
  socketsJoin(rooms) {
    const conn = this.#conn;
    return conn.track(conn.native.socketsJoin(this.#nsp, this.#rooms, this.#except, this.#flagString, roomList(rooms)), this.#nsp, null);
  }

  /** Makes the matching sockets leave `rooms`. */
  socketsLeave(rooms) {
    const conn = this.#conn;
    return conn.track(conn.native.socketsLeave(this.#nsp, this.#rooms, this.#except, this.#flagString, roomList(rooms)), this.#nsp, null);
  }

  /** Disconnects the matching sockets; `close` also closes their underlying connection. */
  disconnectSockets(close = false) {
    const conn = this.#conn;
    return conn.track(
      conn.native.disconnectSockets(this.#nsp, this.#rooms, this.#except, this.#flagString, Boolean(close)),
      this.#nsp,
      null,
    );
  }

  /** What emit() would send, without sending it: `{ command, channel, payload, args }`. */
  encodeEmit(ev, ...args) {
    checkEvent(ev);
    return this.#conn.native.encodeEmit(this.#nsp, this.#rooms, this.#except, this.#flagString, ev, args);
  }

  encodeSocketsJoin(rooms) {
    return this.#conn.native.encodeSocketsJoin(this.#nsp, this.#rooms, this.#except, this.#flagString, roomList(rooms));
  }

  encodeSocketsLeave(rooms) {
    return this.#conn.native.encodeSocketsLeave(this.#nsp, this.#rooms, this.#except, this.#flagString, roomList(rooms));
  }

  encodeDisconnectSockets(close = false) {
    return this.#conn.native.encodeDisconnectSockets(this.#nsp, this.#rooms, this.#except, this.#flagString, Boolean(close));
  }
}

// ---------------------------------------------------------------------------------------
// serverSideEmit: JSON.stringify semantics, refusing with typed errors.

/** V8's message for a BigInt, kept so code written against the official emitter matches. */
const BIGINT_JSON = "Do not know how to serialize a BigInt";

/** Paths longer than this many segments keep their first and last ones (as natively). */
const LONG_PATH = 16;
const SHOWN_HEAD = 8;
const SHOWN_TAIL = 4;

function encodeError(path, reason, message = `${path}: ${reason}`) {
  // A TypeError, as JSON.stringify throws in the official emitter.
  const err = new TypeError(message);
  err.code = "ENCODE";
  err.path = path;
  err.reason = reason;
  return err;
}

function isBoxedBigInt(value) {
  return Object.prototype.toString.call(value) === "[object BigInt]";
}

/**
 * `JSON.stringify(data)` (data = [event, ...args]), as the official serverSideEmit sends it,
 * except that what it would throw a plain TypeError or RangeError for is refused with ENCODE
 * and the path of the value: a BigInt, a cycle, nesting deeper than the core's limit. The
 * size is bounded too: a lower bound of the text's length is counted as it is written, and
 * an array whose length alone cannot fit is refused before it is walked.
 */
function serverSideJson(data, limit) {
  // The objects being written, outermost first: JSON.stringify's wrapper, `data`, then the
  // containers down to the current one; keys[i] is the key of holders[i] in holders[i - 1].
  const holders = [];
  const keys = [];
  const open = new Set();
  let bytes = 0;

  function pathTo(key) {
    const segments = [];
    for (let i = 2; i <= holders.length; i++) {
      const holder = holders[i - 1];
      const k = i < holders.length ? keys[i] : key;
      if (holder === data) segments.push(`[${Number(k) - 1}]`);
      else if (Array.isArray(holder)) segments.push(`[${k}]`);
      else segments.push(`['${k.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`);
    }
    if (segments.length > LONG_PATH) {
      const hidden = segments.length - SHOWN_HEAD - SHOWN_TAIL;
      segments.splice(SHOWN_HEAD, hidden, `…(${hidden} more)…`);
    }
    return `args${segments.join("")}`;
  }

  function tooBig(key, what) {
    return encodeError(pathTo(key), `${what} more than max_payload_bytes (${limit} bytes) once encoded`);
  }

  function replacer(key, value) {
    if (holders.length === 0) {
      holders.push(this);
      keys.push("");
    } else {
      // `this` is the object being written: whatever is above it is finished.
      while (holders.length > 1 && holders[holders.length - 1] !== this) {
        open.delete(holders.pop());
        keys.pop();
      }
    }
    const member = holders.length > 1 && !Array.isArray(this);
    switch (typeof value) {
      case "string":
        bytes += value.length + 2;
        break;
      case "number":
        bytes += 1;
        break;
      case "boolean":
        bytes += 4;
        break;
      case "bigint":
        throw encodeError(pathTo(key), BIGINT_JSON, BIGINT_JSON);
      case "object": {
        if (value === null) {
          bytes += 4;
          break;
        }
        if (open.has(value)) {
          const path = pathTo(key);
          throw encodeError(path, "a cycle: the value contains itself", `Converting circular structure to JSON: ${path} contains itself`);
        }
        if (holders.length - 1 > MAX_DEPTH) {
          throw encodeError(pathTo(key), `nested deeper than ${MAX_DEPTH} levels`);
        }
        if (Array.isArray(value)) {
          // "[", the elements (one character at least) and the commas, "]".
          if (2 * value.length + 1 > limit - bytes) throw tooBig(key, `${value.length} elements take`);
          bytes += value.length + 1;
        } else {
          if (isBoxedBigInt(value)) throw encodeError(pathTo(key), BIGINT_JSON, BIGINT_JSON);
          bytes += 1;
        }
        holders.push(value);
        keys.push(key);
        open.add(value);
        break;
      }
      default:
        // undefined, functions and symbols: left out of objects, null in arrays.
        if (!member && holders.length > 1) bytes += 4;
        return value;
    }
    if (member) bytes += key.length + 3;
    if (bytes > limit) throw tooBig(key, "the arguments take");
    return value;
  }

  const text = JSON.stringify(data, replacer);
  const size = Buffer.byteLength(text);
  if (size > limit) {
    throw encodeError("args", `the arguments take ${size} bytes as JSON, more than max_payload_bytes (${limit})`);
  }
  return text;
}

/**
 * [event, ...args] as the servers' adapter sends them: for the classic adapter JSON values,
 * as the official serverSideEmit sends them; for the sharded and streams adapters (both
 * socket.io-adapter's ClusterAdapter messages) the values themselves,
 * converted natively like emit's, since its servers keep binary (msgpack) and write JSON
 * otherwise.
 */
function serverSideArgs(conn, args) {
  checkEvent(args[0]);
  if (typeof args[args.length - 1] === "function") {
    throw invalid("Acknowledgements are not supported");
  }
  return conn.adapter === "classic" ? JSON.parse(serverSideJson(args, conn.maxPayloadBytes)) : args;
}

// ---------------------------------------------------------------------------------------

class Emitter {
  #conn;
  #nsp;

  /**
   * new Emitter(url, opts?, nsp?) or new Emitter({ url, ...opts }). Does not wait for Redis:
   * the connection opens with the first operation (or `await Emitter.connect(...)`).
   */
  constructor(urlOrOptions, opts, nsp) {
    if (urlOrOptions === INTERNAL) {
      this.#conn = opts;
      this.#nsp = nsp;
      return;
    }
    const parsed = parseArguments(urlOrOptions, opts, nsp);
    this.#conn = new Connection(new NativeEmitter(parsed.url, parsed.native));
    this.#nsp = parsed.nsp;
  }

  /** Creates an emitter and waits until its Redis connection is open. */
  static async connect(urlOrOptions, opts, nsp) {
    const emitter = new Emitter(urlOrOptions, opts, nsp);
    await emitter.#conn.native.ready();
    return emitter;
  }

  /**
   * An emitter that never connects: the encode* methods tell what would be published
   * (for tests, or to publish with a Redis client of your own); operations reject with CLOSED.
   */
  static offline(options = {}) {
    const { key = "socket.io", nsp = "/" } = options;
    checkOption("key", "string", key);
    checkOption("nsp", "string", nsp);
    const native = { key, ...offlineOptions(options) };
    return new Emitter(INTERNAL, new Connection(NativeEmitter.offline(native)), nsp);
  }

  /** The namespace this emitter addresses. */
  get nsp() {
    return this.#nsp;
  }

  #operator() {
    return new BroadcastOperator(INTERNAL, this.#conn, this.#nsp);
  }

  /** An emitter for another namespace (a leading "/" is added when missing). */
  of(nsp) {
    if (typeof nsp !== "string") throw invalid(`the namespace must be a string, got ${typeof nsp}`);
    return new Emitter(INTERNAL, this.#conn, (nsp[0] !== "/" ? "/" : "") + nsp);
  }

  emit(ev, ...args) {
    checkSentEvent(ev);
    const conn = this.#conn;
    return conn.track(conn.native.emit(this.#nsp, NONE, NONE, "", ev, args), this.#nsp, NONE);
  }

  to(room) {
    return this.#operator().to(room);
  }

  in(room) {
    return this.#operator().in(room);
  }

  except(room) {
    return this.#operator().except(room);
  }

  get volatile() {
    return this.#operator().volatile;
  }

  compress(compress) {
    return this.#operator().compress(compress);
  }

  socketsJoin(rooms) {
    return this.#operator().socketsJoin(rooms);
  }

  socketsLeave(rooms) {
    return this.#operator().socketsLeave(rooms);
  }

  disconnectSockets(close = false) {
    return this.#operator().disconnectSockets(close);
  }

  /** An operator whose questions wait at most `ms` for their answers (default 5000). */
  timeout(ms) {
    return this.#operator().timeout(ms);
  }

  /**
   * How many Socket.IO servers serve this namespace, as Redis counts their subscriptions
   * (nothing is published).
   */
  serverCount() {
    return ask(this.#conn, "serverCount", this.#nsp, NONE, NONE, "", "", NONE, 0);
  }

  /** The sockets of the namespace on every server; see BroadcastOperator#fetchSockets. */
  fetchSockets(options) {
    return this.#operator().fetchSockets(options);
  }

  /**
   * Every room of the namespace on every server (classic adapter only): resolves to
   * `{ rooms (a Set), serversAnswered, serversMissing, complete }`.
   */
  allRooms(options) {
    return this.#operator().allRooms(options);
  }

  /**
   * serverSideEmit, collecting what each server's handler acknowledges: resolves to
   * `{ responses, serversAnswered, serversMissing, complete }` once every server answered
   * or the timeout (`timeout(ms)`, default 5000) ended.
   */
  serverSideEmitWithAck(ev, ...args) {
    return this.#operator().serverSideEmitWithAck(ev, ...args);
  }

  /** emitWithAck to every client of the namespace; see BroadcastOperator#emitWithAck. */
  emitWithAck(ev, ...args) {
    return this.#operator().emitWithAck(ev, ...args);
  }

  /**
   * Sends an event to the Socket.IO servers themselves (their `serverSideEmit` listeners).
   * For the classic adapter the arguments travel as JSON, exactly as JSON.stringify writes
   * them; for the sharded and streams adapters as their servers send them (msgpack when they
   * hold binary).
   */
  serverSideEmit(...args) {
    checkSentEvent(args[0]);
    const conn = this.#conn;
    const data = serverSideArgs(conn, args);
    return conn.track(conn.native.serverSideEmit(this.#nsp, data[0], data.slice(1)), this.#nsp, null, true);
  }

  encodeEmit(ev, ...args) {
    return this.#operator().encodeEmit(ev, ...args);
  }

  encodeServerSideEmit(...args) {
    const conn = this.#conn;
    const data = serverSideArgs(conn, args);
    return conn.native.encodeServerSideEmit(this.#nsp, data[0], data.slice(1));
  }

  encodeSocketsJoin(rooms) {
    return this.#operator().encodeSocketsJoin(rooms);
  }

  encodeSocketsLeave(rooms) {
    return this.#operator().encodeSocketsLeave(rooms);
  }

  encodeDisconnectSockets(close = false) {
    return this.#operator().encodeDisconnectSockets(close);
  }

  /**
   * Listens for the failures of operations whose promise nobody waited for (the only event:
   * "error"). Shared by every emitter and operator made from the same constructor call.
   * Without a listener, such failures are process warnings.
   */
  on(event, listener) {
    checkListener(event, listener);
    this.#conn.listeners().on(event, listener);
    return this;
  }

  once(event, listener) {
    checkListener(event, listener);
    this.#conn.listeners().once(event, listener);
    return this;
  }

  off(event, listener) {
    checkListener(event, listener);
    this.#conn.listeners().off(event, listener);
    return this;
  }

  removeListener(event, listener) {
    return this.off(event, listener);
  }

  /**
   * Waits until every operation started before it has finished, then reports what the
   * operations whose promises nobody awaited did since the previous flush() or close():
   * resolves to `{ sent, receivers, reachedNone, failed }`, or rejects with FLUSH (its
   * `failures` and `report`) when some of them failed. Awaited operations are their
   * caller's and are not counted. `{ timeout }` (ms) stops waiting with TIMEOUT; the next
   * flush reports what this one did not.
   */
  flush(options) {
    const conn = this.#conn;
    return conn.settle(conn.native.flush(timeoutOf(options, "flush")));
  }

  /**
   * Waits for the operations already started, then closes the connection (shared by every
   * emitter made from this one with of()/to()/...), and reports like flush(). `{ timeout }`
   * (ms) bounds the wait: what is not finished by then fails with TIMEOUT. The emitter is
   * closed even when it rejects. Later operations reject with CLOSED; closing again does
   * nothing.
   */
  close(options) {
    const conn = this.#conn;
    return conn.settle(conn.native.close(timeoutOf(options, "close")));
  }
}

module.exports = { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES };
