"""A small Redis Cluster for `make bench` (bench/sharded.py's cluster rows); stdlib only.

Three masters, no replicas, on free 127.0.0.1 ports: `redis-server --cluster-enabled yes`
for each, then `redis-cli --cluster create ... --cluster-replicas 0`, then a wait until every
node reports `cluster_state:ok` and sees the three masters' slots (gossip has converged). Like
the bench's own Redis: no persistence, and the Pub/Sub output-buffer limit lifted.

Subscribers that only drain their socket (tools/drain.py), attached for as long as the cluster
runs, so that SPUBLISH and PUBLISH do the work they do in production:

- `SSUBSCRIBE socket.io#/#room1#` on the master that owns that channel's slot (where our
  sharded emits to room1 go);
- `PSUBSCRIBE socket.io#/#*` on that same master (the classic emits: PUBLISH reaches every
  node through the cluster bus; the receiver count PUBLISH returns is that node's own);
- `SSUBSCRIBE` on the channel `redis-benchmark --cluster` publishes to. Its command line must
  contain `{tag}`, which redis-benchmark replaces with a hash tag of the node it picked, so
  that channel is found once by a probe (one SPUBLISH, with MONITOR on every master).
"""

from __future__ import annotations

import re
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import procs
import resp

MASTERS = 3


def free_cluster_port(taken: list[int]) -> int:
    """A free port whose cluster bus port (port + 10000) is free too, and exists."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535 or port in taken:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("found no free port pair for a cluster node")


class Cluster:
    def __init__(self, channel: str, pattern: str, start_drain) -> None:
        self.channel = channel          # where our emits to room1 go
        self.pattern = pattern          # what a classic adapter PSUBSCRIBEs
        self.start_drain = start_drain  # run.start_drain(port, *args) -> Popen
        self.ports: list[int] = []
        for _ in range(MASTERS):
            self.ports.append(free_cluster_port(self.ports))
        self.dir = Path(tempfile.mkdtemp(prefix="sio-bench-cluster-"))
        self.procs: list[subprocess.Popen] = []
        self.drains: list[subprocess.Popen] = []
        self.owner = 0                  # port of the master owning `channel`'s slot
        self.rb_template = ""           # what redis-benchmark --cluster is given ({tag} in it)
        self.rb_channel = ""            # ... and the channel it really publishes to
        self.rb_port = 0

    @property
    def seeds(self) -> str:
        """The runners' `--cluster` argument: every master as a seed node."""
        return ",".join(f"redis://127.0.0.1:{p}" for p in self.ports)

    def start(self, rb_template: str) -> None:
        for port in self.ports:
            d = self.dir / str(port)
            d.mkdir()
            self.procs.append(subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(d),
                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--save", "", "--appendonly", "no", "--client-output-buffer-limit", "pubsub 0 0 0",
                 "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in self.ports:
            self._wait(lambda port=port: resp.command(port, "PING") == "PONG", f"redis-server :{port}")
        subprocess.run(["redis-cli", "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
                        "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, capture_output=True, timeout=60)
        self._wait(self._converged, "the cluster (cluster_state:ok on every node)")
        slot = resp.command(self.ports[0], "CLUSTER", "KEYSLOT", self.channel)
        self.owner = self._owner(slot)
        self.rb_template = rb_template
        self.rb_port, self.rb_channel = self._probe_redis_benchmark()
        self.drains = [
            self.start_drain(self.owner, "--ssubscribe", self.channel),
            self.start_drain(self.owner, self.pattern),
            self.start_drain(self.rb_port, "--ssubscribe", self.rb_channel),
        ]

    def _wait(self, ok, what: str, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while True:
            try:
                if ok():
                    return
            except (OSError, RuntimeError):
                pass
            if time.time() > deadline:
                raise RuntimeError(f"{what} did not come up in {timeout:.0f} s")
            time.sleep(0.1)

    def _converged(self) -> bool:
        for port in self.ports:
            if "cluster_state:ok" not in resp.command(port, "CLUSTER", "INFO"):
                return False
            if len(resp.command(port, "CLUSTER", "SLOTS")) != MASTERS:
                return False
        return True

    def _owner(self, slot: int) -> int:
        for start, end, master, *_ in resp.command(self.ports[0], "CLUSTER", "SLOTS"):
            if start <= slot <= end:
                return int(master[1])
        raise RuntimeError(f"no master owns slot {slot}")

    def _probe_redis_benchmark(self) -> tuple[int, str]:
        """Where `redis-benchmark --cluster -c 1` publishes: MONITOR every master, send one."""
        monitors = []
        for port in self.ports:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"MONITOR\r\n")
            monitors.append((port, s, s.makefile("rb")))
        try:
            for _, _, f in monitors:
                if f.readline().strip() != b"+OK":
                    raise RuntimeError("MONITOR was refused")
            subprocess.run(["redis-benchmark", "-p", str(self.ports[0]), "--cluster", "-c", "1", "-n", "1",
                            "-q", "SPUBLISH", self.rb_template, "probe"],
                           check=True, capture_output=True, timeout=30)
            # MONITOR lines look like: +1700000000.123 [0 127.0.0.1:5555] "SPUBLISH" "chan" "probe"
            found = re.compile(r'"SPUBLISH" "((?:[^"\\]|\\.)*)" "probe"')
            deadline = time.time() + 5
            while time.time() < deadline:
                for port, s, f in monitors:
                    s.settimeout(0.05)
                    try:
                        line = f.readline().decode(errors="replace")
                    except (TimeoutError, OSError):
                        continue
                    m = found.search(line)
                    if m:
                        return port, m.group(1)
            raise RuntimeError("did not see redis-benchmark --cluster's SPUBLISH on any master")
        finally:
            for _, s, f in monitors:
                f.close()
                s.close()

    def check_subscriber(self) -> None:
        """Raises unless every draining subscriber is still attached (called after each case)."""
        if any(p.poll() is not None for p in self.drains):
            raise RuntimeError("a draining subscriber of the cluster was disconnected")
        for port, channel in ((self.owner, self.channel), (self.rb_port, self.rb_channel)):
            if resp.command(port, "PUBSUB", "SHARDNUMSUB", channel)[1] < 1:
                raise RuntimeError(f"the sharded subscriber of {channel} on :{port} is gone")
        if resp.command(self.owner, "PUBSUB", "NUMPAT") < 1:
            raise RuntimeError("the pattern subscriber of the cluster is gone")

    def stop(self) -> None:
        procs.stop_all([*self.drains, *self.procs], self.dir)


class SharedCluster:
    """The one cluster of a bench run, shared by the sections that use it (the cluster rows,
    bench/scaling.py): started on the first `get()`, stopped when the `with` block ends."""

    def __init__(self, channel: str, pattern: str, rb_template: str, start_drain) -> None:
        self.args = (channel, pattern, start_drain)
        self.rb_template = rb_template
        self.cluster: Cluster | None = None

    def get(self) -> Cluster:
        if self.cluster is None:
            self.cluster = Cluster(*self.args)
            self.cluster.start(self.rb_template)
        return self.cluster

    def __enter__(self) -> SharedCluster:
        return self

    def __exit__(self, *exc) -> None:
        if self.cluster is not None:
            self.cluster.stop()
