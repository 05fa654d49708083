import { Emitter } from "socketio-emitter";

// Servers on @socket.io/redis-streams-adapter 0.3.x: give the emitter their options
// (streamName, streamCount, maxLen; their channelPrefix is `key`).
const io = new Emitter(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  adapter: "streams",
  streams_version: "0.3", // the default; "0.3.1" works too
  stream_name: "socket.io",
  stream_count: 1,
  max_len: 10000,
});

// XADD socket.io MAXLEN ~ 10000 * uid emitter nsp / type 3 data {...}: resolves to the number
// of servers that read the namespace (0.3 counts the subscribers of its side channel).
const servers = await io.emit("news", { title: "hello" }, new Date(0));
await io.to("room1").emit("chat", { text: "hi" }, Buffer.from([0, 1])); // binary: base64 msgpack
await io.serverSideEmit("cache-invalidate", "users"); // 0.3: PUBLISH on the side channel
console.log(`news reached ${servers} server(s)`);

// The whole XADD, to send with a Redis client of your own.
const { command, args } = io.encodeEmit("news", { title: "again" });
console.log(`${command} with ${args.length} arguments`);
await io.close();
