"""The repair stage: the case table (ftfy style), the rules' own examples, the ledger, config."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import REPO

from pipeline.config import ConfigError, RepairConfig, config_from_mapping
from pipeline.paragraphs import clean_paragraph
from pipeline.records import Fix, Paragraph
from pipeline.repair.engine import Repairer
from pipeline.repair.ledger import Edit, Ledger, replay
from pipeline.repair.registry import BUILTIN_RULES, RULE_NAMES

CASES: list[dict[str, Any]] = json.loads(
    (REPO / "tests/cases/repair_cases.json").read_text(encoding="utf-8")
)["cases"]
REPAIRERS = {level: Repairer(RepairConfig(fix_level=level)) for level in ("certain", "probable")}


def _case_params() -> list[Any]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        params.append(pytest.param(case, id=f"{case['kind']}: {case['label']}", marks=marks))
    return params


@pytest.mark.parametrize("case", _case_params())
def test_repair_case(case: dict[str, Any]) -> None:
    text, debris, _ = clean_paragraph(case["original"])
    repaired = REPAIRERS[case.get("fix_level", "probable")].repair(text, debris)
    assert repaired.text == case["expected"]
    fixes = [
        {"rule": f.rule, "before": f.before, "after": f.after, "confidence": f.confidence}
        for f in repaired.fixes
    ]
    assert fixes == case["fixes"]
    flags = [
        {"rule": f.rule, "span": f.span, "candidates": list(f.candidates)} for f in repaired.flags
    ]
    assert flags == case["flags"]


def test_case_table_has_every_kind_and_every_rule() -> None:
    kinds = {case["kind"] for case in CASES}
    assert kinds == {"in_the_wild", "synthetic", "negative"}
    covered = {
        part
        for case in CASES
        for item in case["fixes"] + case["flags"]
        for part in item["rule"].split("+")
    }
    assert set(RULE_NAMES) <= covered
    negatives = [case for case in CASES if case["kind"] == "negative" and "xfail" not in case]
    assert len(negatives) >= 20
    for case in negatives:
        assert case["expected"] == case["original"] and not case["fixes"] and not case["flags"]


_EXAMPLE = re.compile(r"``([^`]+)``\s*→\s*``([^`]+)``")


_LITERAL = re.compile(r"``([^`]+)``")


@pytest.mark.parametrize("make", BUILTIN_RULES, ids=[make().name for make in BUILTIN_RULES])
def test_each_rule_documents_examples_that_hold(make: Any) -> None:
    doc = make.__doc__ or ""
    examples = _EXAMPLE.findall(doc)
    if doc.startswith("Flags "):  # a rule that never changes text: its first literal is flagged
        flagged = _LITERAL.findall(doc)[0]
        repaired = REPAIRERS["probable"].repair(flagged)
        assert repaired.text == flagged
        assert [flag.rule for flag in repaired.flags] == [make().name]
        return
    assert examples, f"{make.__name__} has no ``before`` → ``after`` example"
    for before, after in examples:
        assert REPAIRERS["probable"].repair(before).text == after


def test_fix_level_certain_turns_probable_repairs_into_flags() -> None:
    text = "pay 654.38+10,000 yuan, founded in 20 10"
    cautious = REPAIRERS["certain"].repair(text)
    assert cautious.text == "pay 654.38+10,000 yuan, founded in 2010"
    assert [flag.candidates for flag in cautious.flags] == [("100,000",)]
    assert "not applied at fix level certain" in cautious.flags[0].reason
    assert REPAIRERS["probable"].repair(text).text == "pay 100,000 yuan, founded in 2010"


def test_a_disabled_rule_changes_nothing_but_markers_are_still_flagged() -> None:
    repairer = Repairer(RepairConfig(disabled_rules=("marker_65438", "split_year")))
    repaired = repairer.repair("nearly 654.38+000 billion in 20 10")
    assert repaired.text == "nearly 654.38+000 billion in 20 10"
    assert [(flag.rule, flag.span) for flag in repaired.flags] == [("marker_65438", "654.38+")]


def test_user_rules_run_after_the_built_in_ones() -> None:
    config = config_from_mapping(
        {
            "repair": {
                "user_rules": [
                    {
                        "name": "rmb_sign",
                        "pattern": r"RMB\s?([0-9][0-9,]*)",
                        "replacement": r"¥\1",
                        "confidence": "probable",
                        "reason": "house style",
                    }
                ]
            }
        }
    )
    repaired = Repairer(config.repair).repair("RMB 65,438+000 a month")
    assert repaired.text == "¥100 a month"
    assert [(fix.rule, fix.confidence) for fix in repaired.fixes] == [
        ("marker_65438+rmb_sign", "probable")
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"name": "x", "pattern": "(", "replacement": ""}, "not a valid regular expression"),
        ({"name": "x", "pattern": "a", "replacement": r"\2"}, "invalid group reference"),
        ({"name": "x", "pattern": "a*", "replacement": ""}, "matches empty text"),
        ({"name": "x", "pattern": r"(a)\1", "replacement": ""}, "no backreferences"),
        ({"name": "x", "pattern": "(?<=a)b", "replacement": ""}, "no lookaround"),
        ({"name": "x", "pattern": "(?P<n>a)", "replacement": r"\g<m>"}, "group reference 'm'"),
        ({"name": "split_year", "pattern": "a", "replacement": "b"}, "is a built-in rule"),
        ({"name": "x", "pattern": "a", "replacement": "b", "confidence": "sure"}, "confidence"),
        ({"name": "Bad Name", "pattern": "a", "replacement": "b"}, "lower-case"),
        ({"name": "x", "pattern": "a"}, "missing option(s) replacement"),
    ],
)
def test_bad_user_rules_are_config_errors(rule: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_mapping({"repair": {"user_rules": [rule]}})


def test_a_backtracking_user_pattern_runs_in_linear_time() -> None:
    """``(a+)+$`` takes Python's ``re`` minutes on 41 characters (it backtracks); on RE2 the
    rule is applied at once, and where it matches it repairs."""
    rule = {"name": "runs", "pattern": "(a+)+$", "replacement": "A", "confidence": "certain"}
    config = config_from_mapping({"repair": {"user_rules": [rule]}})
    repairer = Repairer(config.repair)
    assert repairer.repair("a" * 41 + "!").text == "a" * 41 + "!"  # no match, and no hang
    assert repairer.repair("x " + "a" * 41).text == "x A"


def test_bad_repair_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="fix_level"):
        config_from_mapping({"repair": {"fix_level": "maybe"}})
    with pytest.raises(ConfigError, match="unknown rule"):
        config_from_mapping({"repair": {"disabled_rules": ["no_such_rule"]}})
    same = {"name": "x", "pattern": "a", "replacement": "b"}
    with pytest.raises(ConfigError, match="used twice"):
        config_from_mapping({"repair": {"user_rules": [same, same]}})


def test_ledger_maps_edits_across_earlier_deletions() -> None:
    original = "\u200bin 20\u200b 10 and 65,438+000"
    ledger = Ledger(original, [Fix("strip_debris", "\u200b", "", 0, 1)])
    ledger.apply([Edit(3, 9, "2010", "split_year", "certain")])  # "20\u200b 10" in current text
    assert ledger.text == "in 2010 and 65,438+000"
    start = ledger.text.index("65")
    ledger.apply([Edit(start, start + 10, "100", "marker_65438", "certain")])
    assert ledger.text == "in 2010 and 100"
    assert [(f.rule, f.before, f.start) for f in ledger.fixes] == [
        ("strip_debris", "\u200b", 0),
        ("split_year", "20\u200b 10", 4),
        ("marker_65438", "65,438+000", 15),
    ]
    assert replay(original, ledger.fixes) == ledger.text
    assert Ledger.from_current(ledger.text, ledger.fixes).original == original


def test_repair_paragraphs_sets_text_fixes_and_flags() -> None:
    paragraph = Paragraph(3, "body", "pay 6,543,800 yuan in 20 10")
    REPAIRERS["probable"].repair_paragraphs([paragraph])
    assert paragraph.text == "pay 6,543,800 yuan in 2010"
    assert [fix.rule for fix in paragraph.fixes] == ["split_year"]
    assert [(flag.rule, flag.start, flag.end) for flag in paragraph.flags] == [
        ("marker_65438_magnitude", 4, 13)
    ]


def test_a_list_item_merged_into_a_count_is_flagged_when_the_next_paragraph_is_item_two() -> None:
    item = Paragraph(1, "body", "Chinese, mathematics, English 1,150;")
    second = Paragraph(2, "body", "2, physics 90 points;")
    REPAIRERS["probable"].repair_paragraphs([item, second])
    assert item.text == "Chinese, mathematics, English 1,150;" and not item.fixes
    assert [(f.rule, f.span, f.candidates) for f in item.flags] == [
        ("list_number_merged", "1,150", ("150",))
    ]
    assert second.flags == []
    # Without the next item, or with an item number of its own, 1,150 is a number.
    alone = Paragraph(1, "body", "Chinese, mathematics, English 1,150;")
    REPAIRERS["probable"].repair_paragraphs([alone])
    numbered = Paragraph(1, "body", "1. Fees reached 1,150;")
    REPAIRERS["probable"].repair_paragraphs([numbered, Paragraph(2, "body", "2. Rent")])
    assert alone.flags == [] and numbered.flags == []


def test_the_catalogue_names_the_built_in_rules_in_their_order() -> None:
    from pipeline.repair.registry import ARTICLE_RULE_NAMES, LIST_RULE
    from pipeline.rules import BUILTIN_RULE_NAMES

    assert tuple(make().name for make in BUILTIN_RULES) == BUILTIN_RULE_NAMES
    assert ARTICLE_RULE_NAMES == (LIST_RULE,)


@pytest.mark.parametrize(
    ("pattern", "template", "text"),
    [
        (r"RMB\s?([0-9][0-9,]*)", r"¥\1", "价格 RMB 100 元"),
        (r"(?P<n>[0-9]+)k", r"\g<n>,000 元\t(\g<1>)", "pay 5k"),
        (r"(a)(b)?", r"[\2|\1]\n\\", "xa"),
        (r"([\p{Han}]+)", r"「\1」", "ab 中文 cd"),
    ],
)
def test_user_templates_expand_as_python_re_does(pattern: str, template: str, text: str) -> None:
    from pipeline.user_patterns import compile_user_pattern, expand

    ours = next(compile_user_pattern(pattern).finditer(text))
    theirs = re.search(pattern.replace(r"\p{Han}", "\u4e00-\u9fff"), text)
    assert theirs is not None
    assert expand(ours, template) == theirs.expand(template)
