"""The memories of recent results: bounded, least recently used forgotten first, and never a
change to what a stage answers (a repeated paragraph gets what a fresh stage would give it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config, LanguageConfig, RepairConfig
from pipeline.furniture.clues import clues
from pipeline.language import LanguageDetector
from pipeline.paragraphs import clean_paragraph
from pipeline.recent import Recent
from pipeline.repair.engine import Repairer

CASES: list[dict[str, Any]] = json.loads(
    (REPO / "tests/cases/repair_cases.json").read_text(encoding="utf-8")
)["cases"]
ORIGINALS = [case["original"] for case in CASES]


def test_the_least_recently_used_is_forgotten_first() -> None:
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # now "b" is the least recently used
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)
    assert len(recent) == 2


def test_an_unknown_key_is_none() -> None:
    assert Recent[str, int](4).get("never put") is None


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(ORIGINALS), min_size=1, max_size=30))
def test_a_repairer_that_remembers_repairs_as_a_fresh_one(originals: list[str]) -> None:
    shared = Repairer(RepairConfig())
    for original in originals:
        text, debris, _ = clean_paragraph(original)
        assert shared.repair(text, debris) == Repairer(RepairConfig()).repair(text, debris)


def test_a_repeated_repair_hands_out_lists_of_its_own() -> None:
    repairer = Repairer(RepairConfig())
    text = "over/kloc-0 years the pay rose 654.38+000 billion"  # a repair and a flag
    first = repairer.repair(text)
    assert first.fixes and first.flags
    expected_fixes, expected_flags = list(first.fixes), list(first.flags)
    first.fixes.clear()
    first.flags.clear()
    again = repairer.repair(text)
    assert (again.fixes, again.flags) == (expected_fixes, expected_flags)


def test_the_earlier_fixes_are_part_of_what_is_remembered() -> None:
    repairer = Repairer(RepairConfig())
    text, debris, _ = clean_paragraph("Pay: 8-65,438+10,000/year\u200b in 20 10")
    assert debris  # the zero-width space was removed while reading
    with_debris = repairer.repair(text, debris)
    without = repairer.repair(text)
    assert with_debris.fixes != without.fixes
    assert without == Repairer(RepairConfig()).repair(text)


def test_the_repairers_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.repair.engine

    monkeypatch.setattr(pipeline.repair.engine, "RECENT_REPAIRS", 3)
    repairer = Repairer(RepairConfig())
    for number in range(10):
        repairer.repair(f"in 20 1{number}")
    assert len(repairer._recent) == 3


TEXTS = [
    "The salary of a nurse depends on the hospital and the city where they work.",
    "护士的薪资取决于医院和所在城市。",
    "KPI 考核",
    "Ｄｅｒ Ｂｅｒｕｆ",  # full-width Latin alone: labelled after NFKC
    "Der Beruf des Krankenpflegers ist anspruchsvoll und wird gut bezahlt.",
    "123 456",
]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=20))
def test_a_detector_that_remembers_labels_as_a_fresh_one(texts: list[str]) -> None:
    shared = LanguageDetector(LanguageConfig())
    for text in texts:
        assert shared.detect(text) == LanguageDetector(LanguageConfig()).detect(text)


def test_a_processor_hands_out_clue_lists_of_its_own() -> None:
    from pipeline.process import ArticleProcessor

    processor = ArticleProcessor(Config())
    text = "当前位置：首页 > 职业 > 护士"
    first = processor._clues(text)
    assert first == clues(text) and first
    first.clear()
    assert processor._clues(text) == clues(text)


def test_repeated_articles_give_the_records_of_a_fresh_processor(tmp_path: Path) -> None:
    """A processor that has seen an article's paragraphs (and remembers their repairs, clues,
    labels and tokens) gives the records a processor that saw nothing gives."""
    from pipeline.process import ArticleProcessor
    from pipeline.reading import read_file
    from pipeline.records import to_json_line

    lines = [
        "当前位置：首页 > 职业 > 护士",
        "护士职业前景",
        "The salary is 654.38+000 billion yuan, paid since 20 10.",
        "护士的薪资取决于医院和所在城市，月薪8-65,438+10,000元。",
        "上一篇：医生职业前景",
    ]
    (tmp_path / "a.txt").write_text("\n\n".join(lines) + "\n", "utf-8")
    config = Config()
    [article] = read_file(tmp_path, "a.txt", config).articles
    seasoned = ArticleProcessor(config)
    seasoned.process(read_file(tmp_path, "a.txt", config).articles[0])
    again = seasoned.process(article)
    fresh = ArticleProcessor(config).process(read_file(tmp_path, "a.txt", config).articles[0])
    assert [to_json_line(r) for r in again] == [to_json_line(r) for r in fresh]
    roles = {p.role for record in fresh for p in record.paragraphs}
    assert {"breadcrumb", "navigation"} <= roles  # the clues were used, and counted


def test_a_value_is_made_once_while_it_is_remembered() -> None:
    recent: Recent[str, int] = Recent(2)
    made: list[str] = []

    def make(key: str) -> int:
        made.append(key)
        return len(key)

    assert [recent.get_or_make(k, make) for k in ("ab", "ab", "abc", "d", "ab")] == [2, 2, 3, 1, 2]
    assert made == ["ab", "abc", "d", "ab"]  # "ab" was forgotten when "d" came
