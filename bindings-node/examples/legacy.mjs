import { Emitter } from "socketio-emitter";

// socket.io 2.x servers with socket.io-redis 5.x (the other values of `compat` are listed above).
const io = new Emitter(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { compat: "socket.io-redis-5" });

// Binary goes as socket.io 2's binary packet, Dates in the form notepack 2 reads.
const servers = await io.emit("news", { title: "hello" }, Buffer.from([0, 1]), new Date(0));

// What these servers cannot do throws UNSUPPORTED at once; nothing is published.
try {
  io.except("muted").emit("chat", { text: "hi" });
} catch (err) {
  if (err.code !== "UNSUPPORTED") throw err;
  console.log(err.message);
}
console.log(`news reached ${servers} server(s)`);
await io.close();
