"""Scanning raw input for damaged text: every repair the repair stage would make and every flag.

This is the review side of :mod:`pipeline.repair`: it reads the input and runs the repair stage
only (no language detection, no segmentation), and lists each finding with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipeline.config import Config
from pipeline.decoding import Decoder
from pipeline.reading import InputFile, discover, read_file
from pipeline.records import Confidence, Problem, to_json
from pipeline.repair.engine import Repairer
from pipeline.textsafe import printable_name

Kind = Literal["fixed", "flag"]


@dataclass(frozen=True)
class Suspect:
    """One finding: a repair made (``fixed``) or a suspect left for review (``flag``).

    ``proposals`` is the repaired text for a fix, and the candidates (possibly none) for a flag.
    ``start``/``end`` are offsets into the paragraph's original text.
    """

    path: str
    line: int | None
    paragraph: int
    kind: Kind
    rule: str
    span: str
    proposals: tuple[str, ...]
    confidence: Confidence | None
    reason: str
    start: int
    end: int


@dataclass
class ScanResult:
    """The suspects found in input order, and the input problems met on the way."""

    suspects: list[Suspect] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def flags(self) -> list[Suspect]:
        """The suspects left for review."""
        return [suspect for suspect in self.suspects if suspect.kind == "flag"]

    @property
    def has_errors(self) -> bool:
        """True when some input (a file or a line) could not be read."""
        return any(problem.severity == "error" for problem in self.problems)


def _scan_file(item: InputFile, repairer: Repairer, result: ScanResult) -> None:
    for article in item.articles:
        earlier = [set(paragraph.fixes) for paragraph in article.paragraphs]  # reading debris
        repairer.repair_paragraphs(article.paragraphs)
        for paragraph, debris in zip(article.paragraphs, earlier, strict=True):
            place = (item.path, paragraph.line, paragraph.index)
            for fix in paragraph.fixes:
                if fix not in debris:
                    result.suspects.append(
                        Suspect(
                            *place, "fixed", fix.rule, fix.before, (fix.after,),
                            fix.confidence, "", fix.start, fix.end,
                        )
                    )  # fmt: skip
            for flag in paragraph.flags:
                result.suspects.append(
                    Suspect(
                        *place, "flag", flag.rule, flag.span, flag.candidates, None,
                        flag.reason, flag.start, flag.end,
                    )
                )  # fmt: skip


def scan(raw_dir: Path, config: Config, out_dir: Path | None = None) -> ScanResult:
    """Read every input under ``raw_dir`` and list what the repair stage finds, in input order
    (file, paragraph, then position). ``out_dir``, when inside ``raw_dir``, is not read."""
    paths, _, unlisted = discover(raw_dir, config.input.extensions, out_dir)
    result = ScanResult(problems=list(unlisted), files=len(paths))
    decoder = Decoder()
    repairer = Repairer(config.repair)
    for path in paths:
        item = read_file(raw_dir, path, config, decoder)
        result.problems.extend(item.problems)
        _scan_file(item, repairer, result)
    return result


def _quoted(text: str) -> str:
    return to_json(text)


def suspect_line(suspect: Suspect, raw_dir: Path) -> str:
    """``RAW_DIR/path:line: kind rule: "span" -> "proposal"``, and the reason for a flag."""
    where = (raw_dir / suspect.path).as_posix()
    if suspect.line is not None:
        where += f":{suspect.line}"
    proposals = " | ".join(_quoted(text) for text in suspect.proposals) or "?"
    if suspect.kind == "fixed":
        head = f"fixed {suspect.rule} ({suspect.confidence})"
        return printable_name(f"{where}: {head}: {_quoted(suspect.span)} -> {proposals}")
    line = f"{where}: flag {suspect.rule}: {_quoted(suspect.span)} -> {proposals}: {suspect.reason}"
    return printable_name(line)  # the name and spans are untrusted


def suspect_json(suspect: Suspect) -> str:
    """The suspect as one JSON line."""
    data = {
        "path": suspect.path,
        "line": suspect.line,
        "paragraph": suspect.paragraph,
        "kind": suspect.kind,
        "rule": suspect.rule,
        "span": suspect.span,
        "proposals": list(suspect.proposals),
        "confidence": suspect.confidence,
        "reason": suspect.reason,
        "start": suspect.start,
        "end": suspect.end,
    }
    return to_json(data)


def scan_summary(result: ScanResult) -> str:
    """One line: how many repairs and flags, in how many files."""
    fixed = [suspect for suspect in result.suspects if suspect.kind == "fixed"]
    probable = sum(1 for suspect in fixed if suspect.confidence == "probable")
    files = result.files
    return (
        f"{len(fixed)} repair(s) ({len(fixed) - probable} certain, {probable} probable), "
        f"{len(result.flags)} flag(s) in {files} file{'s' * (files != 1)}"
    )
