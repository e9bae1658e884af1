"""A helper process that computes one thing: the pickled input on its stdin, the pickled answer on its stdout.

A very long article hands part of its work to one (the second half of the parse, the check-worthiness of every
sentence), so that the other core works too. It is a plain ``python -m MODULE`` subprocess rather than
multiprocessing: "spawn" re-imports the caller's main module (a script without an ``if __name__ ==
"__main__"`` guard would run again in the child) and "fork" copies a process that holds onnxruntime's and a
server's threads.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any


class WorkerProcess:
    """Started with its input at once; ``result()`` waits for the answer, None when the process could not start
    or failed (the caller then does the work itself). ``close()`` stops a process whose answer is not wanted."""

    def __init__(self, module: str, args: Sequence[str], payload: object) -> None:
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._feeder: threading.Thread | None = None
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            self._proc = None
            return
        stdin = self._proc.stdin

        def feed() -> None:  # on a thread, so that the caller works while the process reads its input
            with contextlib.suppress(OSError), stdin:  # type: ignore[union-attr]
                stdin.write(data)  # type: ignore[union-attr]

        self._feeder = threading.Thread(target=feed, name="unspin-worker-feed", daemon=True)
        self._feeder.start()

    def result(self) -> Any | None:
        if self._proc is None or self._proc.stdout is None:
            return None
        answer = self._proc.stdout.read()
        if self._feeder is not None:
            self._feeder.join()
        if self._proc.wait() != 0:
            return None
        with contextlib.suppress(pickle.UnpicklingError, EOFError, ValueError):
            return pickle.loads(answer)
        return None

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


def serve(compute: Callable[[Any], object]) -> None:
    """The worker's side, called by its module's main: read the input, write ``compute(input)``."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints may reach the pickled answer
    answer = compute(pickle.load(sys.stdin.buffer))
    pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
