"""The documented bound of every call (README, "Time bounds"): a call waits at most
``connect_timeout + response_timeout``; ``close(timeout=)`` returns within its timeout,
failing (and reporting) what it could not send. Redis is really stopped (the harness's
``redis_stop``: a SIGKILL, as in a crash) and restarted afterwards.

Measured against the bound plus a generous slack, for a loaded 2-core machine: these check
that nothing waits for a retry loop, a default timeout or a stuck queue, not speed."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness import Harness
from socketio_emitter import AsyncEmitter, Emitter
from socketio_emitter.exceptions import FlushError, RedisConnectionError

CONNECT = 0.5
RESPONSE = 0.5
BOUND = CONNECT + RESPONSE
SLACK = 1.5
SHORT: dict[str, Any] = {"connect_timeout": CONNECT, "response_timeout": RESPONSE}


@pytest.fixture
def redis_stopped(harness: Harness) -> Iterator[str]:
    """Stops the harness's Redis for the test; starts it again (and waits until every
    server has re-subscribed) whatever happens. Yields the URL, where nothing listens."""
    harness.request({"cmd": "redis_stop"})
    try:
        yield harness.redis_url
    finally:
        harness.request({"cmd": "redis_start"})


def names_a_cause(err: BaseException) -> bool:
    text = str(err).lower()
    return any(cause in text for cause in ("refused", "reset", "closed", "broken pipe", "eof"))


def test_a_blocking_emit_fails_within_the_bound_when_redis_is_down(
    harness: Harness,
) -> None:
    io = Emitter(harness.redis_url, key="bound-emit", **SHORT)
    try:
        io.emit("warm-up")  # connected while Redis runs
        harness.request({"cmd": "redis_stop"})
        try:
            calls: list[Callable[[], int]] = [
                lambda: io.emit("lost", 1),
                lambda: io.to("r").sockets_join("x"),
            ]
            for call in calls:
                started = time.monotonic()
                with pytest.raises(RedisConnectionError) as info:
                    call()
                took = time.monotonic() - started
                assert info.value.code == "CONNECTION"
                assert names_a_cause(info.value), str(info.value)
                assert took <= BOUND + SLACK, f"{took:.2f} s for {info.value}"
        finally:
            harness.request({"cmd": "redis_start"})
        assert io.emit("back") == 0  # and it reconnects once Redis is back
    finally:
        io.close()


def test_an_async_emit_fails_within_the_bound_when_redis_is_down(harness: Harness) -> None:
    async def main() -> float:
        async with AsyncEmitter(harness.redis_url, key="bound-async", **SHORT) as io:
            await io.emit("warm-up")
            harness.request({"cmd": "redis_stop"})
            try:
                started = time.monotonic()
                with pytest.raises(RedisConnectionError) as info:
                    await io.emit("lost")
                assert names_a_cause(info.value), str(info.value)
                return time.monotonic() - started
            finally:
                harness.request({"cmd": "redis_start"})

    took = asyncio.run(main())
    assert took <= BOUND + SLACK, f"{took:.2f} s"


def test_close_with_a_timeout_fails_what_is_queued_and_returns(harness: Harness) -> None:
    io = Emitter(harness.redis_url, key="bound-close", queue_capacity=20_000, **SHORT)
    io.emit("warm-up")
    harness.request({"cmd": "redis_stop"})
    try:
        tickets = [io.emit_nowait("queued", i) for i in range(10_000)]
        started = time.monotonic()
        with pytest.raises(FlushError) as info:
            io.close(timeout=1)
        took = time.monotonic() - started
    finally:
        harness.request({"cmd": "redis_start"})
    assert took <= 1 + SLACK, f"close(timeout=1) took {took:.2f} s"
    err = info.value
    assert err.code == "FLUSH"
    assert sorted(err.tickets) == tickets  # every ticket, each reported once
    assert err.report.sent == 0 and err.report.receivers == 0
    assert all(f.error.code in ("CONNECTION", "TIMEOUT") for f in err.failures)
    assert io.closed


def test_async_close_with_a_timeout(harness: Harness) -> None:
    async def main() -> tuple[float, FlushError]:
        io = AsyncEmitter(harness.redis_url, key="bound-aclose", **SHORT)
        await io.connect()
        harness.request({"cmd": "redis_stop"})
        try:
            for i in range(1000):
                io.emit_nowait("queued", i)
            started = time.monotonic()
            with pytest.raises(FlushError) as info:
                await io.close(timeout=0.5)
            return time.monotonic() - started, info.value
        finally:
            harness.request({"cmd": "redis_start"})

    took, err = asyncio.run(main())
    assert took <= 0.5 + SLACK, f"{took:.2f} s"
    assert len(err.failures) == 1000


def test_flush_reports_successes_with_failures(harness: Harness, ns: str) -> None:
    """FlushError.report counts what succeeded since the previous flush."""
    harness.clients(ns, [(f"{ns}a", 0, [])])
    io = Emitter(harness.redis_url, require_receivers=True).of(ns)
    try:
        ok = [io.emit_nowait("ok", i) for i in range(3)]
        lost = io.of(f"{ns}-nobody").emit_nowait("lost")  # no server has that namespace
        with pytest.raises(FlushError) as info:
            io.flush(timeout=10)
        assert info.value.tickets == [lost] and lost not in ok
        report = info.value.report
        assert (report.sent, report.receivers, report.reached_none) == (3, 6, 0)
        again = pickle.loads(pickle.dumps(info.value))  # e.g. across multiprocessing
        assert again.report == report and again.tickets == [lost]
    finally:
        io.close()


def test_reached_none_counts_publishes_nobody_received(harness: Harness) -> None:
    io = Emitter(harness.redis_url, key="nobody-listens")
    for i in range(4):
        io.emit_nowait("ev", i)
    report = io.close(timeout=10)
    assert (report.sent, report.receivers, report.reached_none) == (4, 0, 4)


def test_refused_at_construction_is_connection(redis_stopped: str) -> None:
    started = time.monotonic()
    with pytest.raises(RedisConnectionError) as info:
        Emitter(redis_stopped, **SHORT)
    took = time.monotonic() - started
    assert info.value.code == "CONNECTION" and "refused" in str(info.value).lower()
    assert took <= BOUND + SLACK, f"{took:.2f} s"

    async def first_use() -> None:
        await AsyncEmitter(redis_stopped, **SHORT).emit("ev")

    with pytest.raises(RedisConnectionError, match="(?i)refused"):
        asyncio.run(first_use())


def redis_command(url: str, *args: str) -> bytes:
    """One command on a fresh connection (for set-up only); returns the raw reply line."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 5) as s:
        s.sendall(b"".join([f"*{len(args)}\r\n".encode()] + [
            f"${len(a.encode())}\r\n{a}\r\n".encode() for a in args]))
        reply = s.makefile("rb").readline()
    assert not reply.startswith(b"-"), reply
    return reply


def test_a_wrong_password_is_connection_not_timeout(harness: Harness) -> None:
    parts = urlsplit(harness.redis_url)
    redis_command(harness.redis_url, "ACL", "SETUSER", "bound-user", "on", ">right-pw",
                  "~*", "&*", "+@all")
    try:
        wrong = f"redis://bound-user:wrong-pw@{parts.hostname}:{parts.port}"
        started = time.monotonic()
        with pytest.raises(RedisConnectionError) as info:
            Emitter(wrong, **SHORT)
        took = time.monotonic() - started
        message = str(info.value)
        assert info.value.code == "CONNECTION", message
        assert "wrong-pw" not in message and "wrong-pw" not in repr(info.value.args)
        assert "auth" in message.lower() or "wrongpass" in message.lower(), message
        assert took <= BOUND + SLACK, f"{took:.2f} s"
        right = f"redis://bound-user:right-pw@{parts.hostname}:{parts.port}"
        with Emitter(right, key="bound-pw", **SHORT) as io:
            assert io.emit("ev") == 0
    finally:
        redis_command(harness.redis_url, "ACL", "DELUSER", "bound-user")


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux /proc only")
def test_io_threads_block_sigpipe(redis_url: str) -> None:
    """A write to a dead Redis must fail with EPIPE on the emitter's I/O threads, never
    raise SIGPIPE (which kills a host that does not ignore it, unlike CPython)."""
    with Emitter(redis_url, key="sigpipe") as io:
        io.emit("ev")  # the runtime and its threads exist
        io_threads = []
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/comm", encoding="utf-8") as f:
                if not f.read().startswith("socketio-emit"):
                    continue
            with open(f"/proc/self/task/{task}/status", encoding="utf-8") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
            io_threads.append(int(status["SigBlk"].strip(), 16))
    assert io_threads, "no I/O thread found"
    sigpipe = 1 << (signal.SIGPIPE - 1)
    assert all(mask & sigpipe for mask in io_threads), [hex(m) for m in io_threads]
