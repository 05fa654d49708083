import os

from flask import Flask, request

from socketio_emitter import Emitter

# One emitter per process, shared by every request thread. Creating it at import time is
# fine under gunicorn --preload: a forked worker reconnects by itself on first use.
io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))

app = Flask(__name__)


@app.post("/rooms/<room>/messages")
def post_message(room: str) -> dict[str, int]:
    servers = io.to(room).emit("message", request.get_json())
    return {"servers": servers}
