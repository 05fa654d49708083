"use strict";
// An Express app with one endpoint: POST /rooms/:room/messages with a JSON body sends that body
// to the room as a "message" event. REDIS_URL says where Redis is, PORT where to listen.
const express = require("express");
const { Emitter } = require("socketio-emitter");

// `key` must be the key of the Socket.IO servers' Redis adapter, here
// createAdapter(pub, sub, { key: "my-app" }). With any other key every emit still succeeds,
// reaches no server, and resolves to 0.
const io = new Emitter(process.env.REDIS_URL, { key: "my-app" });
const app = express();
app.use(express.json());

app.post("/rooms/:room/messages", async (req, res) => {
  // A rejection (err.code: CONNECTION, TIMEOUT, ENCODE, ...) goes to Express's error handler.
  const servers = await io.to(req.params.room).emit("message", req.body);
  res.status(202).json({ servers });
});

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => io.close().finally(() => process.exit(0))));
