"""One emitter shared by many threads, and emitters inherited across fork()."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from harness import Harness
from socketio_emitter import Emitter

THREADS = 16
PER_THREAD = 50


def test_sixteen_threads_emit_at_once(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    e = io.of(ns)
    start = threading.Barrier(THREADS)
    results: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                results[t].append(e.emit("t", t, i, b"\x00" * 64))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors
    assert all(r == [2] * PER_THREAD for r in results)
    harness.flush()
    for client in (f"{ns}a", f"{ns}b"):
        got = [(a[0], a[1]) for _, a in harness.events(client)]
        assert sorted(got) == sorted((t, i) for t in range(THREADS) for i in range(PER_THREAD))
        for t in range(THREADS):  # each thread's emits arrive in its order
            assert [i for tt, i in got if tt == t] == list(range(PER_THREAD))


def test_the_gil_is_released_while_waiting(redis_url: str) -> None:
    """A Python thread keeps running while others are inside emit()."""
    io = Emitter(redis_url, key="gil")
    stop = threading.Event()
    ticks = 0

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    during = 0
    try:
        big = [b"\x01" * (1 << 20)] * 16
        for _ in range(5):
            before = ticks
            io.emit("big", big)
            during += ticks - before
    finally:
        stop.set()
        spinner.join()
        io.close()
    # Holding the GIL through encoding and I/O would leave the spinner almost no turns.
    assert during > 1000


def _child_emit(url: str, nsp: str, io: Emitter, conn: "multiprocessing.connection.Connection") -> None:
    try:
        conn.send(("ok", io.of(nsp).emit("from-mp-child", os.getpid())))
    except BaseException as exc:  # noqa: BLE001 - sent back to the parent
        conn.send(("error", repr(exc)))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_os_fork_child_emits_with_the_parent_emitter(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])
    e = io.of(ns)
    assert e.emit("before-fork") == 2  # the parent's connection is live when forking
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must not reuse the parent's connection or runtime
        code = 1
        try:
            n = e.emit("from-child", os.getpid())
            e.emit_nowait("queued-in-child")
            e.flush(timeout=10)
            e.close()
            os.write(write, str(n).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 100).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answer == "2"
    assert e.emit("parent-after-fork") == 2  # the parent is unaffected
    assert not e.closed
    assert harness.received(f"{ns}a") == [
        ["before-fork", "from-child", "queued-in-child", "parent-after-fork"]]


def test_multiprocessing_fork_context(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 1, [])])
    io.emit("warm-up")
    ctx = multiprocessing.get_context("fork")
    children = []
    for _ in range(3):
        parent_end, child_end = ctx.Pipe()
        p = ctx.Process(target=_child_emit, args=(harness.redis_url, ns, io, child_end))
        p.start()
        children.append((p, parent_end))
    for p, conn in children:
        assert conn.poll(30)
        assert conn.recv() == ("ok", 2)
        p.join(30)
        assert p.exitcode == 0
    harness.flush()
    assert harness.event_names(f"{ns}a") == ["from-mp-child"] * 3
    assert len({args[0] for _, args in harness.events(f"{ns}a")}) == 3


def test_fork_while_other_threads_emit(harness: Harness, io: Emitter, ns: str) -> None:
    """Forking while the emitter is busy in other threads leaves the child usable."""
    harness.clients(ns, [(f"{ns}a", 0, [])])
    e = io.of(ns)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            e.emit("busy")

    workers = [threading.Thread(target=busy) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.05)
        ctx = multiprocessing.get_context("fork")
        for _ in range(8):  # each fork lands at a different point of the busy threads' calls
            parent_end, child_end = ctx.Pipe()
            p = ctx.Process(target=_child_emit, args=(harness.redis_url, ns, io, child_end))
            p.start()
            assert parent_end.poll(30), "the child hung"
            assert parent_end.recv() == ("ok", 2)
            p.join(30)
            assert p.exitcode == 0
    finally:
        stop.set()
        for w in workers:
            w.join()
