import { Emitter } from "socketio-emitter";

// Servers on @socket.io/redis-streams-adapter 0.1.x or 0.2.x: one stream, no Pub/Sub.
const io = new Emitter(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  adapter: "streams",
  streams_version: "0.2",
});

// Redis cannot tell who reads a stream: an emit resolves to 1, the entry stored.
const stored = await io.emit("news", { title: "hello" });
await io.serverSideEmit("cache-invalidate", "users"); // 0.2: written to the stream too
console.log(`news stored: ${stored}`);
await io.close();
