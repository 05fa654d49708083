import { Emitter } from "socketio-emitter";

// The master that the sentinels monitor under the name "mymaster": the emitter asks them where
// it is, and asks again after a failover. `url` gives only the master's credentials, database
// and TLS (its host and port are not used); leave it out when the master needs none.
const io = new Emitter({
  url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0",
  sentinel_master: process.env.SENTINEL_MASTER ?? "mymaster",
  sentinel_nodes: (process.env.SENTINEL_NODES ?? "redis://127.0.0.1:26379").split(","),
});

const servers = await io.emit("news", { title: "hello" });
await io.to("room1").emit("chat", { text: "hi" });
console.log(`news reached ${servers} server(s)`);
await io.close();
