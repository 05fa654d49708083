import os

from socketio_emitter import Emitter

# For servers on @socket.io/redis-streams-adapter 0.3.x: the stream options must be the
# servers' own (streamName, streamCount, maxLen; `key` is their channelPrefix).
io = Emitter(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
    adapter="streams",
    streams_version="0.3",  # the default; "0.3.1" works too
    stream_name="socket.io",
    stream_count=1,
    max_len=10000,
)

# XADDed to the stream: a client that reconnects (connection state recovery) gets it too.
readers = io.emit("news", {"title": "hello"})
io.to("room1").emit("chat", {"text": "hi"}, b"\x00\x01")  # binary stays binary
io.server_side_emit("server_event", "cache-invalidate")  # PUBLISH on socket.io#/#
print(f"news is read by {readers} server(s)")

# An XADD is more than a channel and a payload: `args` is the whole command, for a client
# of your own (e.g. redis-py's `execute_command(*entry.args)`).
entry = io.of("/admin").encode_emit("alert", "disk almost full")
print(entry.command, entry.channel, entry.args[2:5])
io.close()
