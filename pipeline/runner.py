"""The whole run: read every input, process the articles, collect records, counts and problems.

Stage order: read and split (:mod:`pipeline.reading`, a file at a time, as chunks are wanted),
then per article: repair, furniture labels, review decisions, language and segmentation
(:mod:`pipeline.process`, on the engine's workers when ``jobs`` > 1). Each processed chunk is
spilled (:mod:`pipeline.spill`) and only light records stay in memory; over them the corpus
stages of :mod:`pipeline.stages` (editors' drops, site furniture, deduplication) run, which fill
``dropped``. The writers stream the full records back from the spill.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.collector import collect_young, collections_by_step
from pipeline.config import Config
from pipeline.decoding import Decoder
from pipeline.final import processed_lines
from pipeline.heap import give_back_large_blocks
from pipeline.index import EntryWriter, FingerprintIndex, IndexedFile
from pipeline.paragraph_table import BAND_ROW
from pipeline.parallel import CHUNK_SIZE, ProgressCallback, process_chunks
from pipeline.reading import InputFile, discover, open_file
from pipeline.records import Article, DroppedParagraph, Problem, Record
from pipeline.resources import Resources
from pipeline.result import RunResult
from pipeline.review.apply import outcomes
from pipeline.review.decisions import DecisionSet
from pipeline.spill import Spill, SpilledChunk, spill_chunk
from pipeline.stages import SiteFurniture, corpus_stages


def run_pipeline(
    raw_dir: Path,
    config: Config,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
    out_dir: Path | None = None,
    index: FingerprintIndex | None = None,
    decisions: DecisionSet | None = None,
    work_dir: Path | None = None,
    follow_links: bool | None = None,
    resources: Resources | None = None,
) -> RunResult:
    """Run every stage over ``raw_dir`` (links to outside it are skipped with a warning unless
    ``follow_links``, by default the config's ``input.follow_links``). ``on_start`` is told
    the number of input files before processing starts and ``progress`` how many more are
    done as they finish.
    ``out_dir``, when inside ``raw_dir``, is not read as input. The processed records are
    spilled to a work folder in ``work_dir`` (the system's temporary folder when ``None``),
    removed when the result is closed (:meth:`RunResult.close`). With an ``index``, unchanged
    files are taken from it, files it remembers that are no longer in ``raw_dir`` take part
    too, and it is updated (not saved: the caller saves it after writing the outputs).
    ``decisions`` (the review file's) are applied to the paragraphs they name;
    :attr:`RunResult.review` says what became of each. With ``config.engine`` "ray", one Ray
    instance serves the whole run. ``resources`` (:class:`~pipeline.resources.Resources`)
    lend jieba and langdetect, loaded once, to the runs of a program that makes many in this
    process; the output is the same without them. The run fixes glibc's mmap threshold in
    this process (:mod:`pipeline.heap`): large blocks are given back as they are freed."""
    give_back_large_blocks()
    if follow_links is None:
        follow_links = config.input.follow_links
    where = (raw_dir, out_dir, work_dir, follow_links)
    with collections_by_step():
        if config.engine != "ray":
            return _run(where, config, progress, on_start, index, decisions, resources)
        from pipeline.ray_engine import ray_session

        with ray_session(config):
            return _run(where, config, progress, on_start, index, decisions, resources)


def _run(
    where: tuple[Path, Path | None, Path | None, bool],  # raw, out and work dirs, follow links
    config: Config,
    progress: ProgressCallback | None,
    on_start: Callable[[int], None] | None,
    index: FingerprintIndex | None,
    decisions: DecisionSet | None,
    resources: Resources | None,
) -> RunResult:
    raw_dir, out_dir, work_dir, follow_links = where
    decisions = decisions or DecisionSet()
    clock = _Clock()
    extensions = config.input.extensions
    paths, ignored, unlisted = discover(raw_dir, extensions, out_dir, follow_links)
    remembered = set(index.paths()) - set(paths) if index else set()
    every = sorted({*paths, *remembered})
    if on_start:
        on_start(len(every))
    spill = Spill(work_dir)
    feed = _Feed(raw_dir, config, index, decisions, remembered)
    inputs: list[InputFile] = [InputFile(problem.path, problems=[problem]) for problem in unlisted]
    light: list[Record] = []
    try:
        for chunk in process_chunks(feed.chunks(every, inputs), config, resources, spill.folder):
            done = feed.done(chunk)
            for records in spill.add(chunk):
                light.extend(records)
            if progress and done:
                progress(done)
        spill.seal()
    except BaseException:
        spill.close()
        raise
    clock.seconds.update(feed.seconds)
    clock.lap("per-article (wall)")
    paragraphs_in: dict[str, int] = {}
    for record in light:
        paragraphs_in[record.lang] = paragraphs_in.get(record.lang, 0) + len(record.paragraphs)
    order = {record.source: number for number, record in reversed(list(enumerate(light)))}
    dropped: list[DroppedParagraph] = []
    stages = corpus_stages(config, {})
    records = light
    for stage in stages:
        records, stage_dropped = stage.apply(records)
        dropped.extend(stage_dropped)
        collect_young()
        clock.lap(stage.name)
    dropped.sort(key=lambda d: (order[d.source], d.index))
    furniture = next(stage for stage in stages if isinstance(stage, SiteFurniture))
    decided = [  # the paragraphs with decisions applied: what the outcomes are read from
        *(
            (r.source, p.index, p.hash, p.decisions)
            for r in records
            for p in r.paragraphs
            if p.decisions
        ),
        *((d.source, d.index, d.hash, d.decisions) for d in dropped if d.decisions),
    ]
    return RunResult(
        inputs,
        ignored,
        records,
        dropped,
        paragraphs_in,
        feed.reused,
        len(remembered),
        dict(sorted(furniture.counts.items())),
        decisions,
        outcomes(decisions.decisions, decided),
        clock.seconds,
        spill,
    )


@dataclass
class _Waiting:
    """An article read and waiting for its chunk, with its file."""

    article: Article
    item: InputFile
    closes_file: bool = False  # the file's last article


@dataclass
class _Indexing:
    """A file whose records are coming back, to be put in the index once all are back."""

    item: InputFile
    entry: EntryWriter = field(default_factory=EntryWriter)
    received: int = 0  # articles back


class _Feed:
    """The input side of a run: reads the files one by one as chunks are wanted, takes
    unchanged ones from the index, and keeps the index up to date as chunks come back."""

    def __init__(
        self,
        raw_dir: Path,
        config: Config,
        index: FingerprintIndex | None,
        decisions: DecisionSet,
        remembered: set[str],
    ) -> None:
        self._raw_dir, self._config, self._index = raw_dir, config, index
        self._decisions, self._remembered = decisions, remembered
        self._decoder = Decoder()
        self.reused = 0
        self.seconds: dict[str, float] = {"read": 0.0}
        # For each chunk handed out, in order: how many files it finishes (for progress) and,
        # with an index, the file of each of its articles (None for a chunk from the index).
        self._sent: deque[tuple[int, list[InputFile] | None]] = deque()
        self._open: dict[str, _Indexing] = {}  # files being indexed, by path
        self._finished_empty = 0  # files with no article since the last chunk

    def chunks(
        self, paths: list[str], inputs: list[InputFile]
    ) -> Iterator[list[Article] | SpilledChunk]:
        """What to process, in input order: chunks of articles, read as they are wanted, and
        files taken from the index as chunks ready to spill. Each file is added to
        ``inputs``."""
        waiting: deque[_Waiting] = deque()
        for path in paths:
            start = time.perf_counter()
            item, articles = self._take(path)
            if isinstance(item, IndexedFile):
                yield from self._flush(waiting, everything=True)
                inputs.append(item.item)
                self.seconds["read"] += time.perf_counter() - start
                held: SpilledChunk | None = None
                for chunk in _from_index(item):  # a chunk's worth of articles at a time
                    if held is not None:
                        self._sent.append((self._finished_empty, None))
                        self._finished_empty = 0
                        yield held
                    held = chunk
                if held is None:
                    self._finished_empty += 1
                else:
                    # The file's last chunk finishes it (and the empty files before it).
                    self._sent.append((1 + self._finished_empty, None))
                    self._finished_empty = 0
                    yield held
                continue
            inputs.append(item)
            if self._index is not None and item.sha256 is not None:
                self._open[item.path] = _Indexing(item)
            last: _Waiting | None = None
            for article in articles:
                article.decisions = self._decisions.for_source(article.source)
                last = _Waiting(article, item)
                waiting.append(last)
                if len(waiting) >= CHUNK_SIZE:
                    self.seconds["read"] += time.perf_counter() - start
                    yield from self._flush(waiting)
                    start = time.perf_counter()
            self.seconds["read"] += time.perf_counter() - start
            if last is None:
                self._finished_empty += 1
                self._open.pop(item.path, None)
                continue
            last.closes_file = True
        yield from self._flush(waiting, everything=True)

    def _flush(self, waiting: deque[_Waiting], everything: bool = False) -> Iterator[list[Article]]:
        while len(waiting) >= CHUNK_SIZE or (everything and waiting):
            part = [waiting.popleft() for _ in range(min(CHUNK_SIZE, len(waiting)))]
            files = [entry.item for entry in part] if self._index is not None else None
            closed = sum(entry.closes_file for entry in part) + self._finished_empty
            self._finished_empty = 0
            self._sent.append((closed, files))
            yield [entry.article for entry in part]

    def _take(self, path: str) -> tuple[InputFile | IndexedFile, Iterator[Article]]:
        index, remembered = self._index, self._remembered
        data = None if path in remembered or index is None else _read(self._raw_dir / path)
        if index is not None and (data is not None or path in remembered):
            digest = None if data is None else hashlib.sha256(data).hexdigest()
            # A file no longer in RAW_DIR cannot be processed again: its entry is taken whatever
            # decisions it was made with (new ones about it are reported stale).
            wanted = None if path in remembered else self._decisions.digest_for_file(path)
            indexed = index.lookup(path, digest, wanted)
            if indexed is not None:
                self.reused += 1
                return indexed, iter(())
        damaged = index is not None and path in index.damaged
        if path in remembered:
            return _stale(path, damaged), iter(())
        # A damaged entry of a file still here: processed again (the command says so; the
        # output is that of a full run, whatever state the index was in).
        return open_file(self._raw_dir, path, self._config, self._decoder, data)

    def done(self, chunk: SpilledChunk) -> int:
        """Note a chunk come back: its time, and with an index its files' records and band
        keys (a file is put in the index once all its articles are back). How many input
        files it finishes."""
        for name, value in chunk.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value
        closed, files = self._sent.popleft()
        if files is None:
            return closed
        assert self._index is not None
        start = 0  # the first row of the article's paragraphs
        band_rows = chunk.rows[:, BAND_ROW].tolist()
        for item, lines, records in zip(files, processed_lines(chunk), chunk.light, strict=True):
            indexing = self._open[item.path]
            for line in lines:
                indexing.entry.add_line(line)
            count = sum(len(record.paragraphs) for record in records)
            for band_row in band_rows[start : start + count]:
                indexing.entry.add_paragraph(None if band_row < 0 else chunk.bands[band_row])
            start += count
            indexing.received += 1
            if indexing.received == item.articles_read:  # the file's last article
                del self._open[item.path]
                digest = self._decisions.digest_for_file(item.path)
                self._index.put(item, indexing.entry, digest)
        return closed


def _from_index(indexed: IndexedFile) -> Iterator[SpilledChunk]:
    """A file taken from the index, as chunks ready to spill (its articles' records, a chunk's
    worth at a time, with their band keys)."""
    articles: list[list[Record]] = []
    first_row = 0  # the chunk's first paragraph, among the file's

    def chunk_of(articles: list[list[Record]]) -> SpilledChunk:
        nonlocal first_row
        chunk = spill_chunk(articles, {})
        rows = indexed.band_rows[first_row : first_row + len(chunk.rows)]
        first_row += len(chunk.rows)
        banded = rows >= 0
        chunk.bands = indexed.bands[rows[banded]]
        chunk.rows[:, BAND_ROW] = -1
        chunk.rows[banded, BAND_ROW] = np.arange(int(banded.sum()))
        return chunk

    for record in indexed.records:
        if articles and articles[-1][0].source == record.source:
            articles[-1].append(record)
            continue
        if len(articles) == CHUNK_SIZE:
            yield chunk_of(articles)
            articles = []
        articles.append([record])
    if articles:
        yield chunk_of(articles)


class _Clock:
    """Seconds per stage of a run, lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None  # read_file tries again and reports it


def _stale(path: str, damaged: bool = False) -> InputFile:
    why = "its entry is damaged" if damaged else "processed with another version or config"
    reason = (
        f"remembered from the index, but {why} and no longer in RAW_DIR: left out (put it "
        "back, or run with --rebuild to forget it)"
    )
    return InputFile(path, problems=[Problem(path, reason, "stale_index_entry", "warning")])
