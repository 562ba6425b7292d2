"""Copies of whole blocks across articles: a re-scraped article, a copied section.

Deduplication never drops a short paragraph or a title for a copy in another article: a heading
such as "发展前景" belongs to every article that has it. Inside a copied block it is part of the
copy, and goes with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Hashable, Sequence
from typing import Protocol


class _Paragraph(Protocol):
    @property
    def role(self) -> str: ...


class BlockItem(Protocol):
    """What the block test reads of a dedup item."""

    @property
    def position(self) -> int: ...
    @property
    def article(self) -> int: ...
    @property
    def key(self) -> str | int: ...
    @property
    def long_enough(self) -> bool: ...
    @property
    def across(self) -> bool: ...
    @property
    def paragraph(self) -> _Paragraph: ...


def copied_block_drops(
    items: Sequence[BlockItem], dropped: set[int], shared: Container[Hashable] | None = None
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
    those can have a twin, so only those are indexed. Positions are ``0 .. len(items) - 1``.
    """
    if shared is None:
        counts = Counter(item.key for item in items)
        shared = {key for key, count in counts.items() if count > 1}
    # A number for each shared key: the lookups are keyed by numbers, not by tuples of keys.
    numbers: dict[Hashable, int] = {}
    for item in items:
        if item.key in shared:
            numbers.setdefault(item.key, len(numbers))
    drops: dict[int, int] = {}
    everything = _Sequences(items, set(), numbers)
    gone_so_far = set(dropped)  # ``dropped`` and the drops made so far, kept up to date
    for item in items:
        if item.position in dropped or item.across or not item.key:
            continue
        if item.paragraph.role == "title":
            continue
        twin = everything.twin(item.position, gone_so_far)
        # A title beside it is no anchor: titles are never dropped across articles.
        if twin is not None and any(items[p].across for p in everything.block(item, twin)):
            drops[item.position] = twin
            gone_so_far.add(item.position)
    sizes = {article: len(positions) for article, positions in everything.articles.items()}
    while True:
        gone = dropped | set(drops)
        kept = None  # the last round's, let go before the next is built
        kept = _Sequences(items, gone, numbers)
        new: dict[int, int] = {}
        for article, positions in kept.articles.items():
            if sizes[article] < 2:
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


class _Sequences:
    """Each article's paragraphs but those ``left_out``, and a way to find a paragraph's twin in
    an earlier article: one with its key and the same key beside it. Only paragraphs with a
    shared key (one that another paragraph has: those ``numbers`` numbers) are indexed, and only
    by a shared key beside them: no other can have a twin or be one, nor be the key beside both.
    Each entry is keyed by one number (key, key beside, side), and holds one position or, for
    more, a list: a run of a large corpus holds hundreds of thousands of them."""

    def __init__(
        self, items: Sequence[BlockItem], left_out: set[int], numbers: dict[Hashable, int]
    ) -> None:
        self._items = items
        self._numbers = numbers
        self.articles: dict[int, list[int]] = defaultdict(list)
        self._number = [-1] * len(items)  # each kept position's place in its article's list
        for item in items:
            if item.position not in left_out:
                positions = self.articles[item.article]
                self._number[item.position] = len(positions)
                positions.append(item.position)
        self._with: dict[int, int | list[int]] = {}
        for positions in self.articles.values():
            for position in positions:
                number = numbers.get(items[position].key)
                if number is None:
                    continue
                for side in (-1, 1):
                    code = self._code(number, position, side)
                    if code is None:
                        continue
                    found = self._with.get(code)
                    if found is None:
                        self._with[code] = position
                    elif isinstance(found, int):
                        self._with[code] = [found, position]
                    else:
                        found.append(position)

    def _code(self, number: int, position: int, side: int) -> int | None:
        """The entry's number for a paragraph whose key is ``number`` and the key beside it on
        ``side``; None when that key is not a shared one (or there is none)."""
        beside = self._numbers.get(self._key_beside(position, side))
        if beside is None:
            return None
        return (number * len(self._numbers) + beside) * 2 + (side > 0)

    def of_article(self, position: int) -> list[int]:
        """The positions kept in the article of ``position``."""
        return self.articles[self._items[position].article]

    def _key_beside(self, position: int, side: int) -> Hashable:
        positions = self.articles[self._items[position].article]
        beside = self._number[position] + side
        return self._items[positions[beside]].key if 0 <= beside < len(positions) else None

    def twin(self, position: int, gone: set[int]) -> int | None:
        """The first paragraph of an earlier article, not ``gone``, with this one's key and a
        neighbour key in common."""
        item = self._items[position]
        number = self._numbers.get(item.key)
        if number is None:
            return None
        for side in (-1, 1):
            code = self._code(number, position, side)
            found = None if code is None else self._with.get(code)
            if found is None:
                continue
            for twin in (found,) if isinstance(found, int) else found:
                if self._items[twin].article >= item.article:
                    break  # in corpus order: the rest are later
                if twin not in gone:
                    return twin
        return None

    def block(self, item: BlockItem, twin: int) -> list[int]:
        """The run of equal keys around ``item`` and its twin, as positions of ``item``'s."""
        mine, theirs = self.of_article(item.position), self.of_article(twin)
        n, m = self._number[item.position], self._number[twin]
        left = 0
        while (
            n - left > 0
            and m - left > 0
            and self._items[mine[n - left - 1]].key == self._items[theirs[m - left - 1]].key
        ):
            left += 1
        right = 0
        while (
            n + right + 1 < len(mine)
            and m + right + 1 < len(theirs)
            and self._items[mine[n + right + 1]].key == self._items[theirs[m + right + 1]].key
        ):
            right += 1
        return mine[n - left : n + right + 1]
