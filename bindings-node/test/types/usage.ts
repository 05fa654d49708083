// Compiled with `tsc --noEmit` (test/types.test.js): how TypeScript code uses the package,
// including the typed-events generics of @socket.io/redis-emitter. `@ts-expect-error` lines
// must stay errors.
import { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES } from "socketio-emitter";
import type {
  Adapter,
  Compat,
  Encoded,
  ErrorCode,
  FlushReport,
  RedisLocation,
  SocketIOEmitterError,
  SocketIOEmitterWarning,
  StreamsVersion,
  SubscriptionMode,
} from "socketio-emitter";

interface ServerToClient {
  chat: (text: string, from: { id: number }) => void;
  file: (name: string, data: Buffer) => void;
  tick: () => void;
}

export async function typed(): Promise<number> {
  const io = new Emitter<ServerToClient>("redis://localhost:6379", { key: "app" });
  const servers: number = await io.to("room1").except(["muted", 7]).emit("chat", "hi", { id: 1 });
  await io.of("/admin").volatile.compress(false).emit("file", "a.bin", Buffer.from([1]));
  await io.in(["a", "b"]).emit("tick");
  // @ts-expect-error wrong argument type for "chat"
  io.emit("chat", 42, { id: 1 });
  // @ts-expect-error unknown event
  io.emit("nope");
  const op: BroadcastOperator<ServerToClient> = io.to("r");
  await op.socketsJoin(["x", "y"]);
  await op.socketsLeave("x");
  await op.disconnectSockets(true);
  await io.serverSideEmit("refresh", { all: true });
  await io.close();
  return servers;
}

export async function untyped(): Promise<void> {
  const io = await Emitter.connect({ url: "redis://localhost:6379", connect_timeout: 1000, requireReceivers: true });
  io.emit("anything", 1, "two", [3], { four: 4 }, null);
  const out: Encoded = Emitter.offline({ key: "k" }).encodeEmit("ev", 1);
  const hex: string = out.payload.toString("hex") + out.channel;
  const nsp: string = io.nsp;
  const reserved: boolean = RESERVED_EVENTS.has("connect");
  const codes: readonly ErrorCode[] = ERROR_CODES;
  void [hex, nsp, reserved, codes];
  try {
    await io.emit("x");
  } catch (e) {
    const err = e as SocketIOEmitterError;
    if (err.code === "NO_SUBSCRIBERS") console.log(err.channel);
  }
  // @ts-expect-error the official constructor's Redis client is not accepted
  new Emitter({ publish() {} }, {});
  // @ts-expect-error rooms are strings or numbers
  io.to({ room: 1 });
}

export async function lifecycle(): Promise<FlushReport> {
  const io = new Emitter("redis://localhost:6379", { max_payload_bytes: 1 << 20, maxPayloadBytes: 1 << 20 });
  io.on("error", (err: SocketIOEmitterError) => console.log(err.code, err.ticket, err.channel)).once("error", () => {});
  io.emit("fire and forget");
  process.on("warning", (w) => {
    if (w.name === "SocketIOEmitterWarning") console.log((w as SocketIOEmitterWarning).count);
  });
  try {
    const report: FlushReport = await io.flush({ timeout: 1000 });
    console.log(report.sent, report.receivers, report.reachedNone, report.failed);
  } catch (e) {
    const err = e as SocketIOEmitterError;
    if (err.code === "FLUSH") console.log(err.report?.failed, err.failures?.[0]?.ticket);
  }
  await io.flush(500);
  // @ts-expect-error only "error" is emitted
  io.on("connect", () => {});
  // @ts-expect-error the timeout is a number of milliseconds
  await io.close({ timeout: "5s" });
  const code: ErrorCode = "INTERNAL";
  void code;
  Emitter.offline({ max_payload_bytes: 1024 });
  return io.close({ timeout: 2000 });
}

export async function sharded(mode: SubscriptionMode): Promise<number> {
  const adapter: Adapter = "sharded";
  const io = new Emitter("redis://localhost:6379", { adapter, subscription_mode: mode });
  new Emitter({ url: "redis://localhost:6379", adapter: "classic", subscriptionMode: "dynamic-private" });
  Emitter.offline({ adapter: "sharded", subscription_mode: "static" }).encodeEmit("ev", Buffer.from([1]));
  // @ts-expect-error the adapters are "classic", "sharded" and "streams"
  new Emitter("redis://localhost:6379", { adapter: "kafka" });
  // @ts-expect-error the servers' spelling is "dynamic-private"
  Emitter.offline({ subscriptionMode: "dynamic_private" });
  return io.to("room1").emit("chat", "hi");
}

export async function topologies(): Promise<number> {
  const cluster = new Emitter({ cluster_nodes: ["redis://127.0.0.1:7000"], adapter: "sharded" });
  new Emitter({ clusterNodes: ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"], requireReceivers: false });
  const location: RedisLocation = { sentinelNodes: ["redis://127.0.0.1:26379"] };
  await Emitter.connect({ ...location, sentinelMaster: "mymaster" });
  new Emitter({ url: "redis://:pw@unused:6379/2", sentinel_master: "mymaster", sentinel_nodes: ["redis://s:26379"] });
  new Emitter("redis://:pw@unused:6379", { sentinel_master: "mymaster", sentinel_nodes: ["redis://s:26379"] });
  // @ts-expect-error the object form says where Redis is: a url, or node lists
  new Emitter({ sentinel_master: "mymaster" });
  // @ts-expect-error one URL still goes in an array
  new Emitter({ cluster_nodes: "redis://127.0.0.1:7000" });
  return cluster.emit("ev");
}

export async function stacks(compat: Compat, version: StreamsVersion): Promise<number> {
  const streams = new Emitter("redis://localhost:6379", {
    adapter: "streams",
    stream_name: "socket.io",
    stream_count: 4,
    max_len: 10000,
    streams_version: version,
  });
  new Emitter({ url: "redis://localhost:6379", adapter: "streams", streamName: "s", streamCount: 1, maxLen: 5, streamsVersion: "0.2.3" });
  const legacy = new Emitter("redis://localhost:6379", { compat });
  new Emitter({ url: "redis://localhost:6379", compat: "socket.io-redis-6.0" });
  const out: Encoded = Emitter.offline({ adapter: "streams", streamsVersion: "0.3.1", maxLen: 50 }).encodeEmit("ev", 1);
  const argv: Buffer[] = out.args;
  const command: string = out.command;
  void [argv, command];
  Emitter.offline({ compat: "socket.io-redis-5", stream_name: "x" });
  try {
    legacy.except("room").emit("ev");
  } catch (e) {
    const code: ErrorCode = (e as SocketIOEmitterError).code;
    if (code === "UNSUPPORTED") console.log((e as SocketIOEmitterError).message);
  }
  // @ts-expect-error the versions are "0.3" and "0.2" (or a full 0.x.y version)
  new Emitter("redis://localhost:6379", { adapter: "streams", streams_version: "1.0" });
  // @ts-expect-error the compat stacks are spelled as the adapter packages are
  new Emitter("redis://localhost:6379", { compat: "socket.io-redis-4" });
  // @ts-expect-error a stream count is a number
  Emitter.offline({ adapter: "streams", streamCount: "4" });
  return streams.emit("ev");
}
