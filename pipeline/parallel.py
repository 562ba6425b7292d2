"""Run the per-article stage over worker processes, results in input order: the executor seam.

``jobs`` 1 runs in this process. Above that, :class:`concurrent.futures.ProcessPoolExecutor` with
the spawn start method runs the chunks; its initializer builds one
:class:`~pipeline.process.ArticleProcessor` per worker, kept for the worker's whole life, so jieba
and the langdetect profiles load once per process. Work goes out in fixed chunks and comes back
in chunk order (``Executor.map``), so the output order, and so the output bytes, do not depend on
the number of workers or on which finishes first.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config
from pipeline.process import ArticleProcessor
from pipeline.records import Article, Record

CHUNK_SIZE = 64
ProgressCallback = Callable[[int], None]


@dataclass
class Processed:
    """What the per-article stage gives for a run: each article's records, and the time each
    step took (summed over the processes)."""

    records: list[list[Record]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, chunk: Processed) -> None:
        """Append a chunk's results (chunks come in input order)."""
        self.records.extend(chunk.records)
        for name, value in chunk.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value


# The processor of a worker process, set by the pool's initializer in that process only (the
# parent never holds one here): the one piece of module state, as a process pool requires.
_WORKER: dict[str, ArticleProcessor] = {}


def _start_worker(config: Config) -> None:
    _WORKER["processor"] = ArticleProcessor(config)


def process_chunk(processor: ArticleProcessor, chunk: Sequence[Article]) -> Processed:
    """Process a chunk of articles with ``processor``."""
    before = dict(processor.seconds)
    records = [processor.process(article) for article in chunk]
    return Processed(records, {name: processor.seconds[name] - before[name] for name in before})


def _process_chunk(chunk: list[Article]) -> Processed:
    return process_chunk(_WORKER["processor"], chunk)


def process_articles(
    articles: Sequence[Article],
    config: Config,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
) -> Processed:
    """Process every article (in ``jobs`` processes when more than one): each article's
    records, in the order of ``articles``, with the paragraphs' keys and signatures and the
    time each step took (summed over the processes)."""
    results = Processed()
    chunks = [list(articles[i : i + CHUNK_SIZE]) for i in range(0, len(articles), CHUNK_SIZE)]
    if config.engine == "ray" and chunks:
        from pipeline.ray_engine import process_on_ray

        def take(chunk: Processed) -> None:
            results.add(chunk)
            if progress:
                progress(len(chunk.records))

        process_on_ray(chunks, config, config.ray_address or None, take)
        return results
    if jobs <= 1 or len(chunks) <= 1:
        processor = ArticleProcessor(config)
        for chunk in chunks:
            results.add(process_chunk(processor, chunk))
            if progress:
                progress(len(chunk))
        return results
    context: Any = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(config,),
    ) as pool:
        try:
            for chunk_result in pool.map(_process_chunk, chunks):
                results.add(chunk_result)
                if progress:
                    progress(len(chunk_result.records))
        except BrokenProcessPool as exc:
            raise RuntimeError(f"a worker process died: {exc}") from None
    return results
