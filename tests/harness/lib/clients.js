"use strict";
// Recording socket.io-client clients: 4.8.1, or 3.1.3 / 2.5.0 for the older server stacks
// (`--stack`). Their differences are kept here: how rooms travel (`auth` from 3.x on, a JSON
// query parameter in 2.x), how every event is seen (`onAny` from 3.x on, a wrapped `onevent` in
// 2.x), and which id is the socket's (2.x clients do not know their server-side id on a
// namespace other than "/", so the server's own is used).

const JOINED_EVENT = "__harness_joined";
const FLUSH_EVENT = "__harness_flush";
/** A stream entry ID, as a streams server appends it to live and replayed events (CSR). */
const OFFSET = /^[0-9]+-[0-9]+$/;

class Clients {
  /**
   * @param io       socket.io-client's `io` function
   * @param major    that client's major version (2, 3 or 4)
   * @param encode   tagged-JSON encoder
   * @param out      writes one JSON line on stdout
   * @param offsets  the servers append CSR offsets to events (streams adapter): report them apart
   */
  constructor({ io, major = 4, encode, out, offsets = false }) {
    this.io = io;
    this.major = major;
    this.encode = encode;
    this.out = out;
    this.offsets = offsets;
    this.byName = new Map();
    this.flushWaiters = new Set(); // {token, pending:Set<name>, check()}
    this.quiet = false; // set during shutdown: no more lines
  }

  /**
   * Connects a client; resolves with its sid once the server has joined its rooms.
   * With `share`, the new socket uses the connection (Manager) of that client instead of a new one.
   * With `recovery`, the client stays known after a disconnect, for `reconnect` (see `drop`).
   * `data` travels in the handshake (auth.data; the server copies it into socket.data); with
   * `ack`, the client acknowledges every event that asks for it with that value.
   */
  connect(opts) {
    const { name, port, nsp, rooms, data, ack, timeoutMs, share, recovery = false } = opts;
    let { server } = opts;
    const existing = this.byName.get(name);
    if (existing && existing.connected) {
      return Promise.reject(new Error(`client ${JSON.stringify(name)} is already connected`));
    }
    if (existing && existing.recovery) {
      return Promise.reject(
        new Error(
          `client ${JSON.stringify(name)} is disconnected but kept for client_reconnect; close_client it first`,
        ),
      );
    }
    if (recovery && share !== undefined) {
      return Promise.reject(new Error("a recovery client has its own connection (no share)"));
    }
    let socket;
    if (share !== undefined) {
      const other = this.byName.get(share);
      if (!other || !other.connected) {
        return Promise.reject(new Error(`share: no connected client ${JSON.stringify(share)}`));
      }
      if (other.recovery) {
        return Promise.reject(new Error(`share: ${share} is a recovery client (its connection is its own)`));
      }
      if (server !== undefined && server !== other.server) {
        return Promise.reject(new Error(`share: ${share} is connected to server ${other.server}`));
      }
      const manager = other.socket.io;
      if (manager.nsps[nsp]) {
        return Promise.reject(new Error(`share: ${share}'s connection already has a socket on ${nsp}`));
      }
      server = other.server;
      socket = manager.socket(nsp, this.#handshakeOption(rooms, data));
    } else {
      socket = this.io(`http://127.0.0.1:${port}${nsp}`, {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        timeout: timeoutMs,
        ...this.#handshakeOption(rooms, data),
      });
      if (this.major < 4) catchParseErrors(socket.io);
    }
    const client = { name, server, socket, nsp, connected: false, sid: null, recovery, joined: null };
    client.ack = ack; // the value this client acknowledges events with (undefined: none)
    this.byName.set(name, client);

    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err, value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          socket.removeAllListeners();
          if (socket.offAny) socket.offAny();
          socket.disconnect();
          if (this.byName.get(name) === client) this.byName.delete(name);
          reject(err);
        } else {
          resolve(value);
        }
      };
      const timer = setTimeout(
        () => settle(new Error(`client ${name}: not joined within ${timeoutMs} ms`)),
        timeoutMs,
      );

      // The server's join marker, on the first connection and on every client_reconnect.
      client.joined = () => settle(null, { sid: client.sid });
      this.#onAny(socket, (event, ...args) => {
        if (event === JOINED_EVENT) {
          client.connected = true;
          // 2.x: socket.id is the Engine.IO id, the server's is "<nsp>#<that id>" off "/".
          client.sid = this.major === 2 && args[0] && args[0].sid ? args[0].sid : socket.id;
          if (client.joined) client.joined();
          return;
        }
        if (event === FLUSH_EVENT) {
          this.#flushSeen(name, args[0]);
          return;
        }
        if (this.quiet) return;
        const line = { type: "event", client: name, event, args: [] };
        const last = args[args.length - 1];
        if (typeof last === "function") {
          // The packet carried an ack id: a broadcast with acknowledgements. A client made with
          // `ack` answers with that value; the others leave it unanswered.
          const callback = args.pop();
          line.ack = true;
          if (client.ack !== undefined) {
            callback(client.ack);
            line.acked = true;
          }
        } else if (this.offsets && socket._pid && typeof last === "string" && OFFSET.test(last)) {
          // Appended by the server (connection state recovery), not sent by the emitter.
          line.offset = args.pop();
        }
        line.args = this.encode(args);
        this.out(line);
      });
      socket.on("connect_error", (err) => {
        if (client.connectError) client.connectError(err);
        settle(new Error(`client ${name}: connect_error: ${err && err.message ? err.message : err}`));
      });
      if (this.major === 2) {
        // 2.x refuses a namespace with an "error" event ("Invalid namespace"), not connect_error.
        socket.on("error", (err) => {
          settle(new Error(`client ${name}: error: ${err && err.message ? err.message : err}`));
        });
      }
      socket.on("disconnect", (reason) => {
        const wasJoined = client.connected;
        client.connected = false;
        if (client.dropped) client.dropped(reason);
        if (client.connectError) client.connectError(new Error(`disconnected (${reason})`));
        if (!settled) {
          settle(new Error(`client ${name}: disconnected before joining (${reason})`));
          return;
        }
        if (wasJoined && !this.quiet) this.out({ type: "disconnect", client: name, reason });
        this.#flushGone(name);
      });
    });
  }

  /**
   * Cuts a recovery client's transport as a network loss would: the WebSocket is terminated (its
   * TCP connection destroyed, no close frame), so the server sees "transport close", a
   * recoverable reason. The client does not reconnect by itself (reconnection is off). Resolves
   * with {sid, pid, offset} once the client has seen its own disconnect.
   */
  async drop(name, timeoutMs) {
    const client = this.byName.get(name);
    if (!client) throw new Error(`unknown client ${JSON.stringify(name)}`);
    if (!client.recovery) throw new Error(`client ${name} was not made with "recovery":true`);
    if (!client.connected) throw new Error(`client ${name} is not connected`);
    const { socket } = client;
    const found = { sid: socket.id, pid: socket._pid, offset: socket._lastOffset ?? null };
    const ws = socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.ws;
    if (!ws || typeof ws.terminate !== "function") throw new Error(`client ${name}: no WebSocket to cut`);
    const gone = new Promise((resolve) => (client.dropped = resolve));
    ws.terminate();
    let timer;
    try {
      await Promise.race([
        gone,
        new Promise((_, reject) => {
          const why = `client ${name}: no disconnect within ${timeoutMs} ms`;
          timer = setTimeout(() => reject(new Error(why)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      client.dropped = null;
    }
    return found;
  }

  /**
   * Connects a disconnected recovery client again, on `port` (another server's, possibly). The
   * CONNECT packet carries the client's pid and last offset, so the server may recover the
   * session. Resolves with {sid, recovered} once the server's join marker arrived (after any
   * replayed events, which the server sends before its CONNECT packet).
   */
  reconnect(name, { server, port, timeoutMs }) {
    const client = this.byName.get(name);
    if (!client) return Promise.reject(new Error(`unknown client ${JSON.stringify(name)}`));
    if (!client.recovery) {
      return Promise.reject(new Error(`client ${name} was not made with "recovery":true`));
    }
    if (client.connected) return Promise.reject(new Error(`client ${name} is connected`));
    if (client.reconnecting) {
      return Promise.reject(new Error(`client ${name}: a reconnect is under way`));
    }
    const { socket } = client;
    client.reconnecting = true;
    return new Promise((resolve, reject) => {
      const finish = (err, value) => {
        clearTimeout(timer);
        client.reconnecting = false;
        client.joined = null;
        client.connectError = null;
        if (err) reject(err);
        else resolve(value);
      };
      const timer = setTimeout(() => {
        if (socket.io.engine) socket.io.engine.close();
        finish(new Error(`client ${name}: not joined again within ${timeoutMs} ms`));
      }, timeoutMs);
      client.joined = () => {
        client.server = server;
        finish(null, { sid: socket.id, recovered: Boolean(socket.recovered) });
      };
      client.connectError = (err) => finish(new Error(`client ${name}: reconnect failed: ${err.message}`));
      socket.io.uri = `http://127.0.0.1:${port}`; // the Manager opens its next engine there
      socket.connect();
    });
  }

  /** Disconnects a client on the client side and forgets it. */
  close(name) {
    const client = this.byName.get(name);
    if (!client) throw new Error(`unknown client ${JSON.stringify(name)}`);
    client.socket.disconnect(); // emits the "io client disconnect" line while connected
    client.socket.removeAllListeners();
    if (client.socket.offAny) client.socket.offAny();
    this.byName.delete(name);
  }

  /** The connection option that carries the rooms to join and the socket's data. */
  #handshakeOption(rooms, data) {
    if (this.major < 3) return { query: { rooms: JSON.stringify(rooms) } };
    return { auth: data === undefined ? { rooms } : { rooms, data } };
  }

  /**
   * `listener(event, ...args)` for every event the application would receive, an ack function
   * last when the packet had an ack id. 2.x has no onAny: its Socket#onevent(packet) is what
   * turns an EVENT or BINARY_EVENT packet (binary already reassembled) into the listener call.
   */
  #onAny(socket, listener) {
    if (this.major >= 3) {
      socket.onAny(listener);
      return;
    }
    const onevent = socket.onevent;
    socket.onevent = function (packet) {
      const args = (packet.data || []).slice();
      if (packet.id !== undefined && packet.id !== null) args.push(this.ack(packet.id));
      onevent.call(this, packet);
      listener(...args);
    };
  }

  closeAll() {
    this.quiet = true;
    for (const name of [...this.byName.keys()]) this.close(name);
  }

  serverOf(name) {
    const client = this.byName.get(name);
    if (!client) throw new Error(`share: unknown client ${JSON.stringify(name)}`);
    return client.server;
  }

  connectedClients() {
    return [...this.byName.values()].filter((c) => c.connected);
  }

  /** Resolves once every client in `names` saw the flush marker `token` or disconnected. */
  waitFlush(token, names) {
    const waiter = { token, pending: new Set(names) };
    const done = new Promise((resolve) => {
      waiter.check = () => {
        if (waiter.pending.size === 0) {
          this.flushWaiters.delete(waiter);
          resolve();
        }
      };
    });
    this.flushWaiters.add(waiter);
    waiter.check();
    return { done, waiter, cancel: () => this.flushWaiters.delete(waiter) };
  }

  #flushSeen(name, token) {
    for (const w of this.flushWaiters) {
      if (w.token === token) {
        w.pending.delete(name);
        w.check();
      }
    }
  }

  #flushGone(name) {
    for (const w of this.flushWaiters) {
      w.pending.delete(name);
      w.check();
    }
  }
}

/**
 * socket.io-client 2.x and 3.x let a decoder error escape from the Engine.IO "data" handler,
 * which would kill the harness (3.1.3 throws "Illegal attachments" on a `type: 5` packet from
 * socket.io 3; docs/protocol.md §2.4). 4.x catches it and closes the connection with "parse error"; do
 * the same. Patched before the connection opens (the Manager binds ondata then).
 */
function catchParseErrors(manager) {
  const ondata = manager.ondata;
  manager.ondata = function (data) {
    try {
      return ondata.call(this, data);
    } catch (_) {
      this.onclose("parse error");
      return undefined;
    }
  };
}

module.exports = { Clients };
