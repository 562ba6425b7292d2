"""Python's cyclic garbage collector during a run.

A run makes millions of small objects and keeps many of them to its end (the light records
the corpus stages read): the collector's automatic passes, full ones above all, would go over
those again and again, finding next to nothing (on the benchmark corpus they took about a
tenth of a one-job run). So a run turns them off, and instead collects the young generations
itself after each chunk and each corpus stage: the reference cycles a step leaves are still
freed, and the objects that live on are looked at once, not at every pass. (A cycle among
objects that outlived their step is freed when the run ends and the passes resume: on the
benchmark corpus a run with no collection at all peaked 4 MB higher.) The main process of a
run with worker processes only receives their results, which hold no cycles.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collections_by_step() -> Iterator[None]:
    """Turn the collector's automatic passes off inside the block (and back on after, if they
    were on); the block calls :func:`collect_young` after each of its steps."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def collect_young() -> None:
    """Free what the last step left in reference cycles: a pass over the young generations
    only (what the step made), not over everything the run holds."""
    gc.collect(1)
