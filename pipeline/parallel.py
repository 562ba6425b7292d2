"""Run the per-article stage over worker processes, results in input order.

Each worker builds one :class:`~pipeline.process.ArticleProcessor` and keeps it for its whole life,
so jieba and the langdetect profiles load once per process. Work goes out in fixed chunks and comes
back tagged with the chunk number, so the output order, and so the output bytes, do not depend on
the number of workers or on which finishes first.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.config import Config
from pipeline.process import ArticleProcessor
from pipeline.records import Article, Record

CHUNK_SIZE = 64
ProgressCallback = Callable[[int], None]


def _worker(config: Config, tasks: Any, results: Any) -> None:
    processor = ArticleProcessor(config)
    for number, chunk in iter(tasks.get, None):
        before = dict(processor.seconds)
        try:
            records = [processor.process(article) for article in chunk]
        except Exception:  # a programming error: hand it to the parent, which raises it
            results.put((number, None, traceback.format_exc(), {}))
            continue
        spent = {name: processor.seconds[name] - before[name] for name in before}
        results.put((number, records, None, spent))


def _next_result(results: Any, workers: list[Any]) -> tuple[int, Any, str | None, dict[str, float]]:
    """Wait for a result, failing instead of hanging if a worker died without answering."""
    while True:
        try:
            answer: tuple[int, Any, str | None, dict[str, float]] = results.get(timeout=1.0)
            return answer
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a worker process died (exit code {dead[0]})") from None


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
        for name, spent in processor.seconds.items():
            seconds[name] = seconds.get(name, 0.0) + spent
        return out
    chunks = [articles[i : i + CHUNK_SIZE] for i in range(0, len(articles), CHUNK_SIZE)]
    context = multiprocessing.get_context("spawn")
    tasks, results = context.Queue(), context.Queue()
    workers = [
        context.Process(target=_worker, args=(config, tasks, results), daemon=True)
        for _ in range(min(jobs, len(chunks)))
    ]
    for worker in workers:
        worker.start()
    try:
        for number, chunk in enumerate(chunks):
            tasks.put((number, list(chunk)))
        for _ in workers:
            tasks.put(None)
        done: dict[int, list[list[Record]]] = {}
        for _ in chunks:
            number, records, error, chunk_seconds = _next_result(results, workers)
            if error is not None:
                raise RuntimeError(f"worker failed:\n{error}")
            done[number] = records
            for name, value in chunk_seconds.items():
                seconds[name] = seconds.get(name, 0.0) + value
            if progress:
                progress(len(records))
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    return [records for number in range(len(chunks)) for records in done[number]]
