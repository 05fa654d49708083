"""Publish Socket.IO events into Redis from Python, byte for byte like the official
``@socket.io/redis-emitter``: every Socket.IO server of the cluster delivers them.

>>> from socketio_emitter import Emitter
>>> io = Emitter("redis://127.0.0.1:6379")          # doctest: +SKIP
>>> io.to("room1").emit("chat", {"text": "hi"})     # doctest: +SKIP
2

See README.md for asyncio, the options, the value rules and the errors.
"""

from __future__ import annotations

import atexit

from . import exceptions
from ._ask import AllRooms, ClientAcks, FetchedSockets, RemoteSocket, ServerAcks
from ._encoded import Encoded
from ._native import (
    CORE_VERSION,
    ERROR_CODES,
    OPTION_NAMES,
    AsyncEmitter,
    Emitter,
    FlushReport,
    _close_all,
    _python_exiting,
)
from .exceptions import (
    ClosedError,
    DetectionFailedError,
    EmitterError,
    EmitterTimeoutError,
    EncodeError,
    FlushError,
    InternalError,
    InvalidArgumentError,
    NoSubscribersError,
    QueueFullError,
    QueuedFailure,
    RedisConnectionError,
    RedisError,
    ReservedEventError,
    UnsupportedError,
)

__version__ = CORE_VERSION

__all__ = [
    "CORE_VERSION",
    "ERROR_CODES",
    "OPTION_NAMES",
    "AllRooms",
    "AsyncEmitter",
    "ClientAcks",
    "ClosedError",
    "DetectionFailedError",
    "Emitter",
    "EmitterError",
    "EmitterTimeoutError",
    "EncodeError",
    "Encoded",
    "FetchedSockets",
    "FlushError",
    "FlushReport",
    "InternalError",
    "InvalidArgumentError",
    "NoSubscribersError",
    "QueueFullError",
    "QueuedFailure",
    "RedisConnectionError",
    "RedisError",
    "RemoteSocket",
    "ReservedEventError",
    "ServerAcks",
    "UnsupportedError",
    "__version__",
    "exceptions",
]

#: How long interpreter exit waits for emitters that were never closed to send what
#: ``emit_nowait`` queued.
EXIT_FLUSH_TIMEOUT = 5.0


def _at_exit() -> None:
    try:
        _close_all(EXIT_FLUSH_TIMEOUT)
    finally:
        _python_exiting()


atexit.register(_at_exit)
