"""Redis SIGKILLed and restarted while emits flow, observed at a real socket.io client: the
Python counterpart of ``core/tests/interop_redis_crash.rs`` (same scenarios, same accounting).

Every emit is accounted for: delivered, reported failed, reported as reaching no server, or
lost inside Redis when it died (Pub/Sub is at-most-once; those can only be emits Redis had
acknowledged before the kill). No call may hang, nothing may arrive out of order or twice, and
a restart with no downtime must fail nothing that certainly was not sent. Each scenario
prints one line of figures to stderr (``pytest -s`` shows them).

Each scenario has its own harness (one Socket.IO server, one recording client ``sub``), so
killing Redis disturbs no other test."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pytest

from harness import Harness
from socketio_emitter import Emitter
from socketio_emitter.exceptions import EmitterError, FlushError

CONNECT = 2.0
RESPONSE = 2.0
#: A call slower than its budget (connect + response timeout) plus this much slack hung.
SLACK = 5.0
OPTIONS: dict[str, Any] = {
    "connect_timeout": CONNECT,
    "response_timeout": RESPONSE,
    "reconnect_min_delay": 0.05,
    "reconnect_max_delay": 0.5,
    "reconnect_attempts": 50,
}
QUEUED = 100_000
BLOCKING = 20_000
#: Redis is killed when the producer has made this share of its calls.
KILL_AT = 0.3
#: The longest the producer may take to reach KILL_AT.
REACH_TIMEOUT = 60.0

T = TypeVar("T")


@dataclass
class Counts:
    accepted: int = 0
    failed: set[int] = field(default_factory=set)
    reached_none: int = 0
    delivered: list[int] = field(default_factory=list)
    slowest: float = 0.0
    #: Calls started after Redis was certainly dead have an index from here on.
    after_kill: int = 0
    #: From the ``redis_stop`` reply to the ``redis_start`` reply (Redis accepting again
    #: and the server re-subscribed): the scenario's downtime plus the restart.
    outage: float = 0.0

    def missing(self) -> list[int]:
        """Accepted, not delivered, not reported failed."""
        got = set(self.delivered)
        return [i for i in range(self.accepted) if i not in got and i not in self.failed]

    def inversions(self) -> list[tuple[int, int]]:
        d = self.delivered
        return [(a, b) for a, b in zip(d, d[1:]) if a >= b]

    def lost_at_kill(self) -> int:
        missing = len(self.missing())
        return missing - min(self.reached_none, missing)


class Progress:
    """How many calls the producer has made; ``reached`` is set at the kill mark (or when
    the producer stops early, so that the waiting thread never waits in vain)."""

    def __init__(self, mark: int) -> None:
        self.mark = mark
        self.done = 0
        self.reached = threading.Event()

    def advance(self, done: int) -> None:
        self.done = done
        if done == self.mark:
            self.reached.set()


class Producer(Generic[T]):
    """Runs ``work`` on a thread; ``join`` returns its result or re-raises its exception."""

    def __init__(self, work: Callable[[], T], progress: Progress) -> None:
        self._result: list[T] = []
        self._error: list[BaseException] = []

        def run() -> None:
            try:
                self._result.append(work())
            except BaseException as exc:  # noqa: BLE001 - re-raised by join()
                self._error.append(exc)
            finally:
                progress.reached.set()

        self._thread = threading.Thread(target=run, name="producer", daemon=True)
        self._thread.start()

    def failed(self) -> BaseException | None:
        return self._error[0] if self._error else None

    def join(self) -> T:
        self._thread.join()
        if self._error:
            raise self._error[0]
        return self._result[0]


@contextmanager
def fixture() -> Iterator[Harness]:
    """A harness with one server and the recording client ``sub``. Its logs (Redis, the
    server) go to stderr when the scenario fails, so pytest shows them with the failure."""
    h = Harness("--servers", "1")
    try:
        h.client("sub", 0, "/")
        yield h
    except BaseException:
        try:
            sys.stderr.write("----- harness logs -----\n" + h.logs())
        except Exception as exc:  # noqa: BLE001 - the original failure matters more
            sys.stderr.write(f"(could not read the harness's logs: {exc!r})\n")
        raise
    finally:
        h.close()


def delivered(h: Harness) -> list[int]:
    h.flush()
    return [int(a[0]) for e, a in h.events("sub") if e == "seq"]


def crash_when(
    h: Harness, progress: Progress, producer: Producer[Any], down: float
) -> tuple[int, float]:
    """Kills Redis once the producer reaches its mark, keeps it down for ``down`` seconds,
    restarts it. Returns the first index of the calls started after Redis was dead, and how
    long it was away (until the server had re-subscribed)."""
    assert progress.reached.wait(REACH_TIMEOUT), f"the emits never reached {progress.mark}"
    if producer.failed() is not None:
        raise AssertionError("the producer failed before the kill") from producer.failed()
    h.request({"cmd": "redis_stop"})
    # The call in progress now (index ``done``) may have started before the kill; the next
    # one starts after this read.
    after_kill = progress.done + 1
    stopped = time.monotonic()
    # The outage itself: its length is the scenario, not a wait for a condition.
    time.sleep(down)
    h.request({"cmd": "redis_start"})
    return after_kill, time.monotonic() - stopped


def queued(down: float) -> Counts:
    with fixture() as h:
        io = Emitter(h.redis_url, **OPTIONS)
        try:
            progress = Progress(int(QUEUED * KILL_AT))

            def produce() -> float:
                slowest = 0.0
                for i in range(QUEUED):
                    t0 = time.monotonic()
                    ticket = io.emit_nowait("seq", i)
                    slowest = max(slowest, time.monotonic() - t0)
                    # Tickets count from 1 on a fresh emitter: ticket = i + 1.
                    assert ticket == i + 1, f"emit {i} got ticket {ticket}"
                    progress.advance(i + 1)
                return slowest

            producer = Producer(produce, progress)
            after_kill, outage = crash_when(h, progress, producer, down)
            c = Counts(accepted=QUEUED, slowest=producer.join(), after_kill=after_kill,
                       outage=outage)
            t0 = time.monotonic()
            try:
                report = io.flush()
            except FlushError as err:
                tickets = err.tickets
                assert len(set(tickets)) == len(tickets), "a ticket reported twice"
                assert all(1 <= t <= QUEUED for t in tickets), "a ticket never issued"
                codes = {f.error.code for f in err.failures}
                assert codes <= {"CONNECTION", "TIMEOUT"}, codes
                c.failed = {t - 1 for t in tickets}
                report = err.report
            c.slowest = max(c.slowest, time.monotonic() - t0)
            assert report.sent + len(c.failed) == QUEUED, "every emit is reported once"
            c.reached_none = report.reached_none
            c.delivered = delivered(h)
        finally:
            io.close()
    return c


def blocking(down: float) -> tuple[Counts, list[int]]:
    with fixture() as h:
        io = Emitter(h.redis_url, **OPTIONS)
        try:
            progress = Progress(int(BLOCKING * KILL_AT))

            def produce() -> tuple[Counts, list[int]]:
                c = Counts(accepted=BLOCKING)
                acknowledged: list[int] = []
                for i in range(BLOCKING):
                    t0 = time.monotonic()
                    try:
                        servers = io.emit("seq", i)
                    except EmitterError as e:
                        print(f"emit {i}: {e.code}: {e}", file=sys.stderr)
                        assert e.code in ("CONNECTION", "TIMEOUT"), f"emit {i}: {e!r}"
                        c.failed.add(i)
                    else:
                        if servers == 0:
                            c.reached_none += 1
                        else:
                            acknowledged.append(i)
                    c.slowest = max(c.slowest, time.monotonic() - t0)
                    progress.advance(i + 1)
                return c, acknowledged

            producer = Producer(produce, progress)
            after_kill, outage = crash_when(h, progress, producer, down)
            c, acknowledged = producer.join()
            c.after_kill, c.outage = after_kill, outage
            c.delivered = delivered(h)
        finally:
            io.close()
    return c, acknowledged


def report(what: str, c: Counts) -> None:
    print(
        f"{what}: accepted {c.accepted}, delivered {len(c.delivered)}, "
        f"reported failed {len(c.failed)}, reached no server {c.reached_none}, "
        f"lost in Redis at the kill {c.lost_at_kill()}, inversions {len(c.inversions())}, "
        f"slowest call {c.slowest:.3f} s (Redis away {c.outage:.2f} s)",
        file=sys.stderr,
    )


def check_common(what: str, c: Counts) -> None:
    """What every scenario must show."""
    report(what, c)
    inverted = c.inversions()
    assert not inverted, f"{what}: delivered out of order: {inverted[:20]}"
    assert c.slowest < CONNECT + RESPONSE + SLACK, f"{what}: a call hung ({c.slowest:.2f} s)"
    assert len(set(c.delivered)) == len(c.delivered), f"{what}: duplicates"
    assert all(0 <= i < c.accepted for i in c.delivered), f"{what}: a value never emitted"
    # What Redis held when it died can only be what was sent before the kill: an emit made
    # after Redis was dead is delivered, reported failed, or counted as reaching no server.
    late = [i for i in c.missing() if i >= c.after_kill]
    assert len(late) <= c.reached_none, (
        f"{what}: {len(late)} emits made after the kill vanished (reached none: "
        f"{c.reached_none}): {late[:20]}"
    )


def test_queued_emits_survive_a_restart_with_no_downtime() -> None:
    c = queued(0.0)
    check_common("queued, 0 s down", c)
    # Only pipelines in flight at the kill (at most two of 512) may be reported: Redis may
    # have published them before it died, so they are never sent again.
    assert len(c.failed) <= 1024, f"{len(c.failed)} failed"
    missing = len(c.missing())
    assert missing <= c.reached_none + 4096, (
        f"{missing} emits vanished (reached none: {c.reached_none})"
    )


@pytest.mark.parametrize("down", [3, 10])
def test_queued_emits_through_outages_are_delivered_or_reported(down: int) -> None:
    c = queued(float(down))
    check_common(f"queued, {down} s down", c)


@pytest.mark.parametrize("down", [0, 3, 10])
def test_blocking_emits_survive_restarts(down: int) -> None:
    c, acknowledged = blocking(float(down))
    what = f"blocking, {down} s down"
    check_common(what, c)
    # An emit Redis acknowledged to a receiver and that never arrived can only be one Redis
    # held when it was killed: before the first failure.
    got = set(c.delivered)
    lost = [i for i in acknowledged if i not in got]
    if c.failed:
        first_trouble = min(c.failed)
        after = [i for i in lost if i >= first_trouble]
        assert not after, f"{what}: acknowledged emits lost after the crash: {after[:20]}"
    if down == 0:
        # One call at a time: the one in flight at the kill may be reported, and one made in
        # the moment before the emitter saw the connection drop (its socket looked alive, so
        # the call cannot know that Redis never read it).
        assert len(c.failed) <= 2, f"{what}: {len(c.failed)} failed"


def test_the_first_call_after_a_restart_is_sent() -> None:
    with fixture() as h:
        io = Emitter(h.redis_url, **OPTIONS)
        try:
            # Each kill waits until what was published has arrived: a message Redis
            # acknowledged but had not yet written to the server's connection dies with it
            # (at-most-once), and on a busy machine the kill can come in between.
            assert io.emit("before") == 1
            assert h.received("sub") == [["before"]]
            h.request({"cmd": "redis_stop"})
            h.request({"cmd": "redis_start"})
            # The connection the emitter holds died with Redis; the call reconnects and sends.
            assert io.emit("after") == 1
            assert h.received("sub") == [["before", "after"]]
            # A call made while Redis is down waits for it, within its budget.
            h.request({"cmd": "redis_stop"})
            waiting = Producer(lambda: io.emit("while-down"), Progress(0))
            h.request({"cmd": "redis_start"})
            # Sent once Redis is back; or, when the call raced the kill, reported as possibly
            # published (never a silent loss, never "refused").
            servers: int | None
            try:
                servers = waiting.join()
            except EmitterError as e:
                assert "may or may not" in str(e), repr(e)
                servers = None
            names = h.received("sub")[0]
            if servers is None:
                assert names in (["before", "after"], ["before", "after", "while-down"]), names
            else:
                # 1: the server got it from the new Redis (which stays up), so it arrived;
                # 0: it reached Redis before the server had re-subscribed.
                assert servers <= 1 and names == ["before", "after"] + ["while-down"] * servers, (
                    servers, names)
        finally:
            io.close()
