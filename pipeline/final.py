"""The run's last pass: each spilled chunk's full records, with what the corpus stages changed.

The corpus stages work on light records (:mod:`pipeline.spill`) and change only roles,
evidence, decisions, titles and which paragraphs stay. :func:`final_chunks` cuts the light
records left and the drops by spilled chunk into :class:`FinalChunk` objects, and
:func:`final_lines` reads a chunk's records from the spill and puts those changes on them.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.fragments import (
    ParagraphPieces,
    RecordPieces,
    full_dropped,
    full_record,
    paragraph_json,
    record_line,
)
from pipeline.records import DroppedParagraph, Record
from pipeline.spill import Spill, SpilledChunk

Article = tuple[list[Record], list[DroppedParagraph]]  # an article's records and drops


@dataclass
class FinalChunk:
    """One spilled chunk's place in the spill and what the corpus stages changed in it."""

    path: Path  # the spill's file of its record blob
    offset: int
    size: int
    kept: dict[str, Record]  # by record id: the light records left, as the stages left them
    dropped: dict[str, list[DroppedParagraph]]  # by source: what the stages dropped


def final_chunks(
    spill: Spill, kept: Sequence[Record], dropped: Sequence[DroppedParagraph]
) -> Iterator[FinalChunk]:
    """The chunks of ``spill`` in spill order, each with its share of ``kept`` (the light
    records left) and ``dropped`` (what the stages dropped, in corpus order)."""
    light = {record.id: record for record in kept}
    drops: dict[str, list[DroppedParagraph]] = {}
    for item in dropped:
        drops.setdefault(item.source, []).append(item)
    for piece in spill.pieces():
        changes = {rid: light[rid] for rid in piece.record_ids if rid in light}
        gone = {source: drops[source] for source in piece.sources if source in drops}
        yield FinalChunk(piece.path, piece.offset, piece.size, changes, gone)


@dataclass
class FinalRecord:
    """A record as it is written: its pieces, those of the paragraphs that stay, its line."""

    pieces: RecordPieces
    paragraphs: list[ParagraphPieces]
    line: str


FinalArticle = tuple[list[FinalRecord], list[tuple[DroppedParagraph, ParagraphPieces]]]


def _read(chunk: FinalChunk) -> list[list[RecordPieces]]:
    with chunk.path.open("rb") as stream:
        stream.seek(chunk.offset)
        articles: list[list[RecordPieces]] = pickle.loads(stream.read(chunk.size))
    return articles


def final_lines(chunk: FinalChunk) -> list[FinalArticle]:
    """The chunk's articles as the corpus stages left them: each record's line, and each
    dropped paragraph with its pieces."""
    return [_final(article, chunk) for article in _read(chunk) if article]


def _final(article: list[RecordPieces], chunk: FinalChunk) -> FinalArticle:
    full = {p.paragraph_index: p for record in article for p in record.paragraphs}
    out = []
    for record in article:
        left = chunk.kept.get(record.record_id)
        if left is None:
            continue
        kept = [full[stub.index] for stub in left.paragraphs]
        lines = [
            paragraph_json(pieces, stub.role, stub.evidence, stub.decisions)
            for pieces, stub in zip(kept, left.paragraphs, strict=True)
        ]
        out.append(FinalRecord(record, kept, record_line(record, left.title, lines)))
    gone = [(item, full[item.index]) for item in chunk.dropped.get(article[0].source, ())]
    return out, gone


def processed_lines(chunk: SpilledChunk) -> list[list[str]]:
    """Each article's record lines as the per-article stages left them (before any corpus
    stage: what the index keeps), from a chunk not yet spilled."""
    lines = []
    for article, light in zip(pickle.loads(chunk.record_blob()), chunk.light, strict=True):
        article_lines = []
        for pieces, record in zip(article, light, strict=True):
            paragraphs = [
                paragraph_json(p, stub.role, stub.evidence, stub.decisions)
                for p, stub in zip(pieces.paragraphs, record.paragraphs, strict=True)
            ]
            article_lines.append(record_line(pieces, record.title, paragraphs))
        lines.append(article_lines)
    return lines


def load_chunk(chunk: FinalChunk) -> list[Article]:
    """The chunk's articles as the corpus stages left them, full: texts, tokens, repairs and
    flags (read back from their lines)."""
    return [
        (
            [full_record(record.line) for record in records],
            [full_dropped(item, pieces) for item, pieces in gone],
        )
        for records, gone in final_lines(chunk)
    ]


def final_articles(
    spill: Spill, kept: Sequence[Record], dropped: Sequence[DroppedParagraph]
) -> Iterator[Article]:
    """Each article's records and dropped paragraphs as the corpus stages left them, full, in
    spill order (see :func:`final_chunks`)."""
    for chunk in final_chunks(spill, kept, dropped):
        yield from load_chunk(chunk)
