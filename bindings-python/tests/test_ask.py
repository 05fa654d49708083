"""Asking the cluster, blocking and asyncio, against two real Socket.IO servers whose
``ask_me`` handlers acknowledge: server_count, fetch_sockets with filters and socket data,
all_rooms, handlers and clients that acknowledge and ones that do not (partial results), servers
that answer on the specific response channel, 100 concurrent requests, and bad input."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from harness import Harness, Json
from socketio_emitter import (
    AllRooms,
    AsyncEmitter,
    ClientAcks,
    ClosedError,
    Emitter,
    EncodeError,
    FetchedSockets,
    RemoteSocket,
    ReservedEventError,
    ServerAcks,
)

#: For calls nobody answers: only the wait is bounded, so it can be short.
NOTHING_COMES = 0.5
#: For partial results where some answers must arrive: room for a loaded machine.
SOME_COME = 3.0


@pytest.fixture(scope="module")
def acking(stack: Callable[..., Harness]) -> Harness:
    return stack("--server-acks", "ask_me")


def sids(found: FetchedSockets) -> list[str]:
    return sorted(s.id for s in found)


def people(h: Harness, ns: str) -> tuple[str, str, str]:
    """a (server 0, room vip, data, acks), b (server 1, vip, muted and the numeric room 7,
    acks), c (server 1, no room, silent)."""
    a = h.client(f"{ns}a", 0, ns, ["vip"], data={"user": 42}, ack="a-ok")["sid"]
    b = h.client(f"{ns}b", 1, ns, ["vip", "muted", 7], ack="b-ok")["sid"]
    c = h.client(f"{ns}c", 1, ns, [])["sid"]
    h.request({"cmd": "wait_subscribed", "nsp": ns})
    return a, b, c


def handlers_ran(h: Harness, ns: str, event: str) -> bool:
    """Both servers' handlers received ``event`` in ``ns`` (seen at the handlers)."""

    def both(lines: list[Json]) -> bool:
        hits = [m for m in lines if m.get("type") == "server_event"
                and m.get("nsp") == ns and m.get("event") == event]
        return sorted(m["server"] for m in hits) == [0, 1]

    return h.wait_until(both)


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
        assert "handshake" not in repr(of_a) and repr(a) in repr(of_a)
        of_b = next(s for s in everyone if s.id == b)
        assert of_b.rooms == frozenset({b, "vip", "muted", "7"})
        found = io.to("vip").except_("muted").fetch_sockets(timeout=timedelta(seconds=10))
        assert sids(found) == [a]

        rooms = io.all_rooms()
        assert isinstance(rooms, AllRooms) and rooms.complete
        assert rooms.rooms == frozenset({"vip", "muted", 7, a, b, c})
        assert 7 in rooms and "7" not in rooms

        acks = io.server_side_emit_with_ack("ask_me", {"q": 1})
        assert isinstance(acks, ServerAcks)
        assert sorted(r["server"] for r in acks.responses) == [0, 1] and acks.complete
        silent = io.server_side_emit_with_ack("server_event", timeout=NOTHING_COMES)
        assert (silent.responses, silent.servers_missing, silent.complete) == ([], 2, False)
        assert handlers_ran(acking, ns, "server_event")

        vip = io.to("vip").emit_with_ack("question", "?")
        assert isinstance(vip, ClientAcks)
        assert (sorted(vip.responses), vip.clients_targeted, vip.complete) == (
            ["a-ok", "b-ok"], 2, True)
        partial = io.emit_with_ack("question", timeout=SOME_COME)
        assert sorted(partial.responses) == ["a-ok", "b-ok"]
        assert (partial.clients_targeted, partial.clients_missing, partial.servers_missing,
                partial.complete) == (3, 1, 0, False)
    # The silent client did get the event: it just never answered.
    acking.flush()
    assert acking.event_names(f"{ns}c").count("question") == 1


def test_asyncio(acking: Harness, ns: str) -> None:
    a, b, c = people(acking, ns)

    async def main() -> None:
        async with AsyncEmitter(acking.redis_url) as root:
            io = root.of(ns)
            assert await io.server_count() == 2
            found = await io.to("vip").fetch_sockets()
            assert (sids(found), found.complete) == (sorted([a, b]), True)
            assert next(s for s in found if s.id == a).data == {"user": 42}
            assert sids(await io.except_("vip").fetch_sockets(timeout=10)) == [c]
            rooms = await io.all_rooms()
            assert rooms.rooms == frozenset({"vip", "muted", 7, a, b, c})

            handlers = await io.server_side_emit_with_ack("ask_me", 1)
            assert sorted(r["server"] for r in handlers.responses) == [0, 1]
            silent = await io.server_side_emit_with_ack("server_event", timeout=NOTHING_COMES)
            assert (silent.servers_answered, silent.servers_missing) == (0, 2)

            acks = await io.to("vip").except_("muted").emit_with_ack("question", 1)
            assert (acks.responses, acks.clients_targeted, acks.complete) == (["a-ok"], 1, True)
            partial = await io.except_("vip").emit_with_ack("question", timeout=SOME_COME)
            assert (partial.responses, partial.clients_targeted, partial.clients_missing,
                    partial.complete) == ([], 1, 1, False)

    asyncio.run(main())
    assert handlers_ran(acking, ns, "server_event")


def test_servers_answering_on_the_specific_response_channel(
        stack: Callable[..., Harness], ns: str) -> None:
    h = stack("--server-acks", "ask_me", "--specific-response-channel")
    a, b, c = people(h, ns)
    with Emitter(h.redis_url) as root:
        io = root.of(ns)
        assert sids(io.to("vip").fetch_sockets()) == sorted([a, b])
        assert io.all_rooms().rooms == frozenset({"vip", "muted", 7, a, b, c})
        handlers = io.server_side_emit_with_ack("ask_me")
        assert sorted(r["server"] for r in handlers.responses) == [0, 1]
        acks = io.to("vip").emit_with_ack("question")
        assert (sorted(acks.responses), acks.complete) == (["a-ok", "b-ok"], True)


def test_100_concurrent_requests_get_their_own_answers(acking: Harness, ns: str) -> None:
    a, b, c = people(acking, ns)
    # Four targets with four different answers: a reply given to the wrong request shows.
    targets: list[tuple[Callable[[AsyncEmitter], AsyncEmitter], list[str]]] = [
        (lambda io: io.to("vip"), sorted([a, b])),
        (lambda io: io.except_("vip"), [c]),
        (lambda io: io.to(7), [b]),
        (lambda io: io.to("vip").except_("muted"), [a]),
    ]

    async def main() -> list[FetchedSockets]:
        async with AsyncEmitter(acking.redis_url) as root:
            io = root.of(ns)
            return await asyncio.gather(
                *(targets[i % 4][0](io).fetch_sockets(timeout=10) for i in range(100)))

    for i, got in enumerate(asyncio.run(main())):
        assert (sids(got), got.complete) == (targets[i % 4][1], True), i


def test_bad_input_and_closed_emitters(acking: Harness) -> None:
    io = Emitter(acking.redis_url)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout"):
            io.fetch_sockets(timeout=bad)
        with pytest.raises(ValueError, match="timeout"):
            io.emit_with_ack("question", timeout=bad)
    with pytest.raises(TypeError, match="timeout"):
        io.all_rooms(timeout="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="event"):
        io.server_side_emit_with_ack(7)  # type: ignore[arg-type]
    with pytest.raises(ReservedEventError):
        io.emit_with_ack("connect")
    with pytest.raises(EncodeError):
        io.server_side_emit_with_ack("ask_me", object())
    io.close()
    with pytest.raises(ClosedError):
        io.fetch_sockets()
    with pytest.raises(ClosedError):
        io.server_count()
    # An offline emitter only encodes: it refuses requests as it refuses emits.
    with pytest.raises(ClosedError):
        Emitter.offline().all_rooms()


def test_bad_input_and_closed_asyncio_emitters(acking: Harness) -> None:
    async def main() -> None:
        aio = AsyncEmitter(acking.redis_url)
        # A bad timeout is refused at the call, before anything is awaited; a reserved
        # event name, like emit's, when awaited.
        with pytest.raises(ValueError, match="timeout"):
            _ = aio.fetch_sockets(timeout=-1)
        with pytest.raises(ReservedEventError):
            await aio.server_side_emit_with_ack("disconnect")
        await aio.close()
        with pytest.raises(ClosedError):
            await aio.emit_with_ack("question")
        with pytest.raises(ClosedError):
            await aio.server_count()

    asyncio.run(main())
