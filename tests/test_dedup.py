"""Deduplication: exact, near, across articles, boilerplate, keep policy, numbers, fingerprints."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import ConfigError, DedupConfig, config_from_mapping
from pipeline.dedup import deduplicate
from pipeline.fingerprint import (
    BANDS,
    BUCKET_HEADS,
    band_pair_arrays,
    candidate_pairs,
    comparison_key,
    signatures,
)
from pipeline.records import Paragraph, Record

LONG_EN = "The call centre industry in China has grown quickly and now employs millions of people."
LONG_ZH = "电信客服行业近年来发展迅速，人才需求持续增长，一线城市的平均月薪约在三千到五千元之间。"


def record(source: str, *texts: str, lang: str = "en") -> Record:
    paragraphs = [
        Paragraph(index, "title" if index == 0 else "body", text, lang=lang)
        for index, text in enumerate(texts)
    ]
    return Record(source, source, None, None, lang, None, None, paragraphs)


def dropped_of(
    records: list[Record], config: DedupConfig | None = None
) -> list[tuple[str, int, str]]:
    _, dropped = deduplicate(copy.deepcopy(records), config or DedupConfig())  # it edits records
    return [(item.source, item.index, item.reason) for item in dropped]


def test_comparison_key_normalises_width_case_space_and_punctuation_but_keeps_digits() -> None:
    assert comparison_key("Ｃａｌｌ  Centre，３０００元。") == comparison_key("call centre,3000元.")
    assert comparison_key("\u3000月薪 3000 元") == "月薪3000元"
    assert comparison_key("月薪3000元") != comparison_key("月薪4000元")


def test_exact_repeat_inside_an_article_is_dropped_whatever_its_length() -> None:
    records = [record("a.txt", "Title", "Career prospects", LONG_EN, "career  prospects")]
    assert dropped_of(records) == [("a.txt", 3, "exact_duplicate")]


def test_near_repeat_inside_and_across_articles() -> None:
    near = LONG_EN.replace("centre", "center")
    records = [record("a.txt", "A", LONG_EN, near), record("b.txt", "B", near + "!")]
    assert dropped_of(records) == [("a.txt", 2, "near_duplicate"), ("b.txt", 1, "near_duplicate")]
    _, dropped = deduplicate(records, DedupConfig())
    assert dropped[0].duplicate_of == {"source": "a.txt", "index": 1}
    assert dropped[0].similarity is not None and 90 <= dropped[0].similarity < 100


def test_chinese_near_repeat_is_compared_on_characters() -> None:
    near = LONG_ZH.replace("迅速", "迅猛")
    records = [
        record("a.txt", "标题", LONG_ZH, lang="zh"),
        record("b.txt", "标题二", near, lang="zh"),
    ]
    assert dropped_of(records) == [("b.txt", 1, "near_duplicate")]


def test_short_paragraphs_and_titles_are_not_dropped_across_articles() -> None:
    other = "Team leaders coach new agents and review the quality of their calls every week."
    records = [
        record("a.txt", "Same title for both", "Career prospects", LONG_EN),
        record("b.txt", "Same title for both", "Career prospects", other),
    ]
    assert dropped_of(records) == []
    shorter = DedupConfig(min_length_en=10)
    assert dropped_of(records, shorter) == [("b.txt", 1, "exact_duplicate")]


def test_a_copied_block_goes_with_its_short_paragraphs_and_a_copied_article_whole() -> None:
    other = "Team leaders coach new agents and review the quality of their calls every week."
    copied_section = [
        record("a.txt", "Title A", "Career prospects", LONG_EN, "Pay"),
        record("b.txt", "Title B", "Career prospects", LONG_EN, other),
    ]
    # The heading before the copied paragraph is part of the copy; the title is B's own.
    assert dropped_of(copied_section) == [
        ("b.txt", 1, "exact_duplicate"),
        ("b.txt", 2, "exact_duplicate"),
    ]
    rescraped = [
        record("a.txt", "Same title", "Career prospects", LONG_EN),
        record("b.txt", "Same title", "Career prospects", LONG_EN),
    ]
    assert dropped_of(rescraped) == [("b.txt", index, "exact_duplicate") for index in range(3)]
    headings_alone = [record("a.txt", "A", "Pay", "Duties"), record("b.txt", "B", "Pay", "Duties")]
    assert dropped_of(headings_alone) == []  # two headings side by side are not a copied block


def test_a_block_copied_into_several_articles_points_each_copy_at_the_first() -> None:
    """The block test's lookup holds one position for a (key, key beside) pair, a list for more:
    the third copy of a heading finds its twin in the first article, not in the second."""
    ends = ["Pay", "Team leaders coach new agents.", "Shifts run day and night."]
    records = [
        record(f"{name}.txt", f"Title {name}", "Career prospects", LONG_EN, end)
        for name, end in zip("abc", ends, strict=True)
    ]
    _, dropped = deduplicate(copy.deepcopy(records), DedupConfig())
    assert [(d.source, d.index, d.reason, d.duplicate_of) for d in dropped] == [
        (f"{name}.txt", index, "exact_duplicate", {"source": "a.txt", "index": index})
        for name in "bc"
        for index in (1, 2)
    ]


def test_paragraphs_that_differ_in_their_numbers_are_different_content() -> None:
    five = "A representative in a first-tier city earns about 5,000 yuan a month, before tax."
    records = [
        record("a.txt", "A", five),
        record("b.txt", "B", five.replace("5,000", "6,000")),
        record("c.txt", "C", five.replace("5,000", "50,000")),
    ]
    assert dropped_of(records) == []


def test_a_paragraph_in_many_articles_keeps_its_first_copy() -> None:
    notice = "Subscribe to our newsletter for weekly career advice and the latest openings."
    bodies = {
        "a": LONG_EN,
        "b": LONG_ZH,
        "c": "Team leaders coach new agents and review the quality of calls.",
    }
    records = [record(f"{name}.txt", name, notice, bodies[name]) for name in "abc"]
    assert dropped_of(records) == [
        ("b.txt", 1, "exact_duplicate"),
        ("c.txt", 1, "exact_duplicate"),
    ]


def test_keep_longest_keeps_the_longer_copy() -> None:
    short, long = LONG_EN, LONG_EN + " Really."
    records = [record("a.txt", "A", short), record("b.txt", "B", long)]
    config = DedupConfig(max_edits=10)
    assert dropped_of(records, config) == [("b.txt", 1, "near_duplicate")]
    assert dropped_of(records, replace(config, keep="longest")) == [("a.txt", 1, "near_duplicate")]


def test_a_paragraph_with_a_sentence_more_is_not_a_near_duplicate() -> None:
    extra = "Salaries rose again last year. " + LONG_EN
    assert dropped_of([record("a.txt", "A", LONG_EN), record("b.txt", "B", extra)]) == []


def test_every_paragraph_is_kept_or_dropped_and_records_left_are_unchanged() -> None:
    records = [
        record("a.txt", "A", LONG_EN, LONG_EN),
        record("b.txt", "B", LONG_EN),  # every body paragraph dropped: the title stays
    ]
    before = sum(len(r.paragraphs) for r in records)
    kept, dropped = deduplicate(records, DedupConfig())
    assert sum(len(r.paragraphs) for r in kept) + len(dropped) == before
    assert [p.text for p in kept[0].paragraphs] == ["A", LONG_EN]


def test_disabled_dedup_drops_nothing() -> None:
    records = [record("a.txt", "A", LONG_EN, LONG_EN)]
    assert dropped_of(records, DedupConfig(enabled=False)) == []


def test_lsh_pairs_near_copies_and_not_unrelated_text() -> None:
    keys = [comparison_key(t) for t in (LONG_EN, LONG_EN.replace("quickly", "quickIy"), LONG_ZH)]
    rows = signatures(keys)
    assert rows.shape == (3, 63) and rows.dtype == np.uint64
    assert candidate_pairs(rows) == {(0, 1)}
    assert np.array_equal(signatures(keys), rows)  # fixed seeds: the same on every run


def _signature_by_hand(key: str) -> list[int]:
    """MinHash as its definition reads, in Python integers: the least permuted hash of the
    key's shingles (a key shorter than a shingle is one, padded), per permutation."""
    from pipeline.fingerprint import _PRIME, _permutations, shingle_size

    size, wrap = shingle_size(key), 2**64
    padded = key.ljust(size, "\0")
    hashes = []
    for start in range(len(padded) - size + 1):
        value = 0
        for char in padded[start : start + size]:
            value = (value * int(_PRIME) + ord(char)) % wrap
        hashes.append(value)
    multipliers, offsets = _permutations()
    return [
        min(((value * int(m) + int(o)) % wrap) >> 32 for value in hashes)
        for m, o in zip(multipliers.tolist(), offsets.tolist(), strict=True)
    ]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ab职业发展 .", max_size=30), min_size=1, max_size=6))
def test_signatures_are_minhash_as_defined(keys: list[str]) -> None:
    rows = signatures(keys)
    assert [row.tolist() for row in rows] == [_signature_by_hand(key) for key in keys]


def test_nfkc_leaves_ascii_as_it_is() -> None:
    """What the comparison key's skip of NFKC for ASCII text rests on."""
    import unicodedata

    every = "".join(chr(code) for code in range(128))
    assert unicodedata.normalize("NFKC", every) == every
    assert all(unicodedata.normalize("NFKC", chr(code)) == chr(code) for code in range(128))
    assert comparison_key("Call  Centre, 3000 Yuan.") == comparison_key(
        "Ｃａｌｌ Centre，3000 yuan。"
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=BANDS, max_size=BANDS), max_size=12))
def test_lsh_pairs_each_row_with_the_first_rows_of_its_buckets(keys: list[list[int]]) -> None:
    bands = np.array(keys, dtype=np.uint64).reshape(len(keys), BANDS)
    expected = set()
    for band in range(BANDS):
        buckets: dict[int, list[int]] = {}
        for row in range(len(keys)):
            bucket = buckets.setdefault(keys[row][band], [])
            expected.update((head, row) for head in bucket[:BUCKET_HEADS])
            bucket.append(row)
    low, high = band_pair_arrays(bands)
    assert list(zip(low.tolist(), high.tolist(), strict=True)) == sorted(expected)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"keep": "last"}, "keep"),
        ({"similarity": 20}, "similarity"),
        ({"max_edits": -1}, "max_edits"),
    ],
)
def test_bad_dedup_options_are_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from_mapping({"dedup": table})


_KEY_CHARACTERS = st.one_of(
    st.sampled_from(list("aB&;#nbsp12。、“”—…月薪元Ｃ１")),
    st.characters(categories=["Zs", "Zl", "Zp", "Cc"]),  # every kind of white space
    # full-width forms (mapped before NFKC) beside what NFKC composes or reorders with them
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
    st.characters(categories=["Mn", "Mc"]),
    st.sampled_from(list("e\u0301\u0308\u0323ﬁ㎏①\u3000Ａ\u1100\u1161\u11a8")),
    st.characters(),
)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=_KEY_CHARACTERS, max_size=30))
def test_nfkc_is_unicodedatas(text: str) -> None:
    import unicodedata

    from pipeline.fingerprint import nfkc

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_maps_full_width_forms_and_still_composes_after_them() -> None:
    from pipeline.fingerprint import nfkc

    assert nfkc("月薪（３０００元）\u3000！") == "月薪(3000元) !"
    assert nfkc("ｅ\u0301") == "é"  # the mapped "e" still takes the accent
    assert nfkc("ﬁ，") == "fi,"  # a text that needs NFKC after the mapping too


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_KEY_CHARACTERS, max_size=40))
def test_comparison_key_takes_out_all_white_space_as_one_regular_expression_would(
    text: str,
) -> None:
    import re
    import unicodedata

    from pipeline.fingerprint import _PUNCTUATION

    key = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCTUATION)
    if "&" in key:
        key = re.sub(r"&#?[a-z0-9]{2,8};", "", key)
    assert comparison_key(text) == re.sub(r"\s+", "", key)


def test_a_record_left_with_no_paragraph_lets_go_of_them() -> None:
    # The caller may still hold the record: its paragraphs would stay in memory beside the
    # entries made for them (hundreds of thousands in a run over copies of a corpus).
    other = "Hiring managers ask for two years of experience and a degree in a related field."
    first = record("a.txt", "Call centre jobs", LONG_EN, other)
    copied = record("b.txt", "Call centre jobs", LONG_EN, other)
    kept, dropped = deduplicate([first, copied], DedupConfig())
    assert kept == [first] and [p.index for p in first.paragraphs] == [0, 1, 2]
    assert copied.paragraphs == []
    assert [(d.source, d.index) for d in dropped] == [("b.txt", 0), ("b.txt", 1), ("b.txt", 2)]
