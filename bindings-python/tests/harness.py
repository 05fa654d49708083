"""Python client of the interop harness (`tests/harness/harness.js`; protocol in
`tests/harness/README.md`): starts it, sends commands, collects what the real Socket.IO
clients and servers observed.

The harness keeps Redis' and the servers' output to itself; conftest.py adds it to the report
of a failed test (``logs()``), so green runs stay quiet. ``HARNESS_VERBOSE=1`` shows it live."""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "harness" / "harness.js"
REPLY_TIMEOUT = 60.0

Json = Any


def bytes_json(data: bytes) -> dict[str, str]:
    """How the harness reports binary: ``{"$bytes": "<hex>"}``."""
    return {"$bytes": data.hex()}


def arrived_as_sent(got: list[str], sent: list[str], volatile: set[str]) -> bool:
    """Whether a client's events ``got`` are ``sent``, in order, except that the ``volatile``
    ones may be missing: a server drops a volatile packet while the client's transport is
    busy, so whether one arrives is not deterministic. None may arrive twice or out of order."""
    i = 0
    for event in sent:
        if i < len(got) and got[i] == event:
            i += 1
        elif event not in volatile:
            return False
    return i == len(got)


class Harness:
    def __init__(self, *args: str) -> None:
        self.args = args
        self._proc = subprocess.Popen(
            ["node", str(HARNESS), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._cond = threading.Condition()
        self._replies: dict[int, Json] = {}
        self._observed: list[Json] = []
        self._ready: Json = None
        self._exited = False
        self._ids = itertools.count(1)
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, name="harness-reader", daemon=True).start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready is not None or self._exited, 60):
                raise RuntimeError("the harness did not start within 60 s")
        if self._ready is None or self._ready.get("type") != "ready":
            raise RuntimeError(f"the harness failed to start: {self._ready}")
        self.ready: Json = self._ready
        self.redis_url: str = self._ready["redis_url"]

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                kind = msg.get("type")
                if kind in ("ready", "fatal") and self._ready is None:
                    self._ready = msg
                elif kind == "reply" and isinstance(msg.get("id"), int):
                    self._replies[msg["id"]] = msg
                else:
                    self._observed.append(msg)
                self._cond.notify_all()
        with self._cond:
            self._exited = True
            self._cond.notify_all()

    def send(self, command: dict[str, Any]) -> Json:
        """Sends one command and returns its reply, whatever ``ok`` says."""
        cid = next(self._ids)
        line = json.dumps({**command, "id": cid}) + "\n"
        with self._write_lock:
            assert self._proc.stdin is not None
            self._proc.stdin.write(line)
            self._proc.stdin.flush()
        with self._cond:
            if not self._cond.wait_for(lambda: cid in self._replies or self._exited, REPLY_TIMEOUT):
                raise TimeoutError(f"no reply to {command}")
            if cid not in self._replies:
                raise RuntimeError(f"the harness exited while running {command}")
            return self._replies.pop(cid)

    def request(self, command: dict[str, Any]) -> Json:
        """Sends one command; fails unless it answers ``ok``."""
        reply = self.send(command)
        if not reply.get("ok"):
            raise RuntimeError(f"harness command {command} failed: {reply.get('error')}")
        return reply

    def client(self, name: str, server: int = 0, nsp: str = "/", rooms: list[Any] | None = None,
               share: str | None = None, recovery: bool = False, data: Any = None,
               ack: Any = None) -> Json:
        """``data`` becomes the socket's ``socket.data`` on its server; a client with ``ack``
        acknowledges every event with that value."""
        cmd: dict[str, Any] = {"cmd": "client", "name": name, "nsp": nsp, "rooms": rooms or []}
        if data is not None:
            cmd["data"] = data
        if ack is not None:
            cmd["ack"] = ack
        if share is None:
            cmd["server"] = server
        else:
            cmd["share"] = share
        if recovery:
            cmd["recovery"] = True
        return self.request(cmd)

    def client_drop(self, name: str) -> Json:
        """Cuts a ``recovery`` client off as a network loss would (``--adapter streams``); the
        reply comes once its server has stored the session."""
        return self.request({"cmd": "client_drop", "name": name})

    def client_reconnect(self, name: str, server: int) -> Json:
        """Reconnects a dropped ``recovery`` client on ``server``; the events it missed are
        reported before the reply (``recovered`` says whether the session was restored)."""
        return self.request({"cmd": "client_reconnect", "name": name, "server": server})

    def clients(self, nsp: str, specs: list[tuple[str, int, list[Any]]]) -> None:
        """Connects clients ``(name, server, rooms)`` in ``nsp``; waits for both servers."""
        for name, server, rooms in specs:
            self.client(name, server, nsp, rooms)
        self.request({"cmd": "wait_subscribed", "nsp": nsp})

    def flush(self) -> None:
        """Barrier: everything Redis acknowledged before now has been reported."""
        self.request({"cmd": "flush"})

    def logs(self, clear: bool = False) -> str:
        """The harness's buffered diagnostics: its own messages, Redis' log, every server's
        stderr (warnings, crash stacks), oldest first. ``clear`` empties the buffer."""
        reply = self.request({"cmd": "logs", "clear": clear})
        return str(reply.get("logs", ""))

    def redis(self) -> RedisConnection:
        """A bare connection to the harness's Redis, for set-up commands."""
        return RedisConnection(self.redis_url)

    @contextlib.contextmanager
    def redis_paused(self) -> Iterator[RedisConnection]:
        """Redis holds every write command, PUBLISH included, until the block ends
        (``CLIENT PAUSE … WRITE``; 30 s at most). Connections and reads still work, and so does
        the yielded connection: a test can watch what waits (``CLIENT LIST``, ``flags=b``)."""
        conn = self.redis()
        try:
            conn.command("CLIENT", "PAUSE", "30000", "WRITE")
            try:
                yield conn
            finally:
                conn.command("CLIENT", "UNPAUSE")
        finally:
            conn.close()

    def observed(self) -> list[Json]:
        with self._cond:
            return list(self._observed)

    def events(self, client: str) -> list[tuple[str, list[Json]]]:
        return [
            (m["event"], m["args"])
            for m in self.observed()
            if m.get("type") == "event" and m.get("client") == client
        ]

    def event_names(self, client: str) -> list[str]:
        return [name for name, _ in self.events(client)]

    def received(self, *clients: str) -> list[list[str]]:
        """Event names per client, after a barrier."""
        self.flush()
        return [self.event_names(c) for c in clients]

    def wait_until(self, pred: Callable[[list[Json]], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not pred(self._observed):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def disconnect_reason(self, client: str, timeout: float = 10.0) -> str | None:
        def hit(obs: list[Json]) -> bool:
            return any(m.get("type") == "disconnect" and m.get("client") == client for m in obs)

        self.wait_until(hit, timeout)
        for m in self.observed():
            if m.get("type") == "disconnect" and m.get("client") == client:
                return str(m.get("reason"))
        return None

    def close(self) -> None:
        try:
            self.send({"cmd": "shutdown"})
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass


class RedisConnection:
    """A minimal RESP2 client (no credentials, no TLS: the suite's harness has neither)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 10)
        self._file = self._sock.makefile("rb")

    def command(self, *args: str) -> Any:
        """Sends one command and returns its reply; an error reply raises RuntimeError."""
        out = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self._sock.sendall(b"".join(out))
        return self._reply()

    def _reply(self) -> Any:
        line = self._file.readline()
        if not line:
            raise RuntimeError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(f"Redis: {rest}")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else self._file.read(size + 2)[:-2].decode()
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._reply() for _ in range(size)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def blocked_commands(self) -> list[str]:
        """The command of every client Redis holds (``flags`` with ``b``), e.g. ``publish``."""
        held = []
        for entry in str(self.command("CLIENT", "LIST")).splitlines():
            fields = dict(f.split("=", 1) for f in entry.split(" ") if "=" in f)
            if "b" in fields.get("flags", ""):
                held.append(fields.get("cmd", ""))
        return held

    def close(self) -> None:
        self._file.close()
        self._sock.close()
