"""Close, use after close, the queue and flush, options, and the exception hierarchy."""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import timedelta

import pytest

import socketio_emitter
from harness import Harness
from socketio_emitter import ERROR_CODES, OPTION_NAMES, Emitter, FlushReport, exceptions
from socketio_emitter.exceptions import (
    ClosedError,
    EmitterError,
    FlushError,
    InvalidArgumentError,
    QueueFullError,
    RedisConnectionError,
)


def test_close_twice_and_use_after_close(redis_url: str) -> None:
    io = Emitter(redis_url)
    child = io.to("room")
    assert io.emit("ev") >= 0
    assert io.close() == FlushReport(sent=0, receivers=0)
    assert io.close() == FlushReport()  # a no-op
    assert io.closed and child.closed  # derived emitters share the connection
    for call in (
        lambda: io.emit("ev"),
        lambda: child.emit("ev"),
        lambda: io.server_side_emit("ev"),
        lambda: io.sockets_join("r"),
        lambda: io.sockets_leave("r"),
        lambda: io.disconnect_sockets(True),
        lambda: io.emit_nowait("ev"),
        lambda: io.flush(),
    ):
        with pytest.raises(ClosedError) as info:
            call()
        assert info.value.code == "CLOSED"
    assert io.encode_emit("ev")[0] == "socket.io#/#"  # encoding needs no connection
    assert "closed" in repr(io)


def test_context_manager_closes(redis_url: str) -> None:
    with Emitter(redis_url) as io:
        io.emit("ev")
    assert io.closed
    with pytest.raises(KeyError):
        with Emitter(redis_url) as io2:
            raise KeyError("exceptions propagate")
    assert io2.closed


def test_closing_sends_what_is_queued(harness: Harness, redis_url: str, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])
    io = Emitter(redis_url).of(ns)
    for i in range(100):
        io.emit_nowait("q", i)
    assert io.close() == FlushReport(sent=100, receivers=200)
    harness.flush()
    assert [a[0] for _, a in harness.events(f"{ns}a")] == list(range(100))


def test_flush_reports_failed_tickets(redis_url: str) -> None:
    io = Emitter(redis_url, key="nobody-flush", require_receivers=True)
    tickets = [io.emit_nowait("lost", i) for i in range(3)]
    with pytest.raises(FlushError) as info:
        io.flush(timeout=10)
    err = info.value
    assert err.code == "FLUSH"
    assert err.tickets == tickets
    assert [f.channel for f in err.failures] == ["nobody-flush#/#"] * 3
    assert all(f.error.code == "NO_SUBSCRIBERS" for f in err.failures)
    assert io.flush() == FlushReport()  # failures are reported once
    io.close()


def test_queue_full_policy_error(redis_url: str) -> None:
    io = Emitter(redis_url, key="qfull", queue_capacity=1, queue_full="error")
    with pytest.raises(QueueFullError) as info:
        for i in range(10_000):
            io.emit_nowait("x", i)
    assert info.value.capacity == 1
    io.flush(timeout=10)
    io.close()


def test_unreachable_redis() -> None:
    with pytest.raises(RedisConnectionError) as info:
        Emitter("redis://127.0.0.1:1", connect_timeout=timedelta(milliseconds=500),
                reconnect_attempts=0)
    assert info.value.code == "CONNECTION"


def test_bad_options() -> None:
    with pytest.raises(InvalidArgumentError):
        Emitter("http://localhost")
    with pytest.raises(InvalidArgumentError):
        Emitter("redis://127.0.0.1:1", queue_full="drop")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Emitter("redis://127.0.0.1:1", connect_timeout=-1)
    with pytest.raises(InvalidArgumentError):
        Emitter("redis://127.0.0.1:1", queue_capacity=0)
    for bytes_bound in (0, 2**32):
        with pytest.raises(InvalidArgumentError, match="queue_max_bytes"):
            Emitter("redis://127.0.0.1:1", queue_max_bytes=bytes_bound)
    with pytest.raises(TypeError, match="unexpected keyword argument 'keys'"):
        Emitter("redis://127.0.0.1:1", keys="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Emitter("redis://127.0.0.1:1", default=42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError) as info:
        Emitter("rediss://user:s3cret@127.0.0.1:1/", connect_timeout=0)
    assert "s3cret" not in str(info.value)


def test_option_names_match_the_stub() -> None:
    import inspect

    stub = (socketio_emitter.__file__ or "").replace("__init__.py", "_native.pyi")
    with open(stub, encoding="utf-8") as f:
        text = f.read()
    for name in OPTION_NAMES:
        assert f"        {name}: " in text, name
    assert len(OPTION_NAMES) == 24
    assert inspect.isclass(Emitter)


def test_every_core_code_has_its_class() -> None:
    assert set(ERROR_CODES) == set(exceptions.BY_CODE)
    for code, cls in exceptions.BY_CODE.items():
        assert issubclass(cls, EmitterError)
        assert cls.code == code
        err = cls("message", code=code)
        assert err.code == code and str(err) == "message"
    assert issubclass(exceptions.EncodeError, TypeError)
    assert issubclass(exceptions.EmitterTimeoutError, TimeoutError)
    assert issubclass(exceptions.InvalidArgumentError, ValueError)
    assert issubclass(exceptions.ReservedEventError, exceptions.InvalidArgumentError)
    assert issubclass(exceptions.RedisConnectionError, ConnectionError)
    assert exceptions.BY_CODE["UNSUPPORTED"] is exceptions.UnsupportedError


def test_exceptions_survive_pickling() -> None:
    try:
        Emitter.offline().emit("ev")
    except ClosedError as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is ClosedError and again.code == "CLOSED" and str(again) == str(e)
    err = exceptions.EncodeError("args[0]: x", code="ENCODE", path="args[0]", reason="x")
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.reason, again.code) == ("args[0]", "x", "ENCODE")


def test_timeout_on_flush(harness: Harness, redis_url: str) -> None:
    io = Emitter(redis_url, key="flush-timeout")
    io.emit("warm-up")  # connected before Redis is paused
    with harness.redis_paused():
        for i in range(150):
            io.emit_nowait("x", i, b"\x00" * 1024)
        with pytest.raises(exceptions.EmitterTimeoutError) as info:
            io.flush(timeout=0.001)  # Redis holds every PUBLISH: the flush cannot complete
    assert info.value.code == "TIMEOUT" and isinstance(info.value, TimeoutError)
    assert io.flush(timeout=60).sent == 150  # nothing was lost meanwhile
    io.close()


def test_exit_sends_queued_emits_of_unclosed_emitters(
    harness: Harness, redis_url: str, ns: str
) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])
    script = (
        "import socketio_emitter as s\n"
        f"io = s.Emitter({redis_url!r}).of({ns!r})\n"
        "for i in range(50): io.emit_nowait('at-exit', i)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    harness.flush()
    assert [a[0] for _, a in harness.events(f"{ns}a")] == list(range(50))
