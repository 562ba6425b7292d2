"""Dedup's columns: the item table, the drops, and the block test's index, checked against what
they stand for (an object per item, a dict, a scan of every earlier paragraph), and the memory
they hold for a spilled run."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import DedupConfig
from pipeline.copies import _Sequences, _shared_numbers
from pipeline.dedup import _first_of_keys, collect_items
from pipeline.dedup_items import (
    Drops,
    Either,
    Item,
    ItemTable,
    KeySet,
    Match,
    References,
    may_have_near_matches,
)
from pipeline.paragraph_table import pair_numbers
from pipeline.records import Paragraph, Record
from pipeline.spill import Spill, spill_chunk


def _table(keys_by_article: list[list[int]]) -> ItemTable:
    items = []
    for article, keys in enumerate(keys_by_article):
        for index, key in enumerate(keys):
            paragraph = Paragraph(index, role="body", text=f"k{key}", lang="en")
            position = len(items)
            items.append(Item(position, article, f"{article}.txt", paragraph, f"k{key}", True))
    return ItemTable.of(items)


def test_the_table_gives_back_the_items_it_was_made_of() -> None:
    paragraphs = [Paragraph(n, role="title" if n == 0 else "body", text=f"t{n}") for n in range(4)]
    items = [
        Item(0, 0, "a.txt", paragraphs[0], "same", True),
        Item(1, 0, "a.txt", paragraphs[1], "", False),
        Item(2, 1, "b.txt", paragraphs[2], "same", True),
        Item(3, 1, "b.txt", paragraphs[3], "other", False),
    ]
    table = ItemTable.of(items)
    assert len(table) == 4
    assert [(t.article, t.source, t.paragraph, t.long_enough) for t in table] == [
        (i.article, i.source, i.paragraph, i.long_enough) for i in items
    ]
    # Equal keys get equal numbers, the empty key 0; each number reads back as its key.
    assert table.key[0] == table.key[2] != table.key[3] and table.key[1] == 0
    assert [table.key_text(p) for p in (0, 2, 3)] == ["same", "same", "other"]
    assert list(table.across) == [0, 0, 1, 0]  # a title never goes for another article's
    assert table.position_of("b.txt", 3) == 3 and table.position_of("b.txt", 9) is None
    assert table.position_of("c.txt", 0) is None
    released = table.release_paragraphs()
    assert released == paragraphs and table.paragraph == []


def test_items_of_one_article_must_be_together() -> None:
    paragraph = Paragraph(0, role="body", text="x")
    items = [Item(n, article, "s", paragraph, "x", True) for n, article in enumerate([0, 1, 0])]
    with pytest.raises(ValueError):
        ItemTable.of(items)


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["set", "del"]), st.integers(0, 19), st.integers(0, 19)),
    max_size=60,
)


@settings(max_examples=80, deadline=None)
@given(OPERATIONS)
def test_drops_behave_as_a_dict_with_positions_in_order(
    operations: list[tuple[str, int, int]],
) -> None:
    drops, expected = Drops(20), {}
    for action, position, kept in operations:
        if action == "set":
            match = Match(
                random.Random(kept).choice(["exact_duplicate", "near_duplicate"]), kept, 90.5
            )
            drops[position] = expected[position] = match
        elif position in expected:
            del drops[position], expected[position]
        else:
            with pytest.raises(KeyError):
                del drops[position]
    assert list(drops) == sorted(expected)
    assert len(drops) == len(expected)
    assert {p: drops[p] for p in drops} == expected
    assert all((p in drops) == (p in expected) for p in range(20))


def _twin_by_scanning(
    keys: list[list[int]], kept: list[list[bool]], article: int, index: int, gone: set[int]
) -> int | None:
    """The definition: the first paragraph, in corpus order, of an earlier article, not gone,
    with the same key and the same key before it (else, after it) among its article's kept
    paragraphs. Positions count every paragraph."""
    starts = [sum(len(k) for k in keys[:a]) for a in range(len(keys))]

    def beside(a: int, i: int, side: int) -> int | None:
        order = [j for j in range(len(keys[a])) if kept[a][j]]
        at = order.index(i) + side
        return keys[a][order[at]] if 0 <= at < len(order) else None

    for side in (-1, 1):
        mine = beside(article, index, side)
        for other in range(article):
            for j in range(len(keys[other])):
                position = starts[other] + j
                if not kept[other][j] or position in gone or keys[other][j] != keys[article][index]:
                    continue
                if mine is not None and beside(other, j, side) == mine:
                    return position
    return None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=6), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
)
def test_the_block_index_finds_the_twin_a_scan_of_every_earlier_paragraph_finds(
    keys: list[list[int]], rng: random.Random
) -> None:
    table = _table(keys)
    kept = [[rng.random() < 0.8 for _ in article] for article in keys]
    left_out = bytearray(not k for article in kept for k in article)
    shared = {key for key in set(table.key) if list(table.key).count(key) > 1}
    numbers = _shared_numbers(np.frombuffer(table.key, dtype=np.int64), shared)
    gone = {p for p in range(len(table)) if rng.random() < 0.2}
    gone_bytes = bytearray(p in gone for p in range(len(table)))
    sequences = _Sequences(table, numbers, left_out)
    position = 0
    for article, article_keys in enumerate(keys):
        for index in range(len(article_keys)):
            if kept[article][index]:
                expected = _twin_by_scanning(keys, kept, article, index, gone)
                # Keys seen once have no number, and so no twin (the scan agrees: none equal).
                assert sequences.twin(position, gone_bytes) == expected
            position += 1


def test_a_spilled_run_holds_far_less_than_an_object_per_item(tmp_path: Path) -> None:
    texts = [
        f"Paragraph {n} of an article about the work of agents, long enough." for n in range(3000)
    ]
    records = [
        Record(
            f"id-{a}",
            f"{a}.txt",
            None,
            None,
            "en",
            None,
            None,
            [Paragraph(n, role="body", text=texts[a * 20 + n], lang="en") for n in range(20)],
        )
        for a in range(150)
    ]
    spill = Spill(tmp_path)
    try:
        light = [
            r for records_ in spill.add(spill_chunk([[r] for r in records], {})) for r in records_
        ]
        spill.seal()
        tracemalloc.start()
        try:
            table = collect_items(light, DedupConfig())
            held = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        assert len(table) == 3000
        # An Item object with its own position and key numbers held about 190 bytes each.
        assert held / len(table) < 80
    finally:
        spill.close()


def test_the_block_index_finds_a_copied_run_and_passes_over_what_is_gone() -> None:
    table = _table([[1, 2, 3], [9, 1, 2, 3], [1, 2, 3]])
    shared = {table.key[p] for p in range(len(table)) if table.key[p] != table.key[3]}
    numbers = _shared_numbers(np.frombuffer(table.key, dtype=np.int64), shared)
    sequences = _Sequences(table, numbers, None)
    nothing_gone = bytearray(len(table))
    assert sequences.twin(5, nothing_gone) == 1  # key 2 after key 1: the first article's
    assert sequences.twin(4, nothing_gone) == 0  # key 1 before key 2 (its key before is 9's)
    assert sequences.twin(1, nothing_gone) is None  # nothing earlier
    first_gone = bytearray(p < 3 for p in range(len(table)))
    assert sequences.twin(8, first_gone) == 5  # the second article's copy, the first gone
    assert list(sequences.block(8, 5)) == [7, 8, 9]


def _first_of_keys_by_scan(keys: list[int], long_enough: list[bool]) -> tuple[list[int], set[int]]:
    """What the first-of-keys columns stand for: one pass, a dict and a set."""
    representative: dict[int, int] = {}
    shared: set[int] = set()
    for position, key in enumerate(keys):
        if not key:
            continue
        first = representative.get(key)
        if first is None:
            representative[key] = position if long_enough[position] else -1
            continue
        shared.add(key)
        if first < 0 and long_enough[position]:
            representative[key] = position
    return [p for p in representative.values() if p >= 0], shared


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 12), st.booleans()), max_size=8),
        max_size=6,
    )
)
def test_first_of_keys_gives_what_a_scan_of_every_paragraph_gives(
    articles: list[list[tuple[int, bool]]],
) -> None:
    items = []
    for article, paragraphs in enumerate(articles):
        for index, (key, long_enough) in enumerate(paragraphs):
            paragraph = Paragraph(index, role="body", text=f"k{key}", lang="en")
            text = f"k{key}" if key else ""
            items.append(Item(len(items), article, f"{article}.txt", paragraph, text, long_enough))
    table = ItemTable.of(items)
    representatives, shared = _first_of_keys(table)
    expected, expected_shared = _first_of_keys_by_scan(
        list(table.key), [bool(b) for b in table.long_enough]
    )
    assert representatives == expected
    assert set(shared) == expected_shared and len(shared) == len(expected_shared)
    for key in range(-1, 15):
        assert (key in shared) == (key in expected_shared)
    assert "1" not in shared  # only numbers are keys


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(-3, 3)), min_size=1, max_size=60))
def test_pair_numbers_are_those_of_unique_rows(pairs: list[tuple[int, int]]) -> None:
    rows = np.array(pairs, dtype=np.int64)
    _, inverse = np.unique(rows, axis=0, return_inverse=True)
    expected = inverse.reshape(-1) + 1
    expected[(rows == 0).all(axis=1)] = 0
    numbers = pair_numbers(rows[:, 0].copy(), rows[:, 1].copy())
    assert numbers.tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 40), max_size=20, unique=True),
    st.lists(st.integers(-2, 50), max_size=60),
)
def test_key_set_numbers_are_ranks_among_its_members(members: list[int], keys: list[int]) -> None:
    shared = KeySet(np.array(sorted(members), dtype=np.int64))
    numbers = shared.numbers_of(np.array(keys, dtype=np.int64))
    ranks = {key: rank for rank, key in enumerate(sorted(members))}
    assert numbers.tolist() == [ranks.get(key, -1) for key in keys]
    # Where every member is among the keys (as dedup's shared keys are), what the sorting
    # path for any collection gives.
    every = np.array(keys + members, dtype=np.int64)
    assert shared.numbers_of(every).tolist() == _shared_numbers(every, set(members)).tolist()


# Paragraphs that are often near copies of each other: a few sentences, some with a letter or a
# number changed, of lengths close to one another and far apart.
_BASES = [
    "Agents in Shanghai earn about 6000 yuan a month before tax",
    "Agents in Shanghai earn about 6000 yuan a month",
    "Night shifts pay more",
    "Night shifts pay more.",
    "客服专员的工作职责包括接听电话和处理投诉",
]
_NEAR_TEXTS = st.builds(
    lambda base, cut, mark: base[: len(base) - cut] + mark,
    st.sampled_from(_BASES),
    st.integers(0, 8),
    st.sampled_from(["", "x", "7", " now", "!"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_NEAR_TEXTS, min_size=1, max_size=6), min_size=1, max_size=5))
def test_positions_left_out_of_the_near_test_would_find_nothing(
    articles: list[list[str]],
) -> None:
    """The near-duplicate test skips a paragraph with no MinHash neighbour and no paragraph of
    its article within max_edits of its key's length: on every position, what the test would
    find there is nothing, and the drops are those of testing every position."""
    from pipeline.dedup import Deduplicator, deduplicate

    def records() -> list[Record]:
        made = []
        for number, texts in enumerate(articles):
            paragraphs = [Paragraph(n, role="body", text=t, lang="en") for n, t in enumerate(texts)]
            made.append(
                Record(f"r{number}", f"{number}.txt", None, None, "en", None, None, paragraphs)
            )
        return made

    def described(found: tuple[list[Record], list[Any]]) -> list[tuple[Any, ...]]:
        return [(d.source, d.index, d.reason, d.duplicate_of, d.similarity) for d in found[1]]

    config = DedupConfig(min_length_en=10)
    tested = described(deduplicate(records(), config))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "pipeline.dedup.may_have_near_matches",
            lambda items, cross, edits: bytearray([1]) * len(items),
        )
        every = described(deduplicate(records(), config))
    assert tested == every
    # And directly: where the filter says no, the test finds no candidate.
    deduplicator = Deduplicator(config)
    items = collect_items(records(), config)
    representatives, shared = _first_of_keys(items)
    cross = deduplicator._cross_article_neighbours(items, representatives, {})
    local = deduplicator._local_neighbours(items)
    testable = may_have_near_matches(items, cross, config.max_edits)
    references = References(items, Either(shared, cross))
    for position in range(len(items)):
        references.add(position)
    for position in range(len(items)):
        if items.key[position] and not testable[position]:
            assert deduplicator._near_match(position, items, cross, local, references) is None
