"""The end-to-end burst of `make bench`: N emits through two real Socket.IO servers to real
socket.io clients, with the servers reading normally and with one of them stalled at the start
of the burst. Driven by bench/run.py (`run_burst`, `write_burst`); stdlib only.

Each run starts a fresh interop harness (`tests/harness/harness.js --servers 2`: its own
redis-server with Redis's default `client-output-buffer-limit pubsub 32mb 8mb 60`, and two
fixture servers, socket.io 4.8.1 + @socket.io/redis-adapter 8.3.0), connects
`--burst-clients` counting clients (`runners/burst/counter.js`, one process each) in room1,
spread evenly over the two servers (client i on server i mod 2), starts the emitter and waits
for it to be connected, optionally sends `server_stall` for server 0, then tells the emitter
to go. The emitter prints what it was told (flush report or PUBLISH replies); the counters
print how many distinct events they got, when the first and last arrived, and how many came
out of order.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SIO_BENCH = TARGET / "release" / "sio-bench"
PEERS_NODE = BENCH / "peers" / "node" / "node_modules"
FIXTURES_NODE = ROOT / "tests" / "fixtures" / "node_modules"
HARNESS = ROOT / "tests" / "harness" / "harness.js"
RUNNERS = BENCH / "runners" / "burst"

PAYLOAD_LABEL = {"small": "small (41 B JSON + seq)", "str4k": "4 KiB string + seq"}
MODE_LABEL = {"normal": "both servers reading", "stall": "server 0 stalled at the start"}
BASELINE = "burst-official"


def emitters(count: int) -> list[tuple[str, str, callable, str | None]]:
    """(key, label, (redis url, payload) -> argv, why unavailable) for every emitter of the burst."""
    rust_why = None if SIO_BENCH.exists() else f"{SIO_BENCH} not built"
    node_why = None if (PEERS_NODE / "@socket.io" / "redis-emitter").exists() else "bench/peers/node not installed"
    n = str(count)
    return [
        ("burst-official", "official @socket.io/redis-emitter 5.1.0 + node-redis, fired (baseline)",
         lambda url, p: ["node", str(RUNNERS / "official.js"), "--url", url, "--count", n, "--payload", p],
         node_why),
        ("burst-rust-paced", "Rust emit_nowait + flush, pacing on (default)",
         lambda url, p: [str(SIO_BENCH), "burst", "--url", url, "--count", n, "--payload", p, "--pacing", "on"],
         rust_why),
        ("burst-rust-unpaced", "Rust emit_nowait + flush, pacing off",
         lambda url, p: [str(SIO_BENCH), "burst", "--url", url, "--count", n, "--payload", p, "--pacing", "off"],
         rust_why),
    ]


class Harness:
    """A minimal driver of tests/harness/harness.js (see tests/harness/README.md)."""

    def __init__(self, servers: int = 2) -> None:
        self.proc = subprocess.Popen(
            ["node", str(HARNESS), "--servers", str(servers)],
            # stderr is empty unless the harness fails (its `fatal` line says why) or
            # HARNESS_VERBOSE is set; a pipe nobody reads could block it.
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        first = json.loads(self.proc.stdout.readline() or '{"type":"fatal","error":"no output"}')
        if first.get("type") != "ready":
            self.proc.kill()
            raise RuntimeError(f"harness did not start: {first.get('error')}")
        self.ready = first
        self.replies: dict[int, queue.Queue] = {}
        self.exits: list[dict] = []  # `server_exit` lines: a server process died unasked
        self.next_id = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("type") == "reply" and msg.get("id") in self.replies:
                self.replies[msg["id"]].put(msg)
            elif msg.get("type") == "server_exit":
                self.exits.append(msg)

    def send(self, cmd: dict) -> queue.Queue:
        """Sends a command; the returned queue gets its reply."""
        with self.lock:
            self.next_id += 1
            ident = self.next_id
            self.replies[ident] = queue.Queue()
            self.proc.stdin.write(json.dumps({**cmd, "id": ident}) + "\n")
            self.proc.stdin.flush()
        return self.replies[ident]

    def cmd(self, cmd: dict, timeout: float = 30) -> dict:
        reply = self.send(cmd).get(timeout=timeout)
        if not reply.get("ok"):
            raise RuntimeError(f"harness {cmd['cmd']}: {reply.get('error')}")
        return reply

    def close(self) -> None:
        try:
            self.cmd({"cmd": "shutdown"}, timeout=15)
            self.proc.wait(15)
        except Exception:  # noqa: BLE001 - tear down whatever state it is in
            self.proc.kill()
            self.proc.wait(5)


class Proc:
    """A child that prints JSON lines and reads one line on stdin to go on."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, start_new_session=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            if line.strip().startswith("{"):
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def line(self, timeout: float) -> dict:
        try:
            msg = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{Path(self.argv[1 if self.argv[0] == 'node' else 0]).name}: "
                               f"no line within {timeout:.0f} s") from None
        if msg is None:
            self.proc.wait(5)
            self.err.seek(0)
            err = self.err.read().decode(errors="replace")[-600:]
            raise RuntimeError(f"{' '.join(self.argv[:2])} exited with {self.proc.returncode}: {err}")
        return msg

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)


def one_burst(argv_of, payload: str, mode: str, opts) -> dict:
    """One run: a fresh harness, the counters, one emitter. Returns the figures."""
    h = Harness(servers=2)
    procs: list[Proc] = []
    try:
        url = h.ready["redis_url"]
        servers = h.ready["servers"]
        counters = []
        for i in range(opts.burst_clients):
            c = Proc(["node", str(RUNNERS / "counter.js"), "--port", str(servers[i % len(servers)]["port"]),
                      "--expect", str(opts.burst_count), "--idle-ms", str(opts.burst_idle_ms)])
            procs.append(c)
            counters.append(c)
        for c in counters:
            if not c.line(60).get("ready"):
                raise RuntimeError("a counter did not join room1")
        emitter = Proc(argv_of(url, payload))
        procs.append(emitter)
        if not emitter.line(30).get("ready"):
            raise RuntimeError("the emitter did not get ready")
        stall = None
        if mode == "stall":
            stall = h.send({"cmd": "server_stall", "server": 0, "ms": opts.burst_stall_ms})
        # The stall travels harness -> server stdin: give it time to start blocking (and
        # wait as long without one, so that both modes start alike).
        time.sleep(0.2)
        emitter.go()
        result = emitter.line(300)
        if stall is not None:
            reply = stall.get(timeout=opts.burst_stall_ms / 1000 + 30)
            if not reply.get("ok"):
                raise RuntimeError(f"server_stall: {reply.get('error')}")
        for c in counters:
            c.go()
        clients = [c.line(300) for c in counters]
        # Redis logs each subscriber it disconnects for its output buffer (notice level), with
        # the connection's name (sio-harness-sub-<server>).
        cut = [line for line in h.cmd({"cmd": "logs"})["logs"].splitlines()
               if "overcoming of output buffer limits" in line]
        cutoffs = [sum(f"name=sio-harness-sub-{s['index']} " in line for line in cut)
                   for s in h.ready["servers"]]
        exits = [sum(x["server"] == s["index"] for x in h.exits) for s in h.ready["servers"]]
        crash = next((x.get("stderr_tail", "") for x in h.exits), "")
        crash = next((line.strip() for line in crash.splitlines() if line.startswith("Error")), crash[-200:])
    finally:
        for p in procs:
            p.kill()
        h.close()
    t0 = result["t0_ms"]
    delivered = sum(c["distinct"] for c in clients)
    lasts = [c["last_ms"] for c in clients if c["last_ms"] is not None]
    span = (max(lasts) - t0) / 1000 if lasts else None
    for i, c in enumerate(clients):
        c["server"] = i % len(servers)
    # What reached each server: an event one of its clients got reached it (a server sends every
    # event to all its clients), so Redis's drops are told from the clients' own.
    at_servers = sum(max((c["distinct"] for c in clients if c["server"] == s), default=0)
                     for s in range(len(servers)))
    return {
        "emitted": opts.burst_count,
        "expected": opts.burst_count * len(clients),
        "delivered": delivered,
        "lost": opts.burst_count * len(clients) - delivered,
        "servers": len(servers),
        "server_expected": opts.burst_count * len(servers),
        "server_delivered": at_servers,
        "delivered_per_s": delivered / span if span else 0.0,
        "span_s": span,
        "emitter_secs": result["secs"],
        "emitter_per_s": result["ops"] / result["secs"],
        "emitter_cpu_s": result.get("cpu_s"),
        "failed": result.get("failed"),
        "reached_none": result.get("reached_none"),
        "receivers": result.get("receivers"),
        "sent": result.get("sent"),  # our flush report's count (None for the official emitter)
        "first_error": result.get("first_error"),
        "redis_cutoffs": cutoffs,
        "server_exits": exits,
        "server_exit_error": crash or None,
        "clients": [{**c, "last_after_s": (c["last_ms"] - t0) / 1000 if c["last_ms"] else None}
                    for c in clients],
    }


def run_burst(opts, log, only) -> dict:
    """Every emitter x payload x mode, `opts.burst_runs` rounds, interleaved."""
    if not (FIXTURES_NODE / "socket.io").exists():
        return {"unavailable": "tests/fixtures/node_modules is not installed (make deps)"}
    payloads = [p for p in opts.burst_payloads.split(",") if p]
    every = emitters(opts.burst_count)
    rows = [e for e in every if only(e[0], e[1])]
    if rows and all(e[0] != BASELINE for e in rows):
        rows.insert(0, every[0])  # the ratios need the baseline measured in the same run
    results: dict[str, dict] = {}
    for r in range(opts.burst_runs):
        for mode in ("normal", "stall"):
            for payload in payloads:
                for key, label, argv_of, why in rows:
                    entry = results.setdefault(f"{key}/{payload}/{mode}", {
                        "key": key, "label": label, "payload": payload, "mode": mode,
                        "runs": [], "unavailable": why})
                    if why or entry.get("error"):
                        continue
                    try:
                        figures = one_burst(argv_of, payload, mode, opts)
                    except Exception as e:  # noqa: BLE001 - one broken row must not stop the rest
                        entry["error"] = str(e)[-600:]
                        log(f"FAILED burst {key} {payload} {mode}: {str(e)[-300:]}")
                        continue
                    if figures["sent"] not in (None, figures["emitted"]):
                        log(f"WARNING burst {key} {payload} {mode}: the flush report counts "
                            f"{figures['sent']} sent of {figures['emitted']}")
                    entry["runs"].append(figures)
                    by = per_server(figures)
                    log(f"burst round {r + 1}: {key:<20} {payload:<5} {mode:<6} "
                        f"{figures['delivered']:>7}/{figures['expected']} delivered "
                        f"(per client, s0 / s1: {' / '.join(span_of(s['min'], s['max']) for s in by)}), "
                        f"{figures['delivered_per_s']:>9,.0f}/s at the clients, emitter "
                        f"{figures['emitter_per_s']:,.0f}/s, failed {figures['failed']}, "
                        f"reached_none {figures['reached_none']}, inversions "
                        f"{' / '.join(str(s['inversions']) for s in by)}")
    return results


def _med(values: list[float]) -> float:
    return statistics.median(values)


def span_of(lo: int, hi: int) -> str:
    return f"{lo:,}" if lo == hi else f"{lo:,}..{hi:,}"


def per_server(run: dict) -> list[dict]:
    """The clients of one run summed up per server: distinct events as min..max over its
    clients, the latest last arrival, the longest gap, the inversions summed."""
    out = []
    for s in range(run.get("servers", 2)):
        mine = [c for c in run["clients"] if c.get("server", 0) == s] or [{}]
        got = [c.get("distinct", 0) for c in mine]
        out.append({
            "clients": len(mine),
            "min": min(got),
            "max": max(got),
            "last_after_s": max(c.get("last_after_s") or 0 for c in mine),
            "max_gap_ms": max(c.get("max_gap_ms") or 0 for c in mine),
            "inversions": sum(c.get("inversions", 0) for c in mine),
        })
    return out


def write_burst(w, results: dict, opts, fmt_rate) -> None:
    """The burst section of results.md (`w` appends one line)."""
    w("## End to end: a burst through two servers")
    w("")
    if "unavailable" in results:
        w(f"not available: {results['unavailable']}")
        w("")
        return
    w(f"A burst of {opts.burst_count:,} emits of `burst` to room1 (`[seq, payload]`), published as "
      "fast as each emitter goes, through two Socket.IO servers (the interop harness: socket.io "
      "4.8.1 + @socket.io/redis-adapter 8.3.0, Redis with its default `client-output-buffer-limit "
      f"pubsub 32mb 8mb 60`) to {opts.burst_clients} socket.io-client 4.8.1 clients in room1, one "
      "process each (`bench/runners/burst/counter.js`), spread evenly: client *i* on server *i* mod 2 "
      "(s0, s1). All of them share this machine's cores with the servers, Redis and the emitter. "
      "\"server 0 stalled\": `server_stall` blocks "
      f"server 0's event loop for {opts.burst_stall_ms} ms from 0.2 s before the first emit, so "
      "Redis buffers for it. "
      f"{opts.burst_runs} run(s) per row, a fresh harness each; figures are medians (delivered/s "
      "with [min..max]) or sums over the runs.")
    w("")
    w("- **delivered/s**: distinct events received by all the clients (summed) ÷ (last arrival at "
      "any client − first emit). **vs official**: ratio of medians against the official emitter's row "
      "with the same payload and servers, in this run. Read it with the losses: a row that lost "
      "most of the burst finishes early.")
    w("- **lost**: emitted × clients − distinct events received by the clients; **at servers**: "
      "emitted × 2 − events that reached each server (the most any of its clients got: a server "
      "sends each event to all its clients), then how many of those PUBLISH had counted as "
      "received (a server was subscribed, Redis then dropped its buffer: the silent part; the rest "
      "reached no server at all). **per client**: distinct events each client got, min..max over "
      "the clients of s0 / s1. **cut-offs**: subscribers Redis disconnected for "
      "their output buffer (its log), server 0 / server 1; **exits**: Socket.IO server processes "
      "that died during the run (the harness's `server_exit`), server 0 / server 1.")
    w("- **reported**: what the emitter told its caller: failed operations / operations that "
      "reached no server (our flush report). The official emitter's `emit()` returns nothing; "
      "its runner counts node-redis's PUBLISH replies, shown in parentheses, which an application "
      "using it never sees.")
    w("- **emitter/s**: emits ÷ the emitter's time from its first emit to Redis's last reply; "
      "**CPU µs/emit**: the emitter process's CPU time (user + sys) over that same part, per emit. "
      "**last at s0 / s1**: seconds from the first emit to the last event at the server's latest "
      "client. **longest gap**: the longest time between two consecutive events at one client, the "
      "longest over the clients of s0 / s1 (pacing holds every server's events while one is behind; "
      "the stalled server's wait before its first event is not a gap). "
      "**inversions**: events with a lower seq than the one before at the same client, summed over "
      "the clients of s0 / s1.")
    w("")
    w("| emitter | payload | servers | delivered/s | vs official | lost | at servers (of them PUBLISH "
      "counted) | per client s0 / s1 | cut-offs | exits | reported failed / reached none | emitter/s | "
      "CPU µs/emit | last at s0 / s1 (s) | longest gap s0 / s1 (s) | inversions s0 / s1 |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    med = {}
    for name, e in results.items():
        if e["runs"]:
            med[name] = _med([r["delivered_per_s"] for r in e["runs"]])
    blank = " | | | | | | | | | | | | |"
    for name, e in results.items():
        head = f"| {e['label']} | {PAYLOAD_LABEL.get(e['payload'], e['payload'])} | {MODE_LABEL[e['mode']]} |"
        if e.get("unavailable"):
            w(f"{head} not available ({e['unavailable']})" + blank)
            continue
        runs = e["runs"]
        if not runs:
            w(f"{head} failed: {e.get('error', '?')[-200:]}" + blank)
            continue
        rates = [r["delivered_per_s"] for r in runs]
        base = f"{BASELINE}/{e['payload']}/{e['mode']}"
        ratio = f"{med[name] / med[base]:.2f}" if base in med and med[base] > 0 else "n/a"
        lost = sum(r["lost"] for r in runs)
        expected = sum(r["expected"] for r in runs)
        at_servers = sum(r["server_expected"] - r["server_delivered"] for r in runs)
        server_expected = sum(r["server_expected"] for r in runs)
        silent = sum(max(0, (r["receivers"] or 0) - r["server_delivered"]) for r in runs)
        by = [per_server(r) for r in runs]
        per_client = " / ".join(span_of(min(b[i]["min"] for b in by), max(b[i]["max"] for b in by))
                                for i in range(2))
        cut = " / ".join(str(sum(r["redis_cutoffs"][i] for r in runs)) for i in range(2))
        died = " / ".join(str(sum(r["server_exits"][i] for r in runs)) for i in range(2))
        failed = sum(r["failed"] or 0 for r in runs)
        none = sum(r["reached_none"] or 0 for r in runs)
        told = f"— ({failed:,} / {none:,})" if e["key"] == BASELINE else f"{failed:,} / {none:,}"
        em = _med([r["emitter_per_s"] for r in runs])
        cpu = [r["emitter_cpu_s"] / r["emitted"] * 1e6 for r in runs if r.get("emitter_cpu_s") is not None]
        cpu_cell = f"{_med(cpu):.2f}" if cpu else "—"
        lasts = " / ".join(f"{_med([b[i]['last_after_s'] for b in by]):.2f}" for i in range(2))
        gaps = " / ".join(f"{_med([b[i]['max_gap_ms'] for b in by]) / 1000:.2f}" for i in range(2))
        inv = " / ".join(str(sum(b[i]["inversions"] for b in by)) for i in range(2))
        w(f"{head} {fmt_rate(med[name])} [{fmt_rate(min(rates))}..{fmt_rate(max(rates))}] | {ratio} | "
          f"{lost:,} of {expected:,} | {at_servers:,} of {server_expected:,} ({silent:,}) | {per_client} | "
          f"{cut} | {died} | {told} | {fmt_rate(em)} | {cpu_cell} | {lasts} | {gaps} | {inv} |")
        if e.get("error"):
            w(f"{head} a later run failed: {e['error'][-200:]}" + blank)
    short = [(e["label"], r["sent"]) for e in results.values() for r in e["runs"]
             if r.get("sent") not in (None, r["emitted"])]
    if short:
        w("")
        w("Flush reports that did not count every emit as sent (the figures of those rows are "
          "incomplete): " + "; ".join(f"{label}: {sent:,}" for label, sent in short) + ".")
    errors = [r["first_error"] for e in results.values() for r in e["runs"] if r.get("first_error")]
    if errors:
        w("")
        w(f"First error an emitter reported: `{errors[0][:300]}`")
    crashes = [r["server_exit_error"] for e in results.values() for r in e["runs"] if r.get("server_exit_error")]
    if crashes:
        w("")
        w(f"A server that died said: `{crashes[0][:300]}` (thrown by the adapter's `onmessage`, "
          "after node-redis's \"Socket closed unexpectedly\"; the whole stack is in the harness's `logs`).")
    w("")
