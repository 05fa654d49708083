"""Scaling out (section "scaling"): sharded emits/s by masters receiving, on the bench's Redis
Cluster (bench/cluster.py, three masters; driven by bench/run.py).

For each master, ROOMS_PER_MASTER rooms whose sharded channel `socket.io#/#ROOM#` (the
`dynamic` mode) hashes (CLUSTER KEYSLOT) to a slot it owns, each with a draining SSUBSCRIBE
subscriber on that master. For k = 1, 2, 3, with the rooms of the first k masters:

- ours: `sio-bench spread` (bench/rust/src/spread.rs), round-robin over those rooms, blocking
  `emit_nowait` + flush, and the async API with 256 in flight;
- baseline: k publish_blast processes at once (redis-benchmark's `-c 1` loop, binary-safe),
  process i sending SPUBLISH to the first room of master i, `-P 1` and `-P 64`: their emits
  added up, divided by the longest one's time.

Why not `redis-benchmark --cluster -c k`: in cluster mode it runs one thread per node and
stops them from a 250 ms timer, so a run's time is rounded up to the next tick (2000 requests
measured here as 0.25 s, 7.9k/s; the same on one node took 0.04 s). Its threads are what
publish_blast's processes are: one sender, one connection, per master.

Also noted for each run: the CPU the k receiving masters and the sender used, and how busy
the machine was.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from pathlib import Path

import procs
import resp

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", BENCH.parent / "target"))
SIO_BENCH = TARGET / "release" / "sio-bench"
ROOMS_PER_MASTER = 2
KS = (1, 2, 3)
PAYLOADS = ("small", "json1k")  # the 64 KiB one would add a minute and a half
MODES = (("queue", "Rust blocking emit_nowait + flush"),
         ("concurrent", "Rust async, 256 in flight"))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def channel_of(room: str) -> str:
    return f"socket.io#/#{room}#"


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, every core and process."""
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


class Layout:
    """The receiving masters (in slot order), their rooms, and the subscribers attached."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster
        self.order = [int(m[1]) for _, _, m, *_ in
                      sorted(resp.command(cluster.ports[0], "CLUSTER", "SLOTS"))]
        self.rooms = self._pick_rooms()
        self.drains: list = []
        self.pids = dict(zip(cluster.ports, (p.pid for p in cluster.procs)))

    def _pick_rooms(self) -> dict[int, list[str]]:
        """Rooms named like `room1` (5 characters), so each message has the same length as
        room1's, which the baseline sends."""
        port0 = self.cluster.ports[0]
        owners = resp.command(port0, "CLUSTER", "SLOTS")
        rooms: dict[int, list[str]] = {port: [] for port in self.order}
        used: set[int] = set()
        for n in range(10_000):
            room = f"r{n:04d}"
            slot = resp.command(port0, "CLUSTER", "KEYSLOT", channel_of(room))
            port = next(int(m[1]) for start, end, m, *_ in owners if start <= slot <= end)
            if len(rooms[port]) < ROOMS_PER_MASTER and slot not in used:
                rooms[port].append(room)
                used.add(slot)
            if all(len(r) == ROOMS_PER_MASTER for r in rooms.values()):
                return rooms
        raise RuntimeError("found no rooms for every master")

    def attach(self, start_drain) -> None:
        """A draining subscriber on every room's channel; the channel files of publish_blast."""
        for port in self.order:
            for room in self.rooms[port]:
                self.drains.append(start_drain(port, "--ssubscribe", channel_of(room)))
                (OUT / f"channel_scaling_{room}").write_text(channel_of(room))

    def rooms_on(self, k: int) -> list[str]:
        """The rooms of the first k masters, interleaved so that successive emits change master."""
        return [self.rooms[port][i] for i in range(ROOMS_PER_MASTER) for port in self.order[:k]]

    def blast(self, k: int, pipe: int, payload: str, n: int) -> dict:
        """k publish_blast processes at once, process i to master i's first room, n in all."""
        each = -(-n // (k * pipe)) * pipe
        running = [subprocess.Popen(
            [str(OUT / "publish_blast"), str(port), str(OUT / f"channel_scaling_{self.rooms[port][0]}"),
             str(OUT / f"payload_sharded_{payload}"), str(each), str(pipe), "SPUBLISH"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for port in self.order[:k]]
        results = []
        for p in running:
            out, err = p.communicate(timeout=120)
            if p.returncode != 0:
                raise RuntimeError(f"publish_blast exited with {p.returncode}: {err[-300:]}")
            results.append(json.loads(out.strip().splitlines()[-1]))
        return {"ops": sum(r["ops"] for r in results), "secs": max(r["secs"] for r in results),
                "receivers": sum(r["receivers"] for r in results)}

    def cpu_s(self, k: int) -> float:
        """User + system CPU seconds the first k masters have used so far."""
        total = 0
        for port in self.order[:k]:
            fields = Path(f"/proc/{self.pids[port]}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLK_TCK

    def check_subscriber(self) -> None:
        """Raises unless every draining subscriber is still attached (called after each case)."""
        self.cluster.check_subscriber()
        if any(p.poll() is not None for p in self.drains):
            raise RuntimeError("a draining subscriber of the scaling rows was disconnected")
        for port in self.order:
            for room in self.rooms[port]:
                if resp.command(port, "PUBSUB", "SHARDNUMSUB", channel_of(room))[1] < 1:
                    raise RuntimeError(f"the sharded subscriber of {room} on :{port} is gone")

    def stop(self) -> None:
        procs.stop_all(self.drains)


def k_of(key: str) -> int:
    return int(key.rsplit("-k", 1)[1])


def scaling_cases(Case, layout, opts) -> list:
    secs, warm = str(opts.seconds), str(opts.warmup)
    seeds = layout.cluster.seeds if layout else ""
    rust_why = None if SIO_BENCH.exists() else f"{SIO_BENCH} not built"
    cases = []
    for k in KS:
        rooms = ",".join(layout.rooms_on(k)) if layout else ""
        for pipe in (1, 64):
            cases.append(Case(
                "limit", f"publish_blast × k, -P {pipe} SPUBLISH", f"scaling-blast-p{pipe}-k{k}", None,
                kind="blast-k", note=f"{k}:{pipe}", payloads=PAYLOADS, section="scaling", enc="_sharded"))
        for mode, label in MODES:
            cases.append(Case(
                "ours", label, f"scaling-rust-{mode}-k{k}",
                lambda p, rooms=rooms, mode=mode: [
                    str(SIO_BENCH), "spread", "--cluster", seeds, "--adapter", "sharded", "--rooms", rooms,
                    "--payload", p, "--mode", mode, "--seconds", secs, "--warmup", warm],
                unavailable=rust_why, payloads=PAYLOADS, section="scaling", enc="_sharded"))
    return cases


def run_scaling(opts, run, shared) -> tuple[list, object, dict]:
    """Runs the section --runs times (interleaved) on shared.get(), unless --only selects none
    of its rows (`scaling` selects them all; the baselines come with any of ours). `run` is
    bench/run.py (Case, Runner, Sample, start_drain, selected, log)."""
    wanted = {c.key for c in scaling_cases(run.Case, None, opts)
              if c.group == "ours" and run.selected(opts, "scaling", c.key, c.name)}
    if not wanted:
        return [], None, {}
    layout = Layout(shared.get())
    try:
        layout.attach(run.start_drain)
        info = {"order": layout.order, "rooms": layout.rooms,
                "load_at_start": " ".join(f"{x:.1f}" for x in os.getloadavg())}
        run.log(f"scaling: masters {layout.order}, rooms {layout.rooms}")
        cases = [c for c in scaling_cases(run.Case, layout, opts) if c.group == "limit" or c.key in wanted]
        runner = measured_runner(run, layout, opts)
        for i in range(opts.runs):
            runner.round(cases, i)
    finally:
        layout.stop()
    return cases, runner, info


def measured_runner(run, layout, opts):
    """run.py's Runner, running the k-process baselines, and noting for each run the CPU the
    receiving masters and the sender used (% of one core) and how busy the machine was (% of
    all cores, every process: other sessions' too)."""

    class Measured(run.Runner):
        def measure_fixed(self, case, payload, n):
            if case.kind != "blast-k":
                return super().measure_fixed(case, payload, n)
            result = layout.blast(k_of(case.key), int(case.note.split(":")[1]), payload, n)
            return result["ops"] / result["secs"]

        def run_once(self, case, payload):
            k = k_of(case.key)
            if case.kind == "blast-k":
                n = self.calibrate(case, payload)  # before the snapshot: calibrating is not the run
            cpu0, t0, (busy0, total0) = layout.cpu_s(k), os.times(), machine_ticks()
            if case.kind == "blast-k":
                result = layout.blast(k, int(case.note.split(":")[1]), payload, n)
                sample = run.Sample(result["ops"] / result["secs"], 0, {"receivers": result["receivers"]})
                if result["receivers"] != result["ops"]:
                    sample.extra["warning"] = f"receivers {result['receivers']} != ops {result['ops']}"
            else:
                sample = super().run_once(case, payload)
            busy, total = machine_ticks()
            t1 = os.times()
            wall = t1.elapsed - t0.elapsed
            # A waited child's CPU is added to ours: the sender's (under GNU time for a runner).
            sender = t1.children_user + t1.children_system - t0.children_user - t0.children_system
            sample.extra["masters_cpu_pct"] = 100 * (layout.cpu_s(k) - cpu0) / wall
            sample.extra["sender_cpu_pct"] = 100 * sender / wall
            sample.extra["machine_busy_pct"] = 100 * (busy - busy0) / max(1, total - total0)
            return sample

    return Measured(layout, opts)


# --------------------------------------------------------------------------- report


def write_scaling(w, cases: list, samples: dict, errors: dict, info: dict, summary, fmt_rate,
                  payload_label: dict) -> None:
    mine = [c for c in cases if c.section == "scaling"]
    if not mine:
        return
    med = {k: summary(v)[0] for k, v in samples.items()}
    rows: dict[str, list] = {}  # row label -> its cases for k = 1, 2, 3
    for c in mine:
        rows.setdefault(c.name, []).append(c)

    def rate(case, p) -> str:
        key = (case.key, p)
        if case.unavailable:
            return "not available"
        if key in errors:
            return "failed"
        if key not in samples:
            return "—"
        m, lo, hi = summary(samples[key])
        cpu = [statistics.median(s.extra.get(f, 0) for s in samples[key])
               for f in ("masters_cpu_pct", "sender_cpu_pct", "machine_busy_pct")]
        return f"{fmt_rate(m)} [{fmt_rate(lo)}..{fmt_rate(hi)}] ({' / '.join(f'{c:.0f}' for c in cpu)} %)"

    def ratio(a: str, b: str, p: str) -> str:
        if (a, p) in med and (b, p) in med and med[(b, p)] > 0:
            return f"{med[(a, p)] / med[(b, p)]:.2f}"
        return "n/a"

    w("## Scaling out: sharded emits/s by masters receiving")
    w("")
    w("The Redis Cluster of the rows above (three masters, `bench/cluster.py`). k = the masters "
      f"receiving (ports {', '.join(map(str, info.get('order', [])))}, in slot order; the first k). "
      f"Ours (`sio-bench spread`, sharded adapter through `cluster_nodes`): every emit goes to one of "
      f"{ROOMS_PER_MASTER} rooms per receiving master, in turn, as one `SPUBLISH socket.io#/#ROOM#` "
      f"to the master owning that channel's slot (rooms {info.get('rooms', {})}); every room's "
      "channel has a draining SSUBSCRIBE subscriber. Baseline: k publish_blast processes at once "
      "(redis-benchmark's `-c 1` loop), process i sending room1's message by SPUBLISH to master i's "
      "first room: their emits added up over the longest one's time. (`redis-benchmark --cluster` "
      "rounds each run's time up to a 250 ms tick, see bench/README.md.) "
      f"Load average at the section's start: {info.get('load_at_start', '?')}. In parentheses, "
      "medians over the runs: the CPU the k receiving masters used during a run (summed, % of one "
      "core), the CPU of the sender (our runner process, or the k publish_blast processes; "
      "process start included), then how busy the whole machine was (% of its "
      f"{os.cpu_count()} cores, every process, other sessions' included): the masters, the "
      "senders and the subscribers share those cores.")
    w("")
    for p in PAYLOADS:
        head = ("| group | runner | k = 1 | k = 2 | k = 3 | k=2 / k=1 | k=3 / k=1 "
                "| vs -P 1, k = 1 / 2 / 3 | vs -P 64, k = 1 / 2 / 3 |")
        w(f"**{payload_label[p]}**, emits/s median [min..max] (masters' CPU / sender's CPU / machine busy):")
        w("")
        w(head)
        w("|" + "---|" * (head.count("|") - 1))
        for label, by_k in rows.items():
            keys = [c.key for c in by_k]
            scale = " | ".join(ratio(key, keys[0], p) for key in keys[1:])
            if by_k[0].group == "limit":
                vs = "— | —"
            else:
                vs = " | ".join(" / ".join(ratio(c.key, f"scaling-blast-p{pipe}-k{k_of(c.key)}", p) for c in by_k)
                                for pipe in (1, 64))
            w(f"| {by_k[0].group} | {label} | " + " | ".join(rate(c, p) for c in by_k) + f" | {scale} | {vs} |")
        w("")
    notes = [f"- `{k}` / {p}: {s.extra['warning']}" for (k, p), v in samples.items()
             if k.startswith("scaling-") for s in v if s.extra.get("warning")]
    notes += [f"- `{k}` / {p} failed: `{e.strip().splitlines()[-1][:300] if e.strip() else e}`"
              for (k, p), e in errors.items() if k.startswith("scaling-")]
    if notes:
        w("Warnings and failures:")
        w("")
        for line in notes:
            w(line)
        w("")
