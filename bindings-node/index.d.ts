// Public types of socketio-emitter, written by hand over the generated native.d.ts (which
// describes the addon and is drift-checked against the Rust sources). The generics follow
// @socket.io/redis-emitter's `Emitter<EmitEvents>` so typed code keeps compiling.

/// <reference types="node" />

import type { Encoded } from "./native";

/**
 * What an operation would send: `command` (`"PUBLISH"`, `"SPUBLISH"` or `"XADD"`), the Redis
 * `channel` (for XADD the stream key), the exact `payload` bytes (for XADD the entry's `data`
 * field), and `args`, the whole command (name first) to send with a Redis client of your own.
 */
export type { Encoded };

/** A map of event names to listener signatures, as in socket.io's typed events. */
export interface EventsMap {
  [event: string]: any;
}

/** What an emitter accepts when no events map is given: any event, any arguments. */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The arguments an event takes. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** A room: socket.io compares rooms by identity, so `7` and `"7"` are different rooms. */
export type Room = string | number;

/**
 * The servers' Redis adapter: `createAdapter` (`"classic"`) or `createShardedAdapter`
 * (`"sharded"`) of `@socket.io/redis-adapter`, or `createAdapter` of
 * `@socket.io/redis-streams-adapter` (`"streams"`); `"auto"` detects it when connecting
 * (`DETECTION_FAILED` when no server, or several adapters, listen on the key and `/`).
 */
export type Adapter = "classic" | "sharded" | "streams" | "auto";

/**
 * The streams servers' `@socket.io/redis-streams-adapter` generation: `"0.3"` (0.3.x) or
 * `"0.2"` (0.1.x and 0.2.x). A full version such as `"0.3.1"` names its generation.
 */
export type StreamsVersion = "0.3" | "0.2" | `0.3.${number}` | `0.2.${number}` | `0.1.${number}`;

/**
 * The classic adapter's server stack: `@socket.io/redis-adapter` 8.x (default) or 7.x, or
 * `socket.io-redis` 6.1 (socket.io 4), 6.0 (socket.io 3) or 5.x (socket.io 2).
 */
export type Compat = "redis-adapter-8" | "redis-adapter-7" | "socket.io-redis-6.1" | "socket.io-redis-6.0" | "socket.io-redis-5";

/** The sharded servers' `subscriptionMode`. */
export type SubscriptionMode = "static" | "dynamic" | "dynamic-private";

/**
 * Options, with the names every language binding uses (camelCase spellings are accepted
 * too). Durations are in milliseconds.
 */
export interface EmitterOptions {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). */
  url?: string;
  /** Channel prefix: the Redis adapter's `key` option (the sharded adapter's `channelPrefix`). Default `"socket.io"`. */
  key?: string;
  /** The namespace, used as given (like the official constructor's third argument). Default `"/"`. */
  nsp?: string;
  /**
   * The servers' Redis adapter; it must match theirs, or every emit reaches no server.
   * Default `"classic"`.
   */
  adapter?: Adapter;
  /** With `adapter: "sharded"`: the servers' `subscriptionMode`. Default `"dynamic"`, as on the servers. */
  subscription_mode?: SubscriptionMode;
  subscriptionMode?: SubscriptionMode;
  /**
   * With `adapter: "streams"`: the servers' `streamName`, the stream key (its prefix when
   * `stream_count` > 1); not empty. Default `"socket.io"`. The servers' `channelPrefix` is `key`.
   */
  stream_name?: string;
  streamName?: string;
  /** With `adapter: "streams"` 0.3: the servers' `streamCount`, 1 to 1024. Default 1. */
  stream_count?: number;
  streamCount?: number;
  /** With `adapter: "streams"`: the servers' `maxLen` (`XADD … MAXLEN ~ max_len`), 1 to 2^40. Default 10000. */
  max_len?: number;
  maxLen?: number;
  /**
   * With `adapter: "streams"`: the servers' adapter generation. Default `"0.3"`. With `"0.2"`,
   * `stream_count` must be 1 and `require_receivers` cannot be used.
   */
  streams_version?: StreamsVersion;
  streamsVersion?: StreamsVersion;
  /**
   * With the classic adapter: the servers' stack, when older than `@socket.io/redis-adapter`
   * 8.x. What it cannot honour throws `UNSUPPORTED`. Default `"redis-adapter-8"`.
   */
  compat?: Compat;
  /**
   * A Redis Cluster: its seed nodes, `redis://` or `rediss://` URLs with the nodes' credentials
   * (the emitter finds the other nodes). Leave `url` out. With the classic adapter,
   * `require_receivers` cannot be used on a cluster (PUBLISH there counts one node's subscribers).
   */
  cluster_nodes?: string[];
  clusterNodes?: string[];
  /** With `sentinel_nodes`: the name the sentinels monitor the master under. */
  sentinel_master?: string;
  sentinelMaster?: string;
  /**
   * With `sentinel_master`: the sentinels' URLs, with their own credentials if any. The master's
   * credentials, database and TLS come from `url` (its host and port are not used; it may be left
   * out when the master needs none).
   */
  sentinel_nodes?: string[];
  sentinelNodes?: string[];
  /** PEM of the CA that signed the Redis server's certificate (`rediss://` with a private CA). */
  tls_ca_pem?: string | Buffer;
  tlsCaPem?: string | Buffer;
  /** One connection attempt, in ms. Default 5000. */
  connect_timeout?: number;
  connectTimeout?: number;
  /** One command's reply, in ms. Default 5000. */
  response_timeout?: number;
  responseTimeout?: number;
  /** Reconnection backoff while Redis is unreachable, in ms: default 100 doubling to 2000. */
  reconnect_min_delay?: number;
  reconnectMinDelay?: number;
  reconnect_max_delay?: number;
  reconnectMaxDelay?: number;
  /** Connection attempts per reconnection before waiting calls fail. Default 6. */
  reconnect_attempts?: number;
  reconnectAttempts?: number;
  /** Reject with `NO_SUBSCRIBERS` when a publish reaches no Socket.IO server. Default false. */
  require_receivers?: boolean;
  requireReceivers?: boolean;
  /**
   * The largest payload one operation may publish, in bytes (1 to 512 MiB). Default 16 MiB.
   * Arguments are refused (`ENCODE`) as soon as converting them passes it.
   */
  max_payload_bytes?: number;
  maxPayloadBytes?: number;
}

/**
 * What the object form of the constructor needs to know where Redis is: a `url`, or the node
 * lists of a Redis Cluster or of Sentinel (which may leave `url` out).
 */
export type RedisLocation =
  | { url: string }
  | { cluster_nodes: string[] }
  | { clusterNodes: string[] }
  | { sentinel_nodes: string[] }
  | { sentinelNodes: string[] };

/** The stable codes of `SocketIOEmitterError.code`, shared by every language binding. */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "RESERVED_EVENT"
  | "ENCODE"
  | "CONNECTION"
  | "REDIS"
  | "TIMEOUT"
  | "CLOSED"
  | "UNSUPPORTED"
  | "NO_SUBSCRIBERS"
  | "QUEUE_FULL"
  | "FLUSH"
  | "INTERNAL"
  | "DETECTION_FAILED";

/** The errors this package throws and rejects with: plain `Error`s with a `code`. */
export interface SocketIOEmitterError extends Error {
  code: ErrorCode;
  /** ENCODE: where the value is, e.g. `args[1]['tags'][0]`. */
  path?: string;
  /** ENCODE: why it was refused. */
  reason?: string;
  /** NO_SUBSCRIBERS: the channel nobody listens on. Also set on the items of `failures`. */
  channel?: string;
  /** An item of `failures`: the operation's number on its emitter (1 for the first call). */
  ticket?: number;
  /** FLUSH: the operations nobody awaited that failed (at most 1000; `report.failed` counts all). */
  failures?: Array<SocketIOEmitterError & { ticket: number; channel: string }>;
  /** FLUSH: what the operations reported on did, successes included. */
  report?: FlushReport;
}

/**
 * What `flush()` and `close()` report about the operations whose promise nobody awaited,
 * since the previous report (awaited ones are their caller's).
 */
export interface FlushReport {
  /** Operations Redis accepted. */
  sent: number;
  /** The Socket.IO servers that received them, summed. */
  receivers: number;
  /** Of `sent`, those no Socket.IO server received. */
  reachedNone: number;
  /** Operations that failed (listed by the FLUSH error). */
  failed: number;
}

/**
 * Asking the cluster: each answer says whether it is complete. When some servers (or, for
 * `emitWithAck`, clients) did not answer within the timeout, it holds what arrived and
 * counts what is missing.
 */
export interface AskOptions {
  /** Milliseconds to wait for the answers (default: the operator's `timeout(ms)`, 5000). */
  timeout?: number;
}

/** A socket of some server of the cluster, as that server described it. */
export interface RemoteSocket {
  id: string;
  /** Its rooms, its own id included. */
  rooms: Set<string>;
  /** `socket.data`, as the server set it. */
  data: any;
  /** `socket.handshake`: headers, query, auth, address, time... */
  handshake: Record<string, any>;
}

export interface FetchedSockets {
  sockets: RemoteSocket[];
  serversAnswered: number;
  /** Servers counted before the request that did not answer in time. */
  serversMissing: number;
  /** `serversMissing === 0`. */
  complete: boolean;
}

export interface AllRooms {
  /** Every room of the namespace (socket ids' own rooms included); a number stays a number. */
  rooms: Set<Room>;
  serversAnswered: number;
  serversMissing: number;
  complete: boolean;
}

export interface ServerAcks {
  /** What each answering server's handler passed to its callback. */
  responses: any[];
  serversAnswered: number;
  /** Servers whose handler did not call back in time. */
  serversMissing: number;
  complete: boolean;
}

export interface ClientAcks {
  /** Each acknowledging client's answer, in arrival order. */
  responses: any[];
  /** Clients the answering servers sent the event to. */
  clientsTargeted: number;
  /** Targeted clients that did not acknowledge in time. */
  clientsMissing: number;
  /** Servers that did not say how many clients they targeted. */
  serversMissing: number;
  /** No client and no server missing. */
  complete: boolean;
}

/** `flush()` and `close()`: how long to wait, in milliseconds (no limit when absent). */
export interface FlushOptions {
  timeout?: number;
}

/**
 * The process warning (`process.on("warning")`) for failures of operations nobody awaited,
 * when no `"error"` listener is registered: one per turn of the event loop.
 */
export interface SocketIOEmitterWarning extends Error {
  name: "SocketIOEmitterWarning";
  /** The first failure's code. */
  code: ErrorCode;
  /** The first failure. */
  cause: SocketIOEmitterError;
  /** The failures (at most 100). */
  errors: SocketIOEmitterError[];
  /** How many failed. */
  count: number;
}

export declare const ERROR_CODES: readonly ErrorCode[];

/** Event names `emit` refuses (`"connect" is a reserved event name`). */
export declare const RESERVED_EVENTS: ReadonlySet<string>;

/**
 * Publishes Socket.IO operations into Redis, byte for byte like `@socket.io/redis-emitter`
 * 5.1.0 for servers using the classic Redis adapter, or like the servers themselves for the
 * sharded adapter (`adapter: "sharded"`), the Redis Streams adapter (`adapter: "streams"`) and
 * the classic adapter's older stacks (`compat`).
 *
 * ```ts
 * const io = new Emitter("redis://localhost:6379");
 * const servers = await io.to("room1").emit("chat", { text: "hi" });
 * ```
 */
export declare class Emitter<EmitEvents extends EventsMap = DefaultEventsMap> {
  /**
   * Does not wait for Redis: the connection opens with the first operation. A Redis client
   * as first argument (the official constructor) throws, explaining the one-line change.
   */
  constructor(url: string, opts?: Omit<EmitterOptions, "url">, nsp?: string);
  constructor(options: EmitterOptions & RedisLocation);

  /** Creates an emitter and resolves once its connection is open (rejects if it cannot open). */
  static connect<EmitEvents extends EventsMap = DefaultEventsMap>(
    url: string,
    opts?: Omit<EmitterOptions, "url">,
    nsp?: string,
  ): Promise<Emitter<EmitEvents>>;
  static connect<EmitEvents extends EventsMap = DefaultEventsMap>(
    options: EmitterOptions & RedisLocation,
  ): Promise<Emitter<EmitEvents>>;

  /** An emitter that never connects: the `encode*` methods work, operations reject with `CLOSED`. */
  static offline<EmitEvents extends EventsMap = DefaultEventsMap>(
    options?: Pick<
      EmitterOptions,
      | "key"
      | "nsp"
      | "max_payload_bytes"
      | "maxPayloadBytes"
      | "adapter"
      | "subscription_mode"
      | "subscriptionMode"
      | "stream_name"
      | "streamName"
      | "stream_count"
      | "streamCount"
      | "max_len"
      | "maxLen"
      | "streams_version"
      | "streamsVersion"
      | "compat"
    >,
  ): Emitter<EmitEvents>;

  /** The namespace this emitter addresses. */
  readonly nsp: string;

  /** The same connection, another namespace (a leading "/" is added when missing). */
  of(nsp: string): Emitter<EmitEvents>;

  /**
   * Emits to every client of the namespace. Throws synchronously for a reserved name, a
   * value that cannot be encoded, or (`UNSUPPORTED`) what the servers' stack cannot do;
   * resolves to the number of Socket.IO servers that received it (0: nobody listens on this
   * key and namespace). Streams adapter: 0.3, the servers that read the namespace; 0.2, 1
   * (the entry was stored); 0 for a namespace whose stream no server reads.
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Promise<number>;

  to(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  in(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  except(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  get volatile(): BroadcastOperator<EmitEvents>;
  compress(compress: boolean): BroadcastOperator<EmitEvents>;

  /**
   * Makes every socket of the namespace join `rooms`. With `compat` `"socket.io-redis-6.0"`
   * or `"-5"` these servers act on one socket id only: `to(id).socketsJoin(room)`, else
   * `UNSUPPORTED` (socketsLeave and disconnectSockets likewise).
   */
  socketsJoin(rooms: Room | Room[]): Promise<number>;
  /** Makes every socket of the namespace leave `rooms`. */
  socketsLeave(rooms: Room | Room[]): Promise<number>;
  /** Disconnects every socket of the namespace; `close` also closes their connections. */
  disconnectSockets(close?: boolean): Promise<number>;
  /**
   * Emits to the Socket.IO servers (their `serverSideEmit` listeners); the arguments travel
   * as JSON (sharded and streams adapters: as their servers send them, msgpack when they hold
   * binary). Acknowledgements are not supported, and `connection`, `new_namespace`, `error`
   * and the reserved names are refused (they crash receiving servers). Throws `UNSUPPORTED`
   * with `compat` `"socket.io-redis-6.1"`, `"-6.0"` or `"-5"` (no serverSideEmit before
   * `@socket.io/redis-adapter` 7.0).
   */
  serverSideEmit(ev: string, ...args: any[]): Promise<number>;

  /** Questions asked through the returned operator wait at most `ms` (default 5000). */
  timeout(ms: number): BroadcastOperator<EmitEvents>;
  /** The servers of the namespace, as Redis counts their subscriptions. */
  serverCount(): Promise<number>;
  /** The sockets of the namespace on every server. */
  fetchSockets(options?: AskOptions | number): Promise<FetchedSockets>;
  /** Every room of the namespace (classic adapter only; else `UNSUPPORTED`). */
  allRooms(options?: AskOptions | number): Promise<AllRooms>;
  /** serverSideEmit, collecting each server handler's acknowledgement. */
  serverSideEmitWithAck(ev: string, ...args: any[]): Promise<ServerAcks>;
  /** Emits to every client of the namespace, each asked to acknowledge. */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Promise<ClientAcks>;

  encodeEmit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Encoded;
  encodeServerSideEmit(ev: string, ...args: any[]): Encoded;
  encodeSocketsJoin(rooms: Room | Room[]): Encoded;
  encodeSocketsLeave(rooms: Room | Room[]): Encoded;
  encodeDisconnectSockets(close?: boolean): Encoded;

  /**
   * Failures of operations whose promise nobody awaited (the only event). Shared by every
   * emitter and operator made from the same constructor call. Without a listener they are
   * process warnings (`SocketIOEmitterWarning`).
   */
  on(event: "error", listener: (err: SocketIOEmitterError) => void): this;
  once(event: "error", listener: (err: SocketIOEmitterError) => void): this;
  off(event: "error", listener: (err: SocketIOEmitterError) => void): this;
  removeListener(event: "error", listener: (err: SocketIOEmitterError) => void): this;

  /**
   * Waits until every operation started before it has finished, then reports what the
   * operations nobody awaited did since the previous report; rejects with `FLUSH` (with
   * `failures` and `report`) when some of them failed, or `TIMEOUT` after `timeout` ms (the
   * next flush reports what this one did not). A number is taken as the timeout.
   */
  flush(options?: FlushOptions | number): Promise<FlushReport>;

  /**
   * Waits for the operations already started (at most `timeout` ms: what is still out then
   * fails with `TIMEOUT`), then closes the connection shared by this emitter and every
   * emitter or operator made from it, and reports like `flush()`. The emitter is closed even
   * when it rejects. Later operations reject with `CLOSED`; closing again does nothing.
   */
  close(options?: FlushOptions | number): Promise<FlushReport>;
}

/** An immutable target: each method returns a new operator. */
export declare class BroadcastOperator<EmitEvents extends EventsMap = DefaultEventsMap> {
  private constructor();
  to(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  in(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  except(room: Room | Room[]): BroadcastOperator<EmitEvents>;
  compress(compress: boolean): BroadcastOperator<EmitEvents>;
  get volatile(): BroadcastOperator<EmitEvents>;
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Promise<number>;
  socketsJoin(rooms: Room | Room[]): Promise<number>;
  socketsLeave(rooms: Room | Room[]): Promise<number>;
  disconnectSockets(close?: boolean): Promise<number>;
  /** Questions asked through the returned operator wait at most `ms` (default 5000). */
  timeout(ms: number): BroadcastOperator<EmitEvents>;
  /** The matching sockets of every server. */
  fetchSockets(options?: AskOptions | number): Promise<FetchedSockets>;
  /** Emits to the matching clients, each asked to acknowledge. */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Promise<ClientAcks>;
  /** serverSideEmit to the operator's namespace, with its timeout, collecting acknowledgements. */
  serverSideEmitWithAck(ev: string, ...args: any[]): Promise<ServerAcks>;
  /** Every room of the operator's namespace (classic adapter only). */
  allRooms(options?: AskOptions | number): Promise<AllRooms>;
  encodeEmit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): Encoded;
  encodeSocketsJoin(rooms: Room | Room[]): Encoded;
  encodeSocketsLeave(rooms: Room | Room[]): Encoded;
  encodeDisconnectSockets(close?: boolean): Encoded;
}
