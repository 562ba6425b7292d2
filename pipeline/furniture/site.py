"""Furniture told by repetition: the same line on several pages of one site.

A site is the URL host for JSONL inputs, else the input's folder. A line counts as repeated on
as many pages as it has distinct surroundings there (the paragraphs before and after it), so a
re-scraped copy of an article, whose every line keeps its neighbours, adds nothing. Repetition
alone is not furniture: a recurring intro or a quote copied by other pages is content, and dedup
keeps its first copy. A repeated line is furniture when it stands at the same edge of the article
(among its first or last two paragraphs, outside its prose) on most pages and either carries a
clue of its own or is short and holds no sentence mark: that is ``boilerplate``. A title chosen
from the text can be one (a site slogan at the top of every page, then the article's own
headline); a title given by the input (JSONL) never is.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from pipeline.fingerprint import comparison_key
from pipeline.furniture.clues import SHORT, clues
from pipeline.furniture.local import FURNITURE_ROLES, zones
from pipeline.paragraph_table import SHAPE, StubParagraph, shape_digest
from pipeline.records import Paragraph, Role
from pipeline.text_width import display_width, is_prose

_SAME_EDGE = 2 / 3
_SENTENCE_MARK = re.compile(r"[.。!！?？;；,，、～~]")


def site_of(source: str, url: str | None) -> str:
    """The site an article belongs to: its URL's host, else the folder of its input file."""
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host
    path, colon, line = source.rpartition(":")
    if not (colon and line.isdigit() and path.lower().endswith(".jsonl")):
        path = source  # a .txt or .md file, not a JSONL line
    return "folder:" + (posixpath.dirname(path) or ".")


Around = tuple[str | int, str | int]  # the lines before and after one


@dataclass(slots=True)
class _Seen:
    # By page: the line's surroundings there, one pair (most pages) or a set of them. A run over
    # copies of a corpus counts hundreds of thousands of lines: no set for one pair.
    surroundings: dict[str, Around | set[Around]] = field(default_factory=dict)
    edges: dict[str, int] = field(default_factory=dict)
    total: int = 0
    pages: int = 0  # set once everything is counted

    def add(self, page: str, around: Around) -> None:
        """Note the line seen on ``page`` between these lines."""
        found = self.surroundings.get(page)
        if found is None:
            self.surroundings[page] = around
        elif isinstance(found, set):
            found.add(around)
        elif found != around:
            self.surroundings[page] = {found, around}

    def count_pages(self) -> None:
        """On how many pages the line is seen, pages that give it the same surroundings
        counting once (a re-scraped copy of a page is that page)."""
        if len(self.surroundings) < 2:
            self.pages = len(self.surroundings)
        else:
            self.pages = len(
                {
                    frozenset(around if isinstance(around, set) else (around,))
                    for around in self.surroundings.values()
                }
            )


@dataclass(frozen=True)
class SiteArticle:
    """One article as the repetition count sees it."""

    source: str
    site: str
    paragraphs: Sequence[Paragraph]  # in index order
    title_given: bool = False


def _shape(paragraph: Paragraph) -> int:
    """The comparison key with its numbers blanked, so that counters group together, as a
    63-bit digest (0 for an empty key; for a spilled paragraph, computed where it was
    processed)."""
    if isinstance(paragraph, StubParagraph):
        return paragraph.shape
    return shape_digest(comparison_key(paragraph.text))


def _shapes(paragraphs: Sequence[Paragraph]) -> npt.NDArray[np.int64]:
    """The shapes of an article's paragraphs: for spilled ones of one table (nearly every
    article), read from its column at once."""
    if paragraphs and isinstance(paragraphs[0], StubParagraph):
        stubs = cast("Sequence[StubParagraph]", paragraphs)
        table = stubs[0].table
        if table is not None and all(
            type(p) is StubParagraph and p.rows.table is table for p in stubs
        ):
            return table.column(SHAPE)[[p.serial for p in stubs]].astype(np.int64)
    return np.fromiter(map(_shape, paragraphs), dtype=np.int64, count=len(paragraphs))


def _prose(paragraph: Paragraph) -> bool:
    """Whether the paragraph reads as prose (for a spilled one, found where it was processed:
    its text is not read from the spill again)."""
    if isinstance(paragraph, StubParagraph):
        return paragraph.prose
    return is_prose(paragraph.text)


@dataclass
class _Lines:
    """Every paragraph's shape in article order (``starts[n]`` is where article n's begin), and
    which are frequent lines of their site."""

    shapes: npt.NDArray[np.int64]
    starts: list[int]
    wanted: npt.NDArray[np.bool_]

    def of(self, number: int) -> tuple[list[int], list[bool]]:
        """Article ``number``'s shapes and which of them are frequent lines of its site."""
        start, end = self.starts[number], self.starts[number + 1]
        return self.shapes[start:end].tolist(), self.wanted[start:end].tolist()


def _lines(articles: Sequence[SiteArticle], min_pages: int) -> _Lines:
    """The shapes of every article's paragraphs, and which are frequent lines of their site."""
    shapes = [_shapes(article.paragraphs) for article in articles]
    sizes = np.array([len(part) for part in shapes], dtype=np.int64)
    starts: list[int] = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64).tolist()
    sites: dict[str, int] = {}
    site_numbers = np.repeat(
        np.array([sites.setdefault(a.site, len(sites)) for a in articles], dtype=np.uint64),
        sizes,
    )
    every = np.concatenate(shapes) if shapes else np.zeros(0, dtype=np.int64)
    del shapes
    # A number for a line of a site: equal for equal lines (and rarely for others).
    lines = every.view(np.uint64) ^ (site_numbers * np.uint64(0x9E3779B97F4A7C15))
    del site_numbers
    wanted = (every != 0) & _frequent(lines, min_pages)
    return _Lines(every, starts, wanted)


def _frequent(lines: npt.NDArray[np.uint64], min_pages: int) -> npt.NDArray[np.bool_]:
    """Which lines (of ``_lines``) are seen at least ``min_pages`` times: only those can be on
    as many pages, so only those are counted page by page (a line seen once, most of them, is
    never looked at again)."""
    _, inverse, counts = np.unique(lines, return_inverse=True, return_counts=True)
    frequent: npt.NDArray[np.bool_] = counts[inverse.reshape(-1)] >= min_pages
    return frequent


def repeated_furniture(
    articles: Sequence[SiteArticle], min_pages: int
) -> dict[int, tuple[Role, list[str]]]:
    """Paragraphs (by ``id``) that repetition on their site makes furniture, or whose furniture
    it confirms, with the role and the evidence to record."""
    if min_pages < 2:
        return {}
    lines = _lines(articles, min_pages)
    seen: dict[tuple[str, int], _Seen] = defaultdict(_Seen)
    for number, article in enumerate(articles):
        shapes, wanted = lines.of(number)
        if not any(wanted):
            continue
        body = zones(article.paragraphs, prose=[_prose(p) for p in article.paragraphs])
        title = next((n for n, p in enumerate(article.paragraphs) if p.role == "title"), None)
        for position, shape in enumerate(shapes):
            if not wanted[position]:
                continue
            before: str | int = shapes[position - 1] if position else "^"
            after: str | int = shapes[position + 1] if position + 1 < len(shapes) else "$"
            edge = body.edge(position)
            if edge == "top" and title is not None and position > title:
                edge = (
                    None  # a heading under the title ("岗位职责") is the article's, not the site's
                )
            entry = seen[(article.site, shape)]
            entry.add(article.source, (before, after))
            entry.total += 1
            if edge:
                entry.edges[edge] = entry.edges.get(edge, 0) + 1
    for entry in seen.values():
        entry.count_pages()
    # The lines counted are found again rather than listed: over copies of a corpus nearly every
    # line is frequent, and a list of them all held tens of MB at the run's peak.
    changes: dict[int, tuple[Role, list[str]]] = {}
    placed = (
        (article, position, shape)
        for number, article in enumerate(articles)
        for shapes, wanted in (lines.of(number),)
        for position, shape in enumerate(shapes)
        if wanted[position]
    )
    for article, position, shape in placed:
        entry = seen[(article.site, shape)]
        pages = entry.pages
        if pages < min_pages:
            continue
        paragraph = article.paragraphs[position]
        where, count = max(entry.edges.items(), key=lambda item: item[1], default=("", 0))
        same_edge = count >= _SAME_EDGE * entry.total
        note = f"seen on {pages} pages of this site" + (
            f" at the same position ({where} of the article)" if same_edge else ""
        )
        if paragraph.role in FURNITURE_ROLES:
            changes[id(paragraph)] = (paragraph.role, [*paragraph.evidence, note])
            continue
        if paragraph.role == "title" and (article.title_given or where != "top"):
            continue
        found = clues(paragraph.text) if same_edge else []
        if found:
            kind = found[0].kind
            evidence = [clue.evidence for clue in found if clue.kind == kind]
            changes[id(paragraph)] = (kind, [*evidence, note])
        elif (
            same_edge
            and display_width(paragraph.text, SHORT + 1) <= SHORT
            and not _SENTENCE_MARK.search(paragraph.text)
        ):
            short_line = "a short line, not the article's prose"
            changes[id(paragraph)] = ("boilerplate", [note, short_line])
    return changes
