"""Every golden vector captured from @socket.io/redis-emitter 5.1.0 must come out of the
Python API with the same channel and the same bytes. Values go through the real Python
conversion path: the vectors' tagged JSON is rebuilt as Python objects first."""

from __future__ import annotations

from typing import Any

import pytest

from golden import Unrepresentable, apply_ops, encode, load, value
from socketio_emitter import Emitter
from socketio_emitter.exceptions import EmitterError, ReservedEventError

CASES = [c for c in load("vectors.json")["cases"] if c.get("only") is None]
# Names the official serverSideEmit publishes but our core refuses (docs/protocol.md §6.1).
REFUSED_SERVER_SIDE = {
    "connect", "connection", "new_namespace", "error", "connect_error",
    "disconnect", "disconnecting", "newListener", "removeListener",
}


def run(case: dict[str, Any]) -> tuple[str, bytes]:
    e = Emitter.offline(case.get("key", "socket.io"), nsp=case.get("nsp", "/"))
    return encode(apply_ops(e, case["ops"]), case)


def test_enough_vectors() -> None:
    assert len(CASES) >= 180


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_vector(case: dict[str, Any]) -> None:
    try:
        [value(a) for a in case["args"]]
    except Unrepresentable as e:
        pytest.skip(str(e))
    refused = case["call"] == "serverSideEmit" and case["args"][0] in REFUSED_SERVER_SIDE
    if refused:
        with pytest.raises(ReservedEventError) as info:
            run(case)
        assert info.value.code == "RESERVED_EVENT"
        return
    if "throws" in case:
        with pytest.raises(EmitterError) as err:
            run(case)
        assert str(err.value) == case["throws"]
        return
    channel, payload = run(case)
    (expected,) = case["publishes"]
    assert channel == expected["channel"]
    assert payload.hex() == expected["payload_hex"]


def test_every_binary_type_encodes_alike() -> None:
    e = Emitter.offline()
    want = e.encode_emit("bin", b"\x01\x02", {"x": [b"\xff"]})
    assert e.encode_emit("bin", bytearray(b"\x01\x02"), {"x": [memoryview(b"\xff")]}) == want
    assert e.encode_emit("bin", memoryview(b"\x00\x01\x02")[1:], {"x": (bytearray(b"\xff"),)}) == want


def test_async_emitter_encodes_like_the_blocking_one() -> None:
    from socketio_emitter import AsyncEmitter

    a = AsyncEmitter.offline("k", nsp="raw").to("r", 7).except_(["x"]).volatile.compress(False)
    b = Emitter.offline("k", nsp="raw").to("r", 7).except_(["x"]).volatile.compress(False)
    assert a.encode_emit("ev", {"a": 1}) == b.encode_emit("ev", {"a": 1})
    assert a.encode_sockets_join("j") == b.encode_sockets_join("j")
    assert a.encode_disconnect_sockets(True) == b.encode_disconnect_sockets(True)
    assert a.encode_server_side_emit("s", 1) == b.encode_server_side_emit("s", 1)
