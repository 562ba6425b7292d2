"""What deduplication works on: one item per paragraph, what it matched, and the lookups its
greedy pass makes (the references kept so far, the pairs inside each article)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Sequence
from dataclasses import dataclass

from pipeline.paragraph_table import StubParagraph
from pipeline.records import Paragraph

Place = tuple[str, int]  # a paragraph's source and index
SHORT_KEY = 40  # keys shorter than this are also compared with every paragraph of their article


@dataclass(frozen=True, slots=True)
class Item:
    """One paragraph as dedup sees it: where it is, what it is compared by, whether it is long
    enough to count across articles, and whether it may be dropped as a copy of a paragraph in
    another article (long enough and not a title: a title may only be the copy kept)."""

    position: int  # in corpus order: the articles as they first appear, then index
    article: int
    source: str
    paragraph: Paragraph
    key: str | int  # the comparison key, or for a spilled paragraph its digest
    long_enough: bool
    key_length: int = -1  # the key's length in characters (found when not given)

    def __post_init__(self) -> None:
        if self.key_length < 0:
            if isinstance(self.key, str):
                length = len(self.key)
            else:
                assert isinstance(self.paragraph, StubParagraph)
                length = self.paragraph.key_length
            object.__setattr__(self, "key_length", length)

    @property
    def key_text(self) -> str:
        """The comparison key itself (read from the spill for a spilled paragraph)."""
        if isinstance(self.key, str):
            return self.key
        assert isinstance(self.paragraph, StubParagraph)
        return self.paragraph.key_text

    @property
    def place(self) -> Place:
        """The paragraph's source and index: how it is known outside dedup."""
        return (self.source, self.paragraph.index)

    @property
    def across(self) -> bool:
        """Whether it may be dropped for a paragraph of another article."""
        return self.long_enough and self.paragraph.role != "title"


@dataclass(frozen=True, slots=True)
class Match:
    """Why an item is dropped: what it matched and how closely."""

    reason: str
    kept: int
    similarity: float


class References:
    """The paragraphs later ones are compared with (kept ones and boilerplate), indexed so that
    finding the one a paragraph may match is a lookup, not a scan of every copy. Only keys that
    some other paragraph may look up are indexed: those of more than one paragraph, and those
    MinHash paired with another (``wanted``); a key of one paragraph alone is never asked."""

    def __init__(self, count: int, wanted: Container[str | int]) -> None:
        self._members = bytearray(count)
        self._wanted = wanted
        self._in_article: dict[tuple[str | int, int], int] = {}
        self._across: dict[str | int, int] = {}

    def add(self, item: Item) -> None:
        self._members[item.position] = 1
        if item.key not in self._wanted:
            return
        self._in_article.setdefault((item.key, item.article), item.position)
        if item.long_enough:
            self._across.setdefault(item.key, item.position)

    def has(self, position: int) -> bool:
        """Whether the paragraph at ``position`` is a reference."""
        return bool(self._members[position])

    def first_for(self, item: Item, key: str | int) -> int | None:
        """The first reference with ``key`` that ``item`` may be dropped for: in its own
        article, or in another when the item may be dropped across articles and the reference
        is long enough (a title may be the reference)."""
        found = [self._in_article.get((key, item.article))]
        if item.across:
            found.append(self._across.get(key))
        positions = [position for position in found if position is not None]
        return min(positions) if positions else None


class Either:
    """Membership in either of two containers."""

    def __init__(self, first: Container[str | int], second: Container[str | int]) -> None:
        self._first, self._second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self._first or key in self._second


class LocalPairs:
    """The pairs inside each article that are compared whatever MinHash says: a paragraph
    with a short key, or one that may not be dropped across articles, with every other
    paragraph of its article that has another key. Found when asked for, never all listed:
    an article of many short lines would make the list grow with the square of its length."""

    def __init__(self, items: Sequence[Item]) -> None:
        self._items = items
        self._members: dict[int, list[int]] = defaultdict(list)
        self._paired: dict[int, list[int]] = defaultdict(list)  # the short ones, by article
        for item in items:
            if item.key:
                self._members[item.article].append(item.position)
                if self.pairs_all(item):
                    self._paired[item.article].append(item.position)

    @staticmethod
    def pairs_all(item: Item) -> bool:
        """Whether ``item`` is paired with every other paragraph of its article."""
        return item.key_length < SHORT_KEY or not item.across

    def of(self, item: Item) -> list[int]:
        """The positions ``item`` is paired with in its article."""
        if not item.key:
            return []
        pool = self._members if self.pairs_all(item) else self._paired
        return [p for p in pool.get(item.article, ()) if self._items[p].key != item.key]
