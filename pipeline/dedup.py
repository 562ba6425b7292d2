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
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.config import DedupConfig
from pipeline.copies import copied_block_drops
from pipeline.dedup_items import Either, Item, LocalPairs, Match, Place, References
from pipeline.fingerprint import (
    BANDS,
    PERMUTATIONS,
    Signatures,
    band_keys,
    bucket_pair_codes,
    comparison_key,
    pairs_of_codes,
    signatures,
)
from pipeline.paragraph_table import StubParagraph
from pipeline.records import DroppedParagraph, Paragraph, Record, dropped_from

KnownSignatures = Mapping[Place, Signatures]  # MinHash rows, by place
CONTENT_ROLES = frozenset({"title", "heading", "body"})
_DIGIT = re.compile("[0-9]")
_ONLY_DIGITS = re.compile("[0-9]+")
_BATCH = 8192  # signatures computed at a time


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
    # By article, then index (a stable sort, as list.sort; no key tuple per paragraph).
    by_place = np.lexsort(
        (
            np.fromiter((entry[2] for entry in ordered), dtype=np.int64, count=len(ordered)),
            np.fromiter((entry[1] for entry in ordered), dtype=np.int64, count=len(ordered)),
        )
    )
    ordered = [ordered[n] for n in by_place.tolist()]
    del by_place
    digests, key_lengths, text_lengths = _spilled_numbers([entry[3] for entry in ordered])
    items = []
    for position, (source, article, _, paragraph) in enumerate(ordered):
        least = config.min_length_zh if paragraph.lang in ("zh", "mixed") else config.min_length_en
        key: str | int | None = keys.get((source, paragraph.index))
        digest = digests[position]
        if digest is not None:  # a stub's numbers, read from the spill at once
            key = digest if key is None else key
            long_enough = text_lengths[position] >= least
            item = Item(
                position, article, source, paragraph, key, long_enough, key_lengths[position]
            )
        else:
            key = comparison_key(paragraph.text) if key is None else key
            item = Item(position, article, source, paragraph, key, paragraph.text_length >= least)
        items.append(item)
    return items


def _spilled_numbers(
    paragraphs: Sequence[Paragraph],
) -> tuple[list[int | None], list[int], list[int]]:
    """For each of ``paragraphs``, read from the spill's table in one go for the stubs: its key
    digest (``None`` for a paragraph in memory), key length and text length."""
    count = len(paragraphs)
    digests: list[int | None] = [None] * count
    key_lengths, text_lengths = [0] * count, [0] * count
    places = [n for n, p in enumerate(paragraphs) if isinstance(p, StubParagraph) and p.table]
    if not places:
        return digests, key_lengths, text_lengths
    first = paragraphs[places[0]]
    assert isinstance(first, StubParagraph) and first.table is not None
    serials = [p.serial for p in paragraphs if isinstance(p, StubParagraph) and p.table]
    found = first.table.stub_numbers(serials)
    for n, digest, key_length, text_length in zip(places, *found, strict=True):
        digests[n], key_lengths[n], text_lengths[n] = digest, key_length, text_length
    return digests, key_lengths, text_lengths


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
        references = References(len(items), Either(shared, cross))
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
        del cross, local, references  # let go before the block test builds its own lookups
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
        # Band keys computed where the paragraph was processed are read from the spill, a band
        # at a time; the others' are computed here, a batch of rows at a time.
        table = None
        band_rows = np.full(len(representatives), -1, dtype=np.int64)  # in the spill
        for n, p in enumerate(representatives):
            paragraph = items[p].paragraph
            if isinstance(paragraph, StubParagraph):
                band_rows[n] = paragraph.band_row
                table = paragraph.table
        stored = np.flatnonzero(band_rows >= 0)
        numbers = np.flatnonzero(band_rows < 0)
        computed = np.zeros((len(numbers), BANDS), dtype=np.uint64)
        for start in range(0, len(numbers), _BATCH):
            batch = [representatives[n] for n in numbers[start : start + _BATCH].tolist()]
            rows = np.zeros((len(batch), PERMUTATIONS), dtype=np.uint64)
            missing = [n for n, p in enumerate(batch) if items[p].place not in known]
            for n, p in enumerate(batch):
                if items[p].place in known:
                    rows[n] = known[items[p].place]
            if missing:
                rows[missing] = signatures([items[batch[n]].key_text for n in missing])
            computed[start : start + len(batch)] = band_keys(rows)
        stored_rows = band_rows[stored]
        # Keys whose lengths differ by more than max_edits cannot be near-duplicates: most
        # chance collisions (on common n-grams) end here, before any verification.
        lengths = np.array([items[p].key_length for p in representatives], dtype=np.int64)
        count = len(representatives)
        codes = []
        column = np.zeros(count, dtype=np.uint64)
        for band in range(BANDS):
            if table is not None:
                column[stored] = table.band_column(band, stored_rows)
            column[numbers] = computed[:, band]
            band_codes = bucket_pair_codes(column)
            close = np.abs(lengths[band_codes // count] - lengths[band_codes % count])
            codes.append(band_codes[close <= self._config.max_edits])
        low, high = pairs_of_codes(codes, count)
        neighbours: dict[str | int, set[str | int]] = defaultdict(set)
        for a, b in zip(low.tolist(), high.tolist(), strict=True):
            first, second = items[representatives[a]].key, items[representatives[b]].key
            neighbours[first].add(second)
            neighbours[second].add(first)
        return neighbours

    def _local_neighbours(self, items: Sequence[Item]) -> LocalPairs:
        """Inside each article, paragraphs with short keys or that may not be dropped across
        articles are paired with every other paragraph: MinHash is weak on a few characters,
        and all pairs inside one article stay cheap."""
        return LocalPairs(items)

    def _near_match(
        self,
        item: Item,
        items: Sequence[Item],
        cross: dict[str | int, set[str | int]],
        local: LocalPairs,
        references: References,
    ) -> Match | None:
        length, edits = item.key_length, self._config.max_edits
        candidates = {  # a length that far off cannot be a near-duplicate (see _similar)
            p
            for p in local.of(item)
            if abs(items[p].key_length - length) <= edits and references.has(p)
        }
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
