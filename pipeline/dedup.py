"""Deduplication of paragraphs, exact and near, within and across articles.

Paragraphs are compared by their comparison key (:mod:`pipeline.fingerprint`), never changing
the output text. Exact duplicates share a key. Near-duplicate candidates come from MinHash LSH on
the keys (linear in the corpus), plus all pairs inside one article for short paragraphs; every
candidate is verified with rapidfuzz before a drop: similarity at least ``similarity``, at most
``max_edits`` characters changed, and no number changed (two salary lines that differ in their
numbers are different content).

Copies are resolved greedily in priority order (source path, then index; with ``keep =
"longest"``, longer first): a paragraph is dropped when it matches one already kept, else kept.
Across articles, paragraphs shorter than the language's minimum length and titles are dropped
only inside a copied block: where their neighbours are copies of their twin's neighbours, up to a
long paragraph or the whole article (a re-scraped article, a copied section). Otherwise a short
heading that recurs in other articles is theirs too. Page furniture (a role other than title,
heading or body) is not deduplicated: the furniture stage decides about it.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.config import DedupConfig
from pipeline.copies import copied_block_drops
from pipeline.fingerprint import (
    BANDS,
    PERMUTATIONS,
    Signatures,
    band_keys,
    band_pair_arrays,
    comparison_key,
    signatures,
)
from pipeline.records import DroppedParagraph, Paragraph, Record, dropped_from
from pipeline.spill import StubParagraph

Place = tuple[str, int]  # a paragraph's source and index
KnownSignatures = Mapping[Place, Signatures]  # MinHash rows, by place
CONTENT_ROLES = frozenset({"title", "heading", "body"})
_DIGIT = re.compile("[0-9]")
_ONLY_DIGITS = re.compile("[0-9]+")
_SHORT_KEY = 40  # keys shorter than this are also compared with every paragraph of their article
_BATCH = 8192  # signatures computed at a time


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


def collect_items(
    records: Sequence[Record], config: DedupConfig, keys: Mapping[Place, str | int] | None = None
) -> list[Item]:
    """Every paragraph of ``records`` in corpus order, with its comparison key (from ``keys``,
    by place, when known)."""
    keys = keys or {}
    ordered: list[tuple[str, int, int, Paragraph]] = []
    article_numbers: dict[str, int] = {}
    for record in records:
        article = article_numbers.setdefault(record.source, len(article_numbers))
        for paragraph in record.paragraphs:
            ordered.append((record.source, article, paragraph.index, paragraph))
    ordered = [entry for entry in ordered if entry[3].role in CONTENT_ROLES]
    ordered.sort(key=lambda entry: (entry[1], entry[2]))
    items = []
    for position, (source, article, _, paragraph) in enumerate(ordered):
        least = config.min_length_zh if paragraph.lang in ("zh", "mixed") else config.min_length_en
        key: str | int | None = keys.get((source, paragraph.index))
        if key is None:
            if isinstance(paragraph, StubParagraph):
                key = paragraph.key
            else:
                key = comparison_key(paragraph.text)
        long_enough = paragraph.text_length >= least
        items.append(Item(position, article, source, paragraph, key, long_enough))
    return items


def _numbers_differ(a: str, b: str) -> bool:
    """Whether the differences between two keys change a number: a digit replaced by a digit,
    or differences that are all digits ("3000" and "300" in otherwise equal text)."""
    changes = [op for op in Levenshtein.opcodes(a, b) if op.tag != "equal"]
    touched = [a[op.src_start : op.src_end] + b[op.dest_start : op.dest_end] for op in changes]
    if touched and all(_ONLY_DIGITS.fullmatch(text) for text in touched):
        return True
    return any(
        op.tag == "replace"
        and _DIGIT.search(a[op.src_start : op.src_end])
        and _DIGIT.search(b[op.dest_start : op.dest_end])
        for op in changes
    )


class _References:
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


class _Either:
    """Membership in either of two containers."""

    def __init__(self, first: Container[str | int], second: Container[str | int]) -> None:
        self._first, self._second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self._first or key in self._second


class _LocalPairs:
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
        return item.key_length < _SHORT_KEY or not item.across

    def of(self, item: Item) -> list[int]:
        """The positions ``item`` is paired with in its article."""
        if not item.key:
            return []
        pool = self._members if self.pairs_all(item) else self._paired
        return [p for p in pool.get(item.article, ()) if self._items[p].key != item.key]


class Deduplicator:
    """Finds the paragraphs to drop in a corpus, as the config says."""

    def __init__(self, config: DedupConfig) -> None:
        self._config = config

    def _similar(self, a: str, b: str) -> float | None:
        """The similarity of two keys when they are near-duplicates, else ``None``."""
        if abs(len(a) - len(b)) > self._config.max_edits:
            return None  # more characters than that must have changed
        score = fuzz.ratio(a, b, score_cutoff=self._config.similarity)
        if not score:
            return None
        if Levenshtein.distance(a, b, score_cutoff=self._config.max_edits) > self._config.max_edits:
            return None
        if (_DIGIT.search(a) or _DIGIT.search(b)) and _numbers_differ(a, b):
            return None
        return round(score, 2)

    def find(self, items: Sequence[Item], known: KnownSignatures | None = None) -> dict[int, Match]:
        """The items to drop, by position, each with what it matched. ``known`` signatures (by
        place) are used instead of computing them."""
        # Each key's first long-enough paragraph (-1 while none), keys in order of first
        # appearance, and the keys of more than one paragraph.
        representative: dict[str | int, int] = {}
        shared: set[str | int] = set()
        for item in items:
            if not item.key:
                continue
            first = representative.get(item.key)
            if first is None:
                representative[item.key] = item.position if item.long_enough else -1
                continue
            shared.add(item.key)
            if first < 0 and item.long_enough:
                representative[item.key] = item.position
        drops: dict[int, Match] = {}
        cross = self._cross_article_neighbours(items, representative, known or {})
        del representative
        local = self._local_neighbours(items)
        references = _References(len(items), _Either(shared, cross))
        order: Iterable[int] = range(len(items))
        if self._config.keep != "first":
            order = sorted(order, key=lambda p: self._priority(items[p]))
        for position in order:
            item = items[position]
            match = None
            if item.key:
                exact = references.first_for(item, item.key)
                if exact is not None:
                    match = Match("exact_duplicate", exact, 100.0)
                else:
                    match = self._near_match(item, items, cross, local, references)
            if match is None:
                references.add(item)
            else:
                drops[position] = match
        for position, twin in copied_block_drops(items, set(drops), shared).items():
            drops[position] = Match("exact_duplicate", twin, 100.0)
        for position, match in drops.items():  # point at what stays
            target, seen = match.kept, {position}
            while target in drops and target not in seen:
                seen.add(target)
                target = drops[target].kept
            if target != match.kept and target not in drops:
                drops[position] = Match(match.reason, target, match.similarity)
        return drops

    def _priority(self, item: Item) -> tuple[int, ...]:
        if self._config.keep == "longest":
            title_first = 0 if item.paragraph.role == "title" else 1
            return (title_first, -item.paragraph.text_length, item.position)
        return (item.position,)

    def _cross_article_neighbours(
        self,
        items: Sequence[Item],
        representative: dict[str | int, int],
        known: KnownSignatures,
    ) -> dict[str | int, set[str | int]]:
        """Keys that MinHash LSH pairs, among the keys of paragraphs long enough to count across
        articles: each key once, by its first such paragraph (``representative``, by key in
        order of first appearance; -1 when none is long enough)."""
        representatives = [p for p in representative.values() if p >= 0]
        # Band keys, a batch of rows at a time: the signatures themselves are never all kept.
        bands = np.zeros((len(representatives), BANDS), dtype=np.uint64)
        for start in range(0, len(representatives), _BATCH):
            batch = representatives[start : start + _BATCH]
            rows = np.zeros((len(batch), PERMUTATIONS), dtype=np.uint64)
            missing = [n for n, p in enumerate(batch) if items[p].place not in known]
            for n, p in enumerate(batch):
                if items[p].place in known:
                    rows[n] = known[items[p].place]
            if missing:
                rows[missing] = signatures([items[batch[n]].key_text for n in missing])
            bands[start : start + len(batch)] = band_keys(rows)
        neighbours: dict[str | int, set[str | int]] = defaultdict(set)
        low, high = band_pair_arrays(bands)
        # Keys whose lengths differ by more than max_edits cannot be near-duplicates: most
        # chance collisions (on common n-grams) end here, before any verification.
        lengths = np.array([items[p].key_length for p in representatives], dtype=np.int64)
        close = np.abs(lengths[low] - lengths[high]) <= self._config.max_edits
        for a, b in zip(low[close].tolist(), high[close].tolist(), strict=True):
            first, second = items[representatives[a]].key, items[representatives[b]].key
            neighbours[first].add(second)
            neighbours[second].add(first)
        return neighbours

    def _local_neighbours(self, items: Sequence[Item]) -> _LocalPairs:
        """Inside each article, paragraphs with short keys or that may not be dropped across
        articles are paired with every other paragraph: MinHash is weak on a few characters,
        and all pairs inside one article stay cheap."""
        return _LocalPairs(items)

    def _near_match(
        self,
        item: Item,
        items: Sequence[Item],
        cross: dict[str | int, set[str | int]],
        local: _LocalPairs,
        references: _References,
    ) -> Match | None:
        candidates = {p for p in local.of(item) if references.has(p)}
        for other_key in cross.get(item.key, ()):
            reference = references.first_for(item, other_key)
            if reference is not None:
                candidates.add(reference)
        best: Match | None = None
        mine: str | None = None  # read from the spill once, when first needed
        for other in sorted(candidates):
            if items[other].article != item.article and not (
                item.across and items[other].long_enough
            ):
                continue
            if abs(item.key_length - items[other].key_length) > self._config.max_edits:
                continue  # as _similar would say, without reading the keys
            mine = item.key_text if mine is None else mine
            score = self._similar(mine, items[other].key_text)
            if score is not None and (best is None or score > best.similarity):
                best = Match("near_duplicate", other, score)
        return best


def _without_kept_by_editors(items: Sequence[Item], drops: dict[int, Match]) -> dict[int, Match]:
    """The drops but those of paragraphs an editor decided to keep (their decision records what
    they duplicate). What pointed at such a paragraph still points at one that stays."""
    result = {}
    for position, match in drops.items():
        decision = items[position].paragraph.decided("keep")
        if decision is None:
            result[position] = match
            continue
        kept = items[match.kept]
        decision.settle(
            f"applied: kept although an {match.reason.replace('_', ' ')} of {kept.source} "
            f"paragraph {kept.paragraph.index} (similarity {match.similarity:g})",
            items[position].paragraph.index,
        )
    return result


def deduplicate(
    records: list[Record],
    config: DedupConfig,
    known: KnownSignatures | None = None,
    keys: Mapping[Place, str | int] | None = None,
) -> tuple[list[Record], list[DroppedParagraph]]:
    """Drop repeated paragraphs from ``records``; return the records left (those with no
    paragraph left are removed) and the dropped paragraphs in corpus order. The records'
    paragraph lists are edited in place. ``known`` signatures and ``keys`` (by place: source and
    index), computed where the articles were processed, are used instead of computing them."""
    collecting = gc.isenabled()
    gc.disable()  # many small objects, none cyclic: the collector would only slow this down
    try:
        items = collect_items(records, config, keys)
        drops = Deduplicator(config).find(items, known) if config.enabled else {}
    finally:
        if collecting:
            gc.enable()
    drops = _without_kept_by_editors(items, drops)
    dropped_places = {items[position].place for position in drops}
    dropped = [
        dropped_from(
            items[position].source,
            items[position].paragraph,
            match.reason,
            {"source": items[match.kept].source, "index": items[match.kept].paragraph.index},
            match.similarity,
            [],
        )
        for position, match in sorted(drops.items())
    ]
    kept_records = []
    for record in records:
        paragraphs = [
            p for p in record.paragraphs if (record.source, p.index) not in dropped_places
        ]
        if paragraphs:
            record.paragraphs = paragraphs
            kept_records.append(record)
    return kept_records, dropped
