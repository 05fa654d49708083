"""The blocks of the project's README.md marked
``<!-- run by: bindings-python/tests/test_readme.py -->``, run as they are written against real
Socket.IO servers, with ``REDIS_URL`` set to the harness's Redis (CONTRIBUTING.md, "Code blocks
are tested")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from harness import Harness

REPO = Path(__file__).resolve().parents[2]
ME = "bindings-python/tests/test_readme.py"


def run_by(doc: str) -> list[str]:
    """The bodies of the blocks of ``doc`` whose marker line names this file."""
    text = (REPO / doc).read_text("utf-8")
    marker = re.escape(f"<!-- run by: {ME} -->")
    return re.findall(marker + r"\n```\w*\n(.*?)\n```", text, re.S)


def test_the_projects_python_quick_start(harness: Harness) -> None:
    [quick_start] = run_by("README.md")
    harness.clients("/", [("root-qs-room1", 0, ["room1"]), ("root-qs-other", 1, [])])
    env = {**os.environ, "REDIS_URL": harness.redis_url}
    done = subprocess.run([sys.executable, "-c", quick_start], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout == "2 server(s) received it\n"
    harness.flush()
    assert harness.events("root-qs-room1") == [("chat", [{"text": "hi"}])]
    assert harness.events("root-qs-other") == []
