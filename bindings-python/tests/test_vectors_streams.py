"""Every streams-adapter golden vector (tests/vectors/vectors_streams.json, captured from real
socket.io 4.8.1 servers with @socket.io/redis-streams-adapter 0.3.1 and 0.2.3) must come out of
``Emitter.offline(adapter="streams", ...)`` as the same whole Redis command, argument for
argument (``Encoded.args``), through the real Python conversion path. No Redis needed. Also
the stream options' checks, the ``compat`` option's encoding and its ``UnsupportedError``."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from typing import Any, Callable, Literal

import pytest

from golden import Unrepresentable, apply_ops, load, value
from socketio_emitter import AsyncEmitter, Emitter, Encoded
from socketio_emitter.exceptions import (
    EmitterError,
    InvalidArgumentError,
    ReservedEventError,
    UnsupportedError,
)

DOC = load("vectors_streams.json")
CASES: list[dict[str, Any]] = DOC["cases"]

# The calls the core does not make, with the reason: the same list as
# core/tests/golden_vectors_streams.rs.
NOT_YET = {
    "emitWithAck": "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs",
    "serverSideEmitWithAck": "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs",
    "fetchSockets": "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_streams.rs",
    "of": "what a server writes when it creates a namespace: not an emitter operation",
    "close": "what a 0.2 server writes when its adapter closes: not an emitter operation",
}
PLAINTEXT = "onlyPlaintext is a server option that only changes what servers write"


def offline(case: dict[str, Any]) -> Emitter:
    options = case["options"]
    return Emitter.offline(
        options.get("channelPrefix", "socket.io"),
        adapter="streams",
        streams_version=case["generation"],  # a full version ("0.3.1") names its generation
        stream_name=options.get("streamName", "socket.io"),
        stream_count=options.get("streamCount", 1),
        max_len=options.get("maxLen", 10000),
    )


def run(case: dict[str, Any]) -> Encoded:
    e = apply_ops(offline(case), case["ops"])
    args = [value(a) for a in case["args"]]
    call = case["call"]
    if call == "emit":
        return e.encode_emit(args[0], *args[1:])
    if call == "serverSideEmit":
        return e.encode_server_side_emit(args[0], *args[1:])
    if call == "socketsJoin":
        return e.encode_sockets_join(args[0])
    if call == "socketsLeave":
        return e.encode_sockets_leave(args[0])
    if call == "disconnectSockets":
        return e.encode_disconnect_sockets(*args)
    raise AssertionError(f"unknown call {call}")


def as_bytes(arg: Any) -> bytes:
    """An argument of a captured command: text, or ``{"$hex": ...}`` for binary."""
    if isinstance(arg, dict):
        return bytes.fromhex(arg["$hex"])
    return str(arg).encode()


def test_the_file_and_the_skip_list_agree() -> None:
    assert "redis-streams-adapter@0.3.1" in DOC["source"]
    calls = {c["call"] for c in CASES}
    assert set(NOT_YET) <= calls
    checked = [c for c in CASES
               if c["call"] not in NOT_YET and "onlyPlaintext" not in c["options"]]
    assert len(checked) >= 70
    assert any("onlyPlaintext" in c["options"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_streams_golden_vector(case: dict[str, Any]) -> None:
    if case["call"] in NOT_YET:
        pytest.skip(NOT_YET[case["call"]])
    if "onlyPlaintext" in case["options"]:
        pytest.skip(PLAINTEXT)
    try:
        [value(a) for a in case["args"]]
    except Unrepresentable as e:
        pytest.skip(str(e))
    if not case["commands"]:
        # The servers wrote nothing: a reserved event name, refused before encoding.
        with pytest.raises(ReservedEventError) as info:
            run(case)
        assert info.value.code == "RESERVED_EVENT"
        if "throws" in case:
            assert str(info.value) == case["throws"]
        return
    (want,) = case["commands"]
    got = run(case)
    assert list(got.args) == [as_bytes(a) for a in want]
    assert got.command == want[0]
    assert got.channel == want[1]
    if got.command == "XADD":
        assert got.payload == as_bytes(want[-1])  # the entry's data field
    else:
        assert got.args == (b"PUBLISH", got.channel.encode(), got.payload)


def test_what_each_generation_and_operation_writes() -> None:
    v03 = Emitter.offline("k", adapter="streams")
    v02 = Emitter.offline("k", adapter="streams", streams_version="0.2")
    # Broadcasts are stream entries whatever the generation.
    for e in (v03, v02):
        out = e.of("/a").to("r").encode_emit("ev", 1)
        assert out.command == "XADD" and out.channel == "socket.io"
        assert out.args[2:12] == (b"MAXLEN", b"~", b"10000", b"*", b"uid", b"emitter",
                                  b"nsp", b"/a", b"type", b"3")
    # serverSideEmit: a Pub/Sub message on the side channel (0.3), an entry (0.2).
    assert v03.of("/a").encode_server_side_emit("s", 1).args[:2] == (b"PUBLISH", b"k#/a#")
    assert v02.of("/a").encode_server_side_emit("s", 1).args[:2] == (b"XADD", b"socket.io")
    # Binary makes the data base64 msgpack, text stays JSON.
    assert v03.encode_emit("ev", b"\x01").payload.isascii()
    assert v03.encode_emit("ev", "x").payload.startswith(b'{"packet":')


def test_stream_options_shape_the_command() -> None:
    e = Emitter.offline(adapter="streams", stream_name="app", max_len=500, stream_count=4)
    # The namespace picks the stream: javaHash(nsp) % 4, JS remainder (negative for some).
    assert e.of("/").encode_emit("ev").args[1:5] == (b"app-3", b"MAXLEN", b"~", b"500")
    assert e.of("/notifications").encode_emit("ev").channel == "app--3"
    # A full version names its generation.
    a = Emitter.offline(adapter="streams", streams_version="0.2.3").encode_server_side_emit("s")
    assert a.command == "XADD"


def test_encoded_is_still_the_channel_payload_pair() -> None:
    out = Emitter.offline().to("r").encode_emit("ev", 1)
    channel, payload = out
    assert (channel, payload) == out == (out.channel, out.payload) and out[0] == channel
    assert isinstance(out, tuple) and len(out) == 2
    assert out.command == "PUBLISH" and out.args == (b"PUBLISH", channel.encode(), payload)
    assert hash(out) == hash((channel, payload))
    assert pickle.loads(pickle.dumps(out)) == out
    assert pickle.loads(pickle.dumps(out)).args == out.args
    assert repr(out).startswith("Encoded(command='PUBLISH', channel='socket.io#/#r#', ")
    sharded = Emitter.offline(adapter="sharded").encode_emit("ev")
    assert sharded.command == "SPUBLISH" and sharded.args[0] == b"SPUBLISH"
    # Two entries with the same key and data but other fields differ as commands.
    a = Emitter.offline(adapter="streams").of("/a").encode_emit("ev")
    b = Emitter.offline(adapter="streams").of("/b").encode_emit("ev")
    assert tuple(a) == tuple(b) and a != b and a.args != b.args


def test_async_emitter_encodes_like_the_blocking_one() -> None:
    options: dict[str, Any] = {"adapter": "streams", "stream_count": 3, "max_len": 77}
    a = AsyncEmitter.offline("k", **options).of("x").to("r").except_("y")
    b = Emitter.offline("k", **options).of("x").to("r").except_("y")
    assert a.encode_emit("ev", b"\x01", {"a": 1}).args == b.encode_emit("ev", b"\x01", {"a": 1}).args
    assert a.encode_server_side_emit("s", 2).args == b.encode_server_side_emit("s", 2).args
    assert a.encode_sockets_join("j").args == b.encode_sockets_join("j").args
    assert a.encode_disconnect_sockets(True).args == b.encode_disconnect_sockets(True).args


# --- the options' checks -------------------------------------------------------------------

STREAMS: dict[str, Any] = {"adapter": "streams"}


@pytest.mark.parametrize("cls", [Emitter, AsyncEmitter])
@pytest.mark.parametrize(("options", "says"), [
    ({**STREAMS, "stream_name": ""}, "stream_name must not be empty"),
    ({**STREAMS, "stream_count": 0}, "stream_count must be between 1 and 1024, got 0"),
    ({**STREAMS, "stream_count": 1025}, "stream_count must be between 1 and 1024"),
    ({**STREAMS, "stream_count": 2**32}, "stream_count is out of range"),
    ({**STREAMS, "stream_count": -1}, "stream_count must not be negative"),
    ({**STREAMS, "max_len": 0}, "max_len must be between 1 and 1099511627776, got 0"),
    ({**STREAMS, "max_len": 2**40 + 1}, "max_len must be between 1 and 1099511627776"),
    ({**STREAMS, "streams_version": "0.4"}, 'streams_version must be one of "0.3", "0.2"'),
    ({**STREAMS, "streams_version": "0.2", "stream_count": 2},
     "stream_count needs streams_version 0.3"),
    ({"compat": "socket.io-redis-4"}, 'compat must be one of "redis-adapter-8", '
                                      '"redis-adapter-7", "socket.io-redis-6.1", '
                                      '"socket.io-redis-6.0", "socket.io-redis-5", '
                                      'got "socket.io-redis-4"'),
    ({**STREAMS, "compat": "socket.io-redis-5"}, 'compat "socket.io-redis-5" names a classic'),
    ({"adapter": "sharded", "compat": "redis-adapter-7"}, "the sharded adapter has no older"),
])
def test_bad_stream_and_compat_options_are_invalid_argument(
    cls: type[Emitter] | type[AsyncEmitter], options: dict[str, Any], says: str
) -> None:
    makers: list[Callable[[], object]] = [
        lambda: cls("redis://127.0.0.1:1", **options), lambda: cls.offline(**options)]
    for make in makers:
        with pytest.raises(InvalidArgumentError) as info:
            make()
        assert info.value.code == "INVALID_ARGUMENT"
        assert says in str(info.value)


def test_require_receivers_is_refused_with_streams_0_2() -> None:
    with pytest.raises(InvalidArgumentError, match="require_receivers cannot be used with "
                                                   "streams_version 0.2"):
        AsyncEmitter(adapter="streams", streams_version="0.2", require_receivers=True)
    AsyncEmitter(adapter="streams", require_receivers=True)  # 0.3 counts its readers


@pytest.mark.parametrize(("option", "bad"), [
    ("stream_name", 1), ("stream_count", "4"), ("stream_count", True), ("max_len", 1.5),
    ("streams_version", 0.3), ("compat", None),
])
def test_wrong_types_are_type_errors(option: str, bad: Any) -> None:
    with pytest.raises(TypeError) as info:
        AsyncEmitter(**{"adapter": "streams", option: bad})
    assert not isinstance(info.value, EmitterError)


def test_options_that_only_their_adapter_reads_are_accepted_elsewhere() -> None:
    # Like subscription_mode: a stream option with the classic adapter changes nothing.
    plain = Emitter.offline().encode_emit("ev", 1)
    assert Emitter.offline(stream_name="x", max_len=5).encode_emit("ev", 1) == plain


# --- compat: what each older classic stack gets, and what it cannot do ----------------------

SID = "abcdefghijklmnopqrst"
Compat = Literal["redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0",
                 "socket.io-redis-5"]
OLD_STACKS: list[Compat] = ["socket.io-redis-6.0", "socket.io-redis-5"]


def test_compat_changes_the_bytes_where_the_stack_needs_it() -> None:
    at = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
    today = Emitter.offline()
    every: list[Compat] = ["redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0",
                           "socket.io-redis-5"]
    for compat in every:
        old = Emitter.offline(compat=compat)
        # Dates in notepack 2.x form, which those servers can read.
        assert old.encode_emit("d", at) != today.encode_emit("d", at), compat
        assert old.encode_emit("t", "x") == today.encode_emit("t", "x"), compat
    # socket.io 2.x frames binary only for packet type 5 (BINARY_EVENT).
    v5 = Emitter.offline(compat="socket.io-redis-5").encode_emit("b", b"\x01").payload
    assert b"\xa4type\x05" in v5
    assert b"\xa4type\x02" in today.encode_emit("b", b"\x01").payload


@pytest.mark.parametrize("compat", OLD_STACKS)
def test_what_socket_io_2_and_3_servers_cannot_do_is_unsupported(compat: Compat) -> None:
    e = Emitter.offline(compat=compat)
    refused: list[Callable[[], object]] = [
        lambda: e.except_("muted").encode_emit("ev"),
        lambda: e.except_(SID).encode_emit("ev"),  # any except_(): rooms and ids look alike
        lambda: e.to("room").encode_sockets_join("new"),
        lambda: e.encode_sockets_leave("gone"),
        lambda: e.to(SID).encode_sockets_join("a", "b"),
        lambda: e.to(SID).except_(SID).encode_disconnect_sockets(),
        lambda: e.encode_disconnect_sockets(True),
        lambda: e.encode_server_side_emit("server_event", 1),
    ]
    for call in refused:
        with pytest.raises(UnsupportedError) as info:
            call()
        assert info.value.code == "UNSUPPORTED"
        assert str(info.value).startswith("unsupported: ")
        assert f'(compat "{compat}")' in str(info.value)
    # One socket, by its id: what those servers do.
    assert e.to(SID).encode_sockets_join("new").command == "PUBLISH"
    assert e.to(SID).encode_disconnect_sockets(True).command == "PUBLISH"


def test_server_side_emit_needs_redis_adapter_7() -> None:
    Emitter.offline(compat="redis-adapter-7").encode_server_side_emit("s")
    with pytest.raises(UnsupportedError, match="redis-adapter 7.0"):
        Emitter.offline(compat="socket.io-redis-6.1").encode_server_side_emit("s")
