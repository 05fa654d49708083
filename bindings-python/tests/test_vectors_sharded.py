"""Every sharded-adapter golden vector (tests/vectors/vectors_sharded.json, captured from
real socket.io 4.8.1 servers with ``createShardedAdapter`` in each subscription mode) must
come out of ``Emitter.offline(adapter="sharded", subscription_mode=...)`` with the same
channel and bytes, through the real Python conversion path. No Redis needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from golden import Unrepresentable, apply_ops, encode, load, value
from socketio_emitter import AsyncEmitter, Emitter
from socketio_emitter.exceptions import EmitterError, InvalidArgumentError

DOC = load("vectors_sharded.json")
CASES: list[dict[str, Any]] = DOC["cases"]

ACK = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs"
SERVER_ACK = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs"
FETCH = "a request: encoded by the core with a random id (no encode call here), byte for byte in core/tests/golden_vectors_sharded.rs"
# The cases the core cannot express yet: the same list, by name and reason, as
# core/tests/golden_vectors_sharded.rs. They all expect replies.
NOT_YET = {
    **{f"emit_with_ack{kind}_{mode}": ACK
       for kind in ("", "_one_room", "_binary")
       for mode in ("static", "dynamic", "dynamic_private")},
    **{f"server_side_emit_with_ack_{mode}": SERVER_ACK
       for mode in ("static", "dynamic", "dynamic_private")},
    **{f"fetch_sockets{kind}_{mode}": FETCH
       for kind in ("", "_targeted")
       for mode in ("static", "dynamic", "dynamic_private")},
}


def run(case: dict[str, Any]) -> tuple[str, bytes]:
    e = Emitter.offline(case.get("key", "socket.io"), adapter="sharded",
                        subscription_mode=case["subscription_mode"])
    return encode(apply_ops(e, case["ops"]), case)


def test_the_file_and_the_skip_list_agree() -> None:
    assert "createShardedAdapter" in DOC["source"]
    names = {c["name"] for c in CASES}
    assert len(NOT_YET) == 18 and set(NOT_YET) <= names
    for case in CASES:
        if case["name"] in NOT_YET:
            assert "request_id" in case, f"{case['name']} is skipped but expects no reply"
    assert len(CASES) - len(NOT_YET) >= 180


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_sharded_golden_vector(case: dict[str, Any]) -> None:
    if case["name"] in NOT_YET:
        pytest.skip(NOT_YET[case["name"]])
    try:
        [value(a) for a in case["args"]]
    except Unrepresentable as e:
        pytest.skip(str(e))
    if "throws" in case:
        with pytest.raises(EmitterError) as err:
            run(case)
        assert str(err.value) == case["throws"]
        return
    channel, payload = run(case)
    (expected,) = case["publishes"]
    assert expected["command"] == "SPUBLISH"
    assert channel == expected["channel"]
    assert payload.hex() == expected["payload_hex"]


def test_the_mode_picks_the_channel_of_a_one_room_broadcast() -> None:
    def channel(**options: Any) -> str:
        return Emitter.offline("k", **options).of("/a").to("r1").encode_emit("ev")[0]

    assert channel() == "k#/a#r1#"  # classic: the room's channel, PUBLISH
    assert channel(adapter="sharded", subscription_mode="static") == "k#/a#"
    assert channel(adapter="sharded") == "k#/a#r1#"  # dynamic is the servers' default too
    sid = "abcdefghijklmnopqrst"  # 20 characters: looks like a socket id
    sharded = Emitter.offline("k", adapter="sharded")
    assert sharded.to(sid).encode_emit("ev")[0] == "k#/#"
    private = Emitter.offline("k", adapter="sharded", subscription_mode="dynamic-private")
    assert private.to(sid).encode_emit("ev")[0] == f"k#/#{sid}#"


def test_classic_and_sharded_payloads_differ() -> None:
    classic = Emitter.offline().encode_emit("ev", 1)[1]
    sharded = Emitter.offline(adapter="sharded").encode_emit("ev", 1)[1]
    assert classic[:1] == b"\x93"  # msgpack [uid, packet, opts]
    assert sharded.startswith(b'{"type":3,')  # a ClusterAdapter message, JSON


def test_async_emitter_encodes_like_the_blocking_one() -> None:
    options: dict[str, Any] = {"adapter": "sharded", "subscription_mode": "dynamic-private"}
    a = AsyncEmitter.offline("k", **options).of("x").to("r").except_("y").volatile
    b = Emitter.offline("k", **options).of("x").to("r").except_("y").volatile
    assert a.encode_emit("ev", b"\x01", {"a": 1}) == b.encode_emit("ev", b"\x01", {"a": 1})
    assert a.encode_server_side_emit("s", b"\x02") == b.encode_server_side_emit("s", b"\x02")
    assert a.encode_sockets_leave("j") == b.encode_sockets_leave("j")
    assert a.encode_disconnect_sockets(True) == b.encode_disconnect_sockets(True)


ACCEPTED = {
    "adapter": '"classic", "sharded", "streams", "auto"',
    "subscription_mode": '"static", "dynamic", "dynamic-private"',
}


@pytest.mark.parametrize("cls", [Emitter, AsyncEmitter])
@pytest.mark.parametrize(("option", "bad"), [
    ("adapter", "kafka"), ("adapter", "Sharded"), ("subscription_mode", "dynamic_private"),
])
def test_bad_values_are_invalid_argument_naming_the_accepted_ones(
    cls: type[Emitter] | type[AsyncEmitter], option: str, bad: str
) -> None:
    given: dict[str, Any] = {option: bad}
    makers: list[Callable[[], object]] = [
        lambda: cls("redis://127.0.0.1:1", **given), lambda: cls.offline(**given)]
    for make in makers:
        with pytest.raises(InvalidArgumentError) as info:
            make()
        assert info.value.code == "INVALID_ARGUMENT"
        assert f'{option} must be one of {ACCEPTED[option]}, got "{bad}"' in str(info.value)
    with pytest.raises(TypeError):
        cls.offline(adapter=1)  # type: ignore[arg-type]
