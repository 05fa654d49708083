"use strict";
// Recording socket.io-client clients: 4.8.1, or 3.1.3 / 2.5.0 for the older server stacks
// (`--stack`). Their differences are kept here: how rooms travel (`auth` from 3.x on, a JSON
// query parameter in 2.x), how every event is seen (`onAny` from 3.x on, a wrapped `onevent` in
// 2.x), and which id is the socket's (2.x clients do not know their server-side id on a
// namespace other than "/", so the server's own is used).

const JOINED_EVENT = "__harness_joined";
const FLUSH_EVENT = "__harness_flush";

class Clients {
  /**
   * @param io       socket.io-client's `io` function
   * @param major    that client's major version (2, 3 or 4)
   * @param encode   tagged-JSON encoder
   * @param out      writes one JSON line on stdout
   */
  constructor({ io, major = 4, encode, out }) {
    this.io = io;
    this.major = major;
    this.encode = encode;
    this.out = out;
    this.byName = new Map();
    this.flushWaiters = new Set(); // {token, pending:Set<name>, check()}
    this.quiet = false; // set during shutdown: no more lines
  }

  /**
   * Connects a client; resolves with its sid once the server has joined its rooms.
   * With `share`, the new socket uses the connection (Manager) of that client instead of a new one.
   */
  connect({ name, server, port, nsp, rooms, timeoutMs, share }) {
    const existing = this.byName.get(name);
    if (existing && existing.connected) {
      return Promise.reject(new Error(`client ${JSON.stringify(name)} is already connected`));
    }
    let socket;
    if (share !== undefined) {
      const other = this.byName.get(share);
      if (!other || !other.connected) {
        return Promise.reject(new Error(`share: no connected client ${JSON.stringify(share)}`));
      }
      if (server !== undefined && server !== other.server) {
        return Promise.reject(new Error(`share: ${share} is connected to server ${other.server}`));
      }
      const manager = other.socket.io;
      if (manager.nsps[nsp]) {
        return Promise.reject(new Error(`share: ${share}'s connection already has a socket on ${nsp}`));
      }
      server = other.server;
      socket = manager.socket(nsp, this.#roomsOption(rooms));
    } else {
      socket = this.io(`http://127.0.0.1:${port}${nsp}`, {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        timeout: timeoutMs,
        ...this.#roomsOption(rooms),
      });
      if (this.major < 4) catchParseErrors(socket.io);
    }
    const client = { name, server, socket, nsp, connected: false, sid: null };
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

      this.#onAny(socket, (event, ...args) => {
        if (event === JOINED_EVENT) {
          client.connected = true;
          // 2.x: socket.id is the Engine.IO id, the server's is "<nsp>#<that id>" off "/".
          client.sid = this.major === 2 && args[0] && args[0].sid ? args[0].sid : socket.id;
          settle(null, { sid: client.sid });
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
          // The packet carried an ack id; an emitter should never do that.
          args.pop();
          line.ack = true;
        }
        line.args = this.encode(args);
        this.out(line);
      });
      socket.on("connect_error", (err) => {
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
        if (!settled) {
          settle(new Error(`client ${name}: disconnected before joining (${reason})`));
          return;
        }
        if (wasJoined && !this.quiet) this.out({ type: "disconnect", client: name, reason });
        this.#flushGone(name);
      });
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

  /** The connection option that carries the rooms to join. */
  #roomsOption(rooms) {
    return this.major >= 3 ? { auth: { rooms } } : { query: { rooms: JSON.stringify(rooms) } };
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
      if (packet.id !== undefined && packet.id !== null) args.push(() => {});
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
 * socket.io 3; protocol §2.4). 4.x catches it and closes the connection with "parse error"; do
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
