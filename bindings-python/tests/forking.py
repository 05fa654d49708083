"""Running a test's body in a child made by ``os.fork()``."""

from __future__ import annotations

import os
from collections.abc import Callable


def in_forked_child(body: Callable[[], str]) -> str:
    """Forks; the child runs ``body`` and exits, the parent waits. Returns what ``body``
    returned in the child, and fails the test when the child raised or died."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            answer = body()
            os.write(write, answer.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read().decode()
    assert os.waitstatus_to_exitcode(status) == 0, "the forked child failed"
    return answer
