import os

from socketio_emitter import Emitter

# For servers on @socket.io/redis-streams-adapter 0.2.x (or 0.1.x): one stream, no Pub/Sub.
io = Emitter(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
    adapter="streams",
    streams_version="0.2",
    stream_name="socket.io",
    max_len=10000,
)

stored = io.emit("news", {"title": "hello"})  # 1: the entry was stored
io.server_side_emit("server_event", "cache-invalidate")  # an entry too, on 0.2
print(f"news stored: {stored}")
io.close()
