import os

from socketio_emitter import Emitter

io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))

servers = io.emit("news", {"title": "hello"})  # every client of the namespace "/"
io.to("room1").emit("chat", {"text": "hi"}, b"\x00\x01")  # binary stays binary
io.of("/admin").except_("muted").emit("alert", "disk almost full")
io.to("room1").sockets_join("room2")  # make room1's sockets join room2
io.server_side_emit("server_event", "cache-invalidate")  # to the servers themselves
print(f"{servers} Socket.IO server(s) were subscribed to its channel")

ticket = io.emit_nowait("tick", 1)  # queued, returns at once
report = io.flush(timeout=5)  # waits; raises FlushError listing failed tickets
io.close()
