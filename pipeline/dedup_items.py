"""What deduplication works on: the run's paragraphs as columns of items, what an item matched,
and the lookups its greedy pass makes (the references kept so far, the pairs inside each
article)."""

from __future__ import annotations

import bisect
from array import array
from collections import defaultdict
from collections.abc import Collection, Container, Iterator, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
    key: str | int  # the comparison key, or a number standing for it (an ItemTable's)
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


class ItemTable:
    """The items of a run as columns, by position (corpus order, each article's together): a
    run over copies of a corpus holds hundreds of thousands, and an object for each would hold
    several times their bytes. Keys are numbers, equal for equal comparison keys and 0 for the
    empty key. ``table[p]`` makes the :class:`Item` of position ``p``; the greedy pass reads
    the columns."""

    def __init__(
        self,
        sources: list[str],  # by article number
        paragraphs: list[Paragraph],
        article: array[int],
        key: array[int],
        key_length: array[int],
        long_enough: bytearray,
        key_texts: dict[int, str] | None = None,  # the keys of paragraphs not spilled, by number
        index: array[int] | None = None,  # each paragraph's index, when the caller has them
    ) -> None:
        self.sources, self.paragraph, self.article = sources, paragraphs, article
        self.key, self.key_length, self.long_enough = key, key_length, long_enough
        self._key_texts = key_texts or {}
        self.index = index if index is not None else array("q", (p.index for p in paragraphs))
        self._article_numbers = {source: number for number, source in enumerate(sources)}
        self.across = bytearray(
            long and p.role != "title" for long, p in zip(long_enough, paragraphs, strict=True)
        )
        self._ranges: dict[int, tuple[int, int]] = {}  # each article's positions
        for position, number in enumerate(article):
            first, end = self._ranges.get(number, (position, position))
            if end != position:
                raise ValueError("an article's items must be together")
            self._ranges[number] = (first, position + 1)

    @classmethod
    def of(cls, items: Sequence[Item]) -> ItemTable:
        """The table of items made one by one (positions ``0 ..``, each article's together)."""
        numbers: dict[str | int, int] = {}
        texts: dict[int, str] = {}
        sources: dict[int, str] = {}
        keys = array("q")
        for position, item in enumerate(items):
            if item.position != position:
                raise ValueError("items must be given in position order")
            sources[item.article] = item.source
            number = numbers.setdefault(item.key, len(numbers) + 1) if item.key else 0
            if isinstance(item.key, str):
                texts[number] = item.key
            keys.append(number)
        return cls(
            [sources.get(n, "") for n in range(max(sources, default=-1) + 1)],
            [item.paragraph for item in items],
            array("q", (item.article for item in items)),
            keys,
            array("q", (item.key_length for item in items)),
            bytearray(item.long_enough for item in items),
            texts,
        )

    def __len__(self) -> int:
        return len(self.key)

    def __getitem__(self, position: int) -> Item:
        return Item(
            position,
            self.article[position],
            self.source(position),
            self.paragraph[position],
            self.key[position],
            bool(self.long_enough[position]),
            self.key_length[position],
        )

    def __iter__(self) -> Iterator[Item]:
        return (self[position] for position in range(len(self)))

    def source(self, position: int) -> str:
        """The source of the paragraph at ``position``."""
        return self.sources[self.article[position]]

    def place(self, position: int) -> Place:
        """The source and index of the paragraph at ``position``."""
        return (self.source(position), self.paragraph[position].index)

    def position_of(self, source: str, index: int) -> int | None:
        """The position of paragraph ``index`` of ``source``, None when it is not an item
        (within an article, positions go by index, as :func:`~pipeline.dedup.collect_items`
        orders them)."""
        article = self._article_numbers.get(source)
        if article is None or article not in self._ranges:
            return None
        first, end = self._ranges[article]
        position = bisect.bisect_left(self.index, index, first, end)
        return position if position < end and self.index[position] == index else None

    def release_paragraphs(self) -> list[Paragraph | None]:
        """The paragraphs, by position, which the table lets go of (it reads none after this):
        the caller can let each go in turn."""
        released: list[Paragraph | None] = list(self.paragraph)
        self.paragraph = []
        return released

    def key_text(self, position: int) -> str:
        """The comparison key of the paragraph at ``position`` (a spilled one's, from the
        spill)."""
        text = self._key_texts.get(self.key[position])
        if text is not None:
            return text
        paragraph = self.paragraph[position]
        assert isinstance(paragraph, StubParagraph)
        return paragraph.key_text

    def article_range(self, position: int) -> range:
        """The positions of the article of ``position``."""
        return range(*self._ranges[self.article[position]])


@dataclass(frozen=True, slots=True)
class Match:
    """Why an item is dropped: what it matched and how closely."""

    reason: str
    kept: int
    similarity: float


class Drops(MutableMapping[int, Match]):
    """The items dropped, by position, each with its :class:`Match`: kept as columns (the
    position matched, the reason, the similarity) for every position, not as a dict of
    objects, since a run over copies of a corpus drops hundreds of thousands. Positions come
    out in order."""

    _REASONS = ("exact_duplicate", "near_duplicate")

    def __init__(self, count: int) -> None:
        self._kept = array("q", [-1]) * count  # -1: not dropped
        self._reason = bytearray(count)
        self._similarity = array("d", bytes(8 * count))
        self._count = 0

    def __getitem__(self, position: int) -> Match:
        kept = self._kept[position]
        if kept < 0:
            raise KeyError(position)
        return Match(self._REASONS[self._reason[position]], kept, self._similarity[position])

    def __setitem__(self, position: int, match: Match) -> None:
        if self._kept[position] < 0:
            self._count += 1
        self._kept[position] = match.kept
        self._reason[position] = self._REASONS.index(match.reason)
        self._similarity[position] = match.similarity

    def __delitem__(self, position: int) -> None:
        if self._kept[position] < 0:
            raise KeyError(position)
        self._kept[position] = -1
        self._count -= 1

    def __contains__(self, position: object) -> bool:
        return isinstance(position, int) and self._kept[position] >= 0

    def __iter__(self) -> Iterator[int]:
        kept = np.frombuffer(self._kept, dtype=np.int64) if self._kept else np.zeros(0)
        return iter(np.flatnonzero(kept >= 0).tolist())

    def __len__(self) -> int:
        return self._count


class References:
    """The paragraphs later ones are compared with (kept ones and boilerplate), indexed so that
    finding the one a paragraph may match is a lookup, not a scan of every copy. Only keys that
    some other paragraph may look up are indexed: those of more than one paragraph, and those
    MinHash paired with another (``wanted``); a key of one paragraph alone is never asked."""

    def __init__(self, items: ItemTable, wanted: Container[int]) -> None:
        self._items = items
        self._members = bytearray(len(items))
        self._wanted = wanted
        # By key and article, as one number: no pair of numbers for each entry.
        self._in_article: dict[int, int] = {}
        self._articles = len(items.sources)
        self._across: dict[int, int] = {}

    def add(self, position: int) -> None:
        """Make the paragraph at ``position`` a reference."""
        self._members[position] = 1
        key = self._items.key[position]
        if key not in self._wanted:
            return
        self._in_article.setdefault(key * self._articles + self._items.article[position], position)
        if self._items.long_enough[position]:
            self._across.setdefault(key, position)

    def has(self, position: int) -> bool:
        """Whether the paragraph at ``position`` is a reference."""
        return bool(self._members[position])

    def first_for(self, position: int, key: int) -> int | None:
        """The first reference with ``key`` that the paragraph at ``position`` may be dropped
        for: in its own article, or in another when it may be dropped across articles and the
        reference is long enough (a title may be the reference)."""
        found = self._in_article.get(key * self._articles + self._items.article[position])
        if self._items.across[position]:
            other = self._across.get(key)
            if other is not None and (found is None or other < found):
                found = other
        return found


class Either:
    """Membership in either of two containers."""

    def __init__(self, first: Container[int], second: Container[int]) -> None:
        self._first, self._second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self._first or key in self._second


class KeySet(Collection[int]):
    """A set of key numbers (an :class:`ItemTable`'s, from 0) as a byte per number up to the
    largest: a run over copies of a corpus shares hundreds of thousands of keys, and a set of
    number objects would hold about 60 bytes for each."""

    def __init__(self, keys: npt.NDArray[np.int64]) -> None:
        self._keys = keys  # sorted, distinct
        self._flags = np.zeros(int(keys.max()) + 1 if len(keys) else 0, dtype=bool)
        self._flags[keys] = True

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and 0 <= key < len(self._flags) and bool(self._flags[key])

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys.tolist())

    def __len__(self) -> int:
        return len(self._keys)

    def numbers_of(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """For each of ``keys``: its rank among the set's keys (from 0) when it is one of
        them, else -1 (what ``np.unique``'s inverse over the members gives, without sorting
        them again)."""
        inside = (keys >= 0) & (keys < len(self._flags))
        members = np.flatnonzero(inside)
        members = members[self._flags[keys[members]]]
        numbers = np.full(len(keys), -1, dtype=np.int64)
        numbers[members] = np.searchsorted(self._keys, keys[members])
        return numbers


class LocalPairs:
    """The pairs inside each article that are compared whatever MinHash says: a paragraph
    with a short key, or one that may not be dropped across articles, with every other
    paragraph of its article that has another key. Found when asked for, never all listed:
    an article of many short lines would make the list grow with the square of its length."""

    def __init__(self, items: ItemTable) -> None:
        self._items = items
        self._paired: dict[int, list[int]] = defaultdict(list)  # the short ones, by article
        for position in range(len(items)):
            if items.key[position] and self.pairs_all(items, position):
                self._paired[items.article[position]].append(position)

    @staticmethod
    def pairs_all(items: ItemTable, position: int) -> bool:
        """Whether the paragraph at ``position`` is paired with every other paragraph of its
        article."""
        return items.key_length[position] < SHORT_KEY or not items.across[position]

    def of(self, position: int) -> list[int]:
        """The positions the paragraph at ``position`` is paired with in its article."""
        keys = self._items.key
        key = keys[position]
        if not key:
            return []
        if self.pairs_all(self._items, position):
            pool: Sequence[int] = self._items.article_range(position)
        else:
            pool = self._paired.get(self._items.article[position], ())
        return [p for p in pool if keys[p] and keys[p] != key]


def may_have_near_matches(items: ItemTable, paired: Collection[int], max_edits: int) -> bytearray:
    """For each position, 1 when the near-duplicate test could find it a candidate: its key is
    one of ``paired`` (MinHash paired it), or another paragraph of its article has a key whose
    length is within ``max_edits`` of its own (the only ones compared inside an article). Most
    long paragraphs have neither, and are not looked at (a byte per position)."""
    if not len(items):
        return bytearray()
    lengths = np.frombuffer(items.key_length, dtype=np.int64)
    # One number per (article, length): an article's lengths, widened by max_edits on both
    # sides, stay inside its own span.
    span = int(lengths.max()) + 2 * max_edits + 1
    codes = np.frombuffer(items.article, dtype=np.int64) * span + (lengths + max_edits)
    ordered = np.sort(codes)
    others = np.searchsorted(ordered, codes + max_edits, side="right")
    others -= np.searchsorted(ordered, codes - max_edits, side="left")  # itself among them
    del ordered, codes
    keys = np.fromiter(paired, dtype=np.int64, count=len(paired))
    testable = (others > 1) | np.isin(np.frombuffer(items.key, dtype=np.int64), keys)
    return bytearray(testable.astype(np.uint8).tobytes())
