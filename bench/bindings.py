"""The bench cases of our language bindings, each marked "not available" (with the reason)
when its binding is not built or installed. `bench/setup.sh` builds and installs what it can.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_PY = BENCH / ".venv" / "bin" / "python"
RUNNERS = BENCH / "runners"
OUT = BENCH / "out"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def python_unavailable() -> str | None:
    if not (ROOT / "bindings-python" / "pyproject.toml").exists():
        return "bindings-python/ is not there yet"
    if not VENV_PY.exists():
        return "bench/.venv is missing (run bench/setup.sh)"
    probe = subprocess.run([str(VENV_PY), "-c", "import socketio_emitter; socketio_emitter.Emitter"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return "socketio_emitter is not installed in bench/.venv: " + probe.stderr.strip()[-200:]
    return None


def node_unavailable() -> str | None:
    if not (ROOT / "bindings-node" / "package.json").exists():
        return "bindings-node/ has no package.json yet"
    if not (OUT / "node-pkg" / "socketio-emitter.node").exists():
        return "bindings-node is not built (bench/out/node-pkg missing)"
    return None


def built(path: Path, what: str) -> str | None:
    return None if path.exists() else f"{what} not built ({path.relative_to(ROOT)} missing)"


def binding_cases(Case, url: str, secs: str, warm: str) -> list:
    cases = []
    py = python_unavailable()
    for mode, label in (
        ("sync", "Python Emitter.emit, one at a time"),
        ("queue", "Python emit_nowait + flush"),
        ("gather", "Python AsyncEmitter, asyncio.gather of 256"),
        ("await", "Python AsyncEmitter, await each emit"),
    ):
        cases.append(Case(
            "ours", label, f"python-{mode}",
            lambda p, mode=mode: [str(VENV_PY), str(RUNNERS / "python" / "ours.py"), "--url", url,
                                  "--payload", p, "--mode", mode, "--seconds", secs, "--warmup", warm],
            unavailable=py))

    node = node_unavailable()
    for mode, label in (
        ("await", "Node, await each emit"),
        ("all", "Node, Promise.all of 1024"),
    ):
        cases.append(Case(
            "ours", label, f"node-{mode}",
            lambda p, mode=mode: ["node", str(RUNNERS / "node" / "ours.js"), "--url", url,
                                  "--payload", p, "--mode", mode, "--seconds", secs, "--warmup", warm],
            unavailable=node))

    c_bin = OUT / "c_runner"
    c_why = built(c_bin, "the C runner")
    for mode, label in (("sync", "C sioe_emitter_emit, one at a time"),
                        ("queue", "C sioe_emitter_enqueue + flush")):
        cases.append(Case(
            "ours", label, f"c-{mode}",
            lambda p, mode=mode: [str(c_bin), url, str(OUT / f"args_{p}.json"), mode, secs, warm],
            unavailable=c_why))

    lib_dir = TARGET / "release"
    php_runner = RUNNERS / "php" / "bench.php"
    php_why = built(OUT / "php.ok", "the PHP wrapper (FFI)")
    for mode, label in (("sync", "PHP emit, one at a time"), ("queue", "PHP enqueue + flush")):
        cases.append(Case(
            "ours", label, f"php-{mode}",
            lambda p, mode=mode: ["php", str(php_runner), url, p, mode, secs, warm],
            unavailable=php_why,
            env={"SOCKETIO_EMITTER_LIB": str(lib_dir / "libsocketio_emitter.so")}))

    go_bin = OUT / "go_runner"
    go_why = built(go_bin, "the Go runner")
    for mode, label in (("sync", "Go Emit, one at a time"), ("queue", "Go Enqueue + Flush")):
        cases.append(Case(
            "ours", label, f"go-{mode}",
            lambda p, mode=mode: [str(go_bin), url, p, mode, secs, warm],
            unavailable=go_why))

    java_cp = OUT / "java" / "classpath.txt"
    java_why = built(java_cp, "the Java runner")
    for mode, label in (("sync", "Java emit, one at a time"), ("queue", "Java enqueue + flush")):
        cases.append(Case(
            "ours", label, f"java-{mode}",
            lambda p, mode=mode: ["java", "-cp", java_cp.read_text().strip(),
                                  f"-Djna.library.path={lib_dir}",
                                  f"-Dbench.payloads={BENCH / 'payloads.json'}",
                                  "BenchRunner", url, p, mode, secs, warm],
            unavailable=java_why))
    return cases


def latency_senders(url: str, count: str, interval: str) -> list:
    senders = [
        ("ours: Python AsyncEmitter, awaited", "python",
         [str(VENV_PY), str(RUNNERS / "python" / "ours.py"), "--url", url, "--mode", "latency",
          "--count", count, "--interval-us", interval],
         python_unavailable()),
        ("ours: Node, awaited", "node",
         ["node", str(RUNNERS / "node" / "ours.js"), "--url", url, "--mode", "latency",
          "--count", count, "--interval-us", interval],
         node_unavailable()),
    ]
    return senders
