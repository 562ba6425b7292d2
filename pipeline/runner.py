"""The whole run: read every input, process the articles, collect records, counts and problems.

Stage order: read and split (:mod:`pipeline.reading`), then per article: repair, language and
segmentation (:mod:`pipeline.process`, in parallel when ``jobs`` > 1), then deduplication
(:mod:`pipeline.dedup`) over the ordered records, which fills ``dropped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.decoding import Decoder
from pipeline.dedup import deduplicate
from pipeline.parallel import ProgressCallback, process_articles
from pipeline.reading import InputFile, discover, read_file
from pipeline.records import Article, DroppedParagraph, Problem, Record


@dataclass
class RunResult:
    """Everything a run produced, in output order."""

    inputs: list[InputFile]
    ignored: list[str]
    records: list[Record]
    dropped: list[DroppedParagraph] = field(default_factory=list)
    paragraphs_in: dict[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Every problem found, in input order."""
        return [problem for item in self.inputs for problem in item.problems]

    @property
    def has_errors(self) -> bool:
        """True when some input (a file or a line) could not be read."""
        return any(problem.severity == "error" for problem in self.problems)

    @property
    def article_count(self) -> int:
        """How many articles were read."""
        return sum(len(item.articles) for item in self.inputs)


def run_pipeline(
    raw_dir: Path,
    config: Config,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
    out_dir: Path | None = None,
) -> RunResult:
    """Run every stage over ``raw_dir``. ``on_start`` is told the number of articles before
    processing starts and ``progress`` how many more are done as they finish. ``out_dir``, when
    inside ``raw_dir``, is not read as input."""
    paths, ignored, unlisted = discover(raw_dir, config.input.extensions, out_dir)
    inputs = [InputFile(problem.path, problems=[problem]) for problem in unlisted]
    decoder = Decoder()
    inputs += [read_file(raw_dir, path, config, decoder) for path in paths]
    articles: list[Article] = [article for item in inputs for article in item.articles]
    if on_start:
        on_start(len(articles))
    per_article = process_articles(articles, config, config.jobs, progress)
    records = [record for group in per_article for record in group]
    paragraphs_in: dict[str, int] = {}
    for record in records:
        paragraphs_in[record.lang] = paragraphs_in.get(record.lang, 0) + len(record.paragraphs)
    records, dropped = deduplicate(records, config.dedup)
    return RunResult(inputs, ignored, records, dropped, paragraphs_in)
