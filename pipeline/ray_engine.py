"""The Ray engine (``--engine ray``): the per-article stage on Ray actors, one
:class:`~pipeline.process.ArticleProcessor` each (jieba and the langdetect profiles load once
per actor). Chunks are the same as the local engine's and their results are taken in chunk
order. Dedup's first phase, the MinHash band keys of every paragraph it compares across
articles, runs there too, with the chunk's other stages; the global phase (grouping by band key,
verifying, the keep-first rule) and site furniture run in the driver as they do locally: the
output is byte for byte the local engine's. Ray is an optional extra:
``pip install 'career-article-pipeline[ray]'``.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from pipeline.config import Config
from pipeline.process import ArticleProcessor
from pipeline.records import Article


class _Worker:
    """A Ray actor's state: its processor, built from the config once."""

    def __init__(self, config: Config) -> None:
        import gc

        from pipeline.heap import give_back_large_blocks

        give_back_large_blocks()
        gc.disable()  # the actor collects after each chunk instead (see pipeline.collector)
        self._processor = ArticleProcessor(config)

    def process(self, chunk: list[Article]) -> Any:
        from pipeline.parallel import process_chunk

        return process_chunk(self._processor, chunk)


def _take(ready: bool, value: Any) -> Any:
    import ray

    return value if ready else ray.get(value)


@contextlib.contextmanager
def ray_session(config: Config) -> Iterator[None]:
    """A Ray instance for the run: a new local one with ``config.jobs`` CPUs, or the cluster at
    ``config.ray_address``; shut down at the end if this run started it."""
    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(
            address=config.ray_address or None,
            num_cpus=None if config.ray_address else config.jobs,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        yield
    finally:
        if started:
            ray.shutdown()


def process_on_ray(chunks: Iterable[Any], config: Config) -> Iterator[Any]:
    """Process ``chunks`` on Ray actors (``config.jobs`` of them, on the instance of
    :func:`ray_session`) and yield each chunk's result, in chunk order, a few in flight (a
    chunk that is not a list of articles is ready already and passed on in its place)."""
    import ray

    actors: list[Any] = []
    try:
        actor_class: Any = ray.remote(_Worker)  # Ray's generic handle types say little here
        count = max(1, config.jobs)
        actors = [actor_class.remote(config) for _ in range(count)]
        pending: deque[Any] = deque()
        for number, chunk in enumerate(chunks):
            ready = not isinstance(chunk, list)  # a chunk ready already, passed on in its place
            pending.append(
                (ready, chunk if ready else actors[number % count].process.remote(chunk))
            )
            if len(pending) >= 2 * count + 1:
                yield _take(*pending.popleft())
        while pending:
            yield _take(*pending.popleft())
    finally:
        for actor in actors:  # also on a cluster that outlives this run
            ray.kill(actor)
