"""Every golden vector captured from @socket.io/redis-emitter 5.1.0 must come out of the
Python API with the same channel and the same bytes. Values go through the real Python
conversion path: the vectors' tagged JSON is rebuilt as Python objects first."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from harness import ROOT
from socketio_emitter import Emitter
from socketio_emitter.exceptions import EmitterError, ReservedEventError

VECTORS = json.loads((ROOT / "tests" / "vectors" / "vectors.json").read_text("utf-8"))
CASES = [c for c in VECTORS["cases"] if c.get("only") is None]
# Names the official serverSideEmit publishes but our core refuses (protocol §6.1).
REFUSED_SERVER_SIDE = {
    "connect", "connection", "new_namespace", "error", "connect_error",
    "disconnect", "disconnecting", "newListener", "removeListener",
}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


class Unrepresentable(Exception):
    """A JS value Python cannot hold (the Rust golden test covers its bytes)."""


def value(j: Any) -> Any:
    """A Python value from the vectors' tagged encoding."""
    if isinstance(j, dict):
        if len(j) == 1 and next(iter(j)).startswith("$"):
            ((tag, v),) = j.items()
            return tagged(tag, v)
        return {k: value(v) for k, v in j.items()}
    if isinstance(j, list):
        return [value(v) for v in j]
    if isinstance(j, float):
        raise AssertionError("plain numbers in vectors are integers")
    return j


def tagged(tag: str, v: Any) -> Any:
    if tag == "$bytes":
        return bytes.fromhex(v)
    if tag == "$float":
        return FLOATS[v] if isinstance(v, str) else float(v)
    if tag == "$str":
        return v[0] * v[1]
    if tag == "$array":
        return [value(v[0])] * v[1]
    if tag == "$map_range":
        return {f"k{i}": i for i in range(v)}
    if tag == "$map":
        return {k: value(x) for k, x in v}
    if tag == "$date":
        try:
            return EPOCH + timedelta(milliseconds=v)
        except OverflowError:
            raise Unrepresentable(f"Date({v}) is outside datetime's years 1-9999") from None
    raise AssertionError(f"unexpected tag {tag} in a case not marked node-only")


def build(case: dict[str, Any]) -> Emitter:
    e = Emitter.offline(case.get("key", "socket.io"), nsp=case.get("nsp", "/"))
    for op in case["ops"]:
        name = op[0]
        arg: Any = op[1] if len(op) > 1 else None
        if name == "of":
            e = e.of(arg)
        elif name == "to":
            e = e.to(value(arg))
        elif name == "in":
            e = e.in_(value(arg))
        elif name == "except":
            e = e.except_(value(arg))
        elif name == "volatile":
            e = e.volatile
        elif name == "compress":
            e = e.compress(arg)
        else:
            raise AssertionError(f"unknown op {name}")
    return e


def run(case: dict[str, Any]) -> tuple[str, bytes]:
    e = build(case)
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
