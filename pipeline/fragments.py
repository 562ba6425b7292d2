"""Records as pre-rendered JSON pieces: what no corpus stage changes, rendered where the article
was processed, and put together into the exact output lines at the end of the run.

A paragraph's JSON line is its fields in :func:`~pipeline.records.paragraph_data` order. The
corpus stages change only its role, evidence and decisions (and a record's title and which
paragraphs stay), so everything else (index, line, hash, text, language, script, tokens,
repairs, flags) is rendered once, in the worker, as pieces of JSON text. :func:`record_line`
and :func:`dropped_line` splice the pieces and the stages' values into the line
:func:`~pipeline.records.to_json_line` would write for the full record, character for character
(a property test checks it). Rendering a piece alone gives the same text as rendering it inside
the whole: the separators are the same, and the escapes of :func:`~pipeline.records.to_json`
only ever touch characters inside strings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from pipeline.records import (
    AppliedDecision,
    DroppedParagraph,
    Fix,
    Flag,
    Paragraph,
    Record,
    paragraph_data,
    record_from_dict,
    record_head,
    to_json,
)
from pipeline.tokens import Tokens


class ParagraphPieces(NamedTuple):
    """The pieces of a paragraph's JSON that no corpus stage changes, and what the output's
    counts need of it."""

    paragraph_index: int
    prefix: str  # the JSON up to its role
    text: str
    middle: str  # its language, script and tokens
    fixes: str
    flags: str
    lang: str
    fix_counts: tuple[tuple[str, str], ...]  # each repair's rule and confidence
    flag_rules: tuple[str, ...]


class RecordPieces(NamedTuple):
    """The pieces of a record's JSON that no corpus stage changes, and its paragraphs'."""

    record_id: str
    source: str
    lang: str
    head: str  # the JSON up to its title
    paragraphs: list[ParagraphPieces]


_EMPTY = "[]"


def _inner(data: dict[str, Any]) -> str:
    """The JSON of ``data`` without its braces: its fields, to splice into another object."""
    return to_json(data)[1:-1]


def paragraph_pieces(paragraph: Paragraph) -> ParagraphPieces:
    """The pieces of a paragraph's JSON that no corpus stage changes."""
    fixes, flags, tokens = paragraph.fixes, paragraph.flags, paragraph.tokens
    # Built field by field: most paragraphs have no repair and no flag, and their full
    # ``paragraph_data`` (its dicts and lists) would be made only to be taken apart again.
    data = paragraph_data(paragraph) if fixes or flags else None
    line = "null" if paragraph.line is None else int(paragraph.line)
    return ParagraphPieces(
        paragraph.index,
        f'{{"index": {int(paragraph.index)}, "line": {line}, "hash": {_code_json(paragraph.hash)}',
        to_json(paragraph.text),
        f'"lang": {_code_json(paragraph.lang)}, "script": {_code_json(paragraph.script)}, '
        f'"tokens": {"null" if tokens is None else _tokens_json(tokens)}',
        to_json(data["fixes"]) if data and fixes else _EMPTY,
        to_json(data["flags"]) if data and flags else _EMPTY,
        paragraph.lang,
        tuple((fix.rule, fix.confidence) for fix in fixes),
        tuple(flag.rule for flag in flags),
    )


def _tokens_json(tokens: Sequence[str]) -> str:
    """The JSON list of the tokens. Packed tokens without a backslash are rendered as their one
    string, the separator's escape then split into the list's commas: JSON escapes a string
    character by character, and only the separator writes ``\\u001f`` where no backslash was."""
    if isinstance(tokens, Tokens) and tokens and "\\" not in tokens.packed:
        return "[" + to_json(tokens.packed).replace("\\u001f", '", "') + "]"
    return to_json(list(tokens))


def _code_json(code: str | None) -> str:
    """The JSON of a hash, a language or a script: letters and digits (most codes) are
    written as they are, between quotes, without the encoder."""
    if code is not None and code.isascii() and code.isalnum():
        return f'"{code}"'
    return to_json(code)


def record_pieces(record: Record) -> RecordPieces:
    """The pieces of a record's JSON that no corpus stage changes, and its paragraphs'."""
    head = record_head(record)  # not record_data: its paragraphs' data are not needed here
    return RecordPieces(
        record.id,
        record.source,
        record.lang,
        "{" + _inner(head),
        [paragraph_pieces(paragraph) for paragraph in record.paragraphs],
    )


def _list(values: Sequence[Any]) -> str:
    return to_json(list(values)) if values else _EMPTY


def _decisions(decisions: Sequence[AppliedDecision]) -> str:
    if not decisions:
        return _EMPTY
    return to_json(
        [
            {
                "action": d.action,
                "value": d.value,
                "rule": d.rule,
                "index": d.index,
                "outcome": d.outcome,
            }
            for d in decisions
        ]
    )


def paragraph_json(
    pieces: ParagraphPieces,
    role: str,
    evidence: Sequence[str],
    decisions: Sequence[AppliedDecision],
) -> str:
    """A paragraph's JSON, with the role, evidence and decisions the corpus stages left."""
    return (
        f'{pieces.prefix}, "role": {to_json(role)}, "text": {pieces.text}, {pieces.middle}, '
        f'"fixes": {pieces.fixes}, "flags": {pieces.flags}, "evidence": {_list(evidence)}, '
        f'"decisions": {_decisions(decisions)}}}'
    )


def record_line(pieces: RecordPieces, title: str | None, paragraphs: Sequence[str]) -> str:
    """A record's JSON line, with its title and its paragraphs' JSON (as left)."""
    return f'{pieces.head}, "title": {to_json(title)}, "paragraphs": [{", ".join(paragraphs)}]}}\n'


def dropped_line(item: DroppedParagraph, pieces: ParagraphPieces) -> str:
    """A ``dropped.jsonl`` line: the entry the stages made (``item``, without the text), with
    the text, repairs and flags of the paragraph's pieces. Written field by field, as
    :func:`~pipeline.records.dropped_data` orders them: a run drops tens of thousands of
    paragraphs, and a dict of each entry given to the encoder took a third of the rendering."""
    line = item.line
    return (
        f'{{"source": {to_json(item.source)}, "index": {int(item.index)}, "text": {pieces.text}, '
        f'"reason": {to_json(item.reason)}, "duplicate_of": {_duplicate_json(item.duplicate_of)}, '
        f'"similarity": {_number_json(item.similarity)}, "evidence": {_list(item.evidence)}, '
        f'"line": {"null" if line is None else int(line)}, "hash": {_code_json(item.hash)}, '
        f'"lang": {_code_json(item.lang)}, "fixes": {pieces.fixes}, "flags": {pieces.flags}, '
        f'"decisions": {_decisions(item.decisions)}}}\n'
    )


def _duplicate_json(duplicate_of: dict[str, Any] | None) -> str:
    """The JSON of what a dropped paragraph repeats (most often its source and index)."""
    if duplicate_of is None:
        return "null"
    if list(duplicate_of) == ["source", "index"] and type(duplicate_of["index"]) is int:
        return f'{{"source": {to_json(duplicate_of["source"])}, "index": {duplicate_of["index"]}}}'
    return to_json(duplicate_of)


def _number_json(value: float | None) -> str:
    """The JSON of a similarity: a finite float as the encoder writes it (its ``repr``)."""
    if type(value) is float and math.isfinite(value):
        return repr(value)
    return to_json(value)


def full_record(line: str) -> Record:
    """The full :class:`Record` a record line holds."""
    return record_from_dict(json.loads(line))


def full_dropped(item: DroppedParagraph, pieces: ParagraphPieces) -> DroppedParagraph:
    """``item`` with the text, repairs and flags of the paragraph's pieces."""
    flags = [
        Flag(**{**flag, "candidates": tuple(flag["candidates"])})
        for flag in json.loads(pieces.flags)
    ]
    fixes = [Fix(**fix) for fix in json.loads(pieces.fixes)]
    return item.with_content(json.loads(pieces.text), fixes, flags)
