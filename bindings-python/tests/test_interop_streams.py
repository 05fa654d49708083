"""End to end on the Redis Streams adapter: the emitter XADDs into a real Redis; two real
Socket.IO 4.8.1 servers with @socket.io/redis-streams-adapter (0.3.1, and 0.2.3) and
connection-state recovery deliver; real socket.io clients record what arrives. Every
scenario runs on both generations, each on its own servers (the ``stack`` fixture), each test
in its own namespace. What an emit resolves to differs: the servers that read the namespace
(0.3, counted on its Pub/Sub side channel), or 1, the entry stored (0.2)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, Literal, cast

import pytest

from harness import Harness, bytes_json
from socketio_emitter import AsyncEmitter, Emitter, FlushReport

Version = Literal["0.3", "0.2"]
AT = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
AT_JSON = "2023-11-14T22:13:20.123Z"


@pytest.fixture(params=["0.3", "0.2"])
def version(request: pytest.FixtureRequest) -> Version:
    return cast(Version, request.param)


@pytest.fixture
def servers(stack: Callable[..., Harness], version: Version) -> Harness:
    return stack("--adapter", "streams", "--streams-version", version)


@pytest.fixture
def sio(servers: Harness, version: Version) -> Iterator[Emitter]:
    emitter = Emitter(servers.redis_url, adapter="streams", streams_version=version)
    try:
        yield emitter
    finally:
        emitter.close()


def both(version: Version) -> int:
    """What an emit to a namespace both servers have resolves to."""
    return 2 if version == "0.3" else 1


def connect(h: Harness, nsp: str, specs: list[tuple[str, int, list[Any]]],
            recovery: bool = False) -> list[str]:
    """Connects clients ``(name, server, rooms)`` and waits until both servers have the
    namespace and read its stream; their socket ids."""
    sids = [str(h.client(name, server, nsp, rooms, recovery=recovery)["sid"])
            for name, server, rooms in specs]
    reply = h.request({"cmd": "wait_subscribed", "nsp": nsp})
    assert reply["stream_read"] is True, reply
    return sids


def test_broadcast_reaches_every_client_on_both_servers_once(
    servers: Harness, sio: Emitter, ns: str, version: Version
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    assert sio.of(ns).emit("hello", "world", 42) == both(version)
    assert servers.received(f"{ns}a", f"{ns}b") == [["hello"], ["hello"]]
    assert servers.events(f"{ns}b")[0][1] == ["world", 42]
    # Each delivery carries its entry ID: the offset connection-state recovery resumes from.
    offsets = [m.get("offset") for m in servers.observed()
               if m.get("type") == "event" and m.get("client") in (f"{ns}a", f"{ns}b")]
    assert len(offsets) == 2 and offsets[0] == offsets[1] and "-" in str(offsets[0])


def test_rooms_except_and_namespaces(servers: Harness, sio: Emitter, ns: str) -> None:
    connect(servers, ns, [(f"{ns}1", 0, ["r1"]), (f"{ns}12", 1, ["r1", "r2"]),
                          (f"{ns}2", 0, ["r2", "muted"]), (f"{ns}none", 1, [])])
    connect(servers, f"{ns}-other", [(f"{ns}other", 1, ["r1"])])
    e = sio.of(ns)
    e.to("r1").emit("r1")
    e.to("r1", "r2").emit("r1-or-r2")
    e.except_("muted").emit("not-muted")
    e.to("r2").except_("r1").emit("r2-not-r1")
    assert servers.received(f"{ns}1", f"{ns}12", f"{ns}2", f"{ns}none", f"{ns}other") == [
        ["r1", "r1-or-r2", "not-muted"],
        ["r1", "r1-or-r2", "not-muted"],
        ["r1-or-r2", "r2-not-r1"],
        ["not-muted"],
        [],
    ]


def test_nested_binary_arrives_as_binary_and_dates_as_dates(
    servers: Harness, sio: Emitter, ns: str
) -> None:
    connect(servers, ns, [(f"{ns}a", 1, ["r"]), (f"{ns}b", 0, [])])
    nested = {"file": b"\x01\x02\x03", "parts": [bytearray(b"\x04"), 5], "at": AT}
    e = sio.of(ns)
    e.emit("blob", b"\xff\x00", nested)  # binary: the entry's data is base64 msgpack
    e.to("r").emit("date", AT)  # no binary: JSON, the Date as its ISO string
    servers.flush()
    want = {"file": bytes_json(b"\x01\x02\x03"), "parts": [bytes_json(b"\x04"), 5],
            "at": AT_JSON}
    assert servers.events(f"{ns}a") == [
        ("blob", [bytes_json(b"\xff\x00"), want]), ("date", [AT_JSON])]
    assert servers.event_names(f"{ns}b") == ["blob"]


def test_sockets_join_leave_and_disconnect(servers: Harness, sio: Emitter, ns: str,
                                           version: Version) -> None:
    connect(servers, ns, [(f"{ns}a", 0, ["old"]), (f"{ns}b", 1, []),
                          (f"{ns}c", 1, ["old", "gone"]), (f"{ns}soft", 0, ["soft"])])
    e = sio.of(ns)
    assert e.to("old").sockets_join("new") == both(version)
    assert e.sockets_leave("gone") == both(version)
    # Entries of one stream are read in order: no barrier needed before these.
    e.to("new").emit("in-new")
    e.to("gone").emit("in-gone")
    assert e.to("soft").disconnect_sockets() == both(version)
    assert servers.disconnect_reason(f"{ns}soft") == "io server disconnect"
    e.emit("after")
    assert servers.received(f"{ns}a", f"{ns}b", f"{ns}c", f"{ns}soft") == [
        ["in-new", "after"], ["after"], ["in-new", "after"], []]


def test_server_side_emit_reaches_every_server_handler(
    servers: Harness, sio: Emitter, ns: str, version: Version
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, [])])
    # 0.3: a Pub/Sub message on the namespace's side channel; 0.2: a stream entry.
    assert sio.of(ns).server_side_emit("server_event", "payload", b"\x09") == both(version)
    servers.flush()  # covers server_event lines too
    seen = [m for m in servers.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(m["server"] for m in seen) == [0, 1], seen
    assert all(m["args"] == ["payload", bytes_json(b"\x09")] for m in seen), seen
    assert servers.events(f"{ns}a") == []


def test_a_dropped_client_gets_what_it_missed_on_the_other_server(
    servers: Harness, sio: Emitter, ns: str
) -> None:
    """Connection-state recovery: entries XADDed while a client was away are replayed to it
    when it comes back, on any server, filtered by its rooms."""
    (sid,) = connect(servers, ns, [(f"{ns}c", 0, ["r"])], recovery=True)
    e = sio.of(ns)
    e.emit("before")
    servers.flush()
    drop = servers.client_drop(f"{ns}c")
    assert drop["offset"] is not None
    e.to("r").emit("missed", 1, b"\x02")
    e.to("elsewhere").emit("not-for-it")
    back = servers.client_reconnect(f"{ns}c", 1)
    assert back["recovered"] is True and back["sid"] == sid
    e.to("r").emit("after")  # its rooms are back too
    servers.flush()
    assert servers.events(f"{ns}c") == [
        ("before", []), ("missed", [1, bytes_json(b"\x02")]), ("after", [])]


def test_queued_emits_are_xadded_in_order_and_counted(
    servers: Harness, sio: Emitter, ns: str, version: Version
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, ["r"])])
    e = sio.of(ns)
    for i in range(100):
        e.emit_nowait("n", i)
    e.to("r").emit_nowait("r")
    report = e.flush(timeout=30)
    assert (report.sent, report.receivers) == (101, 101 * both(version))
    servers.flush()
    assert [a[0] for _, a in servers.events(f"{ns}a")] == list(range(100))
    assert len(servers.events(f"{ns}b")) == 101


def test_asyncio_emitter(servers: Harness, ns: str, version: Version) -> None:
    connect(servers, ns, [(f"{ns}a", 0, ["r"]), (f"{ns}b", 1, [])])
    n = both(version)

    async def main() -> None:
        async with AsyncEmitter(servers.redis_url, adapter="streams",
                                streams_version=version) as io:
            e = io.of(ns)
            assert list(await asyncio.gather(e.emit("all", 1), e.emit("all", 2))) == [n, n]
            assert await e.to("r").emit("in-r", {"b": b"\x01"}, AT) == n
            assert await e.server_side_emit("server_event", "async") == n
            e.emit_nowait("queued")
            assert await e.flush(timeout=10) == FlushReport(sent=1, receivers=n)

    asyncio.run(main())
    assert servers.received(f"{ns}a", f"{ns}b") == [
        ["all", "all", "in-r", "queued"], ["all", "all", "queued"]]
    assert servers.events(f"{ns}a")[2] == ("in-r", [{"b": bytes_json(b"\x01")}, AT_JSON])
    seen = [m for m in servers.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(m["server"] for m in seen) == [0, 1]


def test_four_streams_and_the_namespace_nobody_reads(stack: Callable[..., Harness]) -> None:
    """With ``stream_count=4`` each namespace has its stream; ``/notifications`` hashes to
    ``socket.io--3``, which the servers never read (an upstream bug): its emits resolve to 0."""
    servers = stack("--adapter", "streams", "--stream-count", "4")
    connect(servers, "/", [("four-a", 0, []), ("four-b", 1, [])])
    servers.client("four-lost", 0, "/notifications", [])
    reply = servers.request({"cmd": "wait_subscribed", "nsp": "/notifications"})
    assert (reply["stream"], reply["stream_read"]) == ("socket.io--3", False)
    with Emitter(servers.redis_url, adapter="streams", stream_count=4) as io:
        assert io.encode_emit("x").channel == "socket.io-3"
        assert io.emit("read", 1) == 2
        assert io.of("/notifications").emit("lost") == 0
    assert servers.received("four-a", "four-b", "four-lost") == [["read"], ["read"], []]
