"""Our Python binding (`socketio_emitter`), installed into bench/.venv from ./bindings-python.

    bench/.venv/bin/python ours.py --url U --payload P --mode sync|queue|gather|await
                                   [--seconds 1] [--warmup 0.2] [--window 256]
                                   [--adapter classic|sharded] [--cluster URL,URL,...]

sync:   Emitter.emit, one at a time (each waits for Redis' reply)
queue:  Emitter.emit_nowait until the time is up, then one flush()
gather: AsyncEmitter.emit, `window` at a time with asyncio.gather
await:  AsyncEmitter.emit, each awaited before the next
latency mode (--mode latency --count N --interval-us I): paced awaited emits of {t, i}.
rss mode (--mode rss --count N --every K): N emit_nowait calls, RSS sampled every K.
--adapter sharded publishes for createShardedAdapter servers (SPUBLISH); --cluster reaches a
Redis Cluster through those seed nodes (--url is then ignored).
"""

import asyncio
import json
import os
import sys
import time

from socketio_emitter import AsyncEmitter, Emitter

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_EVERY = 128


def connect(cls, opts):
    """An Emitter or AsyncEmitter for --url, or for --cluster, with --adapter."""
    kwargs = {"adapter": opts.get("adapter", "classic")}
    if "cluster" in opts:
        return cls(cluster_nodes=opts["cluster"].split(","), **kwargs)
    return cls(opts["url"], **kwargs)


def payload_args(name):
    if name == "bin64k":
        return [bytes((i * 31 + 7) % 256 for i in range(65536))]
    with open(os.path.join(HERE, "..", "..", "payloads.json")) as f:
        return [json.load(f)[name]]


def with_cpu(result_of):
    """Calls result_of() and adds cpu_s: this process's CPU time (user + system, all threads:
    the emitter's I/O runs on its own) spent in it, startup and warm-up excluded."""
    before = time.process_time()
    result = result_of()
    return {**result, "cpu_s": time.process_time() - before}


def sync_loop(room, args, seconds):
    start = time.perf_counter()
    end = start + seconds
    ops = receivers = 0
    emit = room.emit
    while time.perf_counter() < end:
        for _ in range(CHECK_EVERY):
            receivers += emit("bench", *args)
        ops += CHECK_EVERY
    return {"ops": ops, "secs": time.perf_counter() - start, "receivers": receivers}


def queue_loop(io, room, args, seconds):
    start = time.perf_counter()
    end = start + seconds
    ops = 0
    emit_nowait = room.emit_nowait
    while time.perf_counter() < end:
        for _ in range(CHECK_EVERY):
            emit_nowait("bench", *args)
        ops += CHECK_EVERY
    report = io.flush()
    return {"ops": ops, "secs": time.perf_counter() - start, "receivers": report.receivers}


async def gather_loop(room, args, seconds, window):
    start = time.perf_counter()
    end = start + seconds
    ops = receivers = 0
    while time.perf_counter() < end:
        results = await asyncio.gather(*(room.emit("bench", *args) for _ in range(window)))
        receivers += sum(results)
        ops += window
    return {"ops": ops, "secs": time.perf_counter() - start, "receivers": receivers}


async def await_loop(room, args, seconds):
    start = time.perf_counter()
    end = start + seconds
    ops = receivers = 0
    emit = room.emit
    while time.perf_counter() < end:
        for _ in range(CHECK_EVERY):
            receivers += await emit("bench", *args)
        ops += CHECK_EVERY
    return {"ops": ops, "secs": time.perf_counter() - start, "receivers": receivers}


async def latency(url, count, interval):
    io = AsyncEmitter(url)
    await io.connect()
    room = io.to("room1")
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(count):
        delay = start + i * interval - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        await room.emit("lat", {"t": time.time() * 1000.0, "i": i})
    await room.emit("done", count)
    await io.close()
    return {"sent": count}


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rss(url, args, count, every):
    """`count` emit_nowait calls, one flush at the end, sampling RSS every `every`."""
    io = Emitter(url)
    room = io.to("room1")
    samples = [{"emits": 0, "rss": rss_bytes()}]
    start = time.perf_counter()
    for i in range(1, count + 1):
        room.emit_nowait("bench", *args)
        if i % every == 0:
            samples.append({"emits": i, "rss": rss_bytes()})
    report = io.flush()
    secs = time.perf_counter() - start
    samples.append({"emits": count, "rss": rss_bytes(), "after_flush": True})
    io.close()
    return {"ops": count, "secs": secs, "receivers": report.receivers, "samples": samples}


def main():
    argv = sys.argv[1:]
    opts = dict(zip((a[2:] for a in argv[::2]), argv[1::2]))
    mode, url = opts["mode"], opts.get("url")
    if mode == "rss":
        count = int(opts.get("count", 1_000_000))
        result = rss(url, payload_args(opts.get("payload", "small")), count, int(opts.get("every", count // 10)))
        print(json.dumps(result), flush=True)
        return
    if mode == "latency":
        interval = int(opts.get("interval-us", 2000)) / 1e6
        print(json.dumps(asyncio.run(latency(url, int(opts.get("count", 1000)), interval))), flush=True)
        return
    args = payload_args(opts["payload"])
    warmup, seconds = float(opts.get("warmup", 0.2)), float(opts.get("seconds", 1))
    if mode in ("sync", "queue"):
        io = connect(Emitter, opts)
        room = io.to("room1")
        if mode == "sync":
            sync_loop(room, args, warmup)
            result = with_cpu(lambda: sync_loop(room, args, seconds))
        else:
            queue_loop(io, room, args, warmup)
            result = with_cpu(lambda: queue_loop(io, room, args, seconds))
        io.close()
    elif mode in ("gather", "await"):
        window = int(opts.get("window", 256))

        def loop(room, secs):
            if mode == "await":
                return await_loop(room, args, secs)
            return gather_loop(room, args, secs, window)

        async def go():
            io = connect(AsyncEmitter, opts)
            await io.connect()
            room = io.to("room1")
            await loop(room, warmup)
            before = time.process_time()
            r = await loop(room, seconds)
            r["cpu_s"] = time.process_time() - before
            await io.close()
            return r

        result = asyncio.run(go())
    else:
        sys.exit(f"unknown mode {mode}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
