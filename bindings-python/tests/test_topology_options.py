"""The topology options without any Redis: ``cluster_nodes``, ``sentinel_master`` and
``sentinel_nodes`` are accepted by both constructors, shown by ``repr`` with the passwords
redacted, and never leak a password into an error. (Bad values: test_bad_input.py. Real
clusters and sentinels: test_interop_topology.py.)"""

from __future__ import annotations

import asyncio
from typing import Any, Union

import pytest

from socketio_emitter import OPTION_NAMES, AsyncEmitter, Emitter
from socketio_emitter.exceptions import RedisConnectionError

AnyEmitter = Union[Emitter, AsyncEmitter]
SECRET = "s3cret-pw"
MASTER_SECRET = "m4ster-pw"
# Nothing listens on port 1: a sync Emitter (which connects in its constructor) fails fast.
FAST: dict[str, Any] = {"connect_timeout": 0.2, "response_timeout": 0.2}


def test_the_options_are_listed() -> None:
    for name in ("cluster_nodes", "sentinel_master", "sentinel_nodes"):
        assert name in OPTION_NAMES


@pytest.mark.parametrize("nodes", [
    [f"redis://:{SECRET}@127.0.0.1:7000", "redis://127.0.0.1:7001"],
    (f"redis://default:{SECRET}@127.0.0.1:7000",),
    ["rediss://127.0.0.1:7000", "rediss://127.0.0.1:7001"],
])
def test_cluster_nodes_are_accepted_and_shown_redacted(nodes: list[str]) -> None:
    io = AsyncEmitter(cluster_nodes=nodes, adapter="sharded", key="k")
    shown = repr(io)
    assert shown.startswith("<AsyncEmitter cluster_nodes=[")
    assert SECRET not in shown and SECRET not in repr(io.of("/x").to("r"))
    assert 'key="k"' in shown
    assert shown.count("127.0.0.1:700") == len(nodes)


def test_cluster_nodes_with_the_default_url_spelled_out() -> None:
    # `url` left at its default is what the core checks, however it is written.
    AsyncEmitter("redis://127.0.0.1:6379", cluster_nodes=["redis://127.0.0.1:7000"])
    AsyncEmitter(None, cluster_nodes=["redis://127.0.0.1:7000"])  # type: ignore[arg-type]


def test_require_receivers_on_a_cluster_needs_the_sharded_adapter() -> None:
    AsyncEmitter(cluster_nodes=["redis://127.0.0.1:7000"], adapter="sharded",
                 require_receivers=True)


def test_sentinel_options_are_accepted_and_shown_redacted() -> None:
    io = AsyncEmitter(f"redis://app:{MASTER_SECRET}@ignored:6379/3", sentinel_master="mymaster",
                      sentinel_nodes=[f"redis://:{SECRET}@127.0.0.1:26379",
                                      "redis://127.0.0.1:26380"])
    shown = repr(io)
    assert "sentinel_master=\"mymaster\"" in shown
    assert "127.0.0.1:26379" in shown and "127.0.0.1:26380" in shown
    assert "redis://app:***@ignored:6379/3" in shown
    assert SECRET not in shown and MASTER_SECRET not in shown


def test_none_means_not_given() -> None:
    io = AsyncEmitter("redis://127.0.0.1:1", cluster_nodes=None, sentinel_master=None,
                      sentinel_nodes=None)
    assert repr(io).startswith("<AsyncEmitter redis://127.0.0.1:1 ")


def test_the_list_is_copied() -> None:
    nodes = ["redis://127.0.0.1:7000"]
    io = AsyncEmitter(cluster_nodes=nodes)
    nodes.append(f"redis://:{SECRET}@127.0.0.1:7001")
    assert "7001" not in repr(io)


@pytest.mark.parametrize("options", [
    {"cluster_nodes": [f"redis://u:{SECRET}@127.0.0.1:1"]},
    {"sentinel_master": "m", "sentinel_nodes": [f"redis://u:{SECRET}@127.0.0.1:1"]},
    {"url": f"redis://u:{MASTER_SECRET}@127.0.0.1:1", "sentinel_master": "m",
     "sentinel_nodes": [f"redis://:{SECRET}@127.0.0.1:1"]},
])
def test_an_unreachable_topology_is_a_connection_error_without_passwords(
    options: dict[str, Any]
) -> None:
    with pytest.raises(RedisConnectionError) as sync:
        Emitter(**options, **FAST)

    async def main() -> None:
        async with AsyncEmitter(**options, **FAST) as io:
            await io.emit("ev")

    with pytest.raises(RedisConnectionError) as aio:
        asyncio.run(main())
    for err in (sync.value, aio.value):
        assert err.code == "CONNECTION"
        assert "cluster" in str(err) or "sentinel" in str(err), str(err)
        for secret in (SECRET, MASTER_SECRET):
            assert secret not in str(err) and secret not in repr(err.args)
