// Compiled with `tsc --noEmit` (test/types.test.js): how TypeScript code uses the package,
// including the typed-events generics of @socket.io/redis-emitter. `@ts-expect-error` lines
// must stay errors.
import { Emitter, BroadcastOperator, RESERVED_EVENTS, ERROR_CODES } from "socketio-emitter";
import type { Encoded, ErrorCode, SocketIOEmitterError } from "socketio-emitter";

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
