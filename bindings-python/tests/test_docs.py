"""The README's code blocks are the files in examples/, and each one runs against real
Socket.IO servers here (Flask, FastAPI, Django and Celery are pinned in
requirements-examples.txt). The server-side snippets marked ``server example`` are files of
tests/fixtures/, run here too as real Socket.IO servers."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from harness import Harness
from socketio_emitter import Emitter

HERE = Path(__file__).resolve().parents[1]
EXAMPLES = HERE / "examples"
MARKER = re.compile(r"<!-- example: (examples/[\w.]+) -->\n```python\n(.*?)\n```", re.S)
SERVER_MARKER = re.compile(
    r"<!-- server example: (tests/fixtures/[\w.]+) -->\n```js\n(.*?)\n```", re.S)
REPO = HERE.parent


def readme_examples() -> dict[str, str]:
    return dict(MARKER.findall((HERE / "README.md").read_text("utf-8")))


def test_readme_blocks_are_the_example_files() -> None:
    blocks = readme_examples()
    files = {f"examples/{p.name}" for p in EXAMPLES.glob("*.py")}
    assert set(blocks) == files
    for name, code in blocks.items():
        assert code == (HERE / name).read_text("utf-8").rstrip("\n"), f"{name} drifted"


def test_readme_server_blocks_are_the_fixture_files() -> None:
    blocks = dict(SERVER_MARKER.findall((HERE / "README.md").read_text("utf-8")))
    assert set(blocks) == {"tests/fixtures/cluster_server.mjs"}
    for name, code in blocks.items():
        assert code == (REPO / name).read_text("utf-8").rstrip("\n"), f"{name} drifted"


@pytest.fixture
def env(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("REDIS_URL", harness.redis_url)
    return {**os.environ, "REDIS_URL": harness.redis_url}


def events(harness: Harness, client: str, event: str) -> list[list[Any]]:
    harness.flush()
    return [args for name, args in harness.events(client) if name == event]


def run_script(name: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart(harness: Harness, env: dict[str, str]) -> None:
    harness.client("qs-room1", 0, "/", ["room1"])
    harness.client("qs-admin", 1, "/admin", ["x"])
    harness.request({"cmd": "wait_subscribed", "nsp": "/admin"})
    out = run_script("quickstart.py", env)
    assert "2 Socket.IO server(s) were subscribed to its channel" in out
    assert events(harness, "qs-room1", "chat") == [[{"text": "hi"}, {"$bytes": "0001"}]]
    assert events(harness, "qs-room1", "news") == [[{"title": "hello"}]]
    assert events(harness, "qs-admin", "alert") == [["disk almost full"]]


def test_failures_example(harness: Harness, env: dict[str, str]) -> None:
    harness.client("failures-c", 0, "/", [])
    out = run_script("failures.py", env)
    assert out.splitlines() == [
        "2 Socket.IO server(s) subscribed",
        "100 sent, 0 reached no server",
    ]
    assert events(harness, "failures-c", "news") == [[{"title": "hello"}]]
    assert [a[0] for a in events(harness, "failures-c", "tick")] == list(range(100))


def test_asyncio_example(harness: Harness, env: dict[str, str]) -> None:
    harness.client("aio-room1", 1, "/", ["room1"])
    out = run_script("asyncio_app.py", env)
    assert out.strip() == "200 deliveries to servers"
    assert sorted(a[0] for a in events(harness, "aio-room1", "count")) == list(range(100))


def test_fastapi_example(harness: Harness, env: dict[str, str]) -> None:
    from fastapi.testclient import TestClient

    harness.client("fastapi-c", 0, "/", ["fastapi-room"])
    app = runpy.run_path(str(EXAMPLES / "fastapi_app.py"))["app"]
    with TestClient(app) as client:
        for text in ("one", "two"):
            reply = client.post("/rooms/fastapi-room/messages", json={"text": text})
            assert reply.status_code == 200 and reply.json() == {"servers": 2}
        # A body without "text" is refused by FastAPI before anything is published.
        assert client.post("/rooms/fastapi-room/messages", json={}).status_code == 422
    assert events(harness, "fastapi-c", "message") == [[{"text": "one"}], [{"text": "two"}]]


def test_flask_example(harness: Harness, env: dict[str, str]) -> None:
    harness.client("flask-c", 1, "/", ["flask-room"])
    module = runpy.run_path(str(EXAMPLES / "flask_app.py"))
    client = module["app"].test_client()
    reply = client.post("/rooms/flask-room/messages", json={"text": "hi", "n": [1, 2]})
    assert reply.status_code == 200 and reply.get_json() == {"servers": 2}
    assert events(harness, "flask-c", "message") == [[{"text": "hi", "n": [1, 2]}]]
    module["io"].close()


def test_django_example(harness: Harness, env: dict[str, str]) -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            ALLOWED_HOSTS=["*"],
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        )
        django.setup()
    from django.db import transaction
    from django.test import RequestFactory

    harness.client("django-c", 0, "/", ["django-room"])
    module = runpy.run_path(str(EXAMPLES / "django_app.py"))
    view = module["post_message"]
    with transaction.atomic():
        reply = view(RequestFactory().post("/", {"text": "saved"}), room="django-room")
        assert reply.status_code == 200
        assert events(harness, "django-c", "message") == []  # not before the commit
    assert events(harness, "django-c", "message") == [[{"text": "saved"}]]
    module["io"].close()


def test_celery_example(harness: Harness, env: dict[str, str]) -> None:
    harness.client("celery-c", 1, "/", ["job:j1"])
    module = runpy.run_path(str(EXAMPLES / "celery_app.py"))
    result = module["report_progress"].apply(args=("j1", 50))
    assert result.get(timeout=10) == 2
    assert events(harness, "celery-c", "progress") == [[{"job": "j1", "percent": 50}]]
    module["io"].close()


def test_sharded_example(sharded: Callable[[str], Harness]) -> None:
    # The servers the README's server-side snippet describes: createShardedAdapter, "dynamic".
    servers = sharded("dynamic")
    servers.client("sharded-room1", 0, "/", ["room1"])
    servers.client("sharded-other", 1, "/", [])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    out = run_script("sharded.py", {**os.environ, "REDIS_URL": servers.redis_url})
    # room1 has members on server 0 only, and only that server subscribes to its channel.
    assert out.strip() == "news reached 2 server(s), chat 1"
    assert events(servers, "sharded-room1", "news") == [[{"title": "hello"}]]
    assert events(servers, "sharded-other", "news") == [[{"title": "hello"}]]
    assert events(servers, "sharded-room1", "chat") == [[{"text": "hi"}, {"$bytes": "0001"}]]
    assert events(servers, "sharded-other", "chat") == []
    handled = [m["server"] for m in servers.observed()
               if m.get("type") == "server_event" and m["args"] == ["cache-invalidate"]]
    assert sorted(handled) == [0, 1]


def server_events(servers: Harness, args: list[Any]) -> list[int]:
    """The servers whose ``server_event`` handler got ``args`` (after a flush)."""
    return sorted(m["server"] for m in servers.observed()
                  if m.get("type") == "server_event" and m["args"] == args)


def test_streams_example(stack: Callable[..., Harness]) -> None:
    # Servers on @socket.io/redis-streams-adapter 0.3.1, as the example's options say.
    servers = stack("--adapter", "streams")
    servers.client("streams-room1", 0, "/", ["room1"])
    servers.client("streams-other", 1, "/", [])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    out = run_script("streams.py", {**os.environ, "REDIS_URL": servers.redis_url})
    assert out.splitlines() == [
        "news is read by 2 server(s)",
        "XADD socket.io (b'MAXLEN', b'~', b'10000')",
    ]
    assert events(servers, "streams-room1", "news") == [[{"title": "hello"}]]
    assert events(servers, "streams-other", "news") == [[{"title": "hello"}]]
    assert events(servers, "streams-room1", "chat") == [[{"text": "hi"}, {"$bytes": "0001"}]]
    assert events(servers, "streams-other", "chat") == []
    assert server_events(servers, ["cache-invalidate"]) == [0, 1]


def test_streams_v02_example(stack: Callable[..., Harness]) -> None:
    servers = stack("--adapter", "streams", "--streams-version", "0.2")
    servers.client("streams02-a", 0, "/", [])
    servers.client("streams02-b", 1, "/", [])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    out = run_script("streams_v02.py", {**os.environ, "REDIS_URL": servers.redis_url})
    assert out.strip() == "news stored: 1"
    assert events(servers, "streams02-a", "news") == [[{"title": "hello"}]]
    assert events(servers, "streams02-b", "news") == [[{"title": "hello"}]]
    assert server_events(servers, ["cache-invalidate"]) == [0, 1]


def test_legacy_example(stack: Callable[..., Harness]) -> None:
    # socket.io 2.5 servers on socket.io-redis 5.4, with socket.io-client 2.5 clients.
    servers = stack("--stack", "socket.io-redis-5")
    servers.client("legacy-room1", 0, "/", ["room1"])
    servers.client("legacy-muted", 1, "/", ["room1", "muted"])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    out = run_script("legacy.py", {**os.environ, "REDIS_URL": servers.redis_url})
    assert out.splitlines() == ["chat reached 2 server(s)", "UNSUPPORTED"]
    for client in ("legacy-room1", "legacy-muted"):
        assert events(servers, client, "chat") == [[{"text": "hi"}, {"$bytes": "0001"}]]
        assert events(servers, client, "news") == []  # refused: nothing was published


def test_cluster_example(topology: Callable[[str, str], Harness]) -> None:
    # The servers the README's server-side snippet describes: createCluster + createShardedAdapter.
    servers = topology("cluster", "sharded")
    servers.client("cluster-room1", 0, "/", ["room1"])
    servers.client("cluster-other", 1, "/", [])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    nodes = ",".join(servers.ready["redis_nodes"])
    out = run_script("cluster.py", {**os.environ, "REDIS_CLUSTER_NODES": nodes})
    assert out.strip() == "news reached 2 server(s), chat 1"
    assert events(servers, "cluster-room1", "news") == [[{"title": "hello"}]]
    assert events(servers, "cluster-other", "news") == [[{"title": "hello"}]]
    assert events(servers, "cluster-room1", "chat") == [[{"text": "hi"}, {"$bytes": "0001"}]]
    assert events(servers, "cluster-other", "chat") == []
    handled = [m["server"] for m in servers.observed()
               if m.get("type") == "server_event" and m["args"] == ["cache-invalidate"]]
    assert sorted(handled) == [0, 1]


def test_sentinel_example(topology: Callable[[str, str], Harness]) -> None:
    servers = topology("sentinel", "classic")
    servers.client("sentinel-room1", 0, "/", ["room1"])
    servers.client("sentinel-other", 1, "/", [])
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    env = {**os.environ, "REDIS_URL": servers.redis_url,
           "SENTINEL_MASTER": servers.ready["sentinel_master"],
           "SENTINEL_NODES": ",".join(servers.ready["sentinel_urls"])}
    assert run_script("sentinel.py", env).strip() == "news reached 2 server(s)"
    assert events(servers, "sentinel-room1", "news") == [[{"title": "hello"}]]
    assert events(servers, "sentinel-other", "news") == [[{"title": "hello"}]]
    assert events(servers, "sentinel-room1", "chat") == [[{"text": "hi"}]]
    assert events(servers, "sentinel-other", "chat") == []


def test_cluster_server_snippet(topology: Callable[[str, str], Harness]) -> None:
    """The README's server-side snippet, run as it is: once it is up, a third server hears
    the cluster's main channel (SPUBLISH counts it), beside the harness's two."""
    servers = topology("cluster", "sharded")
    env = {**os.environ, "REDIS_CLUSTER_NODES": ",".join(servers.ready["redis_nodes"]),
           "PORT": "0"}
    proc = subprocess.Popen(["node", str(REPO / "tests/fixtures/cluster_server.mjs")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        with Emitter(cluster_nodes=servers.ready["redis_nodes"], adapter="sharded") as io:
            deadline = time.monotonic() + 30
            while (count := io.emit("snippet-probe")) < 3:
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, f"still {count} server(s) after 30 s"
                time.sleep(0.1)
            assert count == 3
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Error" not in err, err


def test_ask_example(stack: Callable[..., Harness]) -> None:
    servers = stack("--server-acks", "ask_me")
    servers.client("ask-user42", 1, "/", ["user:42"], data={"name": "Ada"}, ack="ok")
    servers.request({"cmd": "wait_subscribed", "nsp": "/"})
    out = run_script("ask.py", {**os.environ, "REDIS_URL": servers.redis_url})
    lines = out.splitlines()
    assert lines[0] == "2 servers", out
    assert any(line.startswith("online:") and "{'name': 'Ada'}" in line for line in lines), out
    assert "1 of 1 clients answered: ['ok']" in lines, out
    assert lines[-1] == "True", out
