"""The result of a run: what every stage produced, in output order. A leaf of the stage layers:
the writers (:mod:`pipeline.output`) and the summary (:mod:`pipeline.report`) read it without
importing the runner that fills it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.final import final_articles
from pipeline.reading import InputFile
from pipeline.records import DroppedParagraph, Problem, Record
from pipeline.review.apply import Outcome
from pipeline.review.decisions import DecisionSet
from pipeline.spill import Spill


@dataclass
class RunResult:
    """Everything a run produced, in output order. The records and dropped paragraphs in memory
    are light (their paragraphs are stubs, see :mod:`pipeline.spill`); :meth:`articles` streams
    the full ones from the spill, and :attr:`records` and :attr:`dropped` make lists of them."""

    inputs: list[InputFile]
    ignored: list[str]
    light_records: list[Record]
    light_dropped: list[DroppedParagraph] = field(default_factory=list)
    paragraphs_in: dict[str, int] = field(default_factory=dict)
    reused: int = 0  # files taken from the index instead of being read again
    remembered: int = 0  # of those, files no longer in RAW_DIR
    furniture: dict[str, int] = field(default_factory=dict)  # paragraphs by furniture kind
    decisions: DecisionSet = field(default_factory=DecisionSet)
    review: list[Outcome] = field(default_factory=list)  # what became of each decision
    # Seconds spent in each stage (per-article ones summed over worker processes): for the
    # benchmark only, never written to an output.
    seconds: dict[str, float] = field(default_factory=dict)
    spill: Spill | None = None

    def articles(self) -> Iterator[tuple[list[Record], list[DroppedParagraph]]]:
        """Each article's records and dropped paragraphs, full, in output order. A result made
        in memory, with no spill, holds full records already: they are given by article."""
        if self.spill is not None:
            return final_articles(self.spill, self.light_records, self.light_dropped)
        return _by_article(self.light_records, self.light_dropped)

    @property
    def records(self) -> list[Record]:
        """Every record, full, in output order (read from the spill: all in memory at once)."""
        return [record for records, _ in self.articles() for record in records]

    @property
    def dropped(self) -> list[DroppedParagraph]:
        """Every dropped paragraph, full, in output order (read from the spill)."""
        return [item for _, dropped in self.articles() for item in dropped]

    @property
    def drop_reasons(self) -> Counter[str]:
        """How many paragraphs were dropped, by reason."""
        return Counter(item.reason for item in self.light_dropped)

    def close(self) -> None:
        """Remove the spill (its work folder)."""
        if self.spill is not None:
            self.spill.close()

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
        return sum(item.article_count for item in self.inputs)


def _by_article(
    records: list[Record], dropped: list[DroppedParagraph]
) -> Iterator[tuple[list[Record], list[DroppedParagraph]]]:
    groups: dict[str, tuple[list[Record], list[DroppedParagraph]]] = {}
    for record in records:
        groups.setdefault(record.source, ([], []))[0].append(record)
    for item in dropped:
        groups.setdefault(item.source, ([], []))[1].append(item)
    yield from groups.values()
