"""The demo's Python backend: emits to everyone, to rooms, to /admin and a PNG, once a second.

    REDIS_URL=redis://127.0.0.1:6379 python demo/backends/python.py
"""

import os
import signal
import sys
import time
from pathlib import Path

from socketio_emitter import Emitter

LANG = "Python"
INTERVAL = float(os.environ.get("DEMO_INTERVAL_MS", "1000")) / 1000
IMAGE = (Path(__file__).parent / "image.png").read_bytes()


def main() -> None:
    io = Emitter(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    tick = 0
    while True:
        tick += 1
        text = f"hello from {LANG} #{tick}"
        io.emit("message", {"lang": LANG, "text": text})
        io.to("news").emit("message", {"lang": LANG, "room": "news", "text": text})
        io.to("sports").emit("message", {"lang": LANG, "room": "sports", "text": text})
        io.of("/admin").emit("message", {"lang": LANG, "text": text})
        io.emit("image", {"lang": LANG, "text": text}, IMAGE)  # bytes arrive as binary
        time.sleep(INTERVAL)


if __name__ == "__main__":
    # Ctrl-C (or make demo stopping) ends the loop quietly.
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    main()
