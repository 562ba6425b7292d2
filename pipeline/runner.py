"""The whole run: read every input, process the articles, collect records, counts and problems.

Stage order: read and split (:mod:`pipeline.reading`), then per article: repair, furniture labels,
review decisions, language and segmentation (:mod:`pipeline.process`, on the engine's worker
processes when ``jobs`` > 1), then over the ordered records the corpus stages of
:mod:`pipeline.stages` (editors' drops, site furniture, deduplication), which fill ``dropped``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.decoding import Decoder
from pipeline.fingerprint import Signatures, comparison_key, signatures
from pipeline.index import FingerprintIndex, IndexedFile
from pipeline.parallel import ProgressCallback, process_articles
from pipeline.reading import InputFile, discover, read_file
from pipeline.records import Article, DroppedParagraph, Problem, Record
from pipeline.result import RunResult
from pipeline.review.apply import outcomes
from pipeline.review.decisions import DecisionSet
from pipeline.stages import SiteFurniture, corpus_stages


def run_pipeline(
    raw_dir: Path,
    config: Config,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
    out_dir: Path | None = None,
    index: FingerprintIndex | None = None,
    decisions: DecisionSet | None = None,
) -> RunResult:
    """Run every stage over ``raw_dir``. ``on_start`` is told the number of articles to process
    before processing starts and ``progress`` how many more are done as they finish. ``out_dir``,
    when inside ``raw_dir``, is not read as input. With an ``index``, unchanged files are taken
    from it, files it remembers that are no longer in ``raw_dir`` take part too, and it is
    updated (not saved: the caller saves it after writing the outputs). ``decisions`` (the
    review file's) are applied to the paragraphs they name; :attr:`RunResult.review` says what
    became of each. With ``config.engine`` "ray", one Ray instance serves the whole run."""
    if config.engine != "ray":
        return _run(raw_dir, config, progress, on_start, out_dir, index, decisions)
    from pipeline.ray_engine import ray_session

    with ray_session(config):
        return _run(raw_dir, config, progress, on_start, out_dir, index, decisions)


def _run(
    raw_dir: Path,
    config: Config,
    progress: ProgressCallback | None,
    on_start: Callable[[int], None] | None,
    out_dir: Path | None,
    index: FingerprintIndex | None,
    decisions: DecisionSet | None,
) -> RunResult:
    decisions = decisions or DecisionSet()
    clock = _Clock()
    paths, ignored, unlisted = discover(raw_dir, config.input.extensions, out_dir)
    files: list[InputFile | IndexedFile] = [
        InputFile(problem.path, problems=[problem]) for problem in unlisted
    ]
    decoder = Decoder()
    reused = 0
    remembered = set(index.paths()) - set(paths) if index else set()
    for path in sorted({*paths, *remembered}):
        data = None if path in remembered or index is None else _read(raw_dir / path)
        indexed = None
        if index is not None and (data is not None or path in remembered):
            digest = None if data is None else hashlib.sha256(data).hexdigest()
            # A file no longer in RAW_DIR cannot be processed again: its entry is taken whatever
            # decisions it was made with (new ones about it are reported stale).
            wanted = None if path in remembered else decisions.digest_for_file(path)
            indexed = index.lookup(path, digest, wanted)
        if indexed is not None:
            files.append(indexed)
            reused += 1
        elif path in remembered:
            files.append(_stale(path))
        else:
            files.append(read_file(raw_dir, path, config, decoder, data))
    clock.lap("read")
    fresh = [item for item in files if isinstance(item, InputFile)]
    articles: list[Article] = [article for item in fresh for article in item.articles]
    for article in articles:
        article.decisions = decisions.for_source(article.source)
    if on_start:
        on_start(len(articles))
    processed = process_articles(articles, config, config.jobs, progress)
    clock.seconds.update(processed.seconds)
    clock.lap("per-article (wall)")
    per_article = iter(processed.records)
    records: list[Record] = []
    signatures_of: dict[tuple[str, int], Signatures] = {}  # by place: source and index
    for item in files:
        if isinstance(item, IndexedFile):
            file_records, rows = item.records, item.signatures
        else:
            file_records = [r for _ in item.articles for r in next(per_article)]
            if index is None:
                records.extend(file_records)
                continue  # dedup computes the signatures it needs
            rows = _signatures(file_records)
            if item.sha256 is not None:
                indexed = IndexedFile(item, file_records, rows)
                index.put(indexed, decisions.digest_for_file(item.path))
        places = [(r.source, p.index) for r in file_records for p in r.paragraphs]
        signatures_of.update(zip(places, rows, strict=True))
        records.extend(file_records)
    paragraphs_in: dict[str, int] = {}
    for record in records:
        paragraphs_in[record.lang] = paragraphs_in.get(record.lang, 0) + len(record.paragraphs)
    order = {record.source: number for number, record in reversed(list(enumerate(records)))}
    if config.engine == "ray":
        _signatures_on_ray(records, signatures_of, config)
    clock.lap("signatures")
    dropped: list[DroppedParagraph] = []
    stages = corpus_stages(config, signatures_of)
    for stage in stages:
        records, stage_dropped = stage.apply(records)
        dropped.extend(stage_dropped)
        clock.lap(stage.name)
    dropped.sort(key=lambda d: (order[d.source], d.index))
    furniture = next(stage for stage in stages if isinstance(stage, SiteFurniture))
    everything = [
        *((r.source, p.index, p.hash, p.decisions) for r in records for p in r.paragraphs),
        *((d.source, d.index, d.hash, d.decisions) for d in dropped),
    ]
    inputs = [item.item if isinstance(item, IndexedFile) else item for item in files]
    return RunResult(
        inputs,
        ignored,
        records,
        dropped,
        paragraphs_in,
        reused,
        len(remembered),
        dict(sorted(furniture.counts.items())),
        decisions,
        outcomes(decisions.decisions, everything),
        clock.seconds,
    )


class _Clock:
    """Seconds per stage of a run, lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def _signatures_on_ray(
    records: list[Record], known: dict[tuple[str, int], Signatures], config: Config
) -> None:
    """Add the signatures the index did not give, computed on Ray."""
    from pipeline.ray_engine import signatures_on_ray

    places, keys = [], []
    for record in records:
        for paragraph in record.paragraphs:
            if (record.source, paragraph.index) not in known:
                places.append((record.source, paragraph.index))
                keys.append(comparison_key(paragraph.text))
    known.update(zip(places, signatures_on_ray(keys, config), strict=True))


def _signatures(records: list[Record]) -> Signatures:
    keys = [comparison_key(p.text) for record in records for p in record.paragraphs]
    return signatures(keys)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # read_file tries again and reports it


def _stale(path: str) -> InputFile:
    reason = (
        "remembered from the index, but processed with another version or config and no "
        "longer in RAW_DIR: left out (put it back, or run with --rebuild to forget it)"
    )
    return InputFile(path, problems=[Problem(path, reason, "stale_index_entry", "warning")])
