import os

from socketio_emitter import Emitter

# For servers on the sharded adapter (createShardedAdapter, Redis 7+) with subscriptionMode
# "dynamic", its default: adapter and subscription_mode must say what the servers use.
io = Emitter(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
    adapter="sharded",
    subscription_mode="dynamic",
)

everyone = io.emit("news", {"title": "hello"})  # SPUBLISH to socket.io#/#
# One room has its own channel in the dynamic modes: only servers where it has members hear it.
in_room = io.to("room1").emit("chat", {"text": "hi"}, b"\x00\x01")
io.server_side_emit("server_event", "cache-invalidate")  # to every server's handler
print(f"news reached {everyone} server(s), chat {in_room}")
io.close()
