"""Type stubs of the native module (checked with ``python -m mypy.stubtest``)."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from types import TracebackType
from typing import Any, ClassVar, Literal, final

from typing_extensions import Self, TypeAlias

from socketio_emitter._ask import AllRooms, ClientAcks, FetchedSockets, ServerAcks
from socketio_emitter._encoded import Encoded

#: A room: ``7`` and ``"7"`` are different rooms, as in Socket.IO.
_Room: TypeAlias = str | int
_Rooms: TypeAlias = _Room | Iterable[_Room]
_Seconds: TypeAlias = float | timedelta
#: The servers' Redis adapter: ``createAdapter``, ``createShardedAdapter``, the Redis
#: Streams adapter, or ``auto`` (detected when connecting).
_Adapter: TypeAlias = Literal["classic", "sharded", "streams", "auto"]
#: The classic adapter's server stack (the adapter package the servers run).
_Compat: TypeAlias = Literal[
    "redis-adapter-8", "redis-adapter-7", "socket.io-redis-6.1", "socket.io-redis-6.0",
    "socket.io-redis-5",
]
#: The sharded servers' ``subscriptionMode``.
_SubscriptionMode: TypeAlias = Literal["static", "dynamic", "dynamic-private"]
#: ``cluster_nodes`` and ``sentinel_nodes``: ``redis://`` or ``rediss://`` URLs, in a list
#: (a lone ``str`` is refused).
_Urls: TypeAlias = list[str] | tuple[str, ...]

__all__ = [
    "AsyncEmitter",
    "CORE_VERSION",
    "ERROR_CODES",
    "Emitter",
    "FlushReport",
    "OPTION_NAMES",
    "_close_all",
    "_late_results",
    "_panic",
    "_python_exiting",
    "_run_cli",
]

ERROR_CODES: list[str]
OPTION_NAMES: list[str]
CORE_VERSION: str

@final
class FlushReport:
    """What ``flush()`` and ``close()`` report: the queued operations completed since the
    previous flush. When some failed, ``FlushError.report`` carries this for the others."""

    @property
    def sent(self) -> int:
        """Operations Redis accepted."""
    @property
    def receivers(self) -> int:
        """The sum of the Socket.IO servers that received them."""
    @property
    def reached_none(self) -> int:
        """Of ``sent``, those that reached no Socket.IO server at all."""
    def __new__(cls, sent: int = 0, receivers: int = 0, reached_none: int = 0) -> Self: ...
    def __reduce__(self) -> tuple[type[FlushReport], tuple[int, int, int]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Emitter:
    """Publishes Socket.IO events into Redis; blocking calls, safe to share between threads
    and usable after ``fork()``.

    Redis is one server (``url``), a Redis Cluster (``cluster_nodes``, with ``url`` left at
    its default) or a master found through Sentinel (``sentinel_master`` and
    ``sentinel_nodes``; the master's credentials, database and TLS come from ``url``)."""

    def __new__(
        cls,
        url: str = ...,  # "redis://127.0.0.1:6379"
        *,
        key: str = "socket.io",
        nsp: str = "/",
        adapter: _Adapter = "classic",
        subscription_mode: _SubscriptionMode = "dynamic",
        stream_name: str = "socket.io",
        stream_count: int = 1,
        max_len: int = 10000,
        streams_version: str = "0.3",  # "0.3" or "0.2"; or a full version, e.g. "0.3.1"
        compat: _Compat = "redis-adapter-8",
        cluster_nodes: _Urls | None = None,
        sentinel_master: str | None = None,
        sentinel_nodes: _Urls | None = None,
        tls_ca_pem: str | bytes | None = None,
        connect_timeout: _Seconds = 5.0,
        response_timeout: _Seconds = 5.0,
        reconnect_min_delay: _Seconds = 0.1,
        reconnect_max_delay: _Seconds = 2.0,
        reconnect_attempts: int = 6,
        queue_capacity: int = 10000,
        queue_max_bytes: int = 67108864,
        queue_full: Literal["block", "error"] = "block",
        require_receivers: bool = False,
        max_payload_bytes: int = 16777216,
        default: Callable[[Any], Any] | None = None,
    ) -> Self: ...
    @staticmethod
    def offline(
        key: str = ...,
        *,
        nsp: str = ...,
        default: Callable[[Any], Any] | None = None,
        max_payload_bytes: int = ...,
        adapter: _Adapter = "classic",
        subscription_mode: _SubscriptionMode = "dynamic",
        stream_name: str = "socket.io",
        stream_count: int = 1,
        max_len: int = 10000,
        streams_version: str = "0.3",
        compat: _Compat = "redis-adapter-8",
    ) -> Emitter: ...
    @property
    def key(self) -> str: ...
    @property
    def nsp(self) -> str: ...
    @property
    def rooms(self) -> list[_Room]: ...
    @property
    def except_rooms(self) -> list[_Room]: ...
    @property
    def closed(self) -> bool: ...
    def to(self, *rooms: _Rooms) -> Emitter: ...
    def in_(self, *rooms: _Rooms) -> Emitter: ...
    def except_(self, *rooms: _Rooms) -> Emitter: ...
    def of(self, nsp: str) -> Emitter: ...
    @property
    def volatile(self) -> Emitter: ...
    def compress(self, compress: bool = True) -> Emitter: ...
    def emit(self, event: str, *args: Any) -> int: ...
    def server_side_emit(self, event: str, *args: Any) -> int: ...
    def sockets_join(self, *rooms: _Rooms) -> int: ...
    def sockets_leave(self, *rooms: _Rooms) -> int: ...
    def disconnect_sockets(self, close: bool = False) -> int: ...
    def emit_nowait(self, event: str, *args: Any) -> int: ...
    def server_count(self) -> int: ...
    def fetch_sockets(self, timeout: _Seconds | None = 5.0) -> FetchedSockets: ...
    def all_rooms(self, timeout: _Seconds | None = 5.0) -> AllRooms: ...
    def server_side_emit_with_ack(
        self, event: str, *args: Any, timeout: _Seconds | None = 5.0
    ) -> ServerAcks: ...
    def emit_with_ack(
        self, event: str, *args: Any, timeout: _Seconds | None = 5.0
    ) -> ClientAcks: ...
    def flush(self, timeout: _Seconds | None = None) -> FlushReport: ...
    def close(self, timeout: _Seconds | None = None) -> FlushReport: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> bool: ...
    def encode_emit(self, event: str, *args: Any) -> Encoded: ...
    def encode_server_side_emit(self, event: str, *args: Any) -> Encoded: ...
    def encode_sockets_join(self, *rooms: _Rooms) -> Encoded: ...
    def encode_sockets_leave(self, *rooms: _Rooms) -> Encoded: ...
    def encode_disconnect_sockets(self, close: bool = False) -> Encoded: ...

@final
class AsyncEmitter:
    """The same operations as awaitables, for asyncio. Connects on first use, in
    ``async with``, or with ``await connect()``. Takes the same options as ``Emitter``,
    ``cluster_nodes``, ``sentinel_master`` and ``sentinel_nodes`` included."""

    def __new__(
        cls,
        url: str = ...,  # "redis://127.0.0.1:6379"
        *,
        key: str = "socket.io",
        nsp: str = "/",
        adapter: _Adapter = "classic",
        subscription_mode: _SubscriptionMode = "dynamic",
        stream_name: str = "socket.io",
        stream_count: int = 1,
        max_len: int = 10000,
        streams_version: str = "0.3",  # "0.3" or "0.2"; or a full version, e.g. "0.3.1"
        compat: _Compat = "redis-adapter-8",
        cluster_nodes: _Urls | None = None,
        sentinel_master: str | None = None,
        sentinel_nodes: _Urls | None = None,
        tls_ca_pem: str | bytes | None = None,
        connect_timeout: _Seconds = 5.0,
        response_timeout: _Seconds = 5.0,
        reconnect_min_delay: _Seconds = 0.1,
        reconnect_max_delay: _Seconds = 2.0,
        reconnect_attempts: int = 6,
        queue_capacity: int = 10000,
        queue_max_bytes: int = 67108864,
        queue_full: Literal["block", "error"] = "block",
        require_receivers: bool = False,
        max_payload_bytes: int = 16777216,
        default: Callable[[Any], Any] | None = None,
    ) -> Self: ...
    @staticmethod
    def offline(
        key: str = ...,
        *,
        nsp: str = ...,
        default: Callable[[Any], Any] | None = None,
        max_payload_bytes: int = ...,
        adapter: _Adapter = "classic",
        subscription_mode: _SubscriptionMode = "dynamic",
        stream_name: str = "socket.io",
        stream_count: int = 1,
        max_len: int = 10000,
        streams_version: str = "0.3",
        compat: _Compat = "redis-adapter-8",
    ) -> AsyncEmitter: ...
    @property
    def key(self) -> str: ...
    @property
    def nsp(self) -> str: ...
    @property
    def rooms(self) -> list[_Room]: ...
    @property
    def except_rooms(self) -> list[_Room]: ...
    @property
    def closed(self) -> bool: ...
    def to(self, *rooms: _Rooms) -> AsyncEmitter: ...
    def in_(self, *rooms: _Rooms) -> AsyncEmitter: ...
    def except_(self, *rooms: _Rooms) -> AsyncEmitter: ...
    def of(self, nsp: str) -> AsyncEmitter: ...
    @property
    def volatile(self) -> AsyncEmitter: ...
    def compress(self, compress: bool = True) -> AsyncEmitter: ...
    async def connect(self) -> None: ...
    async def emit(self, event: str, *args: Any) -> int: ...
    async def server_side_emit(self, event: str, *args: Any) -> int: ...
    async def sockets_join(self, *rooms: _Rooms) -> int: ...
    async def sockets_leave(self, *rooms: _Rooms) -> int: ...
    async def disconnect_sockets(self, close: bool = False) -> int: ...
    def emit_nowait(self, event: str, *args: Any) -> int: ...
    async def server_count(self) -> int: ...
    async def fetch_sockets(self, timeout: _Seconds | None = 5.0) -> FetchedSockets: ...
    async def all_rooms(self, timeout: _Seconds | None = 5.0) -> AllRooms: ...
    async def server_side_emit_with_ack(
        self, event: str, *args: Any, timeout: _Seconds | None = 5.0
    ) -> ServerAcks: ...
    async def emit_with_ack(
        self, event: str, *args: Any, timeout: _Seconds | None = 5.0
    ) -> ClientAcks: ...
    async def flush(self, timeout: _Seconds | None = None) -> FlushReport: ...
    async def close(self, timeout: _Seconds | None = None) -> FlushReport: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...
    def encode_emit(self, event: str, *args: Any) -> Encoded: ...
    def encode_server_side_emit(self, event: str, *args: Any) -> Encoded: ...
    def encode_sockets_join(self, *rooms: _Rooms) -> Encoded: ...
    def encode_sockets_leave(self, *rooms: _Rooms) -> Encoded: ...
    def encode_disconnect_sockets(self, close: bool = False) -> Encoded: ...

def _late_results() -> int: ...
def _close_all(timeout: float) -> None: ...
def _python_exiting() -> None: ...
def _panic(message: str) -> None: ...
def _run_cli(argv: list[str]) -> int: ...
