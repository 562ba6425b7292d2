"""The result of a run: what every stage produced, in output order. A leaf of the stage layers:
the writers (:mod:`pipeline.output`) and the summary (:mod:`pipeline.report`) read it without
importing the runner that fills it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.reading import InputFile
from pipeline.records import DroppedParagraph, Problem, Record
from pipeline.review.apply import Outcome
from pipeline.review.decisions import DecisionSet


@dataclass
class RunResult:
    """Everything a run produced, in output order."""

    inputs: list[InputFile]
    ignored: list[str]
    records: list[Record]
    dropped: list[DroppedParagraph] = field(default_factory=list)
    paragraphs_in: dict[str, int] = field(default_factory=dict)
    reused: int = 0  # files taken from the index instead of being read again
    remembered: int = 0  # of those, files no longer in RAW_DIR
    furniture: dict[str, int] = field(default_factory=dict)  # paragraphs by furniture kind
    decisions: DecisionSet = field(default_factory=DecisionSet)
    review: list[Outcome] = field(default_factory=list)  # what became of each decision
    # Seconds spent in each stage (per-article ones summed over worker processes): for the
    # benchmark only, never written to an output.
    seconds: dict[str, float] = field(default_factory=dict)

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
