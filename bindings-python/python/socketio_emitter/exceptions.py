"""Every error socketio_emitter raises, one hierarchy under :class:`EmitterError`.

Each class carries ``.code``, the stable code the Rust core uses (the same in every
language binding). Several classes also derive from the matching builtin, so that code
written against the standard exceptions keeps working::

    EmitterError (Exception)
    ├── InvalidArgumentError (ValueError)        INVALID_ARGUMENT
    │   └── ReservedEventError                   RESERVED_EVENT
    ├── EncodeError (TypeError, ValueError)      ENCODE
    ├── RedisConnectionError (ConnectionError)   CONNECTION
    ├── RedisError                               REDIS
    ├── EmitterTimeoutError (TimeoutError)       TIMEOUT
    ├── ClosedError                              CLOSED
    ├── NoSubscribersError                       NO_SUBSCRIBERS
    ├── QueueFullError                           QUEUE_FULL
    ├── FlushError                               FLUSH
    ├── UnsupportedError                         UNSUPPORTED
    ├── DetectionFailedError                     DETECTION_FAILED
    └── InternalError                            INTERNAL
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._native import FlushReport

__all__ = [
    "BY_CODE",
    "ClosedError",
    "DetectionFailedError",
    "EmitterError",
    "EmitterTimeoutError",
    "EncodeError",
    "FlushError",
    "InternalError",
    "InvalidArgumentError",
    "NoSubscribersError",
    "QueueFullError",
    "QueuedFailure",
    "RedisConnectionError",
    "RedisError",
    "ReservedEventError",
    "UnsupportedError",
]


class EmitterError(Exception):
    """Base class. ``code`` is the core's stable error code."""

    #: The class's code; an instance raised for a code this version does not know (a
    #: newer core) is an ``EmitterError`` whose instance ``code`` is that code.
    code: str = "EMITTER"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = details.pop("code", None) or type(self).code
        for name, value in details.items():
            setattr(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the details when the exception crosses a process boundary (multiprocessing).
        details = {k: v for k, v in self.__dict__.items() if k != "message"}
        return (_rebuild, (type(self), self.message, details))


def _rebuild(cls: type[EmitterError], message: str, details: dict[str, Any]) -> EmitterError:
    return cls(message, **details)


class InvalidArgumentError(EmitterError, ValueError):
    """A bad URL, option or argument."""

    code = "INVALID_ARGUMENT"


class ReservedEventError(InvalidArgumentError):
    """An event name Socket.IO reserves. ``event`` is the name."""

    code = "RESERVED_EVENT"
    event: str


class EncodeError(EmitterError, TypeError, ValueError):
    """A value that cannot be sent. ``path`` names it (``args[1]['user']['tags']``),
    ``reason`` says why."""

    code = "ENCODE"
    path: str
    reason: str


class RedisConnectionError(EmitterError, ConnectionError):
    """Redis unreachable, connection lost, or authentication failed."""

    code = "CONNECTION"


class RedisError(EmitterError):
    """Redis answered with an error (for example an ACL refusal)."""

    code = "REDIS"


class EmitterTimeoutError(EmitterError, TimeoutError):
    """No answer in time, or ``flush(timeout=)`` expired. For a publish this does not mean
    "not delivered": Redis may still have published it, so a retry may duplicate it."""

    code = "TIMEOUT"


class ClosedError(EmitterError):
    """The emitter was closed, or is offline (encode-only)."""

    code = "CLOSED"


class NoSubscribersError(EmitterError):
    """``require_receivers=True`` and no Socket.IO server received the publish."""

    code = "NO_SUBSCRIBERS"
    channel: str


class QueueFullError(EmitterError):
    """The ``emit_nowait`` queue is full and ``queue_full="error"`` (or asyncio)."""

    code = "QUEUE_FULL"
    capacity: int


class QueuedFailure(NamedTuple):
    """One queued operation that failed, as reported by ``flush()``."""

    ticket: int
    channel: str
    error: EmitterError


class FlushError(EmitterError):
    """``flush()`` or ``close()`` found queued operations that failed; ``failures`` lists
    them, ``report`` counts the ones that succeeded (``sent``, ``receivers``,
    ``reached_none``)."""

    code = "FLUSH"
    failures: list[QueuedFailure]
    report: FlushReport

    @property
    def tickets(self) -> list[int]:
        """The tickets ``emit_nowait`` returned for the failed operations."""
        return [f.ticket for f in self.failures]


class UnsupportedError(EmitterError):
    """The servers' stack (the ``compat`` option) cannot do this operation at all, so nothing
    was published: ``except_()`` by room, or ``sockets_join``/``sockets_leave``/
    ``disconnect_sockets`` aimed at anything but one socket id, on socket.io-redis 6.0 and 5
    (socket.io 3.x and 2.x); ``server_side_emit`` before @socket.io/redis-adapter 7.0. The
    message names the operation, the stack and why."""

    code = "UNSUPPORTED"


class DetectionFailedError(EmitterError):
    """``adapter="auto"`` could not choose when connecting: no Socket.IO server listens on
    the key and namespace ``/``, or servers with different adapters do. The message says
    what listens (for example the keys that do have servers)."""

    code = "DETECTION_FAILED"


class InternalError(EmitterError):
    """A bug of socketio_emitter (a panic of its native code, caught): never the caller's
    fault. The message says what happened; please report it."""

    code = "INTERNAL"


#: The class for each core error code.
BY_CODE: dict[str, type[EmitterError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        ReservedEventError,
        EncodeError,
        RedisConnectionError,
        RedisError,
        EmitterTimeoutError,
        ClosedError,
        NoSubscribersError,
        QueueFullError,
        FlushError,
        UnsupportedError,
        DetectionFailedError,
        InternalError,
    )
}
