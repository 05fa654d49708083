"""``Emitter.server_count`` (issue 14, WIP): the servers of a namespace, as Redis counts
them, against the two real servers of the session's harness."""

from __future__ import annotations

from harness import Harness
from socketio_emitter import Emitter


def test_counts_the_servers_of_a_namespace(harness: Harness, io: Emitter, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 0, []), (f"{ns}b", 1, [])])
    assert io.of(ns).server_count() == 2
    assert io.of(ns + "-nobody").server_count() == 0
