"""End to end on a real Redis Cluster and a real Sentinel setup (the harness's ``--topology``).

Cluster: six redis-server nodes (three masters, three replicas); two Socket.IO 4.8 servers on
node-redis ``createCluster``, with the sharded adapter (``"dynamic"`` mode: SPUBLISH goes to
the master owning the channel's slot) or the classic one (PUBLISH, which the cluster bus copies
to every node). The emitter gets ``cluster_nodes`` and nothing else about where Redis is.

Sentinel: a master, a replica and three sentinels; the servers reach the master through a
proxy that follows it. The emitter gets ``sentinel_master`` and ``sentinel_nodes`` and asks the
sentinels; ``kill_master`` SIGKILLs the master in the middle of emits, and every emit must
either return or raise a typed error within its bound, after which emits reach clients again."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, cast

import pytest

from forking import in_forked_child
from harness import Harness, bytes_json
from socketio_emitter import AsyncEmitter, Emitter, FlushReport
from socketio_emitter.exceptions import EmitterError

TopologyFactory = Callable[[str, str], Harness]
Adapter = Literal["classic", "sharded"]


@pytest.fixture(params=["sharded", "classic"])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    return cast(Adapter, request.param)


@pytest.fixture
def cluster(topology: TopologyFactory, adapter: Adapter) -> Harness:
    return topology("cluster", adapter)


@pytest.fixture
def cio(cluster: Harness, adapter: Adapter) -> Iterator[Emitter]:
    emitter = Emitter(cluster_nodes=cluster.ready["redis_nodes"], adapter=adapter)
    try:
        yield emitter
    finally:
        emitter.close()


def connect(h: Harness, nsp: str, specs: list[tuple[str, int, list[Any]]]) -> None:
    """Connects clients ``(name, server, rooms)``; waits until every server holds every channel
    it should (room channels too, for the sharded adapter)."""
    for name, server, rooms in specs:
        h.client(name, server, nsp, rooms)
    h.request({"cmd": "wait_subscribed", "nsp": nsp})


def servers_reached(adapter: str, count: int, sharded_expects: int) -> bool:
    """SPUBLISH's count is exact: the subscribers of the channel, all on its slot's master.
    PUBLISH on a cluster counts only the subscribers of the node that took it (the cluster bus
    delivers it to the others' without counting them), so there it is between 0 and 2."""
    return count == sharded_expects if adapter == "sharded" else 0 <= count <= 2


def test_cluster_ready_line_lists_the_nodes(cluster: Harness) -> None:
    assert cluster.ready["topology"] == "cluster"
    assert len(cluster.ready["redis_nodes"]) == 6


def test_cluster_broadcast_reaches_every_client_once(
    cluster: Harness, cio: Emitter, adapter: str, ns: str
) -> None:
    connect(cluster, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    assert servers_reached(adapter, cio.of(ns).emit("hello", "world", 42), 2)
    assert cluster.received(f"{ns}a", f"{ns}b") == [["hello"], ["hello"]]
    assert cluster.events(f"{ns}b")[0][1] == ["world", 42]


def test_cluster_one_room_reaches_only_its_members(
    cluster: Harness, cio: Emitter, adapter: str, ns: str
) -> None:
    connect(cluster, ns, [(f"{ns}in0", 0, ["room1"]), (f"{ns}in1", 1, ["room1"]),
                          (f"{ns}out", 0, ["room2"]), (f"{ns}solo", 1, ["solo"])])
    e = cio.of(ns)
    assert servers_reached(adapter, e.to("room1").emit("only-room1"), 2)
    # "solo" has members on server 1 only: on the sharded adapter, its own channel (and so
    # possibly another master) reaches that server alone.
    assert servers_reached(adapter, e.to("solo").emit("only-solo"), 1)
    assert cluster.received(f"{ns}in0", f"{ns}in1", f"{ns}out", f"{ns}solo") == [
        ["only-room1"], ["only-room1"], [], ["only-solo"]]


def test_cluster_binary_arrives_as_binary(
    cluster: Harness, cio: Emitter, adapter: str, ns: str
) -> None:
    connect(cluster, ns, [(f"{ns}a", 1, ["r"])])
    nested = {"file": b"\x01\x02\x03", "parts": [bytearray(b"\x04"), 5]}
    e = cio.of(ns)
    e.emit("blob", b"\xff\x00", nested)
    e.to("r").emit("room-blob", nested)
    cluster.flush()
    want = {"file": bytes_json(b"\x01\x02\x03"), "parts": [bytes_json(b"\x04"), 5]}
    assert cluster.events(f"{ns}a") == [
        ("blob", [bytes_json(b"\xff\x00"), want]), ("room-blob", [want])]


def test_cluster_server_side_emit_reaches_both_servers_handlers(
    cluster: Harness, cio: Emitter, adapter: str, ns: str
) -> None:
    connect(cluster, ns, [(f"{ns}a", 0, [])])
    e = cio.of(ns)
    assert servers_reached(adapter, e.server_side_emit("server_event", "payload", 7), 2)
    cluster.flush()
    seen = [m for m in cluster.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(m["server"] for m in seen) == [0, 1], seen
    assert all(m["args"] == ["payload", 7] for m in seen)
    assert cluster.events(f"{ns}a") == []


def test_cluster_queued_and_asyncio_emits_from_one_seed_node(
    cluster: Harness, adapter: Adapter, ns: str
) -> None:
    # One seed is enough: the emitter discovers the other nodes and the slots they own.
    seed = cluster.ready["redis_nodes"][-1]
    connect(cluster, ns, [(f"{ns}a", 0, ["r"]), (f"{ns}b", 1, [])])
    with Emitter(cluster_nodes=[seed], adapter=adapter) as io:
        e = io.of(ns)
        for i in range(50):
            e.emit_nowait("n", i)
        e.to("r").emit_nowait("in-r", b"\x01")
        report = e.flush(timeout=30)
        assert report.sent == 51

    async def main() -> None:
        async with AsyncEmitter(cluster_nodes=[seed], adapter=adapter) as aio:
            a = aio.of(ns)
            counts = await asyncio.gather(*(a.emit("all", i) for i in range(20)))
            assert all(servers_reached(adapter, c, 2) for c in counts), counts
            assert servers_reached(adapter, await a.server_side_emit("server_event", "aio"), 2)
            a.emit_nowait("queued")
            report = await a.flush(timeout=10)
            assert report.sent == 1
            if adapter == "sharded":
                assert report == FlushReport(sent=1, receivers=2)

    asyncio.run(main())
    cluster.flush()
    got_a = cluster.events(f"{ns}a")
    assert [a[0] for name, a in got_a if name == "n"] == list(range(50))
    assert ("in-r", [bytes_json(b"\x01")]) in got_a
    for client in (f"{ns}a", f"{ns}b"):
        names = cluster.event_names(client)
        assert sorted(a[0] for n, a in cluster.events(client) if n == "all") == list(range(20))
        assert names.count("queued") == 1
    assert "in-r" not in cluster.event_names(f"{ns}b")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_cluster_fork_child_emits_with_the_parent_emitter(
    cluster: Harness, adapter: Adapter, cio: Emitter, ns: str
) -> None:
    # The child makes its own connections to the cluster; the parent's stay usable.
    connect(cluster, ns, [(f"{ns}a", 0, [])])
    e = cio.of(ns)
    assert servers_reached(adapter, e.emit("before-fork"), 2)
    def child() -> str:
        n = e.emit("from-child")
        e.emit_nowait("queued-in-child")
        e.flush(timeout=10)
        return str(n)

    assert servers_reached(adapter, int(in_forked_child(child)), 2)
    e.emit("parent-after-fork")
    assert cluster.received(f"{ns}a") == [
        ["before-fork", "from-child", "queued-in-child", "parent-after-fork"]]


# ---------------------------------------------------------------------------------------
# Sentinel

# Every call is bounded by connect_timeout + response_timeout; a little slack for scheduling.
BUDGET = {"connect_timeout": 2.0, "response_timeout": 2.0}
BOUND_S = 4.0 + 1.5


def test_sentinel_broadcast_and_a_failover_in_the_middle_of_emits(
    topology: TopologyFactory, ns: str
) -> None:
    h = topology("sentinel", "classic")
    assert h.ready["topology"] == "sentinel"
    connect(h, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    where = {"sentinel_master": h.ready["sentinel_master"],
             "sentinel_nodes": h.ready["sentinel_urls"], **BUDGET}
    # The url gives only the master's credentials, db and TLS: its host and port are not used.
    io = Emitter("redis://127.0.0.1:1/0", **where)
    e = io.of(ns)
    assert e.emit("before") == 2

    # Two emitters keep emitting while the master dies: a blocking one on a thread, and an
    # asyncio one on another (each await bounded: a hang fails the test).
    outcomes: dict[str, list[tuple[str, float]]] = {"sync": [], "async": []}
    stop = threading.Event()

    def blocking() -> None:
        i = 0
        while not stop.is_set():
            started = time.monotonic()
            try:
                e.emit("during-sync", i)
                result = "ok"
            except EmitterError as err:
                result = err.code
            outcomes["sync"].append((result, time.monotonic() - started))
            i += 1
            time.sleep(0.005)

    async def awaiting() -> None:
        async with AsyncEmitter(**where) as aio:
            a = aio.of(ns)
            i = 0
            while not stop.is_set():
                started = time.monotonic()
                try:
                    await asyncio.wait_for(a.emit("during-async", i), BOUND_S)
                    result = "ok"
                except EmitterError as err:
                    result = err.code
                outcomes["async"].append((result, time.monotonic() - started))
                i += 1
                await asyncio.sleep(0.005)

    threads = [threading.Thread(target=blocking),
               threading.Thread(target=lambda: asyncio.run(awaiting()))]
    for t in threads:
        t.start()
    try:
        while min(len(o) for o in outcomes.values()) < 5:
            time.sleep(0.01)
        killed = h.request({"cmd": "kill_master", "timeout_ms": 60000})
        assert killed["new_master_port"] != killed["killed_port"]
        # The sentinels name the new master and the servers listen there: emits get through
        # again, each within its bound.
        deadline = time.monotonic() + 30
        while not all(o and o[-1][0] == "ok" for o in outcomes.values()):
            assert time.monotonic() < deadline, outcomes
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=BOUND_S + 10)
    assert not any(t.is_alive() for t in threads), "an emit hung"

    # After the failover: a broadcast reaches both servers through the new master.
    after = None
    for attempt in range(5):
        try:
            assert e.emit("after", attempt) == 2
            after = attempt
            break
        except EmitterError:  # the old connection may break only now: typed, then it recovers
            time.sleep(0.5)
    assert after is not None
    io.close()

    for kind, results in outcomes.items():
        for result, took in results:
            assert result in ("ok", "CONNECTION", "TIMEOUT"), (kind, result)
            assert took < BOUND_S, (kind, result, took)
    h.flush()
    for client in (f"{ns}a", f"{ns}b"):
        got = h.events(client)
        assert got[0] == ("before", [])
        assert got[-1] == ("after", [after])
        # What went through arrived once, in order (a retry never duplicates).
        for name in ("during-sync", "during-async"):
            seq = [args[0] for n, args in got if n == name]
            assert seq == sorted(set(seq)), (client, name, seq)


# ---------------------------------------------------------------------------------------
# Credentials

PASSWORD = "t0p0-s3cret"
WRONG = "wr0ng-s3cret"
FAST: dict[str, Any] = {"connect_timeout": 1.0, "response_timeout": 1.0}


@pytest.mark.parametrize("name", ["cluster", "sentinel"])
def test_credentials_come_from_the_urls_and_never_show(name: str, ns: str) -> None:
    """Every data node requires a password. A cluster's come with its node URLs; a Sentinel
    master's with ``url`` (the sentinels here take none). A wrong one is a connection error
    that shows neither password."""
    h = Harness("--servers", "1", "--topology", name, "--adapter", "sharded",
                "--redis-password", PASSWORD)
    try:
        connect(h, ns, [(f"{ns}a", 0, [])])
        if name == "cluster":
            good: dict[str, Any] = {"cluster_nodes": h.ready["redis_nodes"]}
            bad: dict[str, Any] = {
                "cluster_nodes": [u.replace(PASSWORD, WRONG) for u in h.ready["redis_nodes"]]}
        else:
            where = {"sentinel_master": h.ready["sentinel_master"],
                     "sentinel_nodes": h.ready["sentinel_urls"]}
            good = {"url": h.redis_url, **where}
            bad = {"url": h.redis_url.replace(PASSWORD, WRONG), **where}
        assert PASSWORD in str(good)
        with Emitter(adapter="sharded", **good) as io:
            assert io.of(ns).emit("in") == 1
            assert PASSWORD not in repr(io)
        with pytest.raises(EmitterError) as info:
            Emitter(adapter="sharded", **bad, **FAST).of(ns).emit("never")
        assert info.value.code == "CONNECTION", info.value
        for secret in (PASSWORD, WRONG):
            assert secret not in str(info.value) and secret not in repr(info.value.args)
        assert h.received(f"{ns}a") == [["in"]]
    finally:
        h.close()
