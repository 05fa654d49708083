"""The ``socketio-emit`` command that the wheel installs (a console script running the
command inside the native module) and ``python -m socketio_emitter``: they deliver to real
clients, and keep the command's output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness import Harness, bytes_json

SCRIPT = Path(sys.executable).with_name("socketio-emit")


def run(*argv: str, stdin: bytes = b"", via_module: bool = False) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "socketio_emitter"] if via_module else [str(SCRIPT)]
    return subprocess.run([*command, *argv], input=stdin, capture_output=True, timeout=60,
                          check=False, env={**os.environ, "REDIS_URL": ""})


def test_the_console_script_delivers_json_and_binary_to_clients(harness: Harness, ns: str) -> None:
    harness.clients(ns, [(f"{ns}in", 0, ["room1"]), (f"{ns}out", 1, [])])
    done = run("--url", harness.redis_url, "emit", "chat", '{"text":"hi"}', "@-",
               "--of", ns, "--to", "room1", stdin=b"\x89PNG")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"2\n", b"")
    assert harness.received(f"{ns}in", f"{ns}out") == [["chat"], []]
    assert harness.events(f"{ns}in")[0][1] == [{"text": "hi"}, bytes_json(b"\x89PNG")]


def test_python_dash_m_runs_the_same_command_with_json_output(harness: Harness, ns: str) -> None:
    harness.clients(ns, [(f"{ns}a", 1, [])])
    done = run("--url", harness.redis_url, "--json", "emit", "-s", "note", "hello", "--of", ns,
               via_module=True)
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"ok": True, "servers": 2}
    assert harness.received(f"{ns}a") == [["note"]]
    assert harness.events(f"{ns}a")[0][1] == ["hello"]


def test_errors_keep_the_commands_exit_codes_and_hide_passwords(harness: Harness) -> None:
    usage = run("emit")
    assert usage.returncode == 2 and b"Usage" in usage.stderr
    refused = run("--url", "redis://user:s3cret@127.0.0.1:1", "--json", "emit", "ev", "1")
    assert refused.returncode == 5
    assert json.loads(refused.stdout)["code"] == "CONNECTION"
    assert b"s3cret" not in refused.stdout + refused.stderr
    reserved = run("--url", harness.redis_url, "emit", "connect")
    assert reserved.returncode == 3 and b"reserved" in reserved.stderr


def test_the_console_script_asks_the_cluster(harness: Harness, ns: str) -> None:
    inside = harness.client(f"{ns}in", 0, ns, ["room1"], data={"user": 7})["sid"]
    harness.clients(ns, [(f"{ns}out", 1, [])])
    found = run("--url", harness.redis_url, "--json", "fetch-sockets", "--of", ns,
                "--to", "room1")
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert [(s["id"], s["data"]) for s in answer["sockets"]] == [(inside, {"user": 7})]
    assert (answer["servers_answered"], answer["complete"]) == (2, True)
    # The fixture's server_event handlers never call back: partial, exit code 11.
    silent = run("--url", harness.redis_url, "--json", "server-side-emit-with-ack",
                 "server_event", "--of", ns, "--timeout", "0.5", via_module=True)
    assert silent.returncode == 11, silent.stderr
    assert json.loads(silent.stdout)["servers_missing"] == 2
