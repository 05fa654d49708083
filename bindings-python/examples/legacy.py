import os

from socketio_emitter import Emitter, UnsupportedError

# For socket.io 2.x servers on socket.io-redis 5.x. The other older stacks:
# compat="redis-adapter-7", "socket.io-redis-6.1" (socket.io 4.x) or "socket.io-redis-6.0"
# (socket.io 3.x); "redis-adapter-8" is the default.
io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), compat="socket.io-redis-5")

servers = io.to("room1").emit("chat", {"text": "hi"}, b"\x00\x01")  # binary stays binary
print(f"chat reached {servers} server(s)")

try:
    io.except_("muted").emit("news", {"title": "hello"})
except UnsupportedError as e:  # nothing was published
    print(e.code)  # UNSUPPORTED: these servers read except_() as socket ids only
io.close()
