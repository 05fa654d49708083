"""What the ``encode_*`` methods return (re-exported as ``socketio_emitter.Encoded``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import disjoint_base
else:  # typing_extensions is not a runtime dependency; the marker is for type checkers.
    _T = TypeVar("_T")

    def disjoint_base(cls: _T) -> _T:
        return cls


@disjoint_base  # a tuple with a __dict__ (PEP 800)
class Encoded(tuple[str, bytes]):
    """What an ``encode_*`` method would send, without sending it.

    It is the ``(channel, payload)`` pair (unpack it, index it, compare it with a tuple), with
    the whole Redis command beside it, for callers that send through a Redis client of their
    own::

        channel, payload = io.encode_emit("ev", 1)   # as before
        redis_client.execute_command(*io.encode_emit("ev", 1).args)

    ``args`` is needed for the streams adapter: its ``XADD`` carries more than a channel and a
    payload (``MAXLEN ~ <max_len> * uid emitter nsp <nsp> type <n> data <payload>``). For
    ``PUBLISH`` and ``SPUBLISH`` it is ``(command, channel, payload)``.
    """

    # A tuple subclass cannot have non-empty __slots__; ``_args`` lives in the __dict__.
    _args: tuple[bytes, ...]

    def __new__(cls, channel: str, payload: bytes, args: Iterable[bytes]) -> Encoded:
        self = super().__new__(cls, (channel, payload))
        self._args = tuple(args)
        return self

    @property
    def channel(self) -> str:
        """The channel (PUBLISH, SPUBLISH) or the stream key (XADD)."""
        return self[0]

    @property
    def payload(self) -> bytes:
        """The message (PUBLISH, SPUBLISH), or the entry's ``data`` field (XADD)."""
        return self[1]

    @property
    def command(self) -> str:
        """``"PUBLISH"``, ``"SPUBLISH"`` (sharded adapter) or ``"XADD"`` (streams adapter)."""
        return self._args[0].decode("ascii")

    @property
    def args(self) -> tuple[bytes, ...]:
        """The whole Redis command, its name first: what to send as one command."""
        return self._args

    def __eq__(self, other: object) -> bool:
        # Against a plain tuple: the pair. Against another Encoded: the whole command too
        # (two XADDs with the same key and data may differ in their other fields).
        if not isinstance(other, tuple):
            return NotImplemented
        if isinstance(other, Encoded) and self._args != other._args:
            return False
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    # Equal pairs hash alike whatever their commands, which keeps hashing consistent.
    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return f"Encoded(command={self.command!r}, channel={self[0]!r}, payload={self[1]!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Encoded, (self[0], self[1], self._args))
