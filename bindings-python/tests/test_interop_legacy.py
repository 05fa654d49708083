"""End to end on the classic adapter's older server stacks (the ``compat`` option): the
emitter PUBLISHes into a real Redis; two real servers of each stack (@socket.io/redis-adapter
7.2, socket.io-redis 6.1, 6.0 and 5.4, with socket.io 4.8, 3.1 and 2.5) deliver to real
clients of the matching major version. Where a stack cannot honour an operation, the typed
``UnsupportedError`` is asserted instead, and that nothing arrived. The default stack
(``redis-adapter-8``) has its own suites."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, Literal, cast

import pytest

from harness import Harness, bytes_json
from socketio_emitter import AsyncEmitter, Emitter
from socketio_emitter.exceptions import UnsupportedError

Compat = Literal["redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0",
                 "socket.io-redis-5"]
AT = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0",
                        "socket.io-redis-5"])
def compat(request: pytest.FixtureRequest) -> Compat:
    return cast(Compat, request.param)


@pytest.fixture
def servers(stack: Callable[..., Harness], compat: Compat) -> Harness:
    return stack("--stack", compat)


@pytest.fixture
def sio(servers: Harness, compat: Compat) -> Iterator[Emitter]:
    emitter = Emitter(servers.redis_url, compat=compat)
    try:
        yield emitter
    finally:
        emitter.close()


def by_socket_id_only(compat: Compat) -> bool:
    """socket.io 2.x and 3.x servers (socket.io-redis 5 and 6.0) act on one socket id."""
    return compat in ("socket.io-redis-6.0", "socket.io-redis-5")


def connect(h: Harness, nsp: str, specs: list[tuple[str, int, list[Any]]]) -> list[str]:
    sids = [str(h.client(name, server, nsp, rooms)["sid"]) for name, server, rooms in specs]
    h.request({"cmd": "wait_subscribed", "nsp": nsp})
    return sids


def unsupported(call: Callable[[], object], compat: Compat, says: str) -> None:
    with pytest.raises(UnsupportedError) as info:
        call()
    assert info.value.code == "UNSUPPORTED"
    assert str(info.value).startswith("unsupported: ")
    assert f'(compat "{compat}")' in str(info.value) and says in str(info.value)


def test_broadcast_rooms_and_namespaces(servers: Harness, sio: Emitter, ns: str) -> None:
    connect(servers, ns, [(f"{ns}a", 0, ["r1"]), (f"{ns}b", 1, ["r1", "r2"]),
                          (f"{ns}c", 1, [])])
    connect(servers, f"{ns}-other", [(f"{ns}o", 0, [])])
    e = sio.of(ns)
    assert e.emit("all", "x", 1) == 2
    assert e.to("r1").emit("r1") == 2
    assert e.to("r1", "r2").emit("r1-or-r2") == 2
    assert servers.received(f"{ns}a", f"{ns}b", f"{ns}c", f"{ns}o") == [
        ["all", "r1", "r1-or-r2"], ["all", "r1", "r1-or-r2"], ["all"], []]
    assert servers.events(f"{ns}c")[0][1] == ["x", 1]


def test_nested_binary_arrives_as_binary_and_dates_as_dates(
    servers: Harness, sio: Emitter, ns: str
) -> None:
    connect(servers, ns, [(f"{ns}a", 1, ["r"]), (f"{ns}b", 0, [])])
    nested = {"file": b"\x01\x02\x03", "parts": [bytearray(b"\x04"), 5]}
    e = sio.of(ns)
    # socket.io 2.x frames binary only for packet type 5, which compat makes.
    e.emit("blob", b"\xff\x00", nested)
    # Dates in notepack 2.x form: the servers decode them back into Dates.
    e.to("r").emit("date", AT, EPOCH)
    servers.flush()
    want = {"file": bytes_json(b"\x01\x02\x03"), "parts": [bytes_json(b"\x04"), 5]}
    assert servers.events(f"{ns}a") == [
        ("blob", [bytes_json(b"\xff\x00"), want]),
        ("date", ["2023-11-14T22:13:20.123Z", "1970-01-01T00:00:00.000Z"]),
    ]
    assert servers.event_names(f"{ns}b") == ["blob"]


def test_except_excludes_or_is_unsupported(
    servers: Harness, sio: Emitter, ns: str, compat: Compat
) -> None:
    connect(servers, ns, [(f"{ns}keep", 0, ["r"]), (f"{ns}skip", 1, ["r", "muted"])])
    e = sio.of(ns)
    if by_socket_id_only(compat):
        # Those servers read `except` as socket ids: excluding a room would exclude nobody.
        unsupported(lambda: e.except_("muted").emit("muted-too"), compat, "except")
        e.emit("sent")
        assert servers.received(f"{ns}keep", f"{ns}skip") == [["sent"], ["sent"]]
        return
    e.except_("muted").emit("not-muted")
    assert servers.received(f"{ns}keep", f"{ns}skip") == [["not-muted"], []]


def test_sockets_join_and_leave_then_emit(
    servers: Harness, sio: Emitter, ns: str, compat: Compat
) -> None:
    ids = connect(servers, ns, [(f"{ns}a", 0, ["old"]), (f"{ns}b", 1, []),
                                (f"{ns}c", 1, ["old", "gone"])])
    e = sio.of(ns)
    if by_socket_id_only(compat):
        unsupported(lambda: e.to("old").sockets_join("new"), compat, "socket.io-redis")
        unsupported(lambda: e.sockets_leave("gone"), compat, "socket.io-redis")
        unsupported(lambda: e.to(ids[0]).sockets_join("new", "x"), compat,
                    "one room per request")
        # One socket at a time, by its id (on 2.x off "/": "<nsp>#<id>"): what they can do.
        assert e.to(ids[0]).sockets_join("new") == 2
        assert e.to(ids[2]).sockets_join("new") == 2
        assert e.to(ids[2]).sockets_leave("gone") == 2
    else:
        assert e.to("old").sockets_join("new") == 2
        assert e.sockets_leave("gone") == 2
    # Requests and broadcasts reach each server over one connection, in order.
    e.to("new").emit("in-new")
    e.to("gone").emit("in-gone")
    assert servers.received(f"{ns}a", f"{ns}b", f"{ns}c") == [["in-new"], [], ["in-new"]]


def test_disconnect_sockets(servers: Harness, sio: Emitter, ns: str, compat: Compat) -> None:
    ids = connect(servers, ns, [(f"{ns}soft", 0, ["soft"]), (f"{ns}stay", 1, [])])
    e = sio.of(ns)
    if by_socket_id_only(compat):
        unsupported(lambda: e.to("soft").disconnect_sockets(), compat, "socket.io-redis")
        assert e.to(ids[0]).disconnect_sockets() == 2
    else:
        assert e.to("soft").disconnect_sockets() == 2
    assert servers.disconnect_reason(f"{ns}soft") == "io server disconnect"
    e.emit("after")
    assert servers.received(f"{ns}stay", f"{ns}soft") == [["after"], []]


def test_server_side_emit_reaches_every_server_or_is_unsupported(
    servers: Harness, sio: Emitter, ns: str, compat: Compat
) -> None:
    connect(servers, ns, [(f"{ns}a", 0, [])])
    e = sio.of(ns)
    if compat != "redis-adapter-7":
        unsupported(lambda: e.server_side_emit("server_event", 1), compat, "redis-adapter 7.0")
        return
    assert e.server_side_emit("server_event", "payload", 7) == 2
    servers.flush()
    seen = [m["server"] for m in servers.observed()
            if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(seen) == [0, 1]


def test_asyncio_emitter_on_socket_io_2(stack: Callable[..., Harness], ns: str) -> None:
    servers = stack("--stack", "socket.io-redis-5")
    ids = connect(servers, ns, [(f"{ns}a", 0, ["r"]), (f"{ns}b", 1, [])])

    async def main() -> None:
        async with AsyncEmitter(servers.redis_url, compat="socket.io-redis-5") as io:
            e = io.of(ns)
            assert await e.to("r").emit("bin", {"b": b"\x01"}, AT) == 2
            with pytest.raises(UnsupportedError):
                await e.except_(ids[1]).emit("never")
            with pytest.raises(UnsupportedError):
                await e.server_side_emit("server_event")
            assert await e.to(ids[1]).sockets_join("r") == 2
            # Queued emits are written for the stack too.
            e.emit_nowait("queued")
            assert (await e.flush(timeout=10)).sent == 1

    asyncio.run(main())
    servers.flush()
    assert servers.events(f"{ns}a") == [
        ("bin", [{"b": bytes_json(b"\x01")}, "2023-11-14T22:13:20.123Z"]), ("queued", [])]
    assert servers.event_names(f"{ns}b") == ["queued"]
