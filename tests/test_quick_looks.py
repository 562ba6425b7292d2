"""Quick first looks never change a result: a repair rule is not asked when its hint is absent,
and some furniture clues look for a word or a mark before running their pattern. Each result is
compared with the one the full work gives (the looks taken out)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.furniture.clues as clue_module
from pipeline.config import RepairConfig
from pipeline.furniture.clues import clues
from pipeline.repair.engine import Repairer
from pipeline.repair.registry import BUILTIN_RULES, DIGIT_RULES, NON_ASCII_RULES, RULE_NAMES

CASES: list[dict[str, Any]] = json.loads(
    (REPO / "tests/cases/repair_cases.json").read_text(encoding="utf-8")
)["cases"]

# Pieces of what the rules and clues look for, and of what they must not take.
_PIECES = st.one_of(
    st.sampled_from(list("0123456789０１２３４５６７８９ .,+-/:%年月万亿")),
    st.sampled_from(["654.38+", "65438", "5 4 3 8", "/kloc-0/", "KLOC-0", " 1", "9 8 5"]),
    st.sampled_from(["&amp;", "&nbsp;", "&#183;", "&nbp;", "锟斤拷", "\ufffd", "\x85", "\x9d"]),
    st.sampled_from(["Ã©", "â€™", "’", "鑱屼笟", "┬丁祑砰砞琁ぃ", "year", "and", "in 20"]),
    st.sampled_from(
        [
            "qq",
            "QQ群：12345678",
            "微信",
            "wechat",
            "热线",
            "联系电话：",
            "咨询电话 ",
            "400-123-4567",
        ]
    ),
    st.sampled_from([" > ", " - ", "»", "›", "→", " / ", " | ", "首页", "home", "当前位置："]),
    st.sampled_from(["职业", "发展", "The", " career ", "，", "。", "\n"]),
    st.sampled_from(["www.example.com", "https://example.com/a", " /careers/nurse-pay/", "上传人"]),
    st.characters(codec="utf-8"),
)
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


_EVERYWHERE = re.compile("")  # a hint found in every text: the rule does all its work


def _without_hints(repairer: Repairer) -> Repairer:
    """The repairer with no quick look: every rule asked, and no rule's own ``find`` turned
    away by its hint either."""
    every_rule = repairer._scans[False, True]  # a text neither ASCII nor without a digit
    for find, _ in every_rule:
        rule = find.__self__  # type: ignore[attr-defined]
        if rule.hint is not None:
            rule.hint = _EVERYWHERE
    unhinted = [(find, None) for find, _ in every_rule]
    # every rule asked about every text: ASCII or not, with a digit or without
    repairer._scans = dict.fromkeys(repairer._scans, unhinted)
    return repairer


REPAIRERS = {
    level: (
        Repairer(RepairConfig(fix_level=level)),
        _without_hints(Repairer(RepairConfig(fix_level=level))),
    )
    for level in ("certain", "probable")
}


def test_every_built_in_rule_has_a_hint() -> None:
    assert [rule.name for rule in (make() for make in BUILTIN_RULES) if rule.hint is None] == []


@pytest.mark.parametrize("level", ["certain", "probable"])
def test_hints_change_no_repair_of_the_case_table(level: str) -> None:
    hinted, full = REPAIRERS[level]
    for case in CASES:
        assert hinted.repair(case["original"]) == full.repair(case["original"]), case["label"]


@settings(max_examples=800, deadline=None)
@given(_TEXTS, st.sampled_from(["certain", "probable"]))
def test_hints_change_no_repair_of_any_text(text: str, level: str) -> None:
    hinted, full = REPAIRERS[level]
    assert hinted.repair(text) == full.repair(text)


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_no_rule_finds_anything_where_its_hint_is_absent(text: str) -> None:
    for rule in (make() for make in BUILTIN_RULES):
        hint = rule.hint
        rule.hint = _EVERYWHERE  # type: ignore[misc]  # its find does all its work
        if hint is not None and not hint.search(text):
            assert list(rule.find(text)) == [], rule.name


_ASCII_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(["654.38+", "/kloc-0/", " 1", "9 8 5", "&amp;", "in 20", "10year", "\n"]),
        st.text(st.characters(max_codepoint=0x7F)),
    ),
    max_size=20,
).map("".join)


def test_the_rules_skipped_for_ascii_text_are_built_in() -> None:
    assert NON_ASCII_RULES <= {make().name for make in BUILTIN_RULES} <= set(RULE_NAMES)


@settings(max_examples=500, deadline=None)
@given(_ASCII_TEXTS)
def test_the_rules_skipped_for_ascii_text_find_nothing_in_it(text: str) -> None:
    for rule in (make() for make in BUILTIN_RULES):
        if rule.name in NON_ASCII_RULES:
            assert rule.hint is not None and not rule.hint.search(text), rule.name
            rule.hint = _EVERYWHERE  # type: ignore[misc]  # its find does all its work
            assert list(rule.find(text)) == [], rule.name


_DIGIT_FREE_TEXTS = _TEXTS.map(lambda text: re.sub("[0-9]", "", text))


def test_the_rules_skipped_for_text_without_a_digit_are_built_in() -> None:
    assert DIGIT_RULES <= {make().name for make in BUILTIN_RULES} <= set(RULE_NAMES)
    assert not DIGIT_RULES & NON_ASCII_RULES  # each set is told by one look at the text


@settings(max_examples=800, deadline=None)
@given(_DIGIT_FREE_TEXTS)
def test_the_rules_skipped_for_text_without_a_digit_find_nothing_in_it(text: str) -> None:
    for rule in (make() for make in BUILTIN_RULES):
        if rule.name in DIGIT_RULES:
            rule.hint = _EVERYWHERE  # type: ignore[misc]  # its find does all its work
            assert list(rule.find(text)) == [], rule.name


def test_a_text_without_a_digit_is_not_shown_to_the_digit_rules() -> None:
    asked = {
        (ascii, digits): {find.__self__.name for find, _ in scans}  # type: ignore[attr-defined]
        for (ascii, digits), scans in Repairer(RepairConfig())._scans.items()
    }
    every = {make().name for make in BUILTIN_RULES}
    assert asked[False, True] == every
    assert asked[False, False] == every - DIGIT_RULES
    assert asked[True, False] == every - DIGIT_RULES - NON_ASCII_RULES


def test_every_upload_field_starts_with_a_non_ascii_character() -> None:
    """So an ASCII text, whose upload fields are not looked for, holds none."""
    alternatives = clue_module._UPLOAD_FIELDS.pattern.split("|")
    assert len(alternatives) > 1
    assert all(not alternative[0].isascii() for alternative in alternatives)


def _full_clues(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(clue_module, "_HANDLE_WORDS", ("",))  # "" is in every text
        patched.setattr(clue_module, "_LINK_MARKS", ("",))
        patched.setattr(clue_module, "_SEPARATOR_MARK", re.compile(""))  # found in every text
        return clues(text)


@settings(max_examples=800, deadline=None)
@given(_TEXTS)
def test_the_clues_first_looks_change_no_clue(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert clues(text) == _full_clues(text, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        "HR交流QQ群：123456789",
        "Add WeChat: kaoyan666",
        "咨询热线 400-123-4567",
        "联系电话：13812345678",
        "当前位置：首页 > 新闻中心 > 正文",
        "Home » Careers » Engineering",
        "Home / Careers / Engineering / Salaries",
    ],
)
def test_the_clues_first_looks_let_furniture_through(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = clues(text)
    assert found and found == _full_clues(text, monkeypatch)
