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

import re
from array import array
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.collector import collections_by_step
from pipeline.config import DedupConfig
from pipeline.copies import copied_block_drops
from pipeline.dedup_items import (
    Drops,
    Either,
    ItemTable,
    KeySet,
    LocalPairs,
    Match,
    Place,
    References,
    may_have_near_matches,
)
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


def collect_items(records: Sequence[Record], config: DedupConfig) -> ItemTable:
    """Every content paragraph of ``records`` in corpus order (by article as they first appear,
    then index), with a number for its comparison key and its lengths, as columns."""
    sources: list[str] = []
    article_numbers: dict[str, int] = {}
    paragraphs: list[Paragraph] = []
    article_of, index_of = array("q"), array("q")
    for record in records:
        article = article_numbers.setdefault(record.source, len(article_numbers))
        if article == len(sources):
            sources.append(record.source)
        for paragraph in record.paragraphs:
            if paragraph.role in CONTENT_ROLES:
                paragraphs.append(paragraph)
                article_of.append(article)
                index_of.append(paragraph.index)
    # By article, then index (a stable sort, as list.sort; no key tuple per paragraph).
    articles = np.frombuffer(article_of, dtype=np.int64) if article_of else np.zeros(0, np.int64)
    indices = np.frombuffer(index_of, dtype=np.int64) if index_of else np.zeros(0, np.int64)
    by_place = np.lexsort((indices, articles))
    paragraphs = [paragraphs[n] for n in by_place]  # no list of the numbers
    articles, indices = articles[by_place], indices[by_place]
    del article_of, index_of, by_place
    keys, key_lengths, text_lengths, key_texts = _key_columns(paragraphs)
    chinese = np.fromiter(
        (p.lang in ("zh", "mixed") for p in paragraphs), dtype=bool, count=len(paragraphs)
    )
    least = np.where(chinese, config.min_length_zh, config.min_length_en)
    return ItemTable(
        sources,
        paragraphs,
        array("q", articles.tobytes()),
        array("q", keys.tobytes()),
        array("q", key_lengths.tobytes()),
        bytearray((text_lengths >= least).tobytes()),
        key_texts,
        array("q", indices.tobytes()),
    )


def _key_columns(
    paragraphs: Sequence[Paragraph],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], dict[int, str]]:
    """For each of ``paragraphs``: a number for its comparison key (0 for the empty key), the
    key's length and the text's; and the keys of the paragraphs not spilled, by number. A
    spilled paragraph's are read from the spill's table in one go."""
    count = len(paragraphs)
    keys = np.zeros(count, dtype=np.int64)
    key_lengths, text_lengths = np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
    is_spilled = np.fromiter(
        (isinstance(p, StubParagraph) and p.table is not None for p in paragraphs),
        dtype=bool,
        count=count,
    )
    spilled = np.flatnonzero(is_spilled)
    if len(spilled):
        first = paragraphs[int(spilled[0])]
        assert isinstance(first, StubParagraph) and first.table is not None
        serials = np.fromiter(
            (p.serial for p in paragraphs if isinstance(p, StubParagraph) and p.table),
            dtype=np.int64,
            count=len(spilled),
        )
        numbers, key_chars, text_chars = first.table.key_numbers(serials)
        keys[spilled], key_lengths[spilled], text_lengths[spilled] = numbers, key_chars, text_chars
        del serials, numbers, key_chars, text_chars
    # The keys of paragraphs in memory are numbered after the spilled ones'.
    texts: dict[str, int] = {}
    start = int(keys.max()) + 1 if count else 1
    for n, paragraph in enumerate(paragraphs):
        if is_spilled[n]:
            continue
        key = comparison_key(paragraph.text)
        keys[n] = texts.setdefault(key, start + len(texts)) if key else 0
        key_lengths[n], text_lengths[n] = len(key), paragraph.text_length
    return keys, key_lengths, text_lengths, {number: key for key, number in texts.items()}


def _first_of_keys(items: ItemTable) -> tuple[list[int], KeySet]:
    """Each key's first long-enough paragraph, keys in order of first appearance (a key with
    none long enough left out), and the keys of more than one paragraph (the empty key, 0,
    is neither)."""
    if not len(items):
        return [], KeySet(np.zeros(0, np.int64))
    keys = np.frombuffer(items.key, dtype=np.int64)
    long_enough = np.frombuffer(items.long_enough, dtype=np.uint8)
    named = np.flatnonzero(keys)
    unique, first, counts = np.unique(keys[named], return_index=True, return_counts=True)
    wanted = np.flatnonzero((keys != 0) & (long_enough != 0))
    long_unique, long_first = np.unique(keys[wanted], return_index=True)
    chosen = np.full(len(unique), -1, dtype=np.int64)
    chosen[np.searchsorted(unique, long_unique)] = wanted[long_first]
    # First appearances are distinct positions: the order of keys by them is unique.
    by_appearance = chosen[np.argsort(named[first])]
    return by_appearance[by_appearance >= 0].tolist(), KeySet(unique[counts > 1])


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

    def find(self, items: ItemTable, known: KnownSignatures | None = None) -> Drops:
        """The items to drop, by position, each with what it matched. ``known`` signatures (by
        place) are used instead of computing them."""
        keys = items.key
        representatives, shared = _first_of_keys(items)
        drops = Drops(len(items))
        cross = self._cross_article_neighbours(items, representatives, known or {})
        del representatives
        local = self._local_neighbours(items)
        testable = may_have_near_matches(items, cross, self._config.max_edits)
        references = References(items, Either(shared, cross))
        order: Iterable[int] = range(len(items))
        if self._config.keep != "first":
            order = sorted(order, key=lambda p: self._priority(items, p))
        for position in order:
            key = keys[position]
            match = None
            if key:
                exact = references.first_for(position, key)
                if exact is not None:
                    match = Match("exact_duplicate", exact, 100.0)
                elif testable[position]:
                    match = self._near_match(position, items, cross, local, references)
            if match is None:
                references.add(position)
            else:
                drops[position] = match
        del cross, local, references, testable  # let go before the block test's lookups
        for position, twin in copied_block_drops(items, drops, shared).items():
            drops[position] = Match("exact_duplicate", twin, 100.0)
        for position, match in drops.items():  # point at what stays
            target, seen = match.kept, {position}
            while target in drops and target not in seen:
                seen.add(target)
                target = drops[target].kept
            if target != match.kept and target not in drops:
                drops[position] = Match(match.reason, target, match.similarity)
        return drops

    def _priority(self, items: ItemTable, position: int) -> tuple[int, ...]:
        if self._config.keep == "longest":
            paragraph = items.paragraph[position]
            title_first = 0 if paragraph.role == "title" else 1
            return (title_first, -paragraph.text_length, position)
        return (position,)

    def _cross_article_neighbours(
        self,
        items: ItemTable,
        representatives: list[int],
        known: KnownSignatures,
    ) -> dict[int, int | list[int]]:
        """Keys that MinHash LSH pairs, among the keys of paragraphs long enough to count across
        articles: each key once, by its first such paragraph (``representatives``, keys in
        order of first appearance: see :func:`_first_of_keys`)."""
        # Band keys computed where the paragraph was processed are read from the spill, a band
        # at a time; the others' are computed here, a batch of rows at a time.
        table = None
        band_rows = np.full(len(representatives), -1, dtype=np.int64)  # in the spill
        for n, p in enumerate(representatives):
            paragraph = items.paragraph[p]
            if isinstance(paragraph, StubParagraph):
                band_rows[n] = paragraph.band_row
                table = paragraph.table
        stored = np.flatnonzero(band_rows >= 0)
        numbers = np.flatnonzero(band_rows < 0)
        computed = np.zeros((len(numbers), BANDS), dtype=np.uint64)
        for start in range(0, len(numbers), _BATCH):
            batch = [representatives[n] for n in numbers[start : start + _BATCH].tolist()]
            rows = np.zeros((len(batch), PERMUTATIONS), dtype=np.uint64)
            places = [items.place(p) for p in batch]
            missing = [n for n, place in enumerate(places) if place not in known]
            for n, place in enumerate(places):
                if place in known:
                    rows[n] = known[place]
            if missing:
                rows[missing] = signatures([items.key_text(batch[n]) for n in missing])
            computed[start : start + len(batch)] = band_keys(rows)
        stored_rows = band_rows[stored]
        # Keys whose lengths differ by more than max_edits cannot be near-duplicates: most
        # chance collisions (on common n-grams) end here, before any verification.
        lengths = np.frombuffer(items.key_length, dtype=np.int64)[representatives]
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
        # Most keys have one neighbour: kept as a number, a list only for more (the pairs are
        # distinct, so no list repeats a key).
        neighbours: dict[int, int | list[int]] = {}
        keys = items.key
        for a, b in zip(low.tolist(), high.tolist(), strict=True):
            first, second = keys[representatives[a]], keys[representatives[b]]
            for key, other in ((first, second), (second, first)):
                found = neighbours.get(key)
                if found is None:
                    neighbours[key] = other
                elif isinstance(found, int):
                    neighbours[key] = [found, other]
                else:
                    found.append(other)
        return neighbours

    def _local_neighbours(self, items: ItemTable) -> LocalPairs:
        """Inside each article, paragraphs with short keys or that may not be dropped across
        articles are paired with every other paragraph: MinHash is weak on a few characters,
        and all pairs inside one article stay cheap."""
        return LocalPairs(items)

    def _near_match(
        self,
        position: int,
        items: ItemTable,
        cross: dict[int, int | list[int]],
        local: LocalPairs,
        references: References,
    ) -> Match | None:
        key_lengths, edits = items.key_length, self._config.max_edits
        length = key_lengths[position]
        candidates = {  # a length that far off cannot be a near-duplicate (see _similar)
            p
            for p in local.of(position)
            if abs(key_lengths[p] - length) <= edits and references.has(p)
        }
        found = cross.get(items.key[position], ())
        for other_key in (found,) if isinstance(found, int) else found:
            reference = references.first_for(position, other_key)
            if reference is not None:
                candidates.add(reference)
        best: Match | None = None
        mine: str | None = None  # read from the spill once, when first needed
        article, across = items.article[position], items.across[position]
        for other in sorted(candidates):
            if items.article[other] != article and not (across and items.long_enough[other]):
                continue
            if abs(length - key_lengths[other]) > edits:
                continue  # as _similar would say, without reading the keys
            mine = items.key_text(position) if mine is None else mine
            score = self._similar(mine, items.key_text(other))
            if score is not None and (best is None or score > best.similarity):
                best = Match("near_duplicate", other, score)
        return best


def _without_kept_by_editors(items: ItemTable, drops: Drops) -> Drops:
    """The drops but those of paragraphs an editor decided to keep (their decision records what
    they duplicate), taken out of ``drops`` itself: a copy would hold as many entries again.
    What pointed at such a paragraph still points at one that stays."""
    kept_by_editors = []
    for position, match in drops.items():
        decision = items.paragraph[position].decided("keep")
        if decision is None:
            continue
        kept_by_editors.append(position)
        decision.settle(
            f"applied: kept although an {match.reason.replace('_', ' ')} of "
            f"{items.source(match.kept)} paragraph {items.paragraph[match.kept].index} "
            f"(similarity {match.similarity:g})",
            items.paragraph[position].index,
        )
    for position in kept_by_editors:
        del drops[position]
    return drops


def deduplicate(
    records: list[Record], config: DedupConfig, known: KnownSignatures | None = None
) -> tuple[list[Record], list[DroppedParagraph]]:
    """Drop repeated paragraphs from ``records``; return the records left (those with no
    paragraph left are removed) and the dropped paragraphs in corpus order. The records'
    paragraph lists are edited in place. ``known`` signatures (by place: source and index),
    computed where the articles were processed, are used instead of computing them."""
    with collections_by_step():  # many small objects, none cyclic: passes would only slow it
        items = collect_items(records, config)
        drops = Deduplicator(config).find(items, known) if config.enabled else Drops(0)
    drops = _without_kept_by_editors(items, drops)
    is_dropped = bytearray(len(items))
    for position in drops:
        is_dropped[position] = 1
    kept_records = []
    for record in records:
        paragraphs = [
            p
            for p in record.paragraphs
            if (at := items.position_of(record.source, p.index)) is None or not is_dropped[at]
        ]
        # A record left with none lets go of its list too: the caller may hold the record
        # still, and its stubs would be held beside the entries made for them below.
        record.paragraphs = paragraphs
        if paragraphs:
            kept_records.append(record)
    # The entries, in corpus order. Each dropped paragraph is let go of as its entry is made,
    # and each match too: the entries of a large run are not held beside all they replace.
    paragraphs_by_position = items.release_paragraphs()
    dropped = []
    for position in list(drops):  # in order
        match = drops.pop(position)
        paragraph, paragraphs_by_position[position] = paragraphs_by_position[position], None
        assert paragraph is not None
        duplicate_of = {"source": items.source(match.kept), "index": items.index[match.kept]}
        entry = dropped_from(
            items.source(position), paragraph, match.reason, duplicate_of, match.similarity, []
        )
        dropped.append(entry)
    return kept_records, dropped
