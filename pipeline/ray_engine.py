"""The Ray engine (``--engine ray``): the per-article stage on Ray actors, one
:class:`~pipeline.process.ArticleProcessor` each (jieba and the langdetect profiles load once
per actor). Chunks are the same as the local engine's and their results are taken in
chunk order, and the corpus stages (site furniture; dedup: signatures, grouping by band key,
verifying, the keep-first rule) run in the driver as they do locally: the output is byte for
byte the local engine's. Ray is an optional extra: ``pip install 'career-article-pipeline[ray]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pipeline.config import Config
from pipeline.process import ArticleProcessor
from pipeline.records import Article


class _Worker:
    """A Ray actor's state: its processor, built from the config once."""

    def __init__(self, config: Config) -> None:
        self._processor = ArticleProcessor(config)

    def process(self, chunk: list[Article]) -> Any:
        from pipeline.parallel import process_chunk

        return process_chunk(self._processor, chunk)


def process_on_ray(
    chunks: Sequence[list[Article]],
    config: Config,
    address: str | None,
    on_chunk: Callable[[Any], None],
) -> None:
    """Process ``chunks`` on Ray (a new local instance with ``config.jobs`` CPUs, or the
    cluster at ``address``) and hand each chunk's result to ``on_chunk``, in chunk order."""
    import ray

    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address or None,
            num_cpus=None if address else config.jobs,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    actors: list[Any] = []
    try:
        actor_class: Any = ray.remote(_Worker)  # Ray's generic handle types say little here
        count = max(1, min(config.jobs, len(chunks)))
        actors = [actor_class.remote(config) for _ in range(count)]
        refs = [actors[n % count].process.remote(chunk) for n, chunk in enumerate(chunks)]
        for ref in refs:
            on_chunk(ray.get(ref))
    finally:
        for actor in actors:  # also on a cluster that outlives this run
            ray.kill(actor)
        if started:
            ray.shutdown()
