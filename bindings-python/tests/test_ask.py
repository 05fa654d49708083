"""Asking the cluster, blocking and asyncio, against two real Socket.IO servers whose
``ask_me`` handlers acknowledge: server_count, fetch_sockets with filters and socket data,
all_rooms, handlers and clients that acknowledge and ones that do not (partial results), 100
concurrent requests, and bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from harness import Harness
from socketio_emitter import (
    AsyncEmitter,
    ClientAcks,
    ClosedError,
    Emitter,
    FetchedSockets,
    RemoteSocket,
)

#: Long enough for any server to answer; a result that waits this long is partial.
SHORT = 1.5


@pytest.fixture(scope="module")
def acking(stack: Callable[..., Harness]) -> Harness:
    return stack("--server-acks", "ask_me")


def sids(found: FetchedSockets) -> list[str]:
    return sorted(s.id for s in found)


def people(h: Harness, ns: str) -> tuple[str, str, str]:
    """a (server 0, room vip, data, acks), b (server 1, vip and muted, acks), c (server 1,
    silent)."""
    a = h.client(f"{ns}a", 0, ns, ["vip"], data={"user": 42}, ack="a-ok")["sid"]
    b = h.client(f"{ns}b", 1, ns, ["vip", "muted"], ack="b-ok")["sid"]
    c = h.client(f"{ns}c", 1, ns, [])["sid"]
    h.request({"cmd": "wait_subscribed", "nsp": ns})
    return a, b, c


def test_blocking(acking: Harness, ns: str) -> None:
    a, b, c = people(acking, ns)
    with Emitter(acking.redis_url) as root:
        io = root.of(ns)
        assert io.server_count() == 2
        assert root.of(ns + "-nobody").server_count() == 0

        everyone = io.fetch_sockets()
        assert (sids(everyone), everyone.complete, everyone.servers_answered) == (
            sorted([a, b, c]), True, 2)
        of_a = next(s for s in everyone if s.id == a)
        assert isinstance(of_a, RemoteSocket)
        assert (of_a.rooms, of_a.data) == (frozenset({a, "vip"}), {"user": 42})
        assert of_a.handshake["address"] == "127.0.0.1"
        assert sids(io.to("vip").except_("muted").fetch_sockets(timeout=10)) == [a]

        rooms = io.all_rooms()
        assert {"vip", "muted", a, b, c} == set(rooms.rooms) and rooms.complete

        acks = io.server_side_emit_with_ack("ask_me", {"q": 1})
        assert sorted(r["server"] for r in acks.responses) == [0, 1] and acks.complete
        silent = io.server_side_emit_with_ack("server_event", timeout=SHORT)
        assert (silent.responses, silent.servers_missing, silent.complete) == ([], 2, False)

        vip = io.to("vip").emit_with_ack("question", "?")
        assert isinstance(vip, ClientAcks)
        assert (sorted(vip.responses), vip.clients_targeted, vip.complete) == (
            ["a-ok", "b-ok"], 2, True)
        partial = io.emit_with_ack("question", timeout=SHORT)
        assert (partial.clients_targeted, partial.clients_missing, partial.complete) == (
            3, 1, False)
    acking.flush()
    assert acking.event_names(f"{ns}c").count("question") == 1


def test_asyncio_and_concurrency(acking: Harness, ns: str) -> None:
    a, b, c = people(acking, ns)

    async def main() -> None:
        async with AsyncEmitter(acking.redis_url) as root:
            io = root.of(ns)
            assert await io.server_count() == 2
            found = await io.to("vip").fetch_sockets()
            assert sids(found) == sorted([a, b])
            acks = await io.to("vip").except_("muted").emit_with_ack("question", 1)
            assert acks.responses == ["a-ok"]
            handlers = await io.server_side_emit_with_ack("ask_me")
            assert handlers.servers_answered == 2

            # 100 requests at once: each gets its own answers.
            targets = [io.to("vip") if i % 2 else io.except_("vip") for i in range(100)]
            results = await asyncio.gather(*(t.fetch_sockets() for t in targets))
            for i, got in enumerate(results):
                assert sids(got) == (sorted([a, b]) if i % 2 else [c]), i
                assert got.complete

    asyncio.run(main())


def test_bad_input_and_closed_emitters(acking: Harness) -> None:
    io = Emitter(acking.redis_url)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout"):
            io.fetch_sockets(timeout=bad)
    with pytest.raises(TypeError, match="timeout"):
        io.all_rooms(timeout="soon")  # type: ignore[arg-type]
    io.close()
    with pytest.raises(ClosedError):
        io.fetch_sockets()
