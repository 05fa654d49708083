"""The ``socketio-emit`` command for pip users (also ``python -m socketio_emitter``).

The command runs inside the native module, exactly as the standalone binary does: same
options, output and exit codes (see ``socketio-emit --help``)."""

from __future__ import annotations

import signal
import sys

from ._native import _run_cli


def main() -> None:
    # While the command runs, Python's own Ctrl-C handler never gets a turn: let SIGINT end
    # the process as it ends the binary.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    sys.exit(_run_cli(["socketio-emit", *sys.argv[1:]]))
