"""Repair on real text: the seeds in raw/ and committed cleaned/, and the benchmark corpus, whose
tens of thousands of real numbers must come through unchanged."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from pipeline.config import Config, RepairConfig
from pipeline.repair.registry import RULE_NAMES
from pipeline.scan import scan

ENGLISH_SEED = "000_306bb36a3590e69e.txt"


def _cleaned_paragraphs() -> dict[tuple[str, int], dict[str, Any]]:
    paragraphs = {}
    for name in ("en.jsonl", "zh.jsonl"):
        for line in (REPO / "cleaned" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for paragraph in record["paragraphs"]:
                paragraphs[(record["source"], paragraph["index"])] = paragraph
    return paragraphs


def test_the_seeds_garbled_numbers_are_repaired_in_committed_cleaned() -> None:
    raw = (REPO / "raw" / ENGLISH_SEED).read_text(encoding="utf-8")
    assert "654.38+000 billion" in raw and "in 20 10," in raw and "8-65,438+10,000/year" in raw
    repaired = {
        fix["before"]: (fix["after"], fix["rule"], fix["confidence"], paragraph["text"])
        for paragraph in _cleaned_paragraphs().values()
        for fix in paragraph["fixes"]
    }
    after, rule, confidence, text = repaired["654.38+000"]
    assert (after, rule, confidence) == ("100", "marker_65438", "certain")
    assert "nearly 100 billion" in text
    after, rule, confidence, text = repaired["20 10"]
    assert (after, rule, confidence) == ("2010", "split_year", "certain")
    assert "in 2010," in text
    after, rule, confidence, text = repaired["8-65,438+10,000"]
    assert (after, rule, confidence) == ("80,000-100,000", "marker_65438_magnitude", "probable")
    assert "80,000-100,000/year" in text
    manifest = json.loads((REPO / "cleaned" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["flags"] == {}
    assert manifest["counts"]["fix_confidence"] == {"certain": 2, "probable": 1}


def test_no_marker_form_is_left_in_committed_cleaned() -> None:
    for paragraph in _cleaned_paragraphs().values():
        text = str(paragraph["text"])
        assert not re.search(r"65,?\s?4\.?3\.?8\+|/kloc-|[０-９]|锟斤拷|\ufffd", text, re.I), text


@pytest.mark.slow
def test_the_benchmark_corpus_numbers_come_through_unchanged(bench_docs: Path) -> None:
    text = (bench_docs / "docs.jsonl").read_text(encoding="utf-8")
    assert len(re.findall("[0-9０-９]+", text)) > 50_000  # the test means something

    result = scan(bench_docs, Config())
    assert result.flags == []
    by_rule = Counter(suspect.rule for suspect in result.suspects)
    assert set(by_rule) == {"fullwidth_digits", "big5_mojibake", "glued_number", "html_entities"}
    assert by_rule["fullwidth_digits"] > 10_000
    for suspect in result.suspects:
        if suspect.rule == "glued_number":
            continue  # checked below
        if suspect.rule == "html_entities":  # encyclopedia text keeps its &nbsp; and &#183;
            assert re.fullmatch("(?:&#?[0-9A-Za-z]+;)+", suspect.span), suspect
            continue
        if suspect.rule == "fullwidth_digits":  # People's Daily writes its digits full width
            assert re.fullmatch("[０-９]+", suspect.span), suspect
            assert suspect.proposals == (unicodedata.normalize("NFKC", suspect.span),)
        else:  # three hotel reviews that really are Big5 read as GBK: no digit is involved
            assert not re.search("[0-9]", suspect.span + suspect.proposals[0]), suspect
            suspect.proposals[0].encode("big5")
    assert by_rule["big5_mojibake"] < 20

    # The garbled-number rules alone find nothing at all: not a repair, not a flag. The only
    # other findings are the corpus's own lost spaces after a word ("of2002", "with25%").
    text_rules = (
        "fullwidth_digits",
        "mojibake",
        "gbk_mojibake",
        "big5_mojibake",
        "lost_bytes",
        "html_entities",
    )
    assert set(text_rules) < set(RULE_NAMES)
    numbers_only = Config(repair=RepairConfig(disabled_rules=text_rules))
    found = scan(bench_docs, numbers_only).suspects
    assert [s for s in found if s.rule != "glued_number"] == []
    assert 0 < len(found) <= 5
    for suspect in found:
        assert suspect.kind == "fixed"
        word = re.match("[A-Za-z]+", suspect.span)
        assert word and suspect.proposals == (f"{word.group()} {suspect.span[word.end() :]}",)
