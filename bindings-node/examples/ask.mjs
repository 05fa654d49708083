import { Emitter } from "socketio-emitter";

const io = await Emitter.connect(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

// How many servers serve "/", as Redis counts them (nothing is published).
console.log(`${await io.serverCount()} servers`);

// Is user 42 online? Waits at most 5 s (the default) for every server's answer.
const found = await io.to("user:42").fetchSockets({ timeout: 5000 });
if (!found.complete) console.log(`${found.serversMissing} servers did not answer`);
for (const socket of found.sockets) {
  console.log("online:", socket.id, [...socket.rooms].sort(), JSON.stringify(socket.data));
}

// Each client in the room is asked to acknowledge, within 2 s.
const acks = await io.to("user:42").timeout(2000).emitWithAck("confirm", "order 7");
console.log(`${acks.responses.length} of ${acks.clientsTargeted} clients answered:`, acks.responses);

await io.close();
