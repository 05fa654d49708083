"""Shared fixtures: one interop harness per test session (two Socket.IO 4.8 servers with
the classic Redis adapter, a private Redis), and a fresh namespace per test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from harness import Harness
from socketio_emitter import Emitter


@pytest.fixture(scope="session")
def harness() -> Iterator[Harness]:
    h = Harness("--servers", "2")
    try:
        yield h
    finally:
        h.close()


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
