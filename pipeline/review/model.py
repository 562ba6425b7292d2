"""The review model: what a run did to each article, read back from its output folder.

It is built from the public output alone (the record files, ``dropped.jsonl`` and
``manifest.json``), so it shows exactly what was written: every paragraph of every article in
index order, kept or dropped, with its original text (the fixes replayed backwards), its repairs,
flags, language and decisions. The HTML report and ``pipeline show`` are views of it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.layout import DROPPED_FILE, MANIFEST_FILE, OTHER_FILE, RECORD_FILES
from pipeline.records import Fix
from pipeline.repair.ledger import unreplay

RECORD_FILE_NAMES = (*RECORD_FILES.values(), OTHER_FILE)


class ReportError(ValueError):
    """An output folder that cannot be read as a run's output; the message says why."""


@dataclass(frozen=True)
class Segment:
    """A piece of a paragraph's original text: unchanged (``kind`` "text"), repaired ("fix":
    ``text`` became ``after``) or flagged ("flag", with candidates)."""

    kind: str
    text: str
    after: str = ""
    rule: str = ""
    confidence: str = ""
    reason: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class ParagraphView:
    """One paragraph of an article as the review shows it."""

    index: int
    line: int | None
    hash: str
    role: str
    lang: str
    text: str  # as written to the output
    original: str  # as it came in
    fixes: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    dropped: str | None = None  # the drop reason
    evidence: list[str] = field(default_factory=list)
    duplicate_of: dict[str, Any] | None = None
    similarity: float | None = None

    def segments(self) -> list[Segment]:
        """The original text cut into unchanged, repaired and flagged pieces, in order. A flag
        that overlaps a repair is left out here (:meth:`loose_flags` has it)."""
        marks: list[tuple[int, int, Segment]] = []
        for fix in self.fixes:
            marks.append(
                (
                    fix["start"],
                    fix["end"],
                    Segment("fix", fix["before"], fix["after"], fix["rule"], fix["confidence"]),
                )
            )
        for flag in self._inline_flags():
            segment = Segment(
                "flag",
                flag["span"],
                "",
                flag["rule"],
                "",
                flag["reason"],
                tuple(flag["candidates"]),
            )
            marks.append((flag["start"], flag["end"], segment))
        marks.sort(key=lambda mark: (mark[0], mark[1]))
        pieces: list[Segment] = []
        position = 0
        for start, end, segment in marks:
            if start > position:
                pieces.append(Segment("text", self.original[position:start]))
            pieces.append(segment)
            position = max(position, end)
        if position < len(self.original):
            pieces.append(Segment("text", self.original[position:]))
        return pieces

    def _inline_flags(self) -> list[dict[str, Any]]:
        taken = [(fix["start"], fix["end"]) for fix in self.fixes]
        inline: list[dict[str, Any]] = []
        for flag in sorted(self.flags, key=lambda f: (f["start"], f["end"])):
            start, end = flag["start"], flag["end"]
            if any(a < end and start < b for a, b in taken) or end <= start:
                continue
            taken.append((start, end))
            inline.append(flag)
        return inline

    def loose_flags(self) -> list[dict[str, Any]]:
        """The flags not shown inline (they overlap a repair or another flag)."""
        inline = {id(flag) for flag in self._inline_flags()}
        return [flag for flag in self.flags if id(flag) not in inline]


@dataclass
class ArticleView:
    """One article: its paragraphs in index order, kept and dropped."""

    source: str
    title: str | None
    url: str | None
    paragraphs: list[ParagraphView]

    @property
    def anchor(self) -> str:
        """A safe, stable HTML id for the article (hex only, whatever the source holds)."""
        return article_anchor(self.source)

    @property
    def langs(self) -> list[str]:
        """The languages of its paragraphs, most text first."""
        weights: Counter[str] = Counter()
        for paragraph in self.paragraphs:
            weights[paragraph.lang] += len(paragraph.text) or 1
        return [lang for lang, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]

    @property
    def reasons(self) -> list[str]:
        """The drop reasons among its paragraphs, sorted."""
        return sorted({p.dropped for p in self.paragraphs if p.dropped})

    @property
    def repairs(self) -> int:
        """How many repairs were made in it."""
        return sum(len(p.fixes) for p in self.paragraphs)

    @property
    def open_flags(self) -> int:
        """How many flags are left in it."""
        return sum(len(p.flags) for p in self.paragraphs)

    @property
    def drops(self) -> int:
        """How many of its paragraphs were dropped."""
        return sum(1 for p in self.paragraphs if p.dropped)

    @property
    def changes(self) -> int:
        """Everything an editor may want to look at: drops, repairs, flags and decisions."""
        decided = sum(len(p.decisions) for p in self.paragraphs)
        return self.drops + self.repairs + self.open_flags + decided


@dataclass
class ReportModel:
    """A run's output as the review shows it: the manifest and every article, most changed
    first (then by source)."""

    manifest: dict[str, Any]
    articles: list[ArticleView]

    def find(self, source: str) -> ArticleView | None:
        """The article of ``source``, if the output has it."""
        return next((a for a in self.articles if a.source == source), None)


def article_anchor(source: str) -> str:
    """The HTML id of the article of ``source``."""
    return "a" + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def paragraph_anchor(source: str, index: int) -> str:
    """The HTML id of paragraph ``index`` of ``source``."""
    return f"{article_anchor(source)}-{index}"


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="surrogateescape") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ReportError(f"{path}:{number}: not a JSON line ({exc.msg})") from None


def _rows(out_dir: Path, jsonl_name: str) -> Iterator[dict[str, Any]]:
    """The rows of an output file: its JSONL form, else its Parquet form (``--format
    parquet``)."""
    parquet = out_dir / jsonl_name.replace(".jsonl", ".parquet")
    if (out_dir / jsonl_name).is_file() or not parquet.is_file():
        yield from _lines(out_dir / jsonl_name)
        return
    from pipeline.parquet import parquet_rows

    try:
        yield from parquet_rows(parquet.read_bytes())
    except (OSError, ValueError) as exc:
        raise ReportError(f"{parquet}: not a Parquet file of this tool ({exc})") from None


def _view(item: dict[str, Any], **extra: Any) -> ParagraphView:
    fixes = item.get("fixes", [])
    return ParagraphView(
        index=item["index"],
        line=item.get("line"),
        hash=item.get("hash", ""),
        role=extra.pop("role", item.get("role", "body")),
        lang=item.get("lang", "und"),
        text=item["text"],
        original=unreplay(item["text"], [Fix(**fix) for fix in fixes]),
        fixes=fixes,
        flags=item.get("flags", []),
        decisions=item.get("decisions", []),
        evidence=item.get("evidence", []),
        **extra,
    )


def load_model(out_dir: Path) -> ReportModel:
    """Read the output folder ``out_dir`` of a run into a :class:`ReportModel`."""
    manifest_path = out_dir / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{out_dir}: no {MANIFEST_FILE}: run `pipeline run` first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{manifest_path}: cannot read the manifest: {exc}") from None
    articles: dict[str, ArticleView] = {}
    for name in RECORD_FILE_NAMES:
        for record in _rows(out_dir, name):
            article = articles.setdefault(
                record["source"], ArticleView(record["source"], None, record.get("url"), [])
            )
            if record.get("title") and article.title is None:
                article.title = record["title"]
            article.paragraphs.extend(_view(item) for item in record["paragraphs"])
    for item in _rows(out_dir, DROPPED_FILE):
        article = articles.setdefault(item["source"], ArticleView(item["source"], None, None, []))
        article.paragraphs.append(
            _view(
                item,
                role="dropped",
                dropped=item["reason"],
                duplicate_of=item.get("duplicate_of"),
                similarity=item.get("similarity"),
            )
        )
    for article in articles.values():
        article.paragraphs.sort(key=lambda p: (p.index, p.dropped is not None))
    ranked = sorted(articles.values(), key=lambda a: (-a.changes, a.source))
    return ReportModel(manifest, ranked)


def find_articles(model: ReportModel, file: str) -> list[ArticleView]:
    """The articles of the raw file ``file``: the one whose source it is, or every article of a
    JSONL file. ``file`` may carry the raw folder in front (``raw/003.txt``) or be a whole path:
    the longest tail of it that is a source wins."""
    parts = [part for part in file.split("/") if part not in ("", ".")]
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        found = [
            a for a in model.articles if a.source == tail or a.source.rpartition(":")[0] == tail
        ]
        if found:
            return sorted(found, key=lambda a: _source_order(a.source))
    return []


def _source_order(source: str) -> tuple[str, int]:
    path, _, line = source.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (source, 0)
