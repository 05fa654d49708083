"""One emitter shared by many threads, and emitters inherited across fork()."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

import pytest

from forking import in_forked_child
from harness import Harness, RedisConnection
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


def test_the_gil_is_released_while_waiting(harness: Harness, redis_url: str) -> None:
    """A Python thread runs while another is inside emit(), waiting for Redis.

    Redis holds the emit's PUBLISH (CLIENT PAUSE WRITE) until a second Python thread sees it
    waiting and lets it through. That thread needs the GIL to take a single step, so the emit
    can only return early if it released the GIL while waiting; holding it would keep the
    PUBLISH paused for the whole 30 s pause and the helper would find it already done. No
    timing is measured."""
    io = Emitter(redis_url, key="gil")
    io.emit("warm-up")  # connected before Redis is paused
    returned = threading.Event()
    seen: list[bool] = []  # whether emit() had returned when the held PUBLISH was seen
    problems: list[BaseException] = []

    def let_it_through(conn: RedisConnection) -> None:
        try:
            deadline = time.monotonic() + 30
            while "publish" not in conn.blocked_commands():
                if returned.is_set() or time.monotonic() > deadline:
                    return
            seen.append(returned.is_set())
            conn.command("CLIENT", "UNPAUSE")
        except BaseException as exc:  # noqa: BLE001 - reported below
            problems.append(exc)

    try:
        with harness.redis_paused() as paused:
            helper = threading.Thread(target=let_it_through, args=(paused,))
            helper.start()
            try:
                assert io.emit("held", [b"\x01" * 1024] * 4) == 0
            finally:
                returned.set()
                helper.join()
    finally:
        io.close()
    assert not problems, problems
    assert seen == [False], "another thread ran while emit() waited, and released it"


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
    def child() -> str:  # must not reuse the parent's connection or runtime
        n = e.emit("from-child", os.getpid())
        e.emit_nowait("queued-in-child")
        e.flush(timeout=10)
        e.close()
        return str(n)

    assert in_forked_child(child) == "2"
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

    # Each worker counts its first emit, so that the forks below happen while all of them are
    # really in the middle of their loops (not before they started).
    started = threading.Semaphore(0)

    def busy() -> None:
        first = True
        while not stop.is_set():
            e.emit("busy")
            if first:
                started.release()
                first = False

    workers = [threading.Thread(target=busy) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        for _ in workers:
            assert started.acquire(timeout=30), "a busy thread never completed an emit"
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


def test_signals_during_blocking_emits_do_not_fail_them(
    harness: Harness, io: Emitter, ns: str
) -> None:
    # Python installs its handlers without SA_RESTART, so a signal arriving while the
    # calling thread reads Redis's reply interrupts the read (EINTR). That must neither fail
    # the emit nor lose it: every emit is counted and delivered.
    import signal

    harness.clients(ns, [(f"{ns}a", 0, [])])
    e = io.of(ns)
    fired = 0

    def on_alarm(_signum: int, _frame: object) -> None:
        nonlocal fired
        fired += 1

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
    try:
        results = [e.emit("n", i) for i in range(2000)]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)
    assert fired > 0
    assert results == [2] * 2000
    harness.flush()
    assert [args[0] for _, args in harness.events(f"{ns}a")] == list(range(2000))
