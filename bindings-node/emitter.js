"use strict";
// The public API: the surface of @socket.io/redis-emitter 5.1.0 (same names, same immutable
// operators, same synchronous errors), over the native NativeEmitter. What stays in
// JavaScript is what only JavaScript can do: the `volatile` getter, varargs, recognising
// the old constructor, and JSON.stringify for serverSideEmit (the official emitter sends
// exactly that text). Values are converted and checked natively, synchronously.

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
  "NO_SUBSCRIBERS",
  "QUEUE_FULL",
  "FLUSH",
]);

// Lets `of()` and the operators build objects sharing one connection without going through
// the public constructor's argument handling.
const INTERNAL = Symbol("socketio-emitter internal");

const { invalid, checkOption, parseArguments } = require("./options.js");

function checkRoom(room) {
  if (typeof room === "string" || Number.isSafeInteger(room)) return room;
  throw invalid(
    `a room must be a string or an integer, got ${typeof room === "number" ? room : typeof room}`,
  );
}

/** `room` (one or an array) added to an insertion-ordered set, like the official Set. */
function withRooms(rooms, room) {
  const set = new Set(rooms);
  if (Array.isArray(room)) room.forEach((r) => set.add(checkRoom(r)));
  else set.add(checkRoom(room));
  return [...set];
}

/** The rooms of socketsJoin/socketsLeave: as given, not deduplicated. */
function roomList(rooms) {
  return (Array.isArray(rooms) ? rooms : [rooms]).map(checkRoom);
}

function checkEvent(ev) {
  if (typeof ev !== "string") throw invalid(`the event name must be a string, got ${typeof ev}`);
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

const NONE = Object.freeze([]);

class BroadcastOperator {
  #native;
  #nsp;
  #rooms;
  #except;
  #flags;
  #flagString;

  constructor(internal, native, nsp, rooms = NONE, except = NONE, flags = {}) {
    if (internal !== INTERNAL) {
      throw invalid("BroadcastOperator is created by emitter.to(), .in(), .except(), .volatile and .compress()");
    }
    this.#native = native;
    this.#nsp = nsp;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = Object.freeze(flags);
    this.#flagString = flagString(flags);
  }

  #with(rooms, except, flags) {
    return new BroadcastOperator(INTERNAL, this.#native, this.#nsp, rooms, except, flags);
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
    checkEvent(ev);
    return this.#native.emit(this.#nsp, this.#rooms, this.#except, this.#flagString, ev, args);
  }

  /** Makes the matching sockets join `rooms`. */
  socketsJoin(rooms) {
    return this.#native.socketsJoin(this.#nsp, this.#rooms, this.#except, roomList(rooms));
  }

  /** Makes the matching sockets leave `rooms`. */
  socketsLeave(rooms) {
    return this.#native.socketsLeave(this.#nsp, this.#rooms, this.#except, roomList(rooms));
  }

  /** Disconnects the matching sockets; `close` also closes their underlying connection. */
  disconnectSockets(close = false) {
    return this.#native.disconnectSockets(this.#nsp, this.#rooms, this.#except, Boolean(close));
  }

  /** What emit() would publish, without publishing it: `{ channel, payload }`. */
  encodeEmit(ev, ...args) {
    checkEvent(ev);
    return this.#native.encodeEmit(this.#nsp, this.#rooms, this.#except, this.#flagString, ev, args);
  }

  encodeSocketsJoin(rooms) {
    return this.#native.encodeSocketsJoin(this.#nsp, this.#rooms, this.#except, roomList(rooms));
  }

  encodeSocketsLeave(rooms) {
    return this.#native.encodeSocketsLeave(this.#nsp, this.#rooms, this.#except, roomList(rooms));
  }

  encodeDisconnectSockets(close = false) {
    return this.#native.encodeDisconnectSockets(this.#nsp, this.#rooms, this.#except, Boolean(close));
  }
}

/** JSON.stringify semantics, as the official serverSideEmit: [event, args]. */
function serverSideArgs(args) {
  if (typeof args[args.length - 1] === "function") {
    throw invalid("Acknowledgements are not supported");
  }
  const data = JSON.parse(JSON.stringify(args));
  checkEvent(data[0]);
  return data;
}

class Emitter {
  #native;
  #nsp;

  /**
   * new Emitter(url, opts?, nsp?) or new Emitter({ url, ...opts }). Does not wait for Redis:
   * the connection opens with the first operation (or `await Emitter.connect(...)`).
   */
  constructor(urlOrOptions, opts, nsp) {
    if (urlOrOptions === INTERNAL) {
      this.#native = opts;
      this.#nsp = nsp;
      return;
    }
    const parsed = parseArguments(urlOrOptions, opts, nsp);
    this.#native = new NativeEmitter(parsed.url, parsed.native);
    this.#nsp = parsed.nsp;
  }

  /** Creates an emitter and waits until its Redis connection is open. */
  static async connect(urlOrOptions, opts, nsp) {
    const emitter = new Emitter(urlOrOptions, opts, nsp);
    await emitter.#native.ready();
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
    return new Emitter(INTERNAL, NativeEmitter.offline(key), nsp);
  }

  /** The namespace this emitter addresses. */
  get nsp() {
    return this.#nsp;
  }

  #operator() {
    return new BroadcastOperator(INTERNAL, this.#native, this.#nsp);
  }

  /** An emitter for another namespace (a leading "/" is added when missing). */
  of(nsp) {
    if (typeof nsp !== "string") throw invalid(`the namespace must be a string, got ${typeof nsp}`);
    return new Emitter(INTERNAL, this.#native, (nsp[0] !== "/" ? "/" : "") + nsp);
  }

  emit(ev, ...args) {
    checkEvent(ev);
    return this.#native.emit(this.#nsp, NONE, NONE, "", ev, args);
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

  /**
   * Sends an event to the Socket.IO servers themselves (their `serverSideEmit` listeners).
   * The arguments travel as JSON, exactly as JSON.stringify writes them.
   */
  serverSideEmit(...args) {
    const data = serverSideArgs(args);
    return this.#native.serverSideEmit(this.#nsp, data[0], data.slice(1));
  }

  encodeEmit(ev, ...args) {
    return this.#operator().encodeEmit(ev, ...args);
  }

  encodeServerSideEmit(...args) {
    const data = serverSideArgs(args);
    return this.#native.encodeServerSideEmit(this.#nsp, data[0], data.slice(1));
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
   * Waits for the operations already started, then closes the connection (shared by every
   * emitter made from this one with of()/to()/...). Later operations reject with CLOSED;
   * closing again does nothing.
   */
  async close() {
    await this.#native.close();
  }
}

module.exports = { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES };
