"""Shared fixtures: one interop harness per test session (two Socket.IO 4.8 servers with
the classic Redis adapter, a private Redis), one per subscription mode of the sharded
adapter, one per Redis topology (cluster, sentinel) and adapter, and one per server stack
(streams adapter, older classic stacks) when a test asks for it,
and a fresh namespace per test. A failed test's report carries the running harnesses' logs
(Redis, the servers' stderr); green runs show none."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator

import pytest

from harness import Harness
from socketio_emitter import Emitter

# The session's harnesses while they run, for the report hook below.
_running: list[Harness] = []


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    h = Harness("--servers", "2")
    _running.append(h)
    try:
        yield h
    finally:
        _running.remove(h)
        h.close()


@pytest.fixture(scope="session")
def sharded() -> Iterator[Callable[[str], Harness]]:
    """``sharded(mode)``: two Socket.IO servers with ``createShardedAdapter`` in that
    subscription mode on a private Redis 7, started on first use and kept for the session
    (each mode has its own, as the servers' mode is fixed at startup)."""
    started: dict[str, Harness] = {}

    def get(mode: str) -> Harness:
        if mode not in started:
            started[mode] = Harness("--servers", "2", "--adapter", "sharded",
                                    "--subscription-mode", mode)
            _running.append(started[mode])
        return started[mode]

    try:
        yield get
    finally:
        for h in started.values():
            _running.remove(h)
            h.close()


@pytest.fixture(scope="session")
def stack() -> Iterator[Callable[..., Harness]]:
    """``stack(*args)``: two Socket.IO servers started with these harness arguments (e.g.
    ``"--adapter", "streams", "--streams-version", "0.2"`` or ``"--stack",
    "socket.io-redis-5"``), each set started on first use and kept for the session."""
    started: dict[tuple[str, ...], Harness] = {}

    def get(*args: str) -> Harness:
        if args not in started:
            started[args] = Harness("--servers", "2", *args)
            _running.append(started[args])
        return started[args]

    try:
        yield get
    finally:
        for h in started.values():
            _running.remove(h)
            h.close()


@pytest.fixture(scope="session")
def topology() -> Iterator[Callable[[str, str], Harness]]:
    """``topology(name, adapter)``: two Socket.IO servers with ``adapter`` (``"classic"``, or
    ``"sharded"`` in the ``"dynamic"`` subscription mode) on a Redis Cluster (``"cluster"``: six
    nodes, three masters; the servers use node-redis ``createCluster``) or on a master found
    through Sentinel (``"sentinel"``: a master, a replica, three sentinels). Started on first use
    and kept for the session; ``ready`` carries ``redis_nodes`` (cluster) or ``sentinel_urls``
    and ``sentinel_master`` (sentinel)."""
    started: dict[tuple[str, str], Harness] = {}

    def get(name: str, adapter: str) -> Harness:
        if (name, adapter) not in started:
            h = Harness("--servers", "2", "--topology", name, "--adapter", adapter)
            started[(name, adapter)] = h
            _running.append(h)
        return started[(name, adapter)]

    try:
        yield get
    finally:
        for h in started.values():
            _running.remove(h)
            h.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Adds the harness's logs to a failed test's report (shown with its failure)."""
    report = yield
    for h in _running if report.failed else []:
        try:
            # Cleared: a later failure shows only what came after this one.
            text = h.logs(clear=True)
        except Exception as exc:  # noqa: BLE001 - the report must still be written
            text = f"(could not read the harness's logs: {exc!r})\n"
        if text:
            report.sections.append((f"harness logs ({' '.join(h.args) or 'default'})", text))
    return report


@pytest.fixture
def redis_url(harness: Harness) -> str:
    return harness.redis_url


@pytest.fixture
def ns(request: pytest.FixtureRequest) -> str:
    """A namespace (and client-name prefix) unique to the running test."""
    return "/" + re.sub(r"[^a-zA-Z0-9]+", "-", request.node.name).strip("-")


@pytest.fixture
def io(redis_url: str) -> Iterator[Emitter]:
    emitter = Emitter(redis_url)
    try:
        yield emitter
    finally:
        emitter.close()
