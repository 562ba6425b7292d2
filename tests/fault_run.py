"""Run the command line, killing the process (SIGKILL) just after its Nth step that changes
the file system: a rename, a replace, a link, an fsync, a new temporary file or folder, a swap
of folders. Used by the fault-injection tests; the code run is the tool's own, unchanged.

    python tests/fault_run.py KILL_AT COUNT_FILE [--no-exchange] [--hold SECONDS] -- ARGS...

KILL_AT 0 kills nothing; COUNT_FILE receives the number of steps taken (when the run ends
normally). ``--no-exchange`` makes the system seem unable to swap folders. ``--hold`` sleeps
that long once the outputs are written, before they are put in place (to overlap two runs).
:func:`forked_run` does the same in a forked copy of the calling process (no start-up cost).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def patch(kill_at: int, no_exchange: bool, hold: float) -> list[int]:
    """Count (and at ``kill_at``, kill) the process's steps; the counter. Patches this
    process for good: call it in a process of its own."""
    steps = [0]

    def counted(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def step(*args: Any, **kwargs: Any) -> Any:
            value = function(*args, **kwargs)
            steps[0] += 1
            if steps[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return value

        return step

    for name in ("rename", "replace", "link", "fsync"):
        setattr(os, name, counted(getattr(os, name)))
    for name in ("mkstemp", "mkdtemp"):
        setattr(tempfile, name, counted(getattr(tempfile, name)))
    import pipeline.output
    import pipeline.outset

    if no_exchange:
        pipeline.outset._exchange = lambda first, second: False  # type: ignore[assignment]
    pipeline.outset._exchange = counted(pipeline.outset._exchange)  # type: ignore[assignment]
    if hold:
        write_run = pipeline.output.write_run

        def held(*args: Any, **kwargs: Any) -> Any:
            value = write_run(*args, **kwargs)
            time.sleep(hold)
            return value

        pipeline.output.write_run = held  # type: ignore[assignment]
    return steps


def forked_run(
    kill_at: int, arguments: Sequence[str], no_exchange: bool = False
) -> tuple[int, int]:
    """Run the command line in a fork of this process, patched; its wait status and the
    number of steps it took (0 when killed)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            steps = patch(kill_at, no_exchange, 0)
            from pipeline.cli import entry

            sys.argv = ["pipeline", *arguments]
            try:
                entry()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            os.write(write_end, str(steps[0]).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        told = stream.read()
    _, status = os.waitpid(pid, 0)
    return status, int(told or 0)


def main() -> None:
    split = sys.argv.index("--")
    options, arguments = sys.argv[1:split], sys.argv[split + 1 :]
    kill_at, count_file = int(options[0]), Path(options[1])
    hold = float(options[options.index("--hold") + 1]) if "--hold" in options else 0.0
    steps = patch(kill_at, "--no-exchange" in options, hold)
    from pipeline.cli import entry

    sys.argv = ["pipeline", *arguments]
    try:
        entry()
    finally:
        count_file.write_text(str(steps[0]), "utf-8")


if __name__ == "__main__":
    main()
