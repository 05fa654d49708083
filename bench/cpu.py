"""CPU per emit in `make bench` (driven by bench/run.py).

Every runner measures its own process's CPU time (user + system, all threads: our emitters do
their I/O on background threads) around exactly its timed loop, and prints it as `cpu_s`
beside `ops`; startup, module loading and the warm-up are left out, as they are from `ops`.
redis-benchmark reports no CPU time; publish_blast (its loop, binary-safe) does.

The ratios divide our CPU per emit by a peer's in the same mode (below 1: we cost less):
one emit at a time, each awaited, against the official emitter awaited over ioredis (the
issue's await-each target); fired or pipelined (queue + flush, Promise.all, concurrent, gather)
against the official emitter fired over node-redis (the Promise.all target's baseline). The
Python peer only emits one at a time, so every row is also compared with it.
"""

from __future__ import annotations

import statistics

OFFICIAL_AWAITED = "official-ioredis-await"
OFFICIAL_FIRED = "official-node-redis-fire"
PYTHON_PEER = "py-peer"
# Keys (or key endings) of the runners that emit one at a time and wait for each reply.
ONE_AT_A_TIME = ("-blocking", "-awaited", "-sync", "-await", "py-peer", "pb-p1")


def one_at_a_time(key: str) -> bool:
    return key.endswith(ONE_AT_A_TIME)


def official_for(key: str) -> str:
    return OFFICIAL_AWAITED if one_at_a_time(key) else OFFICIAL_FIRED


def cpu_us(samples) -> float | None:
    """Median over the runs of CPU µs per emit, or None when the runner reports no CPU."""
    per_emit = [s.cpu_s / s.ops * 1e6 for s in samples or () if s.cpu_s is not None and s.ops]
    return statistics.median(per_emit) if per_emit else None


def fmt_us(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def cpu_cell(samples: dict, key: str, payloads: list[str]) -> str:
    """CPU µs per emit for every payload, "small / 1 KiB / 64 KiB", for the sharded tables."""
    return " / ".join(fmt_us(cpu_us(samples.get((key, p)))) for p in payloads)


def write_cpu(w, cases: list, samples: dict, payloads: list[str], payload_label: dict) -> None:
    """The table "CPU per emit" of the main section's runners that report it."""
    rows = [c for c in cases if c.section == "main" and not c.unavailable
            and any(cpu_us(samples.get((c.key, p))) is not None for p in payloads)]
    w("## CPU per emit (µs, user + sys, median of runs)")
    w("")
    if not rows:
        w("no runner reported its CPU time this time")
        w("")
        return
    w("Each runner's own CPU time (user + system, every thread of the process) in its timed loop "
      "only, divided by the emits of that loop: what an emit costs the machine it runs on, which "
      "wall-clock figures on a shared machine do not show. redis-benchmark reports none "
      "(publish_blast runs its loop). *vs official* divides by the official emitter in the same "
      f"mode: one at a time vs `{OFFICIAL_AWAITED}` (awaited over ioredis), fired, pipelined or "
      f"queued vs `{OFFICIAL_FIRED}` (fired over node-redis); *vs Python peer* by `{PYTHON_PEER}`. "
      "Below 1: we spend less CPU per emit. Ratio cells: small / 1 KiB / 64 KiB.")
    w("")
    med = {(c.key, p): cpu_us(samples.get((c.key, p))) for c in cases for p in payloads}

    def ratios(key: str, base: str) -> str:
        cells = []
        for p in payloads:
            a, b = med.get((key, p)), med.get((base, p))
            cells.append(f"{a / b:.2f}" if a is not None and b else "n/a")
        return " / ".join(cells)

    head = ("| group | runner | mode | " + " | ".join(payload_label[p] for p in payloads)
            + " | vs official | vs Python peer |")
    w(head)
    w("|" + "---|" * (head.count("|") - 1))
    for case in rows:
        mode = "one at a time" if one_at_a_time(case.key) else "fired"
        cells = [fmt_us(med[(case.key, p)]) for p in payloads]
        vs_official = ratios(case.key, official_for(case.key)) if case.group != "limit" else "—"
        vs_peer = ratios(case.key, PYTHON_PEER) if case.group != "limit" else "—"
        w(f"| {case.group} | {case.name} | {mode} | " + " | ".join(cells) + f" | {vs_official} | {vs_peer} |")
    w("")


def cpu_targets(cases: list, samples: dict) -> list[tuple[str, str, str]]:
    """Target rows: (label, worst ratio and its runner, met) for the small payload."""
    ours = [c for c in cases if c.section == "main" and c.group == "ours" and not c.unavailable]
    out = []
    for label, base_of in (("CPU per emit, every runner of ours vs the official emitter in the same mode",
                            official_for),
                           ("CPU per emit, every runner of ours vs the Python peer", lambda _k: PYTHON_PEER)):
        worst = None
        for c in ours:
            a, b = cpu_us(samples.get((c.key, "small"))), cpu_us(samples.get((base_of(c.key), "small")))
            if a is not None and b:
                if worst is None or a / b > worst[0]:
                    worst = (a / b, c.key)
        if worst is None:
            out.append((label, "n/a", "n/a"))
        else:
            out.append((label, f"worst {worst[0]:.2f} (`{worst[1]}`)", "yes" if worst[0] < 1 else "**no**"))
    return out
