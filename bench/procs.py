"""Stopping what a bench section started."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path


def stop_all(processes: Iterable[subprocess.Popen | None], folder: str | Path | None = None) -> None:
    """Terminates each process still running (killing it after 5 s), then removes ``folder``."""
    for p in processes:
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
