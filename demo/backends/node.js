// The demo's Node backend: emits to everyone, to rooms, to /admin and a PNG, once a second.
//
//   REDIS_URL=redis://127.0.0.1:6379 node demo/backends/node.js
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { Emitter } = require("socketio-emitter");

const LANG = "Node";
const INTERVAL_MS = Number(process.env.DEMO_INTERVAL_MS || 1000);
const IMAGE = fs.readFileSync(path.join(__dirname, "image.png"));

async function main() {
  const io = new Emitter(process.env.REDIS_URL || "redis://127.0.0.1:6379");
  for (let tick = 1; ; tick++) {
    const text = `hello from ${LANG} #${tick}`;
    await io.emit("message", { lang: LANG, text });
    await io.to("news").emit("message", { lang: LANG, room: "news", text });
    await io.to("sports").emit("message", { lang: LANG, room: "sports", text });
    await io.of("/admin").emit("message", { lang: LANG, text });
    await io.emit("image", { lang: LANG, text }, IMAGE); // a Buffer arrives as binary
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}

main().catch((err) => {
  console.error(`node backend: ${err.message}`);
  process.exit(1);
});
