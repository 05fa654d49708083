"""``adapter="auto"``: the emitter finds the servers' adapter in Redis when it connects
(sync and asyncio), and delivers to real clients; when no server listens on the key it
raises ``DetectionFailedError`` saying which keys do have servers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from harness import Harness
from socketio_emitter import AsyncEmitter, DetectionFailedError, Emitter


def delivered(h: Harness, client: str) -> bool:
    return h.wait_until(
        lambda seen: any(
            m.get("type") == "event" and m.get("client") == client for m in seen
        ),
        timeout=20.0,
    )


def test_auto_finds_classic_servers_and_delivers(harness: Harness, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 1, [])])
    with Emitter(harness.redis_url, adapter="auto") as io:
        assert io.of(ns).emit("auto", 1) == 2
    assert delivered(harness, f"{ns}a")
    assert harness.event_names(f"{ns}a") == ["auto"]


def test_auto_finds_sharded_servers_and_delivers(
    sharded: Callable[[str], Harness], ns: str
) -> None:
    h = sharded("dynamic")
    h.clients(ns, [(f"{ns}a", 0, ["room1"])])
    with Emitter(h.redis_url, adapter="auto") as io:
        # Auto publishes on the main channel, which every subscription mode hears.
        assert io.of(ns).to("room1").emit("auto-room") == 2
    assert delivered(h, f"{ns}a")


def test_a_key_without_servers_is_detection_failed(harness: Harness) -> None:
    with pytest.raises(DetectionFailedError) as info:
        Emitter(harness.redis_url, adapter="auto", key="nobody-here")
    assert info.value.code == "DETECTION_FAILED"
    message = str(info.value)
    assert "no Socket.IO server listens on key nobody-here, namespace /" in message
    assert "classic adapter, key socket.io, namespace /: 2 servers" in message


def test_asyncio_auto_finds_streams_servers_and_delivers(
    stack: Callable[..., Harness], ns: str
) -> None:
    h = stack("--adapter", "streams")
    h.clients(ns, [(f"{ns}a", 0, [])])

    async def main() -> int:
        async with AsyncEmitter(h.redis_url, adapter="auto") as io:
            return await io.of(ns).emit("auto-streams", "x")

    assert asyncio.run(main()) == 2
    assert delivered(h, f"{ns}a")


def test_asyncio_auto_without_servers_is_detection_failed(harness: Harness) -> None:
    async def main() -> None:
        async with AsyncEmitter(harness.redis_url, adapter="auto", key="nobody-here"):
            pass

    with pytest.raises(DetectionFailedError, match="servers listen on: classic adapter"):
        asyncio.run(main())
