"""AsyncEmitter under asyncio: results, errors and delivery observed at real clients."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from harness import Harness
from socketio_emitter import AsyncEmitter, FlushReport
from socketio_emitter.exceptions import (
    ClosedError,
    EncodeError,
    NoSubscribersError,
    ReservedEventError,
)


def test_gather_of_many_emits_is_delivered(harness: Harness, redis_url: str, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])

    async def main() -> list[int]:
        async with AsyncEmitter(redis_url) as io:
            e = io.of(ns)
            return await asyncio.gather(*(e.emit("n", i) for i in range(500)))

    assert asyncio.run(main()) == [2] * 500
    harness.flush()
    for client in (f"{ns}a", f"{ns}b"):
        assert sorted(args[0] for _, args in harness.events(client)) == list(range(500))


def test_one_bad_call_in_a_gather_fails_alone(harness: Harness, redis_url: str, ns: str) -> None:
    # The calls of one loop iteration share a pipeline; each still gets its own result,
    # whether the emitter was connected before (encoded at once) or not (encoded later).
    harness.clients(ns, [(f"{ns}a", 0, [])])

    async def main(connect_first: bool) -> list[Any]:
        async with AsyncEmitter(redis_url) as io:
            if connect_first:
                await io.connect()
            e = io.of(ns)
            calls = [e.emit("g", i) for i in range(3)] + [e.emit("connect")]
            calls += [e.to("nobody-" + ns).emit("g", 9), e.emit("g", 3)]
            return await asyncio.gather(*calls, return_exceptions=True)

    for connect_first in (False, True):
        results = asyncio.run(main(connect_first))
        assert results[:3] == [2, 2, 2] and results[4:] == [2, 2]
        assert isinstance(results[3], ReservedEventError)
    harness.flush()
    assert harness.received(f"{ns}a") == [["g"] * 8]


def test_awaited_emits_arrive_in_order(harness: Harness, redis_url: str, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, [])])

    async def main() -> None:
        async with AsyncEmitter(redis_url) as io:
            for i in range(200):
                assert await io.of(ns).emit("n", i) == 2

    asyncio.run(main())
    harness.flush()
    assert [args[0] for _, args in harness.events(f"{ns}a")] == list(range(200))


def test_every_operation_is_awaitable(harness: Harness, redis_url: str, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, ["r"]), (f"{ns}b", 1, [])])

    async def main() -> None:
        io = AsyncEmitter(redis_url)
        await io.connect()
        e = io.of(ns)
        assert await e.to("r").sockets_join("joined") == 2
        assert await e.to("joined").emit("to-joined", {"n": 1}) == 2
        assert await e.to("r").sockets_leave("joined") == 2
        assert await e.to("joined").emit("nobody") == 2
        assert await e.server_side_emit("server_event", "x") == 2
        ticket = e.emit_nowait("queued", 1)
        assert ticket >= 1
        assert await e.flush(timeout=10) == FlushReport(sent=1, receivers=2)
        assert await e.to("r").disconnect_sockets() == 2
        assert await io.close() == FlushReport()
        assert io.closed and e.closed

    asyncio.run(main())
    assert harness.disconnect_reason(f"{ns}a") == "io server disconnect"
    assert harness.received(f"{ns}a", f"{ns}b") == [["to-joined", "queued"], ["queued"]]


def test_errors_are_raised_by_await(redis_url: str) -> None:
    async def main() -> None:
        async with AsyncEmitter(redis_url) as io:
            with pytest.raises(ReservedEventError):
                await io.emit("connect")
            with pytest.raises(EncodeError, match=r"args\[0\]\['s'\]: set is not supported"):
                await io.emit("ev", {"s": {1}})
        strict = AsyncEmitter(redis_url, key="nobody-async", require_receivers=True)
        with pytest.raises(NoSubscribersError):
            await strict.emit("lost")
        await strict.close()
        with pytest.raises(ClosedError):
            await strict.emit("late")
        await strict.close()  # a second close is a no-op

    asyncio.run(main())


def test_no_thread_per_call(redis_url: str) -> None:
    async def main() -> int:
        async with AsyncEmitter(redis_url, key="threads-async") as io:
            await io.emit("warm-up")
            before = threading.active_count()
            await asyncio.gather(*(io.emit("n", i) for i in range(300)))
            return threading.active_count() - before

    assert asyncio.run(main()) == 0


def test_coroutines_need_a_running_loop() -> None:
    io = AsyncEmitter("redis://127.0.0.1:1")
    with pytest.raises(RuntimeError):
        _ = io.emit("ev")


def test_a_cancelled_await_does_not_break_the_loop(redis_url: str) -> None:
    from socketio_emitter import _native

    async def main() -> tuple[int, list[dict[str, Any]]]:
        problems: list[dict[str, Any]] = []
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: problems.append(ctx))
        late_before = _native._late_results()
        async with AsyncEmitter(redis_url, key="cancel") as io:
            task = asyncio.ensure_future(io.emit("ev"))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The I/O thread still hands the cancelled call's result to the loop, which
            # counts it as late and drops it: wait until that is observed, not for a time.
            async def late_result_dropped() -> None:
                while _native._late_results() == late_before:
                    await asyncio.sleep(0.005)

            await asyncio.wait_for(late_result_dropped(), 30)
            return await io.emit("after"), problems

    after, problems = asyncio.run(main())
    assert after == 0
    assert problems == [], "the late result must not raise in the loop"


def test_unreachable_redis_fails_on_first_use() -> None:
    from socketio_emitter.exceptions import RedisConnectionError

    async def main() -> None:
        io = AsyncEmitter("redis://127.0.0.1:1", connect_timeout=0.5, reconnect_attempts=0)
        with pytest.raises(RedisConnectionError) as info:
            await io.emit("ev")
        assert info.value.code == "CONNECTION"
        assert isinstance(info.value, ConnectionError)

    asyncio.run(main())


def test_interpreter_exit_right_after_awaits_is_clean(redis_url: str) -> None:
    """I/O threads must not enter Python while the interpreter finalizes (that aborts)."""
    import subprocess
    import sys

    script = (
        "import asyncio, socketio_emitter as s\n"
        "async def main():\n"
        f"    async with s.AsyncEmitter({redis_url!r}, key='exit') as io:\n"
        "        await asyncio.gather(*(io.emit('x', i) for i in range(50)))\n"
        "    bad = s.AsyncEmitter('redis://127.0.0.1:1', connect_timeout=0.2, reconnect_attempts=0)\n"
        "    try:\n"
        "        await bad.emit('x')\n"
        "    except s.RedisConnectionError:\n"
        "        pass\n"
        "asyncio.run(main())\n"
    )
    for _ in range(8):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
