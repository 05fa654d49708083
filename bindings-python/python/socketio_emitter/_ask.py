"""What the servers answer when the emitter asks the cluster: frozen result classes.

Every result says whether it is complete. When some servers (or, for ``emit_with_ack``,
clients) did not answer within the call's timeout, the result holds what did arrive and
counts what is missing: it is never silently partial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Union


@dataclass(frozen=True)
class RemoteSocket:
    """A socket of some server of the cluster, as that server described it."""

    id: str
    rooms: frozenset[str]
    """Its rooms, its own id included."""
    data: Any
    """``socket.data``, as the server set it."""
    handshake: dict[str, Any]
    """``socket.handshake``: headers, query, auth, address, time."""


@dataclass(frozen=True)
class FetchedSockets:
    """The sockets of the target on every server that answered."""

    sockets: list[RemoteSocket]
    servers_answered: int
    servers_missing: int
    """Servers counted before the request that did not answer in time."""
    complete: bool
    """``servers_missing == 0``: no server's sockets can be missing from the list."""

    def __iter__(self) -> Iterator[RemoteSocket]:
        return iter(self.sockets)

    def __len__(self) -> int:
        return len(self.sockets)

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> FetchedSockets:
        sockets = [
            RemoteSocket(s["id"], frozenset(s["rooms"]), s["data"], s["handshake"])
            for s in d["sockets"]
        ]
        return cls(sockets, d["servers_answered"], d["servers_missing"], d["complete"])


@dataclass(frozen=True)
class AllRooms:
    """Every room of the namespace on the servers that answered (a number stays an int)."""

    rooms: list[Union[str, int]]
    servers_answered: int
    servers_missing: int
    complete: bool

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> AllRooms:
        return cls(d["rooms"], d["servers_answered"], d["servers_missing"], d["complete"])


@dataclass(frozen=True)
class ServerAcks:
    """What each server's handler passed to its acknowledgement callback."""

    responses: list[Any]
    servers_answered: int
    servers_missing: int
    """Servers whose handler did not call back in time (or has no such handler)."""
    complete: bool

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> ServerAcks:
        return cls(d["responses"], d["servers_answered"], d["servers_missing"], d["complete"])


@dataclass(frozen=True)
class ClientAcks:
    """The acknowledgements of the clients a broadcast reached."""

    responses: list[Any]
    """Each acknowledging client's answer, in arrival order."""
    clients_targeted: int
    """Clients the answering servers sent the event to."""
    clients_missing: int
    """Targeted clients that did not acknowledge in time."""
    servers_missing: int
    """Servers that did not say how many clients they targeted: their clients are in
    neither count."""
    complete: bool

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> ClientAcks:
        return cls(
            d["responses"],
            d["clients_targeted"],
            d["clients_missing"],
            d["servers_missing"],
            d["complete"],
        )
