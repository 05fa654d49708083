"""What the servers answer when the emitter asks the cluster: frozen result classes.

Every result says whether it is complete. When some servers (or, for ``emit_with_ack``,
clients) did not answer within the call's timeout, the result holds what did arrive and
counts what is missing: it is never silently partial.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Union


@dataclass(frozen=True)
class RemoteSocket:
    """A socket of some server of the cluster, as that server described it."""

    id: str
    rooms: frozenset[str]
    """Its rooms, its own id included. A numeric room is listed as its decimal text (``7``
    becomes ``"7"``); ``AllRooms`` keeps it an int."""
    data: Any
    """``socket.data``, as the server set it."""
    # Left out of the repr: headers and all would drown the id and rooms.
    handshake: dict[str, Any] = field(repr=False)
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
    """Every room of the namespace on the servers that answered. A numeric room stays an
    int: ``7`` and ``"7"`` are different rooms, as in Socket.IO."""

    rooms: frozenset[Union[str, int]]
    servers_answered: int
    servers_missing: int
    complete: bool

    def __contains__(self, room: object) -> bool:
        return room in self.rooms

    def __iter__(self) -> Iterator[Union[str, int]]:
        return iter(self.rooms)

    def __len__(self) -> int:
        return len(self.rooms)

    @classmethod
    def _from_json(cls, d: dict[str, Any]) -> AllRooms:
        rooms = frozenset(d["rooms"])
        return cls(rooms, d["servers_answered"], d["servers_missing"], d["complete"])


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
