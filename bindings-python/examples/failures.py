import os

from socketio_emitter import Emitter
from socketio_emitter.exceptions import (
    EmitterTimeoutError,
    FlushError,
    RedisConnectionError,
)

io = Emitter(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
    connect_timeout=2,  # every call returns within connect_timeout + response_timeout: 4 s
    response_timeout=2,
    max_payload_bytes=1 << 20,  # refuse any one publish over 1 MiB (EncodeError)
)

try:
    servers = io.emit("news", {"title": "hello"})
except RedisConnectionError as e:
    print("failed:", e)  # the message says whether it may have been published
except EmitterTimeoutError as e:
    print("unknown:", e)  # Redis may still have published it: a retry may duplicate it
else:
    print(f"{servers} Socket.IO server(s) subscribed")

for i in range(100):
    io.emit_nowait("tick", i)  # queued; a failure is reported by flush() with its ticket
try:
    report = io.flush(timeout=10)  # EmitterTimeoutError if not done in 10 s (nothing lost)
    print(f"{report.sent} sent, {report.reached_none} reached no server")
except FlushError as e:
    print(f"{len(e.failures)} failed (tickets {e.tickets[:3]}...), {e.report.sent} sent")

io.close(timeout=5)  # what is not sent within 5 s fails (FlushError) and close returns
