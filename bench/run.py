#!/usr/bin/env python3
"""`make bench`: throughput, latency and memory of our emitters against the peers and Redis.

    python3 bench/run.py [--runs 3] [--seconds 1.0] [--only SUBSTRING] [--out bench/results.md]
    python3 bench/run.py --only burst     # only the end-to-end burst (bench/burst.py)
    python3 bench/run.py --only sharded,cluster   # only the sharded and Redis Cluster rows
    python3 bench/run.py --only fetch     # only fetch_sockets vs a server's (bench/fetch.py)
    python3 bench/run.py --only scaling   # only emits/s by cluster masters receiving (bench/scaling.py)

One redis-server on a free 127.0.0.1 port, with one pattern subscriber attached (as a
Socket.IO server would be), serves every measurement. Each runner is a small program that
prints one JSON line ({"ops", "secs", "receivers"}); this script runs every case once per
round, --runs rounds (interleaved, so that a noisy minute hits every case alike), and writes
medians with min..max and the ratios between cases of this same run. Peak RSS comes from
GNU time around each runner process. Raw results go to bench/out/results.json.
The end-to-end burst through two real Socket.IO servers lives in bench/burst.py; the sharded
adapter's rows (on the same Redis, with a draining SSUBSCRIBE subscriber) and the Redis Cluster
rows (three masters of their own, bench/cluster.py) in bench/sharded.py; the time of a
fetch_sockets() against two servers, next to a server's own, in bench/fetch.py.

Stdlib only. What is not built or installed becomes a "not available" row, not a failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import procs  # bench/procs.py
import resp  # bench/resp.py

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SIO_BENCH = TARGET / "release" / "sio-bench"
VENV_PY = BENCH / ".venv" / "bin" / "python"
PEERS_NODE = BENCH / "peers" / "node" / "node_modules"
FIXTURES_NODE = ROOT / "tests" / "fixtures" / "node_modules"
CHANNEL = "socket.io#/#room1#"
PATTERN = "socket.io#/#*"
TIME = "/usr/bin/time"  # GNU time (Debian package `time`), for peak RSS
PAYLOADS = ["small", "json1k", "bin64k"]
PAYLOAD_LABEL = {"small": "small JSON (41 B)", "json1k": "1 KiB JSON", "bin64k": "64 KiB binary"}


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- Redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """One redis-server for the whole run, plus the draining pattern subscriber."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.dir = tempfile.mkdtemp(prefix="sio-bench-redis-")
        self.proc: subprocess.Popen | None = None
        self.drain: subprocess.Popen | None = None
        self.sdrain: subprocess.Popen | None = None  # SSUBSCRIBE CHANNEL, for the sharded rows

    def start(self) -> None:
        # No persistence. The Pub/Sub output-buffer limit is lifted so that a subscriber that
        # falls behind during a burst is not disconnected (which would make PUBLISH cheaper and
        # the figures wrong); check_subscriber() verifies it stayed attached after every case.
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir,
             "--client-output-buffer-limit", "pubsub 0 0 0", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 10
        while True:
            try:
                if self.cmd("PING") == "PONG":
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        self.drain = start_drain(self.port, PATTERN)
        # A sharded adapter in `dynamic` mode SSUBSCRIBEs the room's channel; PUBLISH does not
        # reach it, nor SPUBLISH the pattern subscriber.
        self.sdrain = start_drain(self.port, "--ssubscribe", CHANNEL)

    def cmd(self, *args: str):
        return resp.command(self.port, *args)

    def check_subscriber(self) -> None:
        if self.drain.poll() is not None or self.sdrain.poll() is not None:
            raise RuntimeError("a draining subscriber was disconnected")
        if self.cmd("PUBSUB", "NUMPAT") < 1:
            raise RuntimeError("the pattern subscriber is gone (PUBSUB NUMPAT = 0)")
        if self.cmd("PUBSUB", "SHARDNUMSUB", CHANNEL)[1] < 1:
            raise RuntimeError("the sharded subscriber is gone (PUBSUB SHARDNUMSUB = 0)")

    def stop(self) -> None:
        procs.stop_all((self.drain, self.sdrain, self.proc), self.dir)


def start_drain(port: int, *args: str) -> subprocess.Popen:
    """tools/drain.py on port: a subscriber that only drains its socket (see its docstring)."""
    proc = subprocess.Popen([sys.executable, str(BENCH / "tools" / "drain.py"), str(port), *args],
                            stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError(f"the subscriber {' '.join(args)} on port {port} did not start")
    return proc


# --------------------------------------------------------------------------- processes


@dataclass
class Sample:
    ops_per_s: float
    rss_kib: int
    extra: dict = field(default_factory=dict)
    ops: int = 0
    cpu_s: float | None = None  # the runner's own CPU time (user + sys) in its timed loop


def run_json(argv: list[str], timeout: float = 120, cwd: Path | None = None,
             env: dict | None = None) -> tuple[dict, int]:
    """Runs one runner; returns its last JSON stdout line and its peak RSS (KiB).

    The peak RSS comes from GNU time (`%M`), not from our own wait4(): Linux carries the
    high-water mark of the process that exec()s into the child's ru_maxrss, so a child
    forked from this Python process would never report less than this process' own RSS.
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        proc = subprocess.Popen([TIME, "-f", "%M", "-o", rss.name, *argv], stdout=subprocess.PIPE,
                                stderr=err, cwd=cwd, env={**os.environ, **(env or {})},
                                start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            out = proc.stdout.read().decode(errors="replace")
            proc.wait()
        finally:
            timer.cancel()
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-1500:]
            raise RuntimeError(f"{' '.join(map(str, argv))} exited with {proc.returncode}: {tail}")
        peak = int((rss.read().strip().splitlines() or ["0"])[-1])
    lines = [line for line in out.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise RuntimeError(f"{argv[0]} printed no JSON line: {out[-500:]!r}")
    return json.loads(lines[-1]), peak


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    group: str          # "limit", "peer", "ours"
    name: str           # row label
    key: str            # stable id
    argv: Callable[[str], list[str]] | None  # payload -> command line
    unavailable: str | None = None  # why it cannot run
    payloads: tuple[str, ...] = tuple(PAYLOADS)
    kind: str = "runner"  # "runner" | "redis-benchmark" | "blast" (argv with "{n}", calibrated)
    note: str = ""        # "conns:pipeline" of a redis-benchmark case
    env: dict | None = None
    section: str = "main"  # which table: "main", "sharded" (one Redis) or "cluster"
    enc: str = ""         # the encoding's file suffix in bench/out: "" classic, "_sharded"
    base: tuple[str, str] = ("rb-p1", "rb-p64")  # the -P 1 and -P 64 baselines of its ratios
    twin: str | None = None  # the same runner in another table, for one more ratio


def have(path: Path) -> bool:
    return path.exists()


def build_cases(redis: Redis, opts) -> list[Case]:
    url = redis.url
    secs = str(opts.seconds)
    warm = str(opts.warmup)
    cases: list[Case] = []

    # The limit: redis-benchmark with one connection (an emitter has one), -P 1 and -P 64,
    # plus 50 connections as Redis' own ceiling. publish_blast where redis-benchmark cannot
    # send the bytes (NUL in the payload).
    for label, key, conns, pipe in [
        ("redis-benchmark -c 1 -P 1", "rb-p1", 1, 1),
        ("redis-benchmark -c 1 -P 64", "rb-p64", 1, 64),
        ("redis-benchmark -c 50 -P 64 (Redis ceiling)", "rb-c50", 50, 64),
    ]:
        cases.append(Case("limit", label, key, lambda p, conns=conns, pipe=pipe: [
            "redis-benchmark", "-p", str(redis.port), "-c", str(conns), "-P", str(pipe), "-n", "{n}",
            "-q", "-x", "PUBLISH", CHANNEL], kind="redis-benchmark", note=f"{conns}:{pipe}"))
    for pipe in (1, 64):
        cases.append(Case(
            "limit", f"publish_blast -P {pipe} (redis-benchmark's loop, binary-safe)", f"pb-p{pipe}",
            lambda p, pipe=pipe: [str(OUT / "publish_blast"), str(redis.port), str(OUT / f"channel_{p}"),
                                  str(OUT / f"payload_{p}"), "{n}", str(pipe)],
            kind="blast",
        ))

    # Peers.
    node_ok = None if have(PEERS_NODE / "@socket.io" / "redis-emitter") else "bench/peers/node not installed"
    for client in ("node-redis", "ioredis"):
        for mode, label in (("await", "awaited one by one"), ("fire", "fired without waiting")):
            cases.append(Case(
                "peer", f"official @socket.io/redis-emitter 5.1.0 + {client}, {label}",
                f"official-{client}-{mode}",
                lambda p, client=client, mode=mode: [
                    "node", str(BENCH / "runners" / "node" / "official.js"), "--url", url,
                    "--payload", p, "--client", client, "--mode", mode,
                    "--seconds", secs, "--warmup", warm],
                unavailable=node_ok))
    py_ok = None if VENV_PY.exists() and subprocess.run(
        [str(VENV_PY), "-c", "import socket_io_emitter"], capture_output=True).returncode == 0 \
        else "bench/.venv has no socket.io-emitter"
    cases.append(Case(
        "peer", "Python socket.io-emitter 0.1.5.1 + redis-py 8.1 (sync)", "py-peer",
        lambda p: [str(VENV_PY), str(BENCH / "runners" / "python" / "peer.py"), "--url", url,
                   "--payload", p, "--seconds", secs, "--warmup", warm],
        unavailable=py_ok))

    # Ours: Rust.
    rust_ok = None if SIO_BENCH.exists() else f"{SIO_BENCH} not built"
    for mode, label in (
        ("blocking", "Rust blocking, one at a time"),
        ("awaited", "Rust async, awaited one at a time (in a task)"),
        ("concurrent", "Rust async, awaited concurrently (256 in flight, in a task)"),
        ("queue", "Rust blocking emit_nowait + flush"),
        ("queue-async", "Rust async emit_queued + flush"),
    ):
        cases.append(Case(
            "ours", label, f"rust-{mode}",
            lambda p, mode=mode: [str(SIO_BENCH), "run", "--url", url, "--payload", p,
                                  "--mode", mode, "--seconds", secs, "--warmup", warm],
            unavailable=rust_ok))

    # Ours: the bindings (each adds its cases, or "not available" rows).
    from bindings import binding_cases  # bench/bindings.py

    cases.extend(binding_cases(Case, url, secs, warm))
    cases = [c for c in cases if selected(opts, c.key, c.name)]
    # The sharded adapter on this same Redis (bench/sharded.py).
    from sharded import sharded_cases

    return cases + sharded_cases(Case, redis.port, url, opts, selected)


def selected(opts, *names: str) -> bool:
    """`--only`: whether a case (or a latency sender, memory runner, burst row) is wanted."""
    if not opts.only:
        return True
    wanted = [w for w in opts.only.split(",") if w]
    return any(w in name for w in wanted for name in names)


def redis_benchmark(argv: list[str], payload_file: Path) -> float:
    """Runs redis-benchmark (`-x`: the last argument is read from payload_file)."""
    with open(payload_file, "rb") as stdin:
        out = subprocess.run(argv, stdin=stdin, capture_output=True, text=True, timeout=120,
                             check=True).stdout
    found = re.findall(r"([\d.]+) requests per second", out.replace("\r", "\n"))
    if not found:
        raise RuntimeError(f"redis-benchmark printed no result: {out[-300:]!r}")
    return float(found[-1])


class Runner:
    def __init__(self, redis: Redis, opts) -> None:
        self.redis = redis
        self.opts = opts
        self.samples: dict[tuple[str, str], list[Sample]] = {}
        self.errors: dict[tuple[str, str], str] = {}
        self.counts: dict[tuple[str, str], int] = {}  # calibrated request counts

    def calibrate(self, case: Case, payload: str) -> int:
        """Request count for redis-benchmark / publish_blast so that one run lasts ~seconds."""
        key = (case.key, payload)
        if key not in self.counts:
            probe = 2000 if payload != "bin64k" else 300
            if case.note.endswith(":64"):
                probe *= 10
            rate = self.measure_fixed(case, payload, probe)
            self.counts[key] = max(1000, int(rate * self.opts.seconds))
        return self.counts[key]

    def measure_fixed(self, case: Case, payload: str, n: int) -> float:
        if case.kind == "redis-benchmark":
            # Whole pipelines only: with --cluster, redis-benchmark 7.0 gets its {tag}
            # substitution wrong in a last, partial pipeline (Redis closes the connection).
            pipe = int(case.note.split(":")[1])
            n = -(-n // pipe) * pipe
        argv = [a.replace("{n}", str(n)) for a in case.argv(payload)]
        if case.kind == "redis-benchmark":
            return redis_benchmark(argv, OUT / f"payload{case.enc}_{payload}")
        result, _ = run_json(argv)
        return result["ops"] / result["secs"]

    def run_once(self, case: Case, payload: str) -> Sample:
        if case.kind == "redis-benchmark":
            return Sample(self.measure_fixed(case, payload, self.calibrate(case, payload)), 0)
        if case.kind == "blast":
            n = self.calibrate(case, payload)
            argv = [a.replace("{n}", str(n)) for a in case.argv(payload)]
        else:
            argv = case.argv(payload)
        result, rss = run_json(argv, env=case.env)
        extra = {k: v for k, v in result.items() if k not in ("ops", "secs", "cpu_s")}
        if result.get("receivers") not in (None, result["ops"]):
            extra["warning"] = f"receivers {result['receivers']} != ops {result['ops']}"
        return Sample(result["ops"] / result["secs"], rss, extra, result["ops"], result.get("cpu_s"))

    def skip(self, case: Case, payload: str) -> bool:
        if case.kind == "redis-benchmark":
            # redis-benchmark -x cuts the argument at the first NUL byte.
            return b"\0" in (OUT / f"payload{case.enc}_{payload}").read_bytes()
        return False

    def round(self, cases: list[Case], index: int) -> None:
        for case in cases:
            if case.unavailable:
                continue
            for payload in case.payloads:
                key = (case.key, payload)
                if key in self.errors or self.skip(case, payload):
                    continue
                try:
                    sample = self.run_once(case, payload)
                    self.redis.check_subscriber()
                except Exception as e:  # noqa: BLE001 - one broken runner must not stop the rest
                    self.errors[key] = str(e)[-600:]
                    log(f"FAILED {case.key} {payload}: {str(e)[-300:]}")
                    continue
                self.samples.setdefault(key, []).append(sample)
                cpu = f"  cpu {sample.cpu_s / sample.ops * 1e6:7.2f} µs/emit" if sample.cpu_s is not None else ""
                log(f"round {index + 1}: {case.key:<28} {payload:<7} {sample.ops_per_s:>12,.0f}/s"
                    f"  rss {sample.rss_kib / 1024:6.1f} MiB{cpu}")


# --------------------------------------------------------------------------- latency, memory


def start_fixture_server(redis: Redis) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        ["node", str(ROOT / "tests" / "fixtures" / "server.js")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "REDIS_URL": redis.url, "PORT": "0", "EXIT_ON_STDIN_EOF": "1"},
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("type") == "listening":
            # Keep reading its stdout so that it never blocks on a full pipe.
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, msg["port"]
    proc.kill()
    raise RuntimeError("the fixture Socket.IO server did not start")


def latency_senders(redis: Redis, opts) -> list[tuple[str, str, list[str] | None, str | None]]:
    count, interval = str(opts.latency_count), str(opts.latency_interval_us)
    senders = [
        ("ours: Rust async, awaited", "rust",
         [str(SIO_BENCH), "latency", "--url", redis.url, "--count", count, "--interval-us", interval],
         None if SIO_BENCH.exists() else "sio-bench not built"),
        ("official emitter + node-redis, awaited", "official",
         ["node", str(BENCH / "runners" / "node" / "official_latency.js"), "--url", redis.url,
          "--count", count, "--interval-us", interval],
         None if (PEERS_NODE / "redis").exists() else "bench/peers/node not installed"),
    ]
    from bindings import latency_senders as binding_senders

    senders.extend(binding_senders(redis.url, count, interval))
    return [s for s in senders if selected(opts, "latency", s[1], s[0])]


def run_latency(redis: Redis, opts) -> dict:
    if not (FIXTURES_NODE / "socket.io").exists():
        return {"unavailable": "tests/fixtures/node_modules is not installed (make deps)"}
    if not latency_senders(redis, opts):
        return {}
    server, port = start_fixture_server(redis)
    results: dict[str, dict] = {}
    try:
        senders = latency_senders(redis, opts)
        for r in range(opts.runs):
            for label, key, argv, why in senders:
                entry = results.setdefault(key, {"label": label, "runs": [], "unavailable": why})
                if why:
                    continue
                client = subprocess.Popen(
                    ["node", str(BENCH / "runners" / "latency" / "client.js"), "--port", str(port)],
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                try:
                    if '"ready"' not in (client.stdout.readline() or ""):
                        raise RuntimeError("latency client did not join")
                    run_json(argv, timeout=60)
                    done = json.loads(client.stdout.readline() or "{}")
                    client.wait(10)
                except Exception as e:  # noqa: BLE001
                    client.kill()
                    entry["error"] = str(e)[-400:]
                    log(f"FAILED latency {key}: {str(e)[-300:]}")
                    continue
                entry["runs"].append(done)
                log(f"latency round {r + 1}: {key:<10} p50 {done.get('p50_ms')} ms, "
                    f"p99 {done.get('p99_ms')} ms ({done.get('received')}/{done.get('expected')})")
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(10)
    return results


def run_memory(redis: Redis, opts) -> dict:
    """One million queued emits (small payload) per runner, RSS sampled every 10%."""
    from bindings import python_unavailable

    count, every = str(opts.rss_count), str(opts.rss_count // 10)
    runners = [
        ("Rust blocking emit_nowait", "rust",
         [str(SIO_BENCH), "rss", "--url", redis.url, "--payload", "small", "--count", count, "--every", every],
         None if SIO_BENCH.exists() else "sio-bench not built"),
        ("Python emit_nowait", "python",
         [str(VENV_PY), str(BENCH / "runners" / "python" / "ours.py"), "--url", redis.url, "--mode", "rss",
          "--payload", "small", "--count", count, "--every", every],
         python_unavailable()),
    ]
    results = {}
    for label, key, argv, why in runners:
        if not selected(opts, "memory", key, label):
            continue
        if why:
            results[key] = {"label": label, "unavailable": why}
            continue
        try:
            result, rss = run_json(argv, timeout=300)
            redis.check_subscriber()
        except Exception as e:  # noqa: BLE001
            results[key] = {"label": label, "unavailable": f"failed: {str(e)[-300:]}"}
            log(f"FAILED memory {key}: {str(e)[-300:]}")
            continue
        result.update(label=label, peak_rss_kib=rss)
        results[key] = result
        log(f"memory {key}: {opts.rss_count:,} queued emits in {result['secs']:.1f} s, peak RSS {rss / 1024:.1f} MiB")
    return results


# --------------------------------------------------------------------------- report


def fmt_rate(v: float) -> str:
    if v >= 100_000:
        return f"{v / 1000:,.0f}k"
    if v >= 10_000:
        return f"{v / 1000:,.1f}k"
    return f"{v:,.0f}"


def summary(samples: list[Sample]) -> tuple[float, float, float]:
    rates = [s.ops_per_s for s in samples]
    return statistics.median(rates), min(rates), max(rates)


def write_report(path: Path, cases: list[Case], runner: Runner, latency: dict, memory: dict,
                 burst: dict, opts, started: float, env_info: dict, cluster_info: dict,
                 fetch: dict, scaling_info: dict) -> None:
    med: dict[tuple[str, str], float] = {}
    for key, samples in runner.samples.items():
        med[key] = summary(samples)[0]

    def ratio(a: str, b: str, payload: str) -> str:
        if (a, payload) in med and (b, payload) in med and med[(b, payload)] > 0:
            return f"{med[(a, payload)] / med[(b, payload)]:.2f}"
        return "n/a"

    lines: list[str] = []
    w = lines.append
    w("# `make bench` results")
    w("")
    w(f"Generated by `bench/run.py` on {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} "
      f"({(time.time() - started) / 60:.1f} min). {opts.runs} runs of every case, interleaved; "
      f"each run times {opts.seconds} s of emits after {opts.warmup} s of warm-up, and stops the "
      "clock only once Redis acknowledged every emit. Figures are **median [min..max] emits per "
      "second**; ratios divide medians of this same run.")
    w("")
    w("Machine: " + ", ".join(f"{k} {v}" for k, v in env_info.items()) + ".")
    w("")
    w("Every emit is `to(\"room1\").emit(\"bench\", payload)`: one PUBLISH to `socket.io#/#room1#`, "
      "received by one pattern subscriber (`PSUBSCRIBE socket.io#/#*`, like a Socket.IO server's "
      "adapter) that only drains its socket. Payloads (`bench/payloads.json`): small = a 41-byte "
      "JSON object (92-byte message), 1 KiB = a 1024-byte JSON object (823-byte message), "
      "64 KiB = 65536 bytes of binary (65604-byte message).")
    w("")

    # Targets first.
    w("## Targets")
    w("")
    w("| target | measured (small payload unless said) | goal | met |")
    w("|---|---|---|---|")
    targets = [
        ("Rust enqueue + flush vs redis-benchmark -c 1 -P 64", "rust-queue", "rb-p64", 0.8),
        ("Rust blocking, one at a time vs redis-benchmark -c 1 -P 1", "rust-blocking", "rb-p1", 0.9),
        ("Rust async, awaited one at a time vs redis-benchmark -c 1 -P 1", "rust-awaited", "rb-p1", 0.9),
        ("Python sync, one at a time vs redis-benchmark -c 1 -P 1", "python-sync", "rb-p1", 0.9),
        ("Python AsyncEmitter, await each vs redis-benchmark -c 1 -P 1", "python-await", "rb-p1", 0.9),
        ("Python AsyncEmitter, gather of 256 vs redis-benchmark -c 1 -P 1", "python-gather", "rb-p1", 8.0),
        ("Node, await each vs redis-benchmark -c 1 -P 1", "node-await", "rb-p1", 0.9),
        ("Node, await each vs official + ioredis awaited", "node-await", "official-ioredis-await", 1.0),
        ("C, one at a time vs redis-benchmark -c 1 -P 1", "c-sync", "rb-p1", 0.9),
        ("PHP, one at a time vs redis-benchmark -c 1 -P 1", "php-sync", "rb-p1", 0.9),
        ("Go, one at a time vs redis-benchmark -c 1 -P 1", "go-sync", "rb-p1", 0.9),
        ("Java, one at a time vs redis-benchmark -c 1 -P 1", "java-sync", "rb-p1", 0.9),
        ("Python enqueue + flush vs Python peer", "python-queue", "py-peer", 10.0),
        ("Node Promise.all vs official + node-redis fired", "node-all", "official-node-redis-fire", 2.0),
        ("Node Promise.all vs official + ioredis fired", "node-all", "official-ioredis-fire", 2.0),
    ]
    for label, a, b, goal in targets:
        r = ratio(a, b, "small")
        met = "n/a" if r == "n/a" else ("yes" if float(r) >= goal else "**no**")
        w(f"| {label} | {r} | ≥ {goal:g} | {met} |")
    from cpu import cpu_targets, write_cpu  # bench/cpu.py

    for label, measured, met in cpu_targets(cases, runner.samples):
        w(f"| {label} (small) | {measured} | < 1 | {met} |")
    w("")

    # Throughput table.
    w("## Throughput (emits/s)")
    w("")
    head = "| group | runner | " + " | ".join(PAYLOAD_LABEL[p] for p in PAYLOADS) + \
        " | vs -P 1 (small) | vs -P 64 (small) | peak RSS MiB (small / 64 KiB) |"
    w(head)
    w("|" + "---|" * (head.count("|") - 1))
    for case in (c for c in cases if c.section == "main"):
        cells = []
        for p in PAYLOADS:
            key = (case.key, p)
            if case.unavailable:
                cells.append("not available")
            elif key in runner.errors:
                cells.append("failed")
            elif key in runner.samples:
                m, lo, hi = summary(runner.samples[key])
                cells.append(f"{fmt_rate(m)} [{fmt_rate(lo)}..{fmt_rate(hi)}]")
            elif case.kind == "redis-benchmark" and runner.skip(case, p):
                cells.append("(NUL in payload: see publish_blast)")
            else:
                cells.append("—")
        rss = []
        for p in ("small", "bin64k"):
            s = runner.samples.get((case.key, p))
            rss.append(f"{statistics.median([x.rss_kib for x in s]) / 1024:.0f}" if s and s[0].rss_kib else "—")
        if case.unavailable:
            r1 = r64 = "—"
            rss_cell = f"— ({case.unavailable})"
        else:
            r1, r64 = ratio(case.key, "rb-p1", "small"), ratio(case.key, "rb-p64", "small")
            rss_cell = " / ".join(rss)
        w(f"| {case.group} | {case.name} | " + " | ".join(cells) + f" | {r1} | {r64} | {rss_cell} |")
    w("")
    main_keys = {c.key for c in cases if c.section == "main"}
    if any(k in main_keys for k, _ in runner.errors):
        w("Failures:")
        w("")
        for (k, p), e in ((kp, e) for kp, e in runner.errors.items() if kp[0] in main_keys):
            w(f"- `{k}` / {p}: `{e.strip().splitlines()[-1][:300] if e.strip() else e}`")
        w("")

    write_cpu(w, cases, runner.samples, PAYLOADS, PAYLOAD_LABEL)

    # The sharded adapter on one Redis, and the Redis Cluster (bench/sharded.py).
    from sharded import write_sections

    write_sections(w, cases, runner.samples, runner.errors, cluster_info, summary, fmt_rate,
                   PAYLOADS, PAYLOAD_LABEL)
    from scaling import write_scaling  # sharded emits/s by masters receiving (bench/scaling.py)

    write_scaling(w, cases, runner.samples, runner.errors, scaling_info, summary, fmt_rate, PAYLOAD_LABEL)

    # Latency.
    w("## End to end: emit to client")
    w("")
    if not latency:
        w("not run this time (`--skip-latency`, or no sender matched `--only`)")
    elif "unavailable" in latency:
        w(f"not available: {latency['unavailable']}")
    else:
        w(f"{opts.latency_count} awaited emits per run, one every {opts.latency_interval_us} µs, each "
          "carrying its send time; one socket.io-client 4.8.1 socket in room1 on the fixture server "
          "(`tests/fixtures/server.js`: socket.io 4.8.1 + @socket.io/redis-adapter 8.3.0) records "
          "the arrival time (same clock). Median [min..max] over the runs, milliseconds.")
        w("")
        w("| sender | p50 ms | p99 ms | received |")
        w("|---|---|---|---|")
        for key, e in latency.items():
            if e.get("unavailable"):
                w(f"| {e['label']} | not available ({e['unavailable']}) | | |")
                continue
            runs = e["runs"]
            if not runs:
                w(f"| {e['label']} | failed: {e.get('error', '?')[:200]} | | |")
                continue

            def mm(field_: str) -> str:
                v = [r[field_] for r in runs if r.get(field_) is not None]
                return f"{statistics.median(v):.3f} [{min(v):.3f}..{max(v):.3f}]" if v else "—"

            got = sum(r.get("received", 0) for r in runs)
            exp = sum(r.get("expected", 0) for r in runs)
            w(f"| {e['label']} | {mm('p50_ms')} | {mm('p99_ms')} | {got}/{exp} |")
    w("")

    # The burst (bench/burst.py).
    if burst:
        from burst import write_burst

        write_burst(w, burst, opts, fmt_rate)

    # Asking the cluster (bench/fetch.py).
    if fetch:
        from fetch import write_fetch

        write_fetch(w, fetch)

    # Memory.
    w("## Memory over one million emits")
    w("")
    w(f"{opts.rss_count:,} small emits through `emit_nowait` (queue capacity 10 000, blocking when full), "
      "one `flush` at the end; RSS read from /proc/self/statm every 10%, and after the flush; peak "
      "RSS from GNU time.")
    w("")
    if not memory:
        w("not run this time (`--skip-memory`, or no runner matched `--only`)")
        w("")
    for key, m in memory.items():
        if m.get("unavailable"):
            w(f"- {m.get('label', key)}: not available ({m['unavailable']})")
            continue
        w(f"**{m['label']}**: {m['ops']:,} emits in {m['secs']:.1f} s ({m['ops'] / m['secs']:,.0f}/s), "
          f"peak RSS {m['peak_rss_kib'] / 1024:.1f} MiB, {m['receivers']:,} receptions reported.")
        w("")
        w("| emits | " + " | ".join(f"{s['emits'] // 1000}k" + (" +flush" if s.get("after_flush") else "")
                                   for s in m["samples"]) + " |")
        w("|---|" + "---|" * len(m["samples"]))
        w("| RSS MiB | " + " | ".join(f"{s['rss'] / 2**20:.1f}" for s in m["samples"]) + " |")
        w("")
    w("")

    notes = BENCH / "analysis.md"
    if notes.exists():
        w(notes.read_text().rstrip())
        w("")
    path.write_text("\n".join(lines))


# --------------------------------------------------------------------------- main


def prepare() -> None:
    OUT.mkdir(exist_ok=True)
    subprocess.run(["cc", "-O2", "-o", str(OUT / "publish_blast"), str(BENCH / "tools" / "publish_blast.c")],
                   check=True)
    if not SIO_BENCH.exists():
        raise SystemExit(f"{SIO_BENCH} is missing: build it with `cargo build --release -p socketio-emitter-bench`")
    # The emit arguments as JSON text, for the runners that take JSON (C, and the wrappers
    # over it): binary is the placeholder {"$bin": 0} for buffer 0.
    payloads = json.loads((BENCH / "payloads.json").read_text())
    for p in PAYLOADS:
        args = [{"$bin": 0}] if p == "bin64k" else [payloads[p]]
        (OUT / f"args_{p}.json").write_text(json.dumps(args, separators=(",", ":")))
    for p in PAYLOADS:
        for enc, adapter in (("", "classic"), ("_sharded", "sharded")):
            subprocess.run([str(SIO_BENCH), "encode", "--payload", p, "--adapter", adapter,
                            "--channel-out", str(OUT / f"channel{enc}_{p}"),
                            "--payload-out", str(OUT / f"payload{enc}_{p}")], check=True, stdout=subprocess.DEVNULL)


def machine_info() -> dict:
    info = {"CPUs": os.cpu_count(), "kernel": platform.release()}
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        info["CPU"] = model
    except (OSError, StopIteration):
        pass
    for name, argv in (("redis", ["redis-server", "--version"]), ("node", ["node", "--version"]),
                       ("rustc", ["rustc", "--version"])):
        try:
            out = subprocess.run(argv, capture_output=True, text=True).stdout
            info[name] = (re.search(r"v=([\d.]+)", out) or re.search(r"v?(\d+\.\d+\.\d+)", out)).group(1)
        except (OSError, AttributeError):
            pass
    info["python"] = platform.python_version()
    info["load average at start"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--warmup", type=float, default=0.2)
    ap.add_argument("--only", help="run only the cases whose key or name contains this "
                    "(several: comma-separated, any of them)")
    ap.add_argument("--latency-count", type=int, default=1000)
    ap.add_argument("--latency-interval-us", type=int, default=2000)
    ap.add_argument("--rss-count", type=int, default=1_000_000)
    ap.add_argument("--skip-latency", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-burst", action="store_true")
    ap.add_argument("--skip-cluster", action="store_true", help="leave out the Redis Cluster rows")
    ap.add_argument("--skip-scaling", action="store_true",
                    help="leave out the scaling rows (sharded emits/s by masters receiving)")
    ap.add_argument("--burst-count", type=int, default=100_000, help="emits per burst")
    ap.add_argument("--burst-payloads", default="small,str4k", help="small and/or str4k (comma-separated)")
    ap.add_argument("--burst-runs", type=int, default=1, help="runs of every burst row")
    ap.add_argument("--burst-clients", type=int, default=10,
                    help="counting clients in room1, spread evenly over the two servers")
    ap.add_argument("--burst-stall-ms", type=int, default=3000, help="how long server 0 is stalled")
    ap.add_argument("--burst-idle-ms", type=int, default=2000,
                    help="a client that got nothing for this long after the burst has all it will get")
    ap.add_argument("--skip-fetch", action="store_true", help="leave out the fetchSockets row")
    ap.add_argument("--fetch-clients", type=int, default=1000, help="sockets over the two servers")
    ap.add_argument("--fetch-calls", type=int, default=200, help="timed fetchSockets per caller")
    ap.add_argument("--out", type=Path, default=BENCH / "results.md")
    opts = ap.parse_args()
    sys.path.insert(0, str(BENCH))

    started = time.time()
    env_info = machine_info()
    prepare()
    redis = Redis()
    redis.start()
    log(f"redis-server on port {redis.port}, pattern subscriber attached")
    try:
        cases = build_cases(redis, opts)
        for c in cases:
            if c.unavailable:
                log(f"not available: {c.name}: {c.unavailable}")
        runner = Runner(redis, opts)
        for i in range(opts.runs):
            runner.round(cases, i)
        # The Redis Cluster rows and the scaling rows share three masters (bench/cluster.py).
        from cluster import SharedCluster
        from scaling import run_scaling
        from sharded import RB_TEMPLATE, run_cluster

        cluster_cases, cluster_runner, cluster_info = [], None, {}
        scaling_cases, scaling_runner, scaling_info = [], None, {}
        with SharedCluster(CHANNEL, PATTERN, RB_TEMPLATE, start_drain) as shared:
            if not opts.skip_cluster:
                cluster_cases, cluster_runner, cluster_info = run_cluster(
                    opts, selected, Case, Runner, shared, log)
            if not opts.skip_scaling:
                scaling_cases, scaling_runner, scaling_info = run_scaling(opts, sys.modules[__name__], shared)
        latency = {} if opts.skip_latency else run_latency(redis, opts)
        memory = {} if opts.skip_memory else run_memory(redis, opts)
    finally:
        redis.stop()
    # The burst brings its own Redis and servers (the interop harness).
    from burst import run_burst

    burst = {} if opts.skip_burst else run_burst(opts, log, lambda *names: selected(opts, "burst", *names))
    # So does the fetchSockets row.
    from fetch import run_fetch

    fetch = {} if opts.skip_fetch or not selected(opts, "fetch") else run_fetch(opts, log)

    for other in (cluster_runner, scaling_runner):  # keys are unique ("cluster-", "scaling-")
        if other:
            runner.samples.update(other.samples)
            runner.errors.update(other.errors)
    cases += cluster_cases + scaling_cases
    raw = {
        "machine": env_info,
        "cluster": cluster_info,
        "scaling": scaling_info,
        "samples": {f"{k}/{p}": [s.__dict__ for s in v] for (k, p), v in runner.samples.items()},
        "errors": {f"{k}/{p}": e for (k, p), e in runner.errors.items()},
        "latency": latency,
        "memory": memory,
        "burst": burst,
        "fetch": fetch,
    }
    (OUT / "results.json").write_text(json.dumps(raw, indent=1))
    write_report(opts.out, cases, runner, latency, memory, burst, opts, started, env_info, cluster_info,
                 fetch, scaling_info)
    log(f"wrote {opts.out} in {(time.time() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
