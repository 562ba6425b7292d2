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
from urllib.parse import urlsplit

import numpy as np

from pipeline.fingerprint import comparison_key
from pipeline.furniture.clues import SHORT, clues
from pipeline.furniture.local import FURNITURE_ROLES, zones
from pipeline.paragraph_table import StubParagraph, shape_key
from pipeline.paragraphs import display_width
from pipeline.records import Paragraph, Role

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


def _shape(paragraph: Paragraph) -> str | int:
    """The comparison key with its numbers blanked, so that counters group together (for a
    spilled paragraph, the digest of that, computed where it was processed)."""
    if isinstance(paragraph, StubParagraph):
        return paragraph.shape
    return shape_key(comparison_key(paragraph.text))


def _line_of(site: str, shape: str | int) -> int:
    """A number for a line of a site: equal for equal lines (and rarely for others)."""
    return hash((site, shape))


def _frequent(articles: Sequence[SiteArticle], min_pages: int) -> set[int]:
    """The lines (:func:`_line_of`) seen at least ``min_pages`` times: only those can be on as
    many pages, so only those are counted page by page (a line seen once, most of them, is
    never looked at again). Shapes are found again afterwards rather than kept for the whole
    corpus: memory grows with the corpus, the time saved would be a fraction of a second."""
    lines = np.fromiter(
        (
            _line_of(article.site, shape)
            for article in articles
            for shape in map(_shape, article.paragraphs)
            if shape
        ),
        dtype=np.int64,
    )
    values, counts = np.unique(lines, return_counts=True)
    return set(values[counts >= min_pages].tolist())


def _wanted(article: SiteArticle, frequent: set[int]) -> tuple[list[str | int], list[bool]]:
    """The shapes of an article's paragraphs, and which of them are frequent lines of its site."""
    shapes = [_shape(p) for p in article.paragraphs]
    return shapes, [bool(shape) and _line_of(article.site, shape) in frequent for shape in shapes]


def repeated_furniture(
    articles: Sequence[SiteArticle], min_pages: int
) -> dict[int, tuple[Role, list[str]]]:
    """Paragraphs (by ``id``) that repetition on their site makes furniture, or whose furniture
    it confirms, with the role and the evidence to record."""
    if min_pages < 2:
        return {}
    frequent = _frequent(articles, min_pages)
    seen: dict[tuple[str, str | int], _Seen] = defaultdict(_Seen)
    for article in articles:
        shapes, wanted = _wanted(article, frequent)
        if not any(wanted):
            continue
        body = zones(article.paragraphs)
        title = next((n for n, p in enumerate(article.paragraphs) if p.role == "title"), None)
        for position, shape in enumerate(shapes):
            if not wanted[position]:
                continue
            before = shapes[position - 1] if position else "^"
            after = shapes[position + 1] if position + 1 < len(shapes) else "$"
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
        for article in articles
        for shapes, wanted in (_wanted(article, frequent),)
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
