"""The lock on an output folder: one run writes it at a time, and a check reads it whole.

A run holds an exclusive ``flock`` on ``OUT_DIR/.pipeline.lock`` from before it reads anything
until its outputs and index are written; ``check`` holds a shared one. A second run waits for
the first, or with ``wait=False`` stops at once (:class:`FolderBusy`). The lock file stays (a
lock file removed while another process waits on it would let two runs in). Once it holds the
lock, a run removes what a killed run left behind (:func:`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.layout import LEFTOVER_PATTERNS, LOCK_FILE, is_leftover


class FolderBusy(RuntimeError):
    """Another run holds the output folder's lock."""


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    exclusive: bool = True,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of ``folder`` for the block; ``on_wait`` is called once when another
    process holds it and this one waits. The exclusive lock makes the folder and its lock
    file when missing; the shared one (a reader's) makes nothing, and with no lock file there
    is nothing to wait for."""
    if exclusive:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
    else:
        try:
            handle = os.open(folder / LOCK_FILE, os.O_RDONLY)
        except FileNotFoundError:
            yield
            return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise FolderBusy(f"{folder} is in use by another run") from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, mode)
        yield
    finally:
        os.close(handle)  # closing the file lets go of the lock


def remove_leftovers(folder: Path) -> list[str]:
    """Remove what a killed run left in ``folder`` (call it holding the lock); the names
    removed."""
    removed = []
    for pattern in LEFTOVER_PATTERNS:
        for path in sorted(folder.glob(pattern)):
            if not is_leftover(path):
                continue  # named like the tool's, but the user's
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
