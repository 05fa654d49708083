import { Emitter } from "socketio-emitter";

// A Redis Cluster, found through any of its nodes (the emitter discovers the others and
// follows failovers). `url` is left out; the nodes' credentials go in their URLs.
const nodes = process.env.REDIS_CLUSTER_NODES ?? "redis://127.0.0.1:7000,redis://127.0.0.1:7001";
const io = new Emitter({ cluster_nodes: nodes.split(","), adapter: "sharded" });

// SPUBLISH goes to the master that owns the channel's slot.
const everyone = await io.emit("news", { title: "hello" });
const inRoom = await io.to("room1").emit("chat", { text: "hi" }, Buffer.from([0, 1])); // binary stays binary
await io.serverSideEmit("server_event", "cache-invalidate"); // to every server's handler
console.log(`news reached ${everyone} server(s), chat ${inRoom}`);
await io.close();
