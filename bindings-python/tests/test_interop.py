"""End to end with the blocking Emitter: a real Redis, two real Socket.IO 4.8 servers with
@socket.io/redis-adapter 8.3.0, real socket.io clients recording what arrives. Each test
works in its own namespace (the `ns` fixture), with client names prefixed by it."""

from __future__ import annotations

import pytest

from harness import Harness, arrived_as_sent, bytes_json
from socketio_emitter import Emitter
from socketio_emitter.exceptions import NoSubscribersError, ReservedEventError


def test_broadcast_reaches_every_client_on_both_servers_once(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    assert io.of(ns).emit("hello", "world", 42) == 2
    assert harness.received(f"{ns}a", f"{ns}b") == [["hello"], ["hello"]]
    assert harness.events(f"{ns}a")[0][1] == ["world", 42]


def test_one_room_reaches_only_its_members(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}in0", 0, ["room1"]), (f"{ns}in1", 1, ["room1"]),
                         (f"{ns}out", 0, ["room2"])])
    io.of(ns).to("room1").emit("only-room1")
    assert harness.received(f"{ns}in0", f"{ns}in1", f"{ns}out") == [
        ["only-room1"], ["only-room1"], []]


def test_two_rooms_deliver_once_to_a_socket_in_both(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}both", 0, ["a", "b"]), (f"{ns}a", 1, ["a"]),
                         (f"{ns}none", 1, ["c"])])
    io.of(ns).to("a", "b").emit("ab")
    io.of(ns).in_(["a", "b"]).emit("ab-list")
    assert harness.received(f"{ns}both", f"{ns}a", f"{ns}none") == [
        ["ab", "ab-list"], ["ab", "ab-list"], []]


def test_except_excludes_rooms(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}keep", 0, ["r"]), (f"{ns}skip", 1, ["r", "muted"]),
                         (f"{ns}all", 1, [])])
    e = io.of(ns)
    e.except_("muted").emit("not-muted")
    e.to("r").except_("muted").emit("r-not-muted")
    assert harness.received(f"{ns}keep", f"{ns}skip", f"{ns}all") == [
        ["not-muted", "r-not-muted"], [], ["not-muted"]]


def test_namespaces_are_separate_and_normalised(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns + "-a", [(f"{ns}a", 0, [])])
    harness.clients(ns + "-b", [(f"{ns}b", 1, [])])
    io.of(ns.lstrip("/") + "-a").emit("for-a")
    assert harness.received(f"{ns}a", f"{ns}b") == [["for-a"], []]


def test_numeric_and_string_rooms_are_different_rooms(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}n7", 0, [7]), (f"{ns}s7", 1, ["7"])])
    io.of(ns).to(7).emit("number")
    io.of(ns).to("7").emit("string")
    assert harness.received(f"{ns}n7", f"{ns}s7") == [["number"], ["string"]]


def test_volatile_is_accepted_and_compress_false_is_delivered(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    e = io.of(ns)
    # A server drops a volatile packet whenever the client's transport is still writing, by
    # design: a volatile emit is only asserted to be encoded as such and accepted by both
    # servers, never to arrive. compress(False) is not volatile: it must arrive.
    assert b"\xa8volatile\xc3" in e.volatile.encode_emit("v")[1]
    assert e.volatile.emit("v") == 2
    assert e.compress(False).emit("c", "x" * 2048) == 2
    assert e.volatile.compress(True).emit("vc") == 2
    for got in harness.received(f"{ns}a", f"{ns}b"):
        assert arrived_as_sent(got, ["v", "c", "vc"], volatile={"v", "vc"}), got


def test_nested_binary_arrives_as_binary(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 1, [])])
    nested = {"file": b"\x01\x02\x03", "parts": [bytearray(b"\x04"), 5],
              "view": memoryview(b"\x06")}
    io.of(ns).emit("blob", b"\xff\x00", nested)
    harness.flush()
    events = harness.events(f"{ns}a")
    assert events == [("blob", [
        bytes_json(b"\xff\x00"),
        {"file": bytes_json(b"\x01\x02\x03"), "parts": [bytes_json(b"\x04"), 5],
         "view": bytes_json(b"\x06")},
    ])]


def test_sockets_join_then_emit_to_the_new_room(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, ["old"]), (f"{ns}b", 1, []), (f"{ns}c", 1, ["old"])])
    e = io.of(ns)
    e.to("old").sockets_join("new")
    e.to("new").emit("in-new")
    assert harness.received(f"{ns}a", f"{ns}b", f"{ns}c") == [["in-new"], [], ["in-new"]]


def test_sockets_leave_removes_the_room(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, ["r", "keep"]), (f"{ns}b", 1, ["r"])])
    e = io.of(ns)
    e.except_("keep").sockets_leave(["r"])
    e.to("r").emit("still-in-r")
    assert harness.received(f"{ns}a", f"{ns}b") == [["still-in-r"], []]


def test_disconnect_sockets_with_and_without_close(harness: Harness, io: Emitter, ns: str) -> None:
    # Each target socket has a sibling in another namespace on the same connection: only
    # close=True takes the connection down, and the sibling with it.
    soft, hard, stay = f"{ns}soft", f"{ns}hard", f"{ns}stay"
    harness.clients(ns, [(soft, 0, ["soft"]), (hard, 1, ["hard"]), (stay, 1, [])])
    side = ns + "-side"
    harness.client(soft + "-sib", nsp=side, share=soft)
    harness.client(hard + "-sib", nsp=side, share=hard)
    harness.request({"cmd": "wait_subscribed", "nsp": side})
    e = io.of(ns)
    e.to("soft").disconnect_sockets()
    e.to("hard").disconnect_sockets(close=True)
    assert harness.disconnect_reason(soft) == "io server disconnect"
    assert harness.disconnect_reason(hard) == "io server disconnect"
    assert harness.disconnect_reason(hard + "-sib") is not None
    e.emit("after")
    io.of(side).emit("side")
    assert harness.received(stay, soft, soft + "-sib", hard + "-sib") == [
        ["after"], [], ["side"], []]


def test_server_side_emit_reaches_every_server_handler(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])
    assert io.of(ns).server_side_emit("server_event", "payload", 7) == 2
    harness.flush()  # covers server_event lines too
    seen = [m for m in harness.observed() if m.get("type") == "server_event" and m.get("nsp") == ns]
    assert sorted(m["server"] for m in seen) == [0, 1], harness.observed()
    for line in seen:
        assert line["event"] == "server_event"
        assert line["args"] == ["payload", 7]
    assert harness.events(f"{ns}a") == []


@pytest.mark.parametrize("name", ["connect", "connect_error", "disconnect", "disconnecting",
                                  "newListener", "removeListener"])
def test_reserved_names_are_refused_with_the_official_message(io: Emitter, name: str) -> None:
    with pytest.raises(ReservedEventError) as info:
        io.emit(name)
    assert str(info.value) == f'"{name}" is a reserved event name'
    assert info.value.code == "RESERVED_EVENT"
    assert info.value.event == name
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("name", ["connection", "new_namespace", "error"])
def test_server_side_emit_refuses_names_that_crash_servers(io: Emitter, name: str) -> None:
    with pytest.raises(ReservedEventError):
        io.server_side_emit(name)


def test_zero_receivers_when_no_server_listens_on_the_prefix(redis_url: str) -> None:
    with Emitter(redis_url, key="nobody-listens") as io:
        assert io.emit("lost") == 0
    with Emitter(redis_url, key="nobody-listens", require_receivers=True) as strict:
        with pytest.raises(NoSubscribersError) as info:
            strict.emit("lost")
        assert info.value.code == "NO_SUBSCRIBERS"
        assert info.value.channel == "nobody-listens#/#"


def test_queued_emits_are_delivered_in_order_after_flush(
    harness: Harness, io: Emitter, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    e = io.of(ns)
    tickets = [e.emit_nowait("n", i) for i in range(300)]
    assert tickets == sorted(tickets) and len(set(tickets)) == 300
    report = e.flush(timeout=30)
    assert (report.sent, report.receivers) == (300, 600)
    harness.flush()
    for client in (f"{ns}a", f"{ns}b"):
        assert [args[0] for _, args in harness.events(client)] == list(range(300))
