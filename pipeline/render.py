"""JSON lines rendered a spilled chunk at a time, and the counts of what was rendered.

Each chunk's records are read from the spill as pieces of JSON made where they were processed
(:mod:`pipeline.fragments`), given the corpus stages' changes (:mod:`pipeline.final`) and put
together into the bytes each output file gets from it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeline.final import Article, FinalChunk, final_chunks, final_lines
from pipeline.fragments import (
    ParagraphPieces,
    dropped_line,
)
from pipeline.layout import DROPPED_FILE, OTHER_FILE, RECORD_FILES
from pipeline.records import Record, to_json_line
from pipeline.result import RunResult


def file_for(record: Record) -> str:
    """The output file a record goes to."""
    return file_for_lang(record.lang)


def file_for_lang(lang: str) -> str:
    """The output file a record in ``lang`` goes to."""
    return RECORD_FILES.get(lang, OTHER_FILE)


@dataclass
class Tally:
    """Counts over a run's output, shared by the manifest and the printed summary."""

    records_per_file: Counter[str] = field(default_factory=Counter)
    paragraphs_out: Counter[str] = field(default_factory=Counter)
    paragraph_langs: Counter[str] = field(default_factory=Counter)
    fixes: Counter[str] = field(default_factory=Counter)
    fix_confidence: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)

    def add(self, record: Record) -> None:
        """Count one output record."""
        self.records_per_file[file_for(record)] += 1
        self.paragraphs_out[record.lang] += len(record.paragraphs)
        for paragraph in record.paragraphs:
            self.paragraph_langs[paragraph.lang] += 1
            if paragraph.fixes:
                self.fixes.update(fix.rule for fix in paragraph.fixes)
                self.fix_confidence.update(fix.confidence for fix in paragraph.fixes)
            if paragraph.flags:
                self.flags.update(flag.rule for flag in paragraph.flags)

    def add_pieces(self, lang: str, paragraphs: list[ParagraphPieces]) -> None:
        """Count one output record in ``lang`` given as its paragraphs' pieces."""
        self.records_per_file[file_for_lang(lang)] += 1
        self.paragraphs_out[lang] += len(paragraphs)
        for pieces in paragraphs:
            self.paragraph_langs[pieces.lang] += 1
            if pieces.fix_counts:
                self.fixes.update(rule for rule, _ in pieces.fix_counts)
                self.fix_confidence.update(level for _, level in pieces.fix_counts)
            if pieces.flag_rules:
                self.flags.update(pieces.flag_rules)

    def merge(self, other: Tally) -> None:
        """Add the counts of ``other``."""
        for name in self.__dataclass_fields__:
            getattr(self, name).update(getattr(other, name))


@dataclass
class RenderedChunk:
    """The bytes a chunk adds to each output file, and the counts of its records."""

    files: dict[str, bytes]
    counts: Tally


def render_articles(articles: list[Article]) -> RenderedChunk:
    """The JSON lines of ``articles``' records (by output file) and dropped paragraphs."""
    counts = Tally()
    lines: dict[str, list[str]] = {}
    for records, dropped in articles:
        for record in records:
            counts.add(record)
            lines.setdefault(file_for(record), []).append(to_json_line(record))
        if dropped:
            lines.setdefault(DROPPED_FILE, []).extend(to_json_line(item) for item in dropped)
    files = {name: "".join(text).encode("utf-8") for name, text in lines.items()}
    return RenderedChunk(files, counts)


def render_chunk(chunk: FinalChunk) -> RenderedChunk:
    """A spilled chunk, read and rendered from its pieces (what a worker process does)."""
    counts = Tally()
    lines: dict[str, list[str]] = {}
    for records, dropped in final_lines(chunk):
        for record in records:
            counts.add_pieces(record.pieces.lang, record.paragraphs)
            lines.setdefault(file_for_lang(record.pieces.lang), []).append(record.line)
        if dropped:
            lines.setdefault(DROPPED_FILE, []).extend(
                dropped_line(item, pieces) for item, pieces in dropped
            )
    files = {name: "".join(text).encode("utf-8") for name, text in lines.items()}
    return RenderedChunk(files, counts)


def rendered_chunks(result: RunResult) -> Iterator[RenderedChunk]:
    """Every chunk of ``result`` rendered, in output order. (Rendering from pieces is cheap:
    in worker processes, starting them and sending the lines back cost more than it saves.)"""
    spill = result.spill
    if spill is None:
        yield render_articles(list(result.articles()))
        return
    yield from map(render_chunk, final_chunks(spill, result.light_records, result.light_dropped))
