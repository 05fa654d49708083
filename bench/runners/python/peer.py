"""The Python peer: socket.io-emitter 0.1.5.1 from PyPI with redis-py (sync, one PUBLISH per emit).

    bench/.venv/bin/python peer.py --url U --payload P [--seconds 1] [--warmup 0.2]

It publishes its own older wire format (`["emitter", {data, type, nsp}, {flags, rooms}]`),
not byte-identical to the official emitter, and cannot send binary as binary (bytes are
packed as msgpack bin, which it never flags as a binary event).
"""

import json
import os
import sys
import time
from urllib.parse import urlparse

import redis
from socket_io_emitter import Emitter

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_EVERY = 128


def payload_args(name):
    if name == "bin64k":
        return [bytes((i * 31 + 7) % 256 for i in range(65536))]
    with open(os.path.join(HERE, "..", "..", "payloads.json")) as f:
        return [json.load(f)[name]]


def loop(io, args, seconds):
    start = time.perf_counter()
    end = start + seconds
    ops = 0
    while time.perf_counter() < end:
        for _ in range(CHECK_EVERY):
            io.To("room1").Emit("bench", *args)
        ops += CHECK_EVERY
    return {"ops": ops, "secs": time.perf_counter() - start, "receivers": None}


def main():
    argv = sys.argv[1:]
    opts = dict(zip((a[2:] for a in argv[::2]), argv[1::2]))
    url = urlparse(opts["url"])
    args = payload_args(opts["payload"])
    io = Emitter({"client": redis.Redis(host=url.hostname, port=url.port)})
    loop(io, args, float(opts.get("warmup", 0.2)))
    # CPU time of this process (user + system) in the timed loop only, as the other runners.
    before = time.process_time()
    result = loop(io, args, float(opts.get("seconds", 1)))
    result["cpu_s"] = time.process_time() - before
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
