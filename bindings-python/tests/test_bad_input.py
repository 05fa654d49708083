"""Bad input, table-driven: each row is an input and the exception it must raise (class and
``.code``, plus a fragment the message must contain). Nothing may panic: a pyo3
``PanicException`` derives from ``BaseException``, so ``except Exception`` would let it
through; every row is therefore also checked to raise an ``Exception``.

A row's ``code`` is ``None`` when the error is a plain Python ``TypeError`` (a wrong Python
type, which is not one of the core's codes)."""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Union

import pytest

from harness import Harness
from socketio_emitter import AsyncEmitter, Emitter, FlushReport, _native
from socketio_emitter.exceptions import (
    EmitterError,
    EncodeError,
    InternalError,
    InvalidArgumentError,
    ReservedEventError,
)

AnyEmitter = Union[Emitter, AsyncEmitter]
CLOSED_PORT = "redis://127.0.0.1:1"  # nothing listens: a row that wrongly passes fails fast


@dataclass
class Row:
    id: str
    call: Callable[..., Any]
    exc: type[BaseException]
    code: str | None
    says: str = ""  # a fragment of the message
    never_says: str = ""  # e.g. a password


def expect(row: Row, *args: Any) -> None:
    """Runs the row's call (in an event loop, awaiting it, when it is an AsyncEmitter's)."""

    async def awaiting() -> None:
        result = row.call(*args)
        if inspect.isawaitable(result):
            await result

    with pytest.raises(Exception) as info:  # an Exception, never a BaseException
        if any(isinstance(a, AsyncEmitter) for a in args):
            asyncio.run(awaiting())
        else:
            row.call(*args)
    err = info.value
    assert isinstance(err, row.exc), f"{type(err).__name__}: {err}"
    if row.code is None:
        assert not isinstance(err, EmitterError)
    else:
        assert isinstance(err, EmitterError) and err.code == row.code, err
    assert row.says in str(err), str(err)
    if row.never_says:
        assert row.never_says not in str(err) and row.never_says not in repr(err.args)


def nested(levels: int) -> Any:
    value: Any = None
    for _ in range(levels):
        value = [value]
    return value


def panicking_hook(value: Any) -> Any:
    """A `default=` hook that raises pyo3's PanicException, as a bug of ours would: the
    conversion must turn it into InternalError."""
    _native._panic("a bug in a default hook")


# ---------------------------------------------------------------------------------------
# Constructor options: the same rows for Emitter and AsyncEmitter (which connects lazily,
# so everything here must be checked by the constructor itself).

OPTION_ROWS = [
    # Durations: checked by the core's duration_from_secs_f64 (0 to one day).
    Row("connect_timeout=1e19", lambda c: c(CLOSED_PORT, connect_timeout=1e19),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=nan", lambda c: c(CLOSED_PORT, connect_timeout=math.nan),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=inf", lambda c: c(CLOSED_PORT, connect_timeout=math.inf),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=-1", lambda c: c(CLOSED_PORT, connect_timeout=-1),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=0", lambda c: c(CLOSED_PORT, connect_timeout=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=10**400", lambda c: c(CLOSED_PORT, connect_timeout=10**400),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("connect_timeout=timedelta.max",
        lambda c: c(CLOSED_PORT, connect_timeout=timedelta.max),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout"),
    Row("response_timeout=1e19", lambda c: c(CLOSED_PORT, response_timeout=1e19),
        InvalidArgumentError, "INVALID_ARGUMENT", "response_timeout"),
    Row("response_timeout=-inf", lambda c: c(CLOSED_PORT, response_timeout=-math.inf),
        InvalidArgumentError, "INVALID_ARGUMENT", "response_timeout"),
    Row("reconnect_min_delay=nan", lambda c: c(CLOSED_PORT, reconnect_min_delay=math.nan),
        InvalidArgumentError, "INVALID_ARGUMENT", "reconnect_min_delay"),
    Row("reconnect_max_delay=1e300", lambda c: c(CLOSED_PORT, reconnect_max_delay=1e300),
        InvalidArgumentError, "INVALID_ARGUMENT", "reconnect_max_delay"),
    Row("connect_timeout='5'", lambda c: c(CLOSED_PORT, connect_timeout="5"),
        TypeError, None, "connect_timeout"),
    # Counts: checked by EmitterConfig::validate.
    Row("queue_capacity=0", lambda c: c(CLOSED_PORT, queue_capacity=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_capacity"),
    Row("queue_capacity=2**62", lambda c: c(CLOSED_PORT, queue_capacity=2**62),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_capacity"),
    Row("queue_capacity=2**32", lambda c: c(CLOSED_PORT, queue_capacity=2**32),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_capacity"),
    Row("queue_capacity=2**100", lambda c: c(CLOSED_PORT, queue_capacity=2**100),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_capacity"),
    Row("queue_capacity=-1", lambda c: c(CLOSED_PORT, queue_capacity=-1),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_capacity"),
    Row("queue_capacity=1.5", lambda c: c(CLOSED_PORT, queue_capacity=1.5),
        TypeError, None, "queue_capacity"),
    Row("queue_capacity=True", lambda c: c(CLOSED_PORT, queue_capacity=True),
        TypeError, None, "queue_capacity"),
    Row("queue_max_bytes=0", lambda c: c(CLOSED_PORT, queue_max_bytes=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_max_bytes"),
    Row("queue_max_bytes=2**32", lambda c: c(CLOSED_PORT, queue_max_bytes=2**32),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_max_bytes"),
    Row("max_payload_bytes=0", lambda c: c(CLOSED_PORT, max_payload_bytes=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "max_payload_bytes"),
    Row("max_payload_bytes=1GiB", lambda c: c(CLOSED_PORT, max_payload_bytes=1 << 30),
        InvalidArgumentError, "INVALID_ARGUMENT", "max_payload_bytes"),
    Row("max_payload_bytes=-1", lambda c: c(CLOSED_PORT, max_payload_bytes=-1),
        InvalidArgumentError, "INVALID_ARGUMENT", "max_payload_bytes"),
    Row("reconnect_attempts=10**6", lambda c: c(CLOSED_PORT, reconnect_attempts=10**6),
        InvalidArgumentError, "INVALID_ARGUMENT", "reconnect_attempts"),
    Row("queue_full='drop'", lambda c: c(CLOSED_PORT, queue_full="drop"),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_full"),
    # URLs: scheme, syntax, lone surrogates; the password never shows.
    Row("url http://", lambda c: c("http://localhost:6379"),
        InvalidArgumentError, "INVALID_ARGUMENT", "redis://"),
    Row("url unix://", lambda c: c("unix:///tmp/redis.sock"),
        InvalidArgumentError, "INVALID_ARGUMENT", "redis://"),
    Row("url empty", lambda c: c(""), InvalidArgumentError, "INVALID_ARGUMENT", "URL"),
    Row("url not a url", lambda c: c("not a url"),
        InvalidArgumentError, "INVALID_ARGUMENT", "URL"),
    Row("url bad scheme with password", lambda c: c("http://alice:s3cret-pw@localhost/"),
        InvalidArgumentError, "INVALID_ARGUMENT", "redis://", never_says="s3cret-pw"),
    Row("url unparsable with password", lambda c: c("redis://alice:s3cret-pw@[::1/"),
        InvalidArgumentError, "INVALID_ARGUMENT", "URL", never_says="s3cret-pw"),
    Row("url with password and bad option",
        lambda c: c("rediss://alice:s3cret-pw@127.0.0.1:1/", connect_timeout=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "connect_timeout", never_says="s3cret-pw"),
    Row("url lone surrogate", lambda c: c("redis://alice:s3cret-pw@h\ud800st:6379"),
        InvalidArgumentError, "INVALID_ARGUMENT", "url", never_says="s3cret-pw"),
    Row("url not a str", lambda c: c(b"redis://127.0.0.1"), TypeError, None, "url"),
    # Other strings.
    Row("key lone surrogate", lambda c: c(CLOSED_PORT, key="socket.io\udc00"),
        InvalidArgumentError, "INVALID_ARGUMENT", "key"),
    Row("nsp lone surrogate", lambda c: c(CLOSED_PORT, nsp="/\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "nsp"),
    Row("tls_ca_pem lone surrogate", lambda c: c(CLOSED_PORT, tls_ca_pem="-----\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "tls_ca_pem"),
    Row("queue_full lone surrogate", lambda c: c(CLOSED_PORT, queue_full="block\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "queue_full"),
    # Wrong Python types and names.
    Row("default not callable", lambda c: c(CLOSED_PORT, default=42), TypeError, None,
        "default"),
    Row("unknown option", lambda c: c(CLOSED_PORT, keys="x"), TypeError, None, "'keys'"),
    Row("unknown option, lone surrogate", lambda c: c(CLOSED_PORT, **{"k\ud800": 1}),
        TypeError, None, "unexpected keyword"),
    Row("key=None", lambda c: c(CLOSED_PORT, key=None), TypeError, None, "key"),
    # Topology: node lists are lists of str URLs; how the options combine is checked too.
    Row("cluster_nodes empty", lambda c: c(cluster_nodes=[]),
        InvalidArgumentError, "INVALID_ARGUMENT", "cluster_nodes must list at least one node"),
    Row("cluster_nodes a str", lambda c: c(cluster_nodes="redis://u:s3cret-pw@127.0.0.1:1"),
        TypeError, None, "cluster_nodes must be a list", never_says="s3cret-pw"),
    Row("cluster_nodes a set", lambda c: c(cluster_nodes={"redis://127.0.0.1:1"}),
        TypeError, None, "cluster_nodes must be a list"),
    Row("cluster_nodes bytes entry", lambda c: c(cluster_nodes=["redis://a:1", b"redis://b:1"]),
        TypeError, None, "cluster_nodes[1] must be a str"),
    Row("cluster_nodes int entry", lambda c: c(cluster_nodes=(7000,)),
        TypeError, None, "cluster_nodes[0] must be a str"),
    Row("cluster_nodes lone surrogate", lambda c: c(cluster_nodes=["redis://h\ud800:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "cluster_nodes[0]"),
    Row("cluster_nodes http:// with password",
        lambda c: c(cluster_nodes=["http://u:s3cret-pw@127.0.0.1:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "cluster_nodes", never_says="s3cret-pw"),
    Row("cluster_nodes unparsable with password",
        lambda c: c(cluster_nodes=["redis://u:s3cret-pw@[::1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "cluster_nodes", never_says="s3cret-pw"),
    Row("cluster_nodes mixed schemes", lambda c: c(cluster_nodes=["redis://a:1", "rediss://b:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "mixes redis:// and rediss://"),
    Row("cluster_nodes and url", lambda c: c("redis://u:s3cret-pw@127.0.0.1:1",
                                             cluster_nodes=["redis://127.0.0.1:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "set either url or cluster_nodes",
        never_says="s3cret-pw"),
    Row("cluster_nodes with require_receivers on classic",
        lambda c: c(cluster_nodes=["redis://127.0.0.1:1"], require_receivers=True),
        InvalidArgumentError, "INVALID_ARGUMENT", "require_receivers"),
    Row("cluster_nodes and sentinel",
        lambda c: c(cluster_nodes=["redis://127.0.0.1:1"], sentinel_master="m",
                    sentinel_nodes=["redis://127.0.0.1:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "either cluster_nodes or sentinel_master"),
    Row("sentinel_master without sentinel_nodes", lambda c: c(CLOSED_PORT, sentinel_master="m"),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_master needs sentinel_nodes"),
    Row("sentinel_nodes without sentinel_master",
        lambda c: c(CLOSED_PORT, sentinel_nodes=["redis://127.0.0.1:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_nodes needs sentinel_master"),
    Row("sentinel_master empty",
        lambda c: c(CLOSED_PORT, sentinel_master="", sentinel_nodes=["redis://127.0.0.1:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_master must name"),
    Row("sentinel_master an int",
        lambda c: c(CLOSED_PORT, sentinel_master=1, sentinel_nodes=["redis://127.0.0.1:1"]),
        TypeError, None, "sentinel_master must be a str"),
    Row("sentinel_nodes empty", lambda c: c(CLOSED_PORT, sentinel_master="m", sentinel_nodes=[]),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_nodes must list at least one node"),
    Row("sentinel_nodes a str",
        lambda c: c(CLOSED_PORT, sentinel_master="m", sentinel_nodes="redis://127.0.0.1:1"),
        TypeError, None, "sentinel_nodes must be a list"),
    Row("sentinel_nodes None entry",
        lambda c: c(CLOSED_PORT, sentinel_master="m", sentinel_nodes=[None]),
        TypeError, None, "sentinel_nodes[0] must be a str"),
    Row("sentinel_nodes not a URL, with password",
        lambda c: c("redis://u:m4ster-pw@127.0.0.1:1", sentinel_master="m",
                    sentinel_nodes=["not a url s3cret-pw"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_nodes", never_says="s3cret-pw"),
    Row("sentinel_nodes no host, with password",
        lambda c: c(CLOSED_PORT, sentinel_master="m", sentinel_nodes=["redis://u:s3cret-pw@:1"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "sentinel_nodes", never_says="s3cret-pw"),
]


@pytest.mark.parametrize("cls", [Emitter, AsyncEmitter])
@pytest.mark.parametrize("row", OPTION_ROWS, ids=lambda r: r.id)
def test_bad_option(row: Row, cls: type[AnyEmitter]) -> None:
    expect(row, cls)


OFFLINE_ROWS = [
    Row("offline max_payload_bytes=0", lambda c: c.offline(max_payload_bytes=0),
        InvalidArgumentError, "INVALID_ARGUMENT", "max_payload_bytes"),
    Row("offline max_payload_bytes=2**64", lambda c: c.offline(max_payload_bytes=2**64),
        InvalidArgumentError, "INVALID_ARGUMENT", "max_payload_bytes"),
    Row("offline key lone surrogate", lambda c: c.offline("\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "key"),
    Row("offline nsp lone surrogate", lambda c: c.offline(nsp="\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "nsp"),
    Row("offline default not callable", lambda c: c.offline(default="x"), TypeError, None,
        "default"),
]


@pytest.mark.parametrize("cls", [Emitter, AsyncEmitter])
@pytest.mark.parametrize("row", OFFLINE_ROWS, ids=lambda r: r.id)
def test_bad_offline_option(row: Row, cls: type[AnyEmitter]) -> None:
    expect(row, cls)


# ---------------------------------------------------------------------------------------
# Calls. Each row runs on an offline emitter and on a connected one, blocking and asyncio
# (awaited in a loop: the core's own checks, such as reserved names, run in the task).

def released_memoryview() -> memoryview:
    view = memoryview(b"abc")
    view.release()
    return view


class UtcLike(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "UTC"


class RaisingTz(UtcLike):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        raise RuntimeError("no offset today")


class BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr either")


def deep_dict(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"k": value}
    return value


CALL_ROWS = [
    # Sending an empty event name is refused in every language (encoding it is not: the
    # official emitter publishes it, golden vector event_name_empty).
    Row("emit empty event", lambda e: e.emit(""),
        InvalidArgumentError, "INVALID_ARGUMENT", "must not be empty"),
    Row("server_side_emit empty event", lambda e: e.server_side_emit("", 1),
        InvalidArgumentError, "INVALID_ARGUMENT", "must not be empty"),
    Row("emit_nowait empty event", lambda e: e.emit_nowait(""),
        InvalidArgumentError, "INVALID_ARGUMENT", "must not be empty"),
    # Lone surrogates: INVALID_ARGUMENT naming what was bad, ENCODE (with a path) in values.
    Row("event lone surrogate", lambda e: e.emit("chat\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "event"),
    Row("encode_emit event lone surrogate", lambda e: e.encode_emit("\udfff"),
        InvalidArgumentError, "INVALID_ARGUMENT", "U+DFFF at index 0"),
    Row("server_side_emit event lone surrogate", lambda e: e.server_side_emit("s\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "event"),
    Row("emit_nowait event lone surrogate", lambda e: e.emit_nowait("q\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "event"),
    Row("of() lone surrogate", lambda e: e.of("/admin\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "nsp"),
    Row("to() lone surrogate", lambda e: e.to("room\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "room"),
    Row("except_() lone surrogate in a list", lambda e: e.except_(["ok", "\ud800"]),
        InvalidArgumentError, "INVALID_ARGUMENT", "room"),
    Row("sockets_join() lone surrogate", lambda e: e.sockets_join("r\ud800"),
        InvalidArgumentError, "INVALID_ARGUMENT", "room"),
    Row("value lone surrogate", lambda e: e.emit("ev", {"text": "\ud800"}),
        EncodeError, "ENCODE", "args[0]['text']"),
    Row("dict key lone surrogate", lambda e: e.emit("ev", [{"\ud800": 1}]),
        EncodeError, "ENCODE", "args[0][0]"),
    # Event names.
    Row("reserved event", lambda e: e.emit("connect"),
        ReservedEventError, "RESERVED_EVENT", "connect"),
    Row("event not a str", lambda e: e.emit(7), TypeError, None, "event"),
    Row("event None", lambda e: e.encode_emit(None), TypeError, None, "event"),
    # Values.
    Row("nesting beyond the limit", lambda e: e.emit("ev", nested(513)),
        EncodeError, "ENCODE", "nested deeper than 512 levels"),
    Row("dict nesting beyond the limit", lambda e: e.server_side_emit("ev", deep_dict(513)),
        EncodeError, "ENCODE", "512"),
    Row("very deep nesting", lambda e: e.emit("ev", nested(200_000)),
        EncodeError, "ENCODE", "512"),
    Row("int beyond 64 bits", lambda e: e.emit("ev", 2**64), EncodeError, "ENCODE", "64-bit"),
    Row("unsupported type", lambda e: e.emit("ev", {1, 2}), EncodeError, "ENCODE", "set"),
    Row("released memoryview", lambda e: e.emit("ev", released_memoryview()),
        EncodeError, "ENCODE", "memoryview"),
    Row("tzinfo that raises", lambda e: e.emit("ev", {"at": datetime(2024, 1, 1,
                                                                     tzinfo=RaisingTz())}),
        EncodeError, "ENCODE", "args[0]['at']"),
    Row("dict key whose repr raises", lambda e: e.emit("ev", {BadRepr(): 1}),
        EncodeError, "ENCODE", "dict keys must be str"),
    Row("room beyond 64 bits", lambda e: e.to(2**64), InvalidArgumentError,
        "INVALID_ARGUMENT", "64-bit"),
    Row("room not a str or int", lambda e: e.to(1.5), TypeError, None, "room"),
    # Timeouts of flush() and close(), checked like the duration options.
    Row("flush(timeout=nan)", lambda e: e.flush(timeout=math.nan),
        InvalidArgumentError, "INVALID_ARGUMENT", "timeout"),
    Row("flush(timeout=-1)", lambda e: e.flush(timeout=-1),
        InvalidArgumentError, "INVALID_ARGUMENT", "timeout"),
    Row("flush(timeout=1e19)", lambda e: e.flush(timeout=1e19),
        InvalidArgumentError, "INVALID_ARGUMENT", "timeout"),
    Row("flush(timeout=10**400)", lambda e: e.flush(timeout=10**400),
        InvalidArgumentError, "INVALID_ARGUMENT", "timeout"),
    Row("close(timeout=inf)", lambda e: e.close(timeout=math.inf),
        InvalidArgumentError, "INVALID_ARGUMENT", "timeout"),
    Row("close(timeout='1')", lambda e: e.close(timeout="1"), TypeError, None, "timeout"),
]


@pytest.fixture(scope="module")
def connected(harness: Harness) -> Iterator[tuple[Emitter, AsyncEmitter]]:
    io = Emitter(harness.redis_url, key="bad-input")
    aio = AsyncEmitter(harness.redis_url, key="bad-input")
    try:
        yield io, aio
    finally:
        io.close()


@pytest.mark.parametrize("kind", ["offline", "connected", "async-offline", "async"])
@pytest.mark.parametrize("row", CALL_ROWS, ids=lambda r: r.id)
def test_bad_call(row: Row, kind: str, connected: tuple[Emitter, AsyncEmitter]) -> None:
    emitters: dict[str, AnyEmitter] = {
        "offline": Emitter.offline(),
        "connected": connected[0],
        "async-offline": AsyncEmitter.offline(),
        "async": connected[1],
    }
    emitter = emitters[kind]
    expect(row, emitter)
    assert not emitter.closed  # a refused close() closes nothing


# ---------------------------------------------------------------------------------------
# max_payload_bytes: conversion stops as soon as the arguments certainly exceed it (without
# copying a huge value), and a payload over it is refused after encoding.

PAYLOAD_ROWS = [
    Row("one huge bytes", lambda e: e.emit("ev", b"\x00" * 5000),
        EncodeError, "ENCODE", "max_payload_bytes (1000"),
    Row("one huge str", lambda e: e.encode_emit("ev", "é" * 5000),
        EncodeError, "ENCODE", "max_payload_bytes (1000"),
    Row("many small values", lambda e: e.emit("ev", list(range(5000))),
        EncodeError, "ENCODE", "max_payload_bytes"),
    Row("many arguments", lambda e: e.server_side_emit("ev", *(["abc"] * 500)),
        EncodeError, "ENCODE", "max_payload_bytes"),
    Row("a memoryview", lambda e: e.emit_nowait("ev", memoryview(bytearray(5000))),
        EncodeError, "ENCODE", "max_payload_bytes"),
    Row("a default hook's result", lambda e: e.emit("ev", object()),
        EncodeError, "ENCODE", "max_payload_bytes"),
    # Converted within the bound, but the encoded payload (with the envelope) is larger.
    Row("the encoded payload", lambda e: e.encode_emit("ev", "x" * 990),
        EncodeError, "ENCODE", "more than max_payload_bytes (1000)"),
]


@pytest.mark.parametrize("kind", ["offline", "connected", "async-offline"])
@pytest.mark.parametrize("row", PAYLOAD_ROWS, ids=lambda r: r.id)
def test_max_payload_bytes(row: Row, kind: str, harness: Harness) -> None:
    options: dict[str, Any] = {"max_payload_bytes": 1000, "default": lambda o: "y" * 2000}
    if kind == "offline":
        emitter: AnyEmitter = Emitter.offline(**options)
    elif kind == "async-offline":
        emitter = AsyncEmitter.offline(**options)
    else:
        emitter = Emitter(harness.redis_url, key="bad-input-payload", **options)
    try:
        expect(row, emitter)
        if kind == "connected":
            assert emitter.flush(timeout=10) == FlushReport()  # nothing was queued
    finally:
        if isinstance(emitter, Emitter):
            emitter.close()


def test_conversion_stops_early() -> None:
    """The error names where the bound was crossed: the rest was never converted."""
    e = Emitter.offline(max_payload_bytes=100)
    with pytest.raises(EncodeError) as info:
        e.encode_emit("ev", ["0123456789"] * 1_000_000)
    assert info.value.path == "args[0][9]"  # 10 strings of 10 characters, plus the list


def test_max_payload_bytes_is_the_bound_not_less() -> None:
    e = Emitter.offline(max_payload_bytes=1000)
    channel, payload = e.encode_emit("ev", "x" * 900)
    assert len(payload) <= 1000
    big = Emitter.offline(max_payload_bytes=64 << 20)
    assert len(big.encode_emit("ev", b"\x00" * (20 << 20))[1]) > 20 << 20  # above 16 MiB
    with pytest.raises(EncodeError, match="max_payload_bytes"):
        Emitter.offline().encode_emit("ev", b"\x00" * (17 << 20))  # the default, 16 MiB


# ---------------------------------------------------------------------------------------
# What must be accepted, and panics that must come out typed.

def test_a_default_hook_that_mutates_the_dict_being_converted() -> None:
    """The dict is converted as it was when conversion reached it (a snapshot)."""
    d: dict[str, Any] = {"a": 1, "b": object(), "c": 3}

    def hook(value: Any) -> Any:
        d.clear()
        d.update({f"new{i}": i for i in range(100)})
        return "replaced"

    e = Emitter.offline(default=hook)
    assert e.encode_emit("ev", d) == Emitter.offline().encode_emit(
        "ev", {"a": 1, "b": "replaced", "c": 3})
    assert len(d) == 100


def test_a_tzinfo_that_mutates_the_dict_being_converted() -> None:
    d: dict[str, Any] = {}

    class Mutating(UtcLike):
        def utcoffset(self, dt: datetime | None) -> timedelta:
            d.clear()
            d.update({str(i): i for i in range(50)})
            return timedelta(0)

    at = datetime(2024, 1, 1, tzinfo=Mutating())
    d.update({"at": at, "n": 2})
    plain = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert Emitter.offline().encode_emit("ev", d) == Emitter.offline().encode_emit(
        "ev", {"at": plain, "n": 2})


def test_a_default_hook_that_mutates_an_enclosing_list() -> None:
    items: list[Any] = [object(), 1, 2, 3]

    def hook(value: Any) -> Any:
        items.clear()
        return "x"

    # Lists are read by index, re-checking their length: the change shows, nothing breaks.
    assert Emitter.offline(default=hook).encode_emit("ev", items)


@pytest.mark.parametrize("cls", [Emitter, AsyncEmitter])
def test_a_panic_in_conversion_is_internal_error(cls: type[AnyEmitter]) -> None:
    e = cls.offline(default=panicking_hook)
    expect(Row("panic", lambda: e.emit_nowait("ev", {"x": object()}), InternalError,
               "INTERNAL", "a bug in a default hook"))
    expect(Row("panic", lambda: e.encode_emit("ev", object()), InternalError, "INTERNAL",
               "please report it"))


def test_accepted_edge_inputs() -> None:
    e = Emitter.offline()
    # An empty event name encodes as the official emitter publishes it (golden vector
    # event_name_empty); only sending it is refused.
    assert e.encode_emit("")[1]
    assert e.encode_emit("ev", nested(512))  # exactly the limit
    assert e.encode_server_side_emit("ev", deep_dict(512))
    assert Emitter.offline(nsp="/\u00e9\U0001f600").of("/ok").encode_emit("\U0001f600")
