"""The value rules: what converts, what is refused (with a path), and what must never crash."""

from __future__ import annotations

import enum
import math
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from socketio_emitter import Emitter
from socketio_emitter.exceptions import EncodeError

E = Emitter.offline()


def enc(*args: Any, default: Any = None) -> bytes:
    e = Emitter.offline(default=default) if default else E
    return e.encode_emit("ev", *args)[1]


def same(a: Any, b: Any) -> bool:
    return enc(a) == enc(b)


def refused(*args: Any, default: Any = None) -> EncodeError:
    with pytest.raises(EncodeError) as info:
        enc(*args, default=default)
    err = info.value
    assert err.code == "ENCODE"
    assert isinstance(err, TypeError) and isinstance(err, ValueError)
    assert str(err) == f"{err.path}: {err.reason}"
    return err


def test_scalars_and_containers() -> None:
    assert same((1, "a"), [1, "a"])
    assert same(OrderedDict(a=1), {"a": 1})
    assert not same(True, 1)  # bool is not int
    assert same(1.0, 1)  # integral floats are written as integers, like notepack
    assert not same(1.5, 1)
    assert same(2**64 - 1, 2**64 - 1)  # uint64 is fine
    assert same(-(2**63), -(2**63))

    class Color(enum.IntEnum):
        RED = 1

    assert same(Color.RED, 1)  # int subclasses are ints


def test_unsupported_type_names_its_path() -> None:
    err = refused("x", {"user": {"tags": {"a", "b"}}})
    assert err.path == "args[1]['user']['tags']"
    assert str(err).startswith("args[1]['user']['tags']: set is not supported")
    assert refused([1, [2, object()]]).path == "args[0][1][1]"
    assert refused({"it's": Decimal(1)}).path == "args[0]['it\\'s']"


def test_dict_keys_must_be_strings() -> None:
    err = refused({"ok": {1: "x"}})
    assert err.path == "args[0]['ok']"
    assert "dict keys must be str" in err.reason and "int" in err.reason


@pytest.mark.parametrize("n", [2**64, -(2**63) - 1, 10**100])
def test_integers_outside_64_bits_are_refused(n: int) -> None:
    err = refused([n])
    assert err.path == "args[0][0]"
    assert "64-bit" in err.reason


def test_cycles_are_refused() -> None:
    a: list[Any] = [1]
    a.append(a)
    assert refused(a).path == "args[0][1]"
    d: dict[str, Any] = {}
    d["self"] = {"again": d}
    assert "cycle" in refused(d).reason
    shared = [1, 2]
    assert enc([shared, shared, {"s": shared}])  # shared, not cyclic: fine


def test_excessive_depth_is_refused_not_a_crash() -> None:
    deep: Any = 1
    for _ in range(100_000):
        deep = [deep]
    err = refused(deep)
    assert "deeper" in err.reason
    ok: Any = 1
    for _ in range(400):
        ok = {"k": ok}
    assert enc(ok)


def test_datetimes_aware_exact_naive_refused() -> None:
    utc = datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    assert same(utc, paris)  # the same instant
    assert bytes.fromhex("d7ff1d5353006553f100") in enc(utc)  # Date(1700000000123)
    err = refused({"at": datetime(2023, 1, 1)})
    assert err.path == "args[0]['at']" and "naive" in err.reason
    assert "not supported" in refused(date(2023, 1, 1)).reason


def test_default_hook_converts_other_types() -> None:
    def default(o: Any) -> Any:
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        if isinstance(o, (Decimal, UUID)):
            return str(o)
        if isinstance(o, date):
            return o.isoformat()
        raise TypeError(f"cannot send {type(o).__name__}")

    u = UUID(int=1)
    assert enc({"s": {2, 1}, "d": Decimal("1.5"), "u": u, "day": date(2024, 1, 2)},
               default=default) == enc({"s": [1, 2], "d": "1.5", "u": str(u), "day": "2024-01-02"})
    err = refused({"x": [object()]}, default=default)
    assert err.path == "args[0]['x'][0]"
    assert isinstance(err.__cause__, TypeError)


def test_a_default_hook_that_never_converges_is_stopped() -> None:
    refused(object(), default=lambda o: o)  # returns the same object forever
    refused(object(), default=lambda o: [object()])  # keeps nesting


def test_strings() -> None:
    assert same("é😀", "é😀")
    err = refused({"s": "\ud800"})  # a lone surrogate cannot be UTF-8
    assert err.path == "args[0]['s']"


def test_non_finite_floats() -> None:
    assert enc(math.nan)  # msgpack carries NaN
    channel, payload = E.encode_server_side_emit("s", math.nan, math.inf)
    assert payload.endswith(b'["s",null,null]}')  # JSON writes null, like JSON.stringify


def test_event_and_rooms_types() -> None:
    with pytest.raises(TypeError):
        E.encode_emit(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        E.to(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        E.to(True)  # bool is not a room
    with pytest.raises(TypeError):
        E.to(["ok", None])  # type: ignore[list-item]
    assert E.to(2**70 // 2**70).rooms == [1]
    with pytest.raises(ValueError):
        E.to(2**64)


def test_builders_are_immutable() -> None:
    base = E.of("/admin")
    a = base.to("a")
    b = base.to("b").except_("x").volatile.compress(False)
    assert base.rooms == [] and a.rooms == ["a"] and b.rooms == ["b"]
    assert b.except_rooms == ["x"] and a.except_rooms == []
    assert base.encode_emit("e")[0] == "socket.io#/admin#"
    assert a.encode_emit("e")[0] == "socket.io#/admin#a#"
    assert E.of("admin").nsp == "/admin" and Emitter.offline(nsp="raw").nsp == "raw"
