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
from typing import Any

from pipeline.config import Config
from pipeline.process import ArticleProcessor
from pipeline.records import Article, Record

CHUNK_SIZE = 64
ProgressCallback = Callable[[int], None]
ChunkResult = tuple[list[list[Record]], dict[str, float]]

# The processor of a worker process, set by the pool's initializer in that process only (the
# parent never holds one here): the one piece of module state, as a process pool requires.
_WORKER: dict[str, ArticleProcessor] = {}


def _start_worker(config: Config) -> None:
    _WORKER["processor"] = ArticleProcessor(config)


def _process_chunk(chunk: list[Article]) -> ChunkResult:
    processor = _WORKER["processor"]
    before = dict(processor.seconds)
    records = [processor.process(article) for article in chunk]
    return records, {name: processor.seconds[name] - before[name] for name in before}


def _add(seconds: dict[str, float], more: dict[str, float]) -> None:
    for name, value in more.items():
        seconds[name] = seconds.get(name, 0.0) + value


def process_articles(
    articles: Sequence[Article],
    config: Config,
    jobs: int = 1,
    progress: ProgressCallback | None = None,
    seconds: dict[str, float] | None = None,
) -> list[list[Record]]:
    """Process every article (in ``jobs`` processes when more than one) and return each
    article's records, in the order of ``articles``. The time each step took (summed over the
    processes) is added to ``seconds``."""
    seconds = {} if seconds is None else seconds
    if jobs <= 1 or len(articles) <= CHUNK_SIZE:
        processor = ArticleProcessor(config)
        out = []
        for article in articles:
            out.append(processor.process(article))
            if progress:
                progress(1)
        _add(seconds, processor.seconds)
        return out
    chunks = [list(articles[i : i + CHUNK_SIZE]) for i in range(0, len(articles), CHUNK_SIZE)]
    results: list[list[Record]] = []
    context: Any = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(config,),
    ) as pool:
        try:
            for records, chunk_seconds in pool.map(_process_chunk, chunks):
                results.extend(records)
                _add(seconds, chunk_seconds)
                if progress:
                    progress(len(records))
        except BrokenProcessPool as exc:
            raise RuntimeError(f"a worker process died: {exc}") from None
    return results
