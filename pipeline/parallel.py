"""Run the per-article stage over worker processes, results in input order: the executor seam.

``jobs`` 1 runs in this process. Above that, :class:`concurrent.futures.ProcessPoolExecutor` with
the spawn start method runs the chunks; its initializer builds one
:class:`~pipeline.process.ArticleProcessor` per worker, kept for the worker's whole life, so jieba
and the langdetect profiles load once per process. Each chunk comes back ready to spill
(:func:`~pipeline.spill.spill_chunk`, done in the worker, which also writes the chunk's bytes
into the run's work folder itself: only where they are comes back), in chunk order, a few
chunks in flight at a time, so the output order, and so the output bytes, do not depend on the
number of workers or on which finishes first, and the articles waiting are never all in memory.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.collector import collect_young
from pipeline.config import Config
from pipeline.heap import give_back_large_blocks
from pipeline.ordered import in_order
from pipeline.process import ArticleProcessor
from pipeline.records import Article
from pipeline.resources import Resources
from pipeline.spill import ChunkFiles, SpilledChunk, spill_chunk

CHUNK_SIZE = 64
ProgressCallback = Callable[[int], None]


@dataclass
class _Worker:
    """What a worker process keeps for its whole life: its processor, and its files in the
    run's work folder (none when the run gave no folder)."""

    processor: ArticleProcessor
    files: ChunkFiles | None


# The worker of a worker process, set by the pool's initializer in that process only (the
# parent never holds one here): the one piece of module state, as a process pool requires.
_WORKER: dict[str, _Worker] = {}


def _start_worker(config: Config, parent: int, folder: Path | None) -> None:
    _watch_parent(parent)
    give_back_large_blocks()
    gc.disable()  # a worker collects after each chunk instead (see pipeline.collector)
    files = None if folder is None else ChunkFiles(folder, str(os.getpid()))
    _WORKER["worker"] = _Worker(ArticleProcessor(config), files)


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """End this worker process as soon as its parent is gone (killed with SIGKILL, it cannot
    stop its workers: they would wait on their queue, holding their memory, for a long time)."""

    def watch() -> None:  # the parent's pid is given: by now it may be gone already
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def process_chunk(processor: ArticleProcessor, chunk: Sequence[Article]) -> SpilledChunk:
    """Process a chunk of articles with ``processor``, ready to spill, with the time each step
    took (``spill``: the records' pieces of JSON, comparison keys and MinHash band keys)."""
    before = dict(processor.seconds)
    records = processor.process_many(chunk)
    seconds = {name: processor.seconds[name] - before[name] for name in before}
    start = time.perf_counter()
    spilled = spill_chunk(records, seconds, processor.band_lengths)
    spilled.seconds["spill"] = time.perf_counter() - start
    collect_young()
    return spilled


def _process_chunk(chunk: list[Article]) -> SpilledChunk:
    worker = _WORKER["worker"]
    spilled = process_chunk(worker.processor, chunk)
    return spilled if worker.files is None else worker.files.store(spilled)


def _is_spilled(work: object) -> bool:
    return isinstance(work, SpilledChunk)


Work = list[Article] | SpilledChunk  # a chunk to process, or one ready already (the index's)


def process_chunks(
    chunks: Iterable[Work],
    config: Config,
    resources: Resources | None = None,
    folder: Path | None = None,
) -> Iterator[SpilledChunk]:
    """Process every chunk (in ``config.jobs`` processes when more than one, or on Ray), each
    chunk's result in the order of ``chunks``; a chunk ready already is passed on in its
    place. ``resources`` serve the chunks processed in this process (``jobs`` 1). Worker
    processes write each chunk's blob and texts into ``folder`` (the run's work folder) when
    it is given (:class:`~pipeline.spill.ChunkFiles`): only where they are comes back."""
    if config.engine == "ray":
        from pipeline.ray_engine import process_on_ray

        yield from process_on_ray(chunks, config)
        return
    if config.jobs <= 1:
        processor = ArticleProcessor(config, resources)
        try:
            for chunk in chunks:
                yield chunk if isinstance(chunk, SpilledChunk) else process_chunk(processor, chunk)
        finally:
            # Its steps are its own bound methods, a reference cycle: broken here, the
            # processor (jieba's dictionary, the language profiles) goes as soon as the chunks
            # are done, and the corpus stages reuse its memory.
            processor.steps = []
        return
    context: Any = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=config.jobs,
        mp_context=context,
        initializer=_start_worker,
        initargs=(config, os.getpid(), folder),
    )
    finished = False
    try:
        yield from in_order(pool.submit, _process_chunk, chunks, 2 * config.jobs + 1, _is_spilled)
        finished = True
    except BrokenProcessPool as exc:
        raise RuntimeError(f"a worker process died: {exc}") from None
    finally:
        # Every result is in: the workers are told to stop and not waited for. Letting go of
        # jieba's dictionary and the rest takes a worker about 0.3 s, which the corpus stages
        # no longer wait for (the pool's own thread reaps them). Otherwise (an error, or the
        # caller stopped early) what is queued is cancelled and the running chunks are waited
        # for, as a `with` block would.
        pool.shutdown(wait=not finished, cancel_futures=not finished)
