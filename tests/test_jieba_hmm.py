"""The unrolled HMM gives what jieba's ``finalseg`` gives: the same words on hand cases and on
random text (characters outside its tables included), the same states where every choice is a
tie, and jieba's own loop when words are to be force-split."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.jieba_hmm import JiebaHmm


@pytest.fixture(scope="module")
def finalseg() -> Any:
    from jieba import finalseg

    return finalseg


@pytest.fixture(scope="module")
def hmm(finalseg: Any) -> JiebaHmm:
    return JiebaHmm(finalseg)


HAND_CASES = [
    "",
    "米",
    "米消豁",
    "恒就亲俗摘梁",
    "他说生光鲜有时差。",
    "小明硕士毕业于中国科学院计算所",
    "abc 123 中文。English, 混合!",
    "\u9fff\u9ffe\u9ffd",  # outside the emission tables: every state gets the floor
    "第1-3年\r\n薪资10%~20%\t增长",
]


@pytest.mark.parametrize("text", HAND_CASES)
def test_the_same_words_as_finalseg_on_hand_cases(hmm: JiebaHmm, finalseg: Any, text: str) -> None:
    assert hmm.cut(text) == list(finalseg.cut(text))


_COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
_PIECES = st.one_of(
    st.sampled_from(list(_COMMON)),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from([*list("aZ09+#.%-"), " ", "\n", "，", "。", "Ａ"]),
    st.characters(codec="utf-8"),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_same_words_as_finalseg_on_any_text(hmm: JiebaHmm, finalseg: Any, text: str) -> None:
    assert hmm.cut(text) == list(finalseg.cut(text))


_STATES = "BMES"


def _tie_prone_tables(chooser: random.Random, floor: float) -> SimpleNamespace:
    """finalseg's shape with tables of two whole numbers, whose sums are exact: two paths
    often score the same, so every tie rule is met (jieba's own tables seldom tie)."""

    def scores(keys: str) -> dict[str, float]:
        return {key: chooser.choice([-1.0, -2.0]) for key in keys}

    return SimpleNamespace(
        MIN_FLOAT=floor,  # finalseg.viterbi's floor is its module's
        start_P=scores(_STATES),
        trans_P={state: scores(_STATES) for state in _STATES},
        emit_P={state: scores("ab") for state in _STATES},  # "c" gets the floor
        Force_Split_Words=set(),
    )


def test_ties_are_settled_as_finalseg_settles_them(finalseg: Any) -> None:
    chooser = random.Random(20261202)  # a fixed sweep: the same cases on every run
    for _ in range(5000):
        tables = _tie_prone_tables(chooser, finalseg.MIN_FLOAT)
        block = "".join(chooser.choice("abc") for _ in range(chooser.randint(1, 6)))
        _, expected = finalseg.viterbi(
            block, _STATES, tables.start_P, tables.trans_P, tables.emit_P
        )
        assert JiebaHmm(tables)._states(block) == expected, (block, vars(tables))


def test_force_split_words_go_through_finalseg_s_own_loop(
    finalseg: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "小明硕士毕业"
    whole = list(finalseg.cut(text))
    word = next(word for word in whole if len(word) > 1)
    monkeypatch.setattr(finalseg, "Force_Split_Words", {word})
    split = JiebaHmm(finalseg).cut(text)
    assert split == list(finalseg.cut(text))
    assert word not in split and len(split) > len(whole)
