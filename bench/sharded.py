"""The sharded adapter's rows of `make bench` and the Redis Cluster rows (driven by bench/run.py).

Sharded, one Redis (section "sharded"): our emitters with `adapter = sharded` (one
`SPUBLISH socket.io#/#room1# <JSON or msgpack>` per emit, the channel a `dynamic`-mode
server SSUBSCRIBEs for room1) on the bench's own redis-server, where a draining SSUBSCRIBE
subscriber is attached; baseline `redis-benchmark -c 1 -P 1` / `-P 64` running SPUBLISH with
the same channel and bytes (`sio-bench encode --adapter sharded`), and publish_blast SPUBLISH
for the 64 KiB payload (msgpack: a NUL byte that redis-benchmark -x cannot send).

Cluster (section "cluster", bench/cluster.py): three masters. Our sharded emits and our
classic emits through `cluster_nodes`; baseline `redis-benchmark --cluster -c 1` running
SPUBLISH (and PUBLISH for the classic rows) on `socket.io#/#room1#{tag}` (redis-benchmark
requires `{tag}` in a command given on its command line in cluster mode), with a subscriber
on the channel it really uses; publish_blast SPUBLISH/PUBLISH to the master owning room1's
channel for the 64 KiB payload.

Every case of a section brings the section's baselines along (`--only sharded` runs them).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
RUNNERS = BENCH / "runners"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
SIO_BENCH = TARGET / "release" / "sio-bench"
VENV_PY = BENCH / ".venv" / "bin" / "python"
CHANNEL = "socket.io#/#room1#"
PATTERN = "socket.io#/#*"
RB_TEMPLATE = CHANNEL + "{tag}"  # what redis-benchmark --cluster is given

SECTION_TITLE = {
    "sharded": "Sharded adapter (SPUBLISH) on one Redis",
    "cluster": "Redis Cluster (3 masters)",
}


def ours(Case, section: str, adapter: str, where: list[str], opts, twin_of) -> list:
    """Our runners with `adapter`, reaching Redis through `where` (--url U or --cluster SEEDS)."""
    from bindings import node_unavailable, python_unavailable

    secs, warm = str(opts.seconds), str(opts.warmup)
    prefix = "sharded" if section == "sharded" else f"cluster-{adapter}"
    rust_why = None if SIO_BENCH.exists() else f"{SIO_BENCH} not built"
    rust_modes = [("blocking", "Rust blocking, one at a time"),
                  ("awaited", "Rust async, awaited one at a time (in a task)"),
                  ("concurrent", "Rust async, awaited concurrently (256 in flight)"),
                  ("queue", "Rust blocking emit_nowait + flush")]
    if adapter == "classic":  # on the cluster: fewer classic rows, they are the comparison
        rust_modes = [rust_modes[0], rust_modes[3]]
    runners = [(f"rust-{mode}", label, lambda p, mode=mode: [
        str(SIO_BENCH), "run", *where, "--payload", p, "--mode", mode], rust_why)
        for mode, label in rust_modes]
    if adapter == "sharded":
        py, node = python_unavailable(), node_unavailable()
        runners += [(f"python-{mode}", label, lambda p, mode=mode: [
            str(VENV_PY), str(RUNNERS / "python" / "ours.py"), *where, "--payload", p, "--mode", mode], py)
            for mode, label in (("sync", "Python Emitter.emit, one at a time"),
                                ("queue", "Python emit_nowait + flush"))]
        runners += [(f"node-{mode}", label, lambda p, mode=mode: [
            "node", str(RUNNERS / "node" / "ours.js"), *where, "--payload", p, "--mode", mode], node)
            for mode, label in (("await", "Node, await each emit"), ("all", "Node, Promise.all of 1024"))]
    cases = []
    for key, label, argv, why in runners:
        cases.append(Case(
            "ours", f"{label} [{adapter}]", f"{prefix}-{key}",
            lambda p, argv=argv: [*argv(p), "--adapter", adapter, "--seconds", secs, "--warmup", warm],
            unavailable=why, section=section, enc="_sharded" if adapter == "sharded" else "",
            base=(f"{section}-base-{adapter}-p1", f"{section}-base-{adapter}-p64"),
            twin=twin_of(key)))
    return cases


def limits(Case, section: str, adapter: str, rb: tuple[str, str, list[str]], blast_port: int) -> list:
    """-P 1 and -P 64 baselines: redis-benchmark (JSON payloads), publish_blast (64 KiB).
    rb = (row label, channel, argv head) of the redis-benchmark command."""
    command = "SPUBLISH" if adapter == "sharded" else "PUBLISH"
    enc = "_sharded" if adapter == "sharded" else ""
    rb_label, channel, rb_head = rb
    base = (f"{section}-base-{adapter}-p1", f"{section}-base-{adapter}-p64")
    cases = []
    for pipe in (1, 64):
        cases.append(Case(
            "limit", f"{rb_label} -c 1 -P {pipe} {command}", base[pipe > 1],
            lambda p, pipe=pipe: [*rb_head, "-c", "1", "-P", str(pipe), "-n", "{n}", "-q", "-x", command, channel],
            kind="redis-benchmark", note=f"1:{pipe}", payloads=("small", "json1k"), section=section, enc=enc,
            base=base))
    for pipe in (1, 64):
        cases.append(Case(
            "limit", f"publish_blast -P {pipe} {command} (64 KiB, binary-safe)", f"{section}-blast-{adapter}-p{pipe}",
            lambda p, pipe=pipe: [str(OUT / "publish_blast"), str(blast_port), str(OUT / f"channel{enc}_{p}"),
                                  str(OUT / f"payload{enc}_{p}"), "{n}", str(pipe), command],
            kind="blast", payloads=("bin64k",), section=section, enc=enc, base=base))
    return cases


def with_baselines(cases: list, opts, selected) -> list:
    """The section's own cases that --only selects, plus its baselines if any was selected."""
    mine = [c for c in cases if c.group != "limit" and selected(opts, c.key, c.name)]
    return [c for c in cases if c.group == "limit"] + mine if mine else []


def sharded_cases(Case, port: int, url: str, opts, selected) -> list:
    """Section "sharded": the bench's own Redis (an SSUBSCRIBE drain is attached to it)."""
    rb = ("redis-benchmark", CHANNEL, ["redis-benchmark", "-p", str(port)])
    cases = limits(Case, "sharded", "sharded", rb, port)
    cases += ours(Case, "sharded", "sharded", ["--url", url], opts, lambda key: key)
    return with_baselines(cases, opts, selected)


def cluster_cases(Case, cluster, opts, selected) -> list:
    rb = ("redis-benchmark --cluster", RB_TEMPLATE, ["redis-benchmark", "-p", str(cluster.ports[0]), "--cluster"])
    where = ["--cluster", cluster.seeds]
    cases = []
    for adapter in ("sharded", "classic"):
        cases += limits(Case, "cluster", adapter, rb, cluster.owner)
        twin = (lambda key: f"sharded-{key}") if adapter == "sharded" else (lambda key: key)
        cases += ours(Case, "cluster", adapter, where, opts, twin)
    return with_baselines(cases, opts, selected)


def run_cluster(opts, selected, Case, Runner, shared, log) -> tuple[list, object, dict]:
    """Runs the cluster's cases --runs times (interleaved) on shared.get() (a SharedCluster,
    bench/cluster.py). Nothing is started when --only selects none of its rows."""
    not_started = SimpleNamespace(ports=[0], seeds="", owner=0)
    if not cluster_cases(Case, not_started, opts, selected):
        return [], None, {}
    cluster = shared.get()
    info = {"ports": cluster.ports, "owner": cluster.owner, "rb_port": cluster.rb_port,
            "rb_channel": cluster.rb_channel}
    log(f"cluster on ports {cluster.ports}: {CHANNEL} on :{cluster.owner}, "
        f"redis-benchmark --cluster publishes to {cluster.rb_channel} on :{cluster.rb_port}")
    cases = cluster_cases(Case, cluster, opts, selected)
    runner = Runner(cluster, opts)
    for i in range(opts.runs):
        runner.round(cases, i)
    if cluster._probe_redis_benchmark() != (cluster.rb_port, cluster.rb_channel):
        info["warning"] = "redis-benchmark --cluster changed channel during the run"
    return cases, runner, info


# --------------------------------------------------------------------------- report


def write_sections(w, cases: list, samples: dict, errors: dict, cluster_info: dict, summary, fmt_rate,
                   payloads: list[str], payload_label: dict) -> None:
    from cpu import cpu_cell  # bench/cpu.py

    med = {k: summary(v)[0] for k, v in samples.items()}

    def ratio(a: str, b: str | None, payload: str = "small") -> str:
        if b and (a, payload) in med and (b, payload) in med and med[(b, payload)] > 0:
            return f"{med[(a, payload)] / med[(b, payload)]:.2f}"
        return "n/a" if b else "—"

    for section in ("sharded", "cluster"):
        mine = [c for c in cases if c.section == section]
        if not mine:
            continue
        w(f"## {SECTION_TITLE[section]}")
        w("")
        if section == "sharded":
            w("Every emit is `to(\"room1\").emit(\"bench\", payload)` with `adapter = sharded`: one "
              "`SPUBLISH socket.io#/#room1#` (`dynamic` mode, the servers' default) of the ClusterAdapter "
              "message (JSON, msgpack for the binary payload), on the same redis-server as the tables above, "
              "received by one draining `SSUBSCRIBE socket.io#/#room1#` subscriber. Baseline: "
              "redis-benchmark sending the same channel and bytes (publish_blast for 64 KiB). "
              "*vs classic* divides by the same runner's classic row above (PUBLISH).")
        else:
            w("Three masters, no replicas (`bench/cluster.py`); our emitters get `cluster_nodes` "
              "(all three). `socket.io#/#room1#` hashes to one slot, so every emit to room1 goes to one "
              "master, where a draining `SSUBSCRIBE socket.io#/#room1#` and a `PSUBSCRIBE socket.io#/#*` "
              "are attached. Baseline: `redis-benchmark --cluster -c 1` with the channel "
              f"`{RB_TEMPLATE}` (in cluster mode it needs `{{tag}}` in the command line; it published to "
              f"`{cluster_info.get('rb_channel', '?')}`, where a draining SSUBSCRIBE subscriber is "
              "attached; PUBLISH reaches the pattern subscriber through the cluster bus); publish_blast "
              "to room1's master for 64 KiB. *vs one Redis* divides by the same runner with the same "
              "adapter on the bench's single redis-server (tables above; measured earlier in this run).")
            if cluster_info.get("warning"):
                w("")
                w(f"**Warning:** {cluster_info['warning']}.")
        w("")
        w("*CPU µs/emit*: the runner's own CPU time (user + sys) per emit in its timed loop, median of "
          "runs, small / 1 KiB / 64 KiB (see \"CPU per emit\" above; redis-benchmark reports none).")
        w("")
        other = "classic" if section == "sharded" else "one Redis"
        head = ("| group | runner | " + " | ".join(payload_label[p] for p in payloads)
                + f" | vs -P 1 (small) | vs -P 64 (small) | vs {other} (small) | CPU µs/emit |")
        w(head)
        w("|" + "---|" * (head.count("|") - 1))
        for case in mine:
            cells = []
            for p in payloads:
                key = (case.key, p)
                if case.unavailable:
                    cells.append("not available")
                elif key in errors:
                    cells.append("failed")
                elif key in samples:
                    m, lo, hi = summary(samples[key])
                    cells.append(f"{fmt_rate(m)} [{fmt_rate(lo)}..{fmt_rate(hi)}]")
                else:
                    cells.append("—")
            if case.unavailable:
                tail = f"— | — | — ({' '.join(case.unavailable.split())[:160]})"
            elif case.kind == "blast":  # 64 KiB only: the ratio columns are for the small payload
                tail = "— | — | —"
            elif case.group == "limit":
                tail = f"{ratio(case.key, case.base[0])} | {ratio(case.key, case.base[1])} | —"
            else:
                tail = f"{ratio(case.key, case.base[0])} | {ratio(case.key, case.base[1])} | " \
                       f"{ratio(case.key, case.twin)}"
            cpu = "—" if case.unavailable else cpu_cell(samples, case.key, payloads)
            w(f"| {case.group} | {case.name} | " + " | ".join(cells) + f" | {tail} | {cpu} |")
        w("")
        failed = [(k, p, e) for (k, p), e in errors.items() if any(c.key == k for c in mine)]
        if failed:
            w("Failures:")
            w("")
            for k, p, e in failed:
                w(f"- `{k}` / {p}: `{e.strip().splitlines()[-1][:300] if e.strip() else e}`")
            w("")

