"""The record model: one typed shape for an article, its paragraphs, their fixes and problems.

Every output line is produced from these dataclasses by :func:`to_json_line`, so the JSON form is
stable: keys come out in field order, non-ASCII text is written as is, and nothing depends on the
machine or the clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any, Literal

from pipeline.tokens import pack_tokens

Role = Literal[
    "title", "heading", "body", "breadcrumb", "navigation", "advert", "meta", "boilerplate"
]
Confidence = Literal["certain", "probable"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Fix:
    """One change made to a paragraph's text, with offsets into the paragraph's original text."""

    rule: str
    before: str
    after: str
    start: int
    end: int
    confidence: Confidence = "certain"


@dataclass(frozen=True)
class Problem:
    """Something in the input that could not be used as it was: a file, a line or some bytes.

    ``error`` means input was skipped (an unreadable file, a bad JSONL line); ``warning`` means the
    input was used with a loss that an editor should know about (bytes that could not be decoded).
    """

    path: str
    reason: str
    kind: str
    severity: Severity = "error"
    line: int | None = None

    def location(self) -> str:
        """Return ``path`` or ``path:line`` for messages."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Flag:
    """A suspect the repair stage found but did not change: for an editor to review.

    ``span`` is the suspect text, ``original[start:end]`` of the paragraph's original text;
    ``candidates`` are the repairs that the evidence allows, best first (none when nothing can be
    proposed).
    """

    rule: str
    span: str
    start: int
    end: int
    reason: str
    candidates: tuple[str, ...] = ()


DECISION_ACTIONS = (
    "keep",
    "drop",
    "reject_repair",
    "accept_candidate",
    "set_lang",
    "set_role",
    "set_title",
)


@dataclass(frozen=True)
class Decision:
    """An editor's decision about one paragraph, as written in the review file.

    It names the paragraph by ``source``, ``index`` and ``hash`` (the first 8 hex digits of the
    SHA-256 of its original text), so that it still finds its paragraph when a re-scraped page
    shifts the paragraphs, and is never applied to another. ``line`` is where it is written.
    """

    source: str
    index: int
    hash: str
    action: str
    value: str | None = None
    rule: str | None = None
    note: str | None = None
    line: int = 0


@dataclass
class AppliedDecision:
    """A decision as recorded on the paragraph it was applied to: what it asked and what it did.

    ``index`` is the index the decision was written for (the paragraph's own unless the page
    shifted); ``outcome`` is ``applied``, or ``no effect: ...`` with why.
    """

    action: str
    value: str | None
    rule: str | None
    index: int
    outcome: str = "applied"

    def settle(self, outcome: str, paragraph_index: int) -> None:
        """Set the outcome, noting where the paragraph is now when the page shifted."""
        moved = paragraph_index != self.index
        self.outcome = outcome + (f" (the paragraph is now at index {paragraph_index})" * moved)


@dataclass
class Paragraph:
    """A paragraph as it leaves the pipeline.

    ``index`` is the paragraph's position in its source article (0-based, the title counting as 0
    when there is one), so any paragraph can be traced back; ``line`` is the 1-based line of the
    input file where it starts (the JSONL line for JSONL input). ``hash`` is the first 8 hex
    digits of the SHA-256 of its original text (before any repair): what a review decision names
    it by. ``tokens`` holds jieba's
    segmentation for Chinese and mixed paragraphs and is ``None`` for the others. ``fixes`` are
    the changes made to the original text, ``flags`` the suspects left for review. A paragraph
    kept as page furniture has its kind as ``role`` (breadcrumb, navigation, advert, meta,
    boilerplate) and in ``evidence`` why it was taken for one. ``decisions`` are the editors'
    decisions applied to it.
    """

    index: int
    line: int | None = field(default=None, kw_only=True)
    hash: str = field(default="", kw_only=True)
    role: Role
    text: str
    lang: str = "und"
    script: str | None = None
    tokens: Sequence[str] | None = None
    fixes: list[Fix] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    decisions: list[AppliedDecision] = field(default_factory=list)

    @property
    def text_length(self) -> int:
        """The text's length in characters (a spilled paragraph knows it without its text)."""
        return len(self.text)

    def decided(self, action: str) -> AppliedDecision | None:
        """The first decision with ``action`` applied to this paragraph, if any."""
        return next((d for d in self.decisions if d.action == action), None)

    def dropped_entry(
        self,
        source: str,
        reason: str,
        duplicate_of: dict[str, Any] | None,
        similarity: float | None,
        evidence: list[str],
    ) -> DroppedParagraph:
        """This paragraph's entry of ``dropped.jsonl`` (see :func:`dropped_from`)."""
        known = (self.line, self.hash, self.lang, self.fixes, self.flags, self.decisions)
        entry = (source, self.index, self.text, reason, duplicate_of, similarity, evidence)
        return DroppedParagraph(*entry, *known)


@dataclass
class Article:
    """An article as read from the input, before it is split into per-language records.

    ``key`` identifies the article across runs: the source path, or for a JSONL line with an id,
    the file and that id (so that inserting lines above it does not change its record ids).
    """

    source: str
    key: str
    article_id: str | None
    url: str | None
    paragraphs: list[Paragraph]
    title_given: bool = False  # paragraph 0 is a title from the input (a JSONL title field)
    decisions: tuple[Decision, ...] = ()  # the review file's decisions for this article


@dataclass
class Record:
    """One article's paragraphs in one language: a line of ``en.jsonl``, ``zh.jsonl`` or
    ``other.jsonl``."""

    id: str
    source: str
    article_id: str | None
    url: str | None
    lang: str
    script: str | None
    title: str | None
    paragraphs: list[Paragraph]


@dataclass(slots=True)
class DroppedParagraph:
    """A paragraph removed from the output, with why and what it duplicated, and what it was:
    its line, hash, language, repairs, flags and the decisions applied to it. Slotted: a run
    over copies of a corpus holds hundreds of thousands of them."""

    source: str
    index: int
    text: str
    reason: str
    duplicate_of: dict[str, Any] | None = None
    similarity: float | None = None
    evidence: list[str] = field(default_factory=list)
    line: int | None = None
    hash: str = ""
    lang: str = "und"
    fixes: list[Fix] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    decisions: list[AppliedDecision] = field(default_factory=list)

    def with_content(self, text: str, fixes: list[Fix], flags: list[Flag]) -> DroppedParagraph:
        """The entry with the paragraph's text, repairs and flags (a light entry's, read back
        from the spill)."""
        return replace(self, text=text, fixes=fixes, flags=flags)


def dropped_from(
    source: str,
    paragraph: Paragraph,
    reason: str,
    duplicate_of: dict[str, Any] | None = None,
    similarity: float | None = None,
    evidence: list[str] | None = None,
) -> DroppedParagraph:
    """The entry of ``dropped.jsonl`` for ``paragraph`` of ``source``, dropped for ``reason``
    (a spilled paragraph's is light: see :mod:`pipeline.stub_drop`)."""
    if evidence is None:
        evidence = list(paragraph.evidence)
    return paragraph.dropped_entry(source, reason, duplicate_of, similarity, evidence)


def text_hash(text: str) -> str:
    """The first 8 hex digits of the SHA-256 of ``text`` in UTF-8: how a review decision names a
    paragraph (by its original text)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


# Lone surrogates cannot be written as UTF-8; NEL, LS and PS split lines for many JSONL readers.
_ESCAPED = re.compile("[\ud800-\udfff\x85\u2028\u2029]")
_COMPACT = json.JSONEncoder(ensure_ascii=False)  # json.dumps would make one for each call


def to_json(data: Any, indent: int | None = None) -> str:
    """JSON text with non-ASCII written as is, except lone surrogates (from JSON escapes or
    undecodable file names) and the line separators NEL, LS and PS, which are written as
    ``\\uXXXX`` escapes: the text stays valid UTF-8 and one record stays on one line."""
    if indent is None:
        text = _COMPACT.encode(data)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=indent)
    if _ESCAPED.search(text):
        text = _ESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text


def _fix_data(fix: Fix) -> dict[str, Any]:
    return {
        "rule": fix.rule,
        "before": fix.before,
        "after": fix.after,
        "start": fix.start,
        "end": fix.end,
        "confidence": fix.confidence,
    }


def _flag_data(flag: Flag) -> dict[str, Any]:
    return {
        "rule": flag.rule,
        "span": flag.span,
        "start": flag.start,
        "end": flag.end,
        "reason": flag.reason,
        "candidates": list(flag.candidates),
    }


def _decision_data(decision: AppliedDecision) -> dict[str, Any]:
    return {
        "action": decision.action,
        "value": decision.value,
        "rule": decision.rule,
        "index": decision.index,
        "outcome": decision.outcome,
    }


def paragraph_data(paragraph: Paragraph) -> dict[str, Any]:
    """The JSON form of a paragraph: what :func:`dataclasses.asdict` gives, built without its
    deep copies (tokens are shared, not copied)."""
    return {
        "index": paragraph.index,
        "line": paragraph.line,
        "hash": paragraph.hash,
        "role": paragraph.role,
        "text": paragraph.text,
        "lang": paragraph.lang,
        "script": paragraph.script,
        "tokens": None if paragraph.tokens is None else list(paragraph.tokens),
        "fixes": [_fix_data(fix) for fix in paragraph.fixes],
        "flags": [_flag_data(flag) for flag in paragraph.flags],
        "evidence": paragraph.evidence,
        "decisions": [_decision_data(d) for d in paragraph.decisions],
    }


def record_head(record: Record) -> dict[str, Any]:
    """The fields of :func:`record_data` before the title."""
    names = ("id", "source", "article_id", "url", "lang", "script")
    return {name: getattr(record, name) for name in names}


def record_data(record: Record) -> dict[str, Any]:
    """The JSON form of a record (as :func:`paragraph_data`)."""
    paragraphs = [paragraph_data(p) for p in record.paragraphs]
    return {**record_head(record), "title": record.title, "paragraphs": paragraphs}


def dropped_data(item: DroppedParagraph) -> dict[str, Any]:
    """The JSON form of a line of ``dropped.jsonl`` (as :func:`paragraph_data`)."""
    return {
        "source": item.source,
        "index": item.index,
        "text": item.text,
        "reason": item.reason,
        "duplicate_of": item.duplicate_of,
        "similarity": item.similarity,
        "evidence": item.evidence,
        "line": item.line,
        "hash": item.hash,
        "lang": item.lang,
        "fixes": [_fix_data(fix) for fix in item.fixes],
        "flags": [_flag_data(flag) for flag in item.flags],
        "decisions": [_decision_data(d) for d in item.decisions],
    }


def to_json_line(obj: Any) -> str:
    """Serialise a record-model dataclass (or plain data) as one stable JSON line."""
    if isinstance(obj, Record):
        data: Any = record_data(obj)
    elif isinstance(obj, Paragraph):
        data = paragraph_data(obj)
    elif isinstance(obj, DroppedParagraph):
        data = dropped_data(obj)
    else:
        data = asdict(obj) if hasattr(obj, "__dataclass_fields__") else obj
    return to_json(data) + "\n"


def record_from_dict(data: dict[str, Any]) -> Record:
    """The :class:`Record` that :func:`to_json_line` wrote as ``data`` (for the index)."""
    paragraphs = [
        Paragraph(
            item["index"],
            line=item["line"],
            role=item["role"],
            text=item["text"],
            lang=item["lang"],
            script=item["script"],
            tokens=None if item["tokens"] is None else pack_tokens(item["tokens"]),
            fixes=[Fix(**fix) for fix in item["fixes"]],
            flags=[
                Flag(**{**flag, "candidates": tuple(flag["candidates"])}) for flag in item["flags"]
            ],
            evidence=item["evidence"],
            hash=item["hash"],
            decisions=[AppliedDecision(**entry) for entry in item["decisions"]],
        )
        for item in data["paragraphs"]
    ]
    fields = {name: value for name, value in data.items() if name != "paragraphs"}
    return Record(**fields, paragraphs=paragraphs)


def record_schema() -> dict[str, Any]:
    """The JSON Schema that every line of en.jsonl, zh.jsonl and other.jsonl satisfies."""
    text = resources.files("pipeline").joinpath("schema/record.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
