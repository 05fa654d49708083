"use strict";
// One Socket.IO 4.8.1 server of the demo: the classic Redis adapter (@socket.io/redis-adapter
// 8.3.0 over node-redis 4), the web page (public/) and socket.io-client from node_modules.
// Started by run.js, twice; on its own:
//
//   REDIS_URL=redis://127.0.0.1:6379 PORT=8080 node demo/server.js
//
// It prints one line, {"listening": PORT}, once HTTP listens and the adapters are subscribed.

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const { ROOMS, NAMESPACES } = require("./public/targets.js");

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const PORT = Number(process.env.PORT || 0);

// The files the page needs, and nothing else: no directory listing, no path from the URL.
const FILES = {
  "/": ["public/index.html", "text/html"],
  "/app.js": ["public/app.js", "text/javascript"],
  "/targets.js": ["public/targets.js", "text/javascript"],
  "/style.css": ["public/style.css", "text/css"],
  "/socket.io.min.js": ["node_modules/socket.io-client/dist/socket.io.min.js", "text/javascript"],
};

function serveFile(req, res) {
  const file = FILES[new URL(req.url, "http://x").pathname];
  if (!file) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": `${file[1]}; charset=utf-8`, "cache-control": "no-store" });
  fs.createReadStream(path.resolve(__dirname, file[0])).pipe(res);
}

// The page asks to join or leave a room; the answer (an ack) lists the socket's rooms.
function handleRoomControls(socket) {
  const reply = (ack) => typeof ack === "function" && ack([...socket.rooms].filter((r) => r !== socket.id));
  socket.on("join", (room, ack) => {
    if (ROOMS.includes(room)) socket.join(room);
    reply(ack);
  });
  socket.on("leave", (room, ack) => {
    if (ROOMS.includes(room)) socket.leave(room);
    reply(ack);
  });
}

async function main() {
  const pub = createClient({ url: REDIS_URL });
  const sub = pub.duplicate();
  // node-redis reconnects by itself; say so once per outage rather than crash.
  for (const client of [pub, sub]) {
    let down = false;
    client.on("error", (err) => {
      if (!down) process.stderr.write(`redis: ${err.message}\n`);
      down = true;
    });
    client.on("ready", () => (down = false));
  }
  await Promise.all([pub.connect(), sub.connect()]);

  const httpServer = http.createServer(serveFile);
  const io = new Server(httpServer, { serveClient: false, adapter: createAdapter(pub, sub) });
  for (const nsp of NAMESPACES) {
    io.of(nsp).on("connection", handleRoomControls);
  }
  // Each adapter subscribed when its namespace was created. node-redis answers commands on one
  // connection in order, so once this later SUBSCRIBE is confirmed, so are the adapters': an
  // emit sent after the "listening" line reaches this server.
  await sub.subscribe("socketio-emitter-demo#ready", () => {});

  httpServer.listen(PORT, "127.0.0.1", () => {
    process.stdout.write(JSON.stringify({ listening: httpServer.address().port }) + "\n");
  });
  // Nothing to save: stop at once, even when Redis is already gone.
  process.on("SIGINT", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`demo server: ${err.message}\n`);
  process.exit(1);
});
