"""Copies of whole blocks across articles: a re-scraped article, a copied section.

Deduplication never drops a short paragraph or a title for a copy in another article: a heading
such as "发展前景" belongs to every article that has it. Inside a copied block it is part of the
copy, and goes with it.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Collection, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from pipeline.dedup_items import KeySet


class _Paragraph(Protocol):
    @property
    def role(self) -> str: ...


class BlockItems(Protocol):
    """What the block test reads of dedup's items: columns by position, in corpus order, each
    article's positions together."""

    @property
    def article(self) -> Sequence[int]: ...
    @property
    def key(self) -> Sequence[int]: ...  # equal numbers for equal keys, 0 for the empty key
    @property
    def across(self) -> Sequence[int]: ...  # 1 for an item that may go for another article's
    @property
    def paragraph(self) -> Sequence[_Paragraph]: ...
    def __len__(self) -> int: ...


def copied_block_drops(
    items: BlockItems, dropped: Collection[int], shared: Collection[int] | None = None
) -> dict[int, int]:
    """The short paragraphs kept so far (not in ``dropped``) that sit in a block copied from an
    earlier article, each with its twin there (by position; items are in corpus order). A twin
    is always a paragraph that stays, so what pointed at a dropped paragraph can point at it.

    A twin is a paragraph with the same key in an earlier article and a neighbour key in
    common. Walking out from the two, the keys stay equal up to a long paragraph: a copied
    section (the paragraphs walked over include those dropped already). Or every paragraph the
    later article keeps has a twin: a copied article, whose title goes too. That second test is
    repeated until nothing more goes, so that deduplicating the result again drops nothing.

    ``shared`` holds the keys of more than one paragraph (when the caller knows them): only
    those can have a twin, so only those are indexed. Positions are ``0 .. len(items) - 1``;
    the positions dropped or gone are kept as a byte per position, not as sets: a run over
    copies of a corpus drops hundreds of thousands of paragraphs.
    """
    keys, across = items.key, items.across
    numbers = _shared_numbers(_int64(keys), shared)
    drops: dict[int, int] = {}
    was_dropped = bytearray(len(items))
    for position in dropped:
        was_dropped[position] = 1
    everything = _Sequences(items, numbers, None)
    gone_so_far = bytearray(was_dropped)  # ``dropped`` and the drops made so far
    for position in range(len(items)):
        if was_dropped[position] or across[position] or not keys[position]:
            continue
        if items.paragraph[position].role == "title":
            continue
        twin = everything.twin(position, gone_so_far)
        # A title beside it is no anchor: titles are never dropped across articles.
        if twin is not None and any(across[p] for p in everything.block(position, twin)):
            drops[position] = twin
            gone_so_far[position] = 1
    while True:
        gone = bytearray(was_dropped)
        for position in drops:
            gone[position] = 1
        kept = None  # the last round's, let go before the next is built
        kept = _Sequences(items, numbers, gone)
        new: dict[int, int] = {}
        for article, positions in kept.by_article():
            if everything.size(article) < 2:
                continue  # a one-line article is not taken for a copy of another
            twins = [_first_of(kept.twin(p, gone), everything.twin(p, gone)) for p in positions]
            if all(twin is not None for twin in twins):
                new.update(
                    (p, twin) for p, twin in zip(positions, twins, strict=True) if twin is not None
                )
        if not new:
            return drops
        drops.update(new)


def _first_of(a: int | None, b: int | None) -> int | None:
    return a if a is not None else b


def _int64(values: Sequence[int]) -> npt.NDArray[np.int64]:
    if isinstance(values, array) and values.itemsize == 8 and values.typecode in "qlQL":
        return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, np.int64)
    return np.fromiter(values, dtype=np.int64, count=len(values))


def _shared_numbers(
    keys: npt.NDArray[np.int64], shared: Collection[int] | None
) -> npt.NDArray[np.int64]:
    """For each position, a number for its key when it is a shared one (``shared``, else one
    more than one paragraph has), from 0; -1 for the others."""
    if isinstance(shared, KeySet):
        return shared.numbers_of(keys)
    if shared is None:
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        is_shared = counts[inverse.reshape(-1)] > 1
    else:
        wanted = np.fromiter(shared, dtype=np.int64, count=len(shared))
        is_shared = np.isin(keys, wanted)
    numbers = np.full(len(keys), -1, dtype=np.int64)
    numbers[is_shared] = np.unique(keys[is_shared], return_inverse=True)[1].reshape(-1)
    return numbers


class _Sequences:
    """Each article's paragraphs but those ``left_out`` (a byte per position, 1 for those left
    out; None: none), and a way to find a paragraph's twin in an earlier article: one with its
    key and the same key beside it (before it, or after it). Only paragraphs with a shared key
    (``numbers`` not -1) are indexed, and only by a shared key beside them: no other can have a
    twin or be one, nor be the key beside both.

    The index is columns of machine numbers, built with numpy: for each side, the entries
    (positions) sorted by (key, key beside), and for each position the range of the entries
    that share its own: a run over copies of a corpus indexes hundreds of thousands of paragraphs,
    and a dict of them would hold several times the bytes."""

    def __init__(
        self, items: BlockItems, numbers: npt.NDArray[np.int64], left_out: bytearray | None
    ) -> None:
        self._article, self._key = items.article, items.key
        articles = _int64(items.article)
        count = len(articles)
        positions: npt.NDArray[np.signedinteger[Any]]
        if left_out is None:
            positions = np.arange(count, dtype=np.int32)
        else:
            positions = np.flatnonzero(np.frombuffer(left_out, dtype=np.uint8) == 0)
        self._positions = positions
        article_of, number_of = articles[positions], numbers[positions]
        # Where each article's run of kept positions starts, and each article's whole size.
        self._starts = np.flatnonzero(np.diff(article_of, prepend=-1, append=-1))
        names, firsts, sizes = np.unique(articles, return_index=True, return_counts=True)
        self._ranges = {
            int(name): (int(first), int(first + size))
            for name, first, size in zip(names, firsts, sizes, strict=True)
        }
        same = article_of[1:] == article_of[:-1]
        shared_count = int(numbers.max()) + 1 if count else 0
        # For each side, its own index: the entries sorted by (key, key beside), and for each
        # position the range of those that share its own (one side at a time: half the peak).
        self._entries: list[array[int]] = []
        self._low: list[array[int]] = []
        self._high: list[array[int]] = []
        for side in (-1, 1):
            beside = np.full(len(positions), -1, dtype=np.int64)
            if side < 0:
                beside[1:] = np.where(same, number_of[:-1], -1)
            else:
                beside[:-1] = np.where(same, number_of[1:], -1)
            indexed = (number_of >= 0) & (beside >= 0)
            code = number_of[indexed] * shared_count + beside[indexed]
            owner = positions[indexed]
            del beside, indexed
            order = np.argsort(code, kind="stable")  # stable: positions stay in corpus order
            sorted_codes = code[order]
            self._entries.append(array("i", owner[order].astype(np.int32).tobytes()))
            del order
            low_of, high_of = np.zeros(count, dtype=np.int32), np.zeros(count, dtype=np.int32)
            low_of[owner] = np.searchsorted(sorted_codes, code, side="left")
            high_of[owner] = np.searchsorted(sorted_codes, code, side="right")
            del code, owner, sorted_codes
            self._low.append(array("i", low_of.tobytes()))
            self._high.append(array("i", high_of.tobytes()))

    def size(self, article: int) -> int:
        """How many paragraphs the article has (all of them, left out or not)."""
        first, end = self._ranges[article]
        return end - first

    def by_article(self) -> Iterator[tuple[int, list[int]]]:
        """Each article's positions not left out, articles in corpus order."""
        starts = self._starts.tolist()
        for start, end in itertools.pairwise(starts):
            positions = self._positions[start:end].tolist()
            yield self._article[positions[0]], positions

    def twin(self, position: int, gone: bytearray) -> int | None:
        """The first paragraph of an earlier article, not ``gone`` (a byte per position, 1 for
        those gone), with this one's key and the same key beside it on one side (before it
        first)."""
        article = self._article[position]
        for entries, low, high in zip(self._entries, self._low, self._high, strict=True):
            for entry in range(low[position], high[position]):
                twin = entries[entry]
                if self._article[twin] >= article:
                    break  # in corpus order: the rest are later
                if not gone[twin]:
                    return twin
        return None

    def block(self, position: int, twin: int) -> range:
        """The run of equal keys around ``position`` and its twin, as positions of its article
        (of the whole sequence: none left out)."""
        keys = self._key
        first, end = self._ranges[self._article[position]]
        their_first, their_end = self._ranges[self._article[twin]]
        left = 0
        while (
            position - left > first
            and twin - left > their_first
            and keys[position - left - 1] == keys[twin - left - 1]
        ):
            left += 1
        right = 0
        while (
            position + right + 1 < end
            and twin + right + 1 < their_end
            and keys[position + right + 1] == keys[twin + right + 1]
        ):
            right += 1
        return range(position - left, position + right + 1)
