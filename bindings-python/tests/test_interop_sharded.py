"""End to end on the sharded adapter: the emitter SPUBLISHes into a real Redis 7; two real
Socket.IO 4.8 servers with ``createShardedAdapter`` (@socket.io/redis-adapter 8.3.0) deliver;
real socket.io clients record what arrives. Every scenario runs in each subscription mode,
each mode on its own servers (the ``sharded`` fixture), each test in its own namespace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, Literal, cast

import pytest

from harness import Harness, bytes_json
from socketio_emitter import AsyncEmitter, Emitter, FlushReport
from socketio_emitter.exceptions import NoSubscribersError


Mode = Literal["static", "dynamic", "dynamic-private"]


@pytest.fixture(params=["static", "dynamic", "dynamic-private"])
def mode(request: pytest.FixtureRequest) -> Mode:
    return cast(Mode, request.param)


@pytest.fixture
def servers(sharded: Callable[[str], Harness], mode: str) -> Harness:
    return sharded(mode)


@pytest.fixture
def sio(servers: Harness, mode: Mode) -> Iterator[Emitter]:
    emitter = Emitter(servers.redis_url, adapter="sharded", subscription_mode=mode)
    try:
        yield emitter
    finally:
        emitter.close()


def connect(h: Harness, nsp: str, specs: list[tuple[str, int, list[Any]]]) -> list[str]:
    """Connects clients ``(name, server, rooms)`` and waits until every server holds every
    channel it should (room channels included, in the dynamic modes); their socket ids."""
    sids = [str(h.client(name, server, nsp, rooms)["sid"]) for name, server, rooms in specs]
    h.request({"cmd": "wait_subscribed", "nsp": nsp})
    return sids


def one_room_receivers(mode: str, with_members: int, socket_id: bool = False) -> int:
    """Servers reached by a broadcast to exactly one room: all of them on the main channel
    (static; dynamic for a socket id), else those where the room has members."""
    if mode == "static" or (mode == "dynamic" and socket_id):
        return 2
    return with_members


def test_broadcast_reaches_every_client_on_both_servers_once(
    servers: Harness, sio: Emitter, ns: str
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    assert sio.of(ns).emit("hello", "world", 42) == 2
    assert servers.received(f"{ns}a", f"{ns}b") == [["hello"], ["hello"]]
    assert servers.events(f"{ns}b")[0][1] == ["world", 42]


def test_one_room_reaches_only_its_members(
    servers: Harness, sio: Emitter, ns: str, mode: str
) -> None:
    sids = connect(servers, ns, [(f"{ns}in0", 0, ["room1"]), (f"{ns}in1", 1, ["room1"]),
                                 (f"{ns}out", 0, ["room2"]), (f"{ns}solo", 1, ["solo"])])
    e = sio.of(ns)
    assert e.to("room1").emit("only-room1") == 2
    # "solo" has members on server 1 only: its own channel reaches that server alone.
    assert e.to("solo").emit("only-solo") == one_room_receivers(mode, 1)
    # A socket id is a room too; only dynamic-private servers subscribe to its channel.
    assert e.to(sids[2]).emit("only-out") == one_room_receivers(mode, 1, socket_id=True)
    assert servers.received(f"{ns}in0", f"{ns}in1", f"{ns}out", f"{ns}solo") == [
        ["only-room1"], ["only-room1"], ["only-out"], ["only-solo"]]


def test_nested_binary_arrives_as_binary(servers: Harness, sio: Emitter, ns: str) -> None:
    connect(servers, ns, [(f"{ns}a", 1, ["r"])])
    nested = {"file": b"\x01\x02\x03", "parts": [bytearray(b"\x04"), 5]}
    e = sio.of(ns)
    e.emit("blob", b"\xff\x00", nested)
    e.to("r").emit("room-blob", nested)  # msgpack on a room channel too
    servers.flush()
    want = {"file": bytes_json(b"\x01\x02\x03"), "parts": [bytes_json(b"\x04"), 5]}
    assert servers.events(f"{ns}a") == [
        ("blob", [bytes_json(b"\xff\x00"), want]), ("room-blob", [want])]


def test_server_side_emit_reaches_every_server_handler(
    servers: Harness, sio: Emitter, ns: str
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, [])])
    e = sio.of(ns)
    assert e.server_side_emit("server_event", "payload", 7) == 2
    # Binary makes the message msgpack; the handlers get the bytes back.
    assert e.server_side_emit("server_event", b"\x09\x08") == 2
    servers.flush()  # covers server_event lines too
    seen = [m for m in servers.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    for server in (0, 1):
        assert [m["args"] for m in seen if m["server"] == server] == [
            ["payload", 7], [bytes_json(b"\x09\x08")]], seen
    assert servers.events(f"{ns}a") == []


def test_queued_emits_are_spublished_and_counted(
    servers: Harness, sio: Emitter, ns: str, mode: str
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, ["r"])])
    e = sio.of(ns)
    for i in range(100):
        e.emit_nowait("n", i)
    e.to("r").emit_nowait("r")
    report = e.flush(timeout=30)
    assert (report.sent, report.receivers) == (101, 200 + one_room_receivers(mode, 1))
    servers.flush()
    assert [a[0] for _, a in servers.events(f"{ns}a")] == list(range(100))
    assert len(servers.events(f"{ns}b")) == 101


def test_asyncio_emitter(servers: Harness, ns: str, mode: Mode) -> None:
    connect(servers, ns, [(f"{ns}a", 0, ["r"]), (f"{ns}b", 1, [])])

    async def main() -> None:
        async with AsyncEmitter(servers.redis_url, adapter="sharded",
                                subscription_mode=mode) as io:
            e = io.of(ns)
            assert list(await asyncio.gather(e.emit("all", 1), e.emit("all", 2))) == [2, 2]
            assert await e.to("r").emit("in-r", b"\x01") == one_room_receivers(mode, 1)
            assert await e.server_side_emit("server_event", "async") == 2
            e.emit_nowait("queued")
            assert await e.flush(timeout=10) == FlushReport(sent=1, receivers=2)

    asyncio.run(main())
    assert servers.received(f"{ns}a", f"{ns}b") == [
        ["all", "all", "in-r", "queued"], ["all", "all", "queued"]]
    assert servers.events(f"{ns}a")[2] == ("in-r", [bytes_json(b"\x01")])
    seen = [m for m in servers.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(m["server"] for m in seen) == [0, 1]


def test_a_classic_emitter_against_sharded_servers_is_no_subscribers(
    sharded: Callable[[str], Harness], ns: str
) -> None:
    servers = sharded("dynamic")
    connect(servers, ns, [(f"{ns}a", 0, [])])
    with Emitter(servers.redis_url, require_receivers=True) as classic:
        with pytest.raises(NoSubscribersError) as info:
            classic.of(ns).emit("lost")
    assert info.value.code == "NO_SUBSCRIBERS"
    assert info.value.channel == f"socket.io#{ns}#"
    for part in ("adapter", "SPUBLISH", "createShardedAdapter"):
        assert part in str(info.value)
    assert servers.received(f"{ns}a") == [[]]


def test_a_sharded_emitter_against_classic_servers_is_no_subscribers(
    harness: Harness, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])

    async def main() -> None:
        async with AsyncEmitter(harness.redis_url, adapter="sharded",
                                require_receivers=True) as io:
            with pytest.raises(NoSubscribersError, match="createAdapter"):
                await io.of(ns).emit("lost")
            with pytest.raises(NoSubscribersError):
                await io.of(ns).server_side_emit("server_event")

    asyncio.run(main())
    assert harness.received(f"{ns}a") == [[]]
