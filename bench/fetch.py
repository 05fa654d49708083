"""The fetchSockets row of `make bench`: how long one `fetch_sockets()` from our Rust emitter
takes, next to the same call made by a Socket.IO server of the cluster, in the same run.
Driven by bench/run.py (`run_fetch`, `write_fetch`); stdlib only.

A fresh interop harness (`tests/harness/harness.js --servers 2`, classic adapter: socket.io
4.8.1 + @socket.io/redis-adapter 8.3.0) gets `--fetch-clients` socket.io clients, spread
evenly over the two servers, each in one of ten rooms and with a small `socket.data`. Both
servers must then report every socket (`server_query fetchSockets`, an observable condition)
before anything is timed. Then, in rounds, `sio-bench fetch` makes a batch of calls one after
the other (each timed inside the process), and the servers make as many (`server_query`,
alternating between server 0 and 1, each timed inside the server: its `elapsed_ms`). Every
answer must hold every socket, from every server.
"""

from __future__ import annotations

import math
import os
import statistics
from pathlib import Path

from burst import FIXTURES_NODE, SIO_BENCH, Harness, Proc

ROUNDS = 5  # batches per side, interleaved, so that a noisy moment hits both alike
ROOMS = 10


def connect_clients(h: Harness, count: int, in_flight: int = 50) -> None:
    """`count` harness clients, alternating between the servers, at most `in_flight` pending."""
    pending = []
    for i in range(count):
        cmd = {"cmd": "client", "name": f"f{i}", "server": i % 2, "rooms": [f"room{i % ROOMS}"],
               "data": {"user": i}, "timeout_ms": 30000}
        pending.append(h.send(cmd))
        if len(pending) >= in_flight or i == count - 1:
            for reply in (q.get(timeout=60) for q in pending):
                if not reply.get("ok"):
                    raise RuntimeError(f"harness client: {reply.get('error')}")
            pending = []


def server_fetch(h: Harness, server: int, expect: int) -> float:
    """One fetchSockets made by `server`; its time in ms, once checked complete."""
    reply = h.cmd({"cmd": "server_query", "server": server, "op": "fetchSockets"}, timeout=60)
    if len(reply["sockets"]) != expect:
        raise RuntimeError(f"server {server} fetched {len(reply['sockets'])} sockets, not {expect}")
    return reply["elapsed_ms"]


def cpu_secs(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rust_batch(emitter: Proc, calls: int, expect: int) -> tuple[list[float], float]:
    """`calls` timed calls of sio-bench fetch: their times in ms, and the CPU it spent."""
    before = cpu_secs(emitter.proc.pid)
    emitter.proc.stdin.write(f"{calls}\n")
    emitter.proc.stdin.flush()
    batch = emitter.line(120)
    cpu = cpu_secs(emitter.proc.pid) - before
    if batch["missing"] or any(n != expect for n in batch["sockets"]):
        raise RuntimeError(f"sio-bench fetch got partial answers: {batch['sockets']}, "
                           f"{batch['missing']} servers missing")
    return batch["ms"], cpu


def stats(ms: list[float]) -> dict:
    ordered = sorted(ms)
    return {"calls": len(ms), "median_ms": statistics.median(ordered),
            "p99_ms": ordered[math.ceil(0.99 * len(ordered)) - 1], "min_ms": ordered[0],
            "max_ms": ordered[-1]}


def run_fetch(opts, log) -> dict:
    if not (FIXTURES_NODE / "socket.io").exists():
        return {"unavailable": "tests/fixtures/node_modules is not installed (make deps)"}
    if not SIO_BENCH.exists():
        return {"unavailable": f"{SIO_BENCH} not built"}
    count, per_batch = opts.fetch_clients, max(1, opts.fetch_calls // ROUNDS)
    h = emitter = None
    try:
        h = Harness(servers=2)
        connect_clients(h, count)
        for server in (0, 1):  # every socket is seen from both sides before timing
            server_fetch(h, server, count)
        emitter = Proc([str(SIO_BENCH), "fetch", "--url", h.ready["redis_url"]])
        first = emitter.line(60)
        if first.get("sockets") != count:
            raise RuntimeError(f"sio-bench fetch saw {first.get('sockets')} sockets, not {count}")
        ours: list[float] = []
        servers: list[float] = []
        cpu = 0.0
        for _ in range(ROUNDS):
            ms, spent = rust_batch(emitter, per_batch, count)
            ours += ms
            cpu += spent
            servers += [server_fetch(h, i % 2, count) for i in range(per_batch)]
    except Exception as e:  # noqa: BLE001 - a failed row is reported, the run goes on
        log(f"FAILED fetch: {str(e)[-300:]}")
        return {"error": str(e)[-600:]}
    finally:
        if emitter:
            emitter.kill()
        if h:
            h.close()
    result = {"clients": count, "ours": stats(ours), "server": stats(servers),
              "ours_cpu_ms_per_call": cpu * 1000 / len(ours)}
    for field in ("median_ms", "p99_ms"):
        result[f"ratio_{field[:-3]}"] = result["ours"][field] / result["server"][field]
    log(f"fetch: {count} sockets on 2 servers, {len(ours)} calls each: Rust emitter median "
        f"{result['ours']['median_ms']:.2f} ms p99 {result['ours']['p99_ms']:.2f} ms (CPU "
        f"{result['ours_cpu_ms_per_call']:.1f} ms per call); server "
        f"median {result['server']['median_ms']:.2f} ms p99 {result['server']['p99_ms']:.2f} ms; "
        f"ours / server's {result['ratio_median']:.2f} (median), {result['ratio_p99']:.2f} (p99)")
    return result


def write_fetch(w, result: dict) -> None:
    """The fetchSockets section of results.md (`w` appends one line)."""
    w("## Asking the cluster: fetchSockets")
    w("")
    if "unavailable" in result or "error" in result:
        w(f"not available: {result.get('unavailable') or result['error'][-300:]}")
        w("")
        return
    w(f"One `fetchSockets()` over the whole namespace, {result['clients']} socket.io clients spread "
      "evenly over two Socket.IO servers (the interop harness: socket.io 4.8.1 + "
      "@socket.io/redis-adapter 8.3.0, classic adapter), each answer checked complete. Calls "
      "one after the other, in interleaved batches; times taken inside the calling process. "
      "The server's call also lists its own sockets locally and asks only the other server; "
      "ours asks both.")
    w("")
    w("| caller | calls | median ms | p99 ms | min..max ms |")
    w("|---|---|---|---|---|")
    for key, label in (("ours", "Rust `Emitter::fetch_sockets`"),
                       ("server", "`io.fetchSockets()` in a server of the cluster")):
        s = result[key]
        w(f"| {label} | {s['calls']} | {s['median_ms']:.2f} | {s['p99_ms']:.2f} | "
          f"{s['min_ms']:.2f}..{s['max_ms']:.2f} |")
    w(f"| ours / server's | | {result['ratio_median']:.2f} | {result['ratio_p99']:.2f} | |")
    w("")
    w(f"`sio-bench fetch` spent {result['ours_cpu_ms_per_call']:.1f} ms of CPU per call (user + "
      "system, /proc): the rest of its time is the servers answering and Redis carrying it.")
    w("")


