"""What both golden-vector suites share: the vectors' tagged JSON rebuilt as Python values,
a case's ops applied to an emitter, and its call made through the ``encode_*`` methods
(tests/vectors/README.md describes the format)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

from harness import ROOT
from socketio_emitter import Emitter

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "tests" / "vectors" / name).read_text("utf-8"))
    return data


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


def apply_ops(e: Emitter, ops: list[list[Any]]) -> Emitter:
    """``e`` after a case's ``of``/``to``/``in``/``except``/``volatile``/``compress``."""
    for op in ops:
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


def encode(e: Emitter, case: dict[str, Any]) -> tuple[str, bytes]:
    """What ``e`` would publish for the case's call."""
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
