"""The numpy inner loop of langdetect gives langdetect's own probabilities, bit for bit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.langdetect_numpy import probabilities, table_factory

REALPAGES = Path(__file__).resolve().parents[2] / "shared" / "realpages" / "pages"
FIXED = [
    "Senior Java Developer - Shanghai",
    "Toaster, kettle (1.5 kW)",
    "Der Arbeitsmarkt für Pflegekräfte wächst seit Jahren.",
    "Les agents du centre d'appels travaillent en équipes.",
    "Работа в колл-центре",
    "Nguyễn Văn An, chuyên viên tư vấn",
    "KPI",
    "a",
]


@pytest.fixture(scope="module")
def factory() -> tuple[Any, Any]:
    """langdetect's own factory, and ours over the same profiles (its table)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    theirs = DetectorFactory()
    theirs.load_profile(PROFILES_DIRECTORY)
    ours = table_factory(PROFILES_DIRECTORY)
    theirs.seed = ours.seed = 0
    return theirs, ours


def _both(factory: tuple[Any, Any], text: str) -> tuple[Any, Any]:
    from langdetect.lang_detect_exception import LangDetectException

    theirs, ours = factory
    answers = []
    for made, ask in (
        (theirs, lambda d: d.get_probabilities()),
        (ours, lambda d: probabilities(d, ours.weights)),
    ):
        detector = made.create()
        detector.append(text)
        try:
            answers.append([(item.lang, item.prob) for item in ask(detector)])
        except LangDetectException as exc:
            answers.append(str(exc))
    return answers[0], answers[1]


def test_the_table_holds_langdetects_profiles_bit_for_bit(factory: tuple[Any, Any]) -> None:
    """The same languages in the same order, the same n-grams, and each n-gram's row its list
    of probabilities, each the same double."""
    import struct

    theirs, ours = factory
    assert ours.langlist == theirs.langlist and len(ours.langlist) == 55
    assert list(ours.word_lang_prob_map) == list(theirs.word_lang_prob_map)
    table = ours.weights.tolist()
    pack = struct.Struct("d").pack
    differing = [
        ngram
        for ngram, row in ours.word_lang_prob_map.items()
        if list(map(pack, table[row])) != list(map(pack, theirs.word_lang_prob_map[ngram]))
    ]
    assert differing == []
    assert ours.weights.shape == (len(theirs.word_lang_prob_map), 55)


@pytest.mark.parametrize("text", FIXED)
def test_the_same_probabilities_as_langdetect(factory: tuple[Any, Any], text: str) -> None:
    theirs, ours = _both(factory, text)
    assert ours == theirs


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzéèüößñ ,.-'ABCDE"), max_size=80))
def test_the_same_probabilities_on_any_latin_text(factory: tuple[Any, Any], text: str) -> None:
    theirs, ours = _both(factory, text)
    assert ours == theirs


def test_the_same_probabilities_on_the_real_pages(factory: tuple[Any, Any]) -> None:
    if not REALPAGES.is_dir():
        pytest.skip(f"{REALPAGES} is absent")
    lines = []
    for page in sorted(REALPAGES.iterdir())[:12]:
        text = page.read_text("utf-8", errors="replace")
        lines += [line for line in text.splitlines() if len(line) > 15][:15]
    assert len(lines) > 50
    differing = [line for line in lines if len(set(map(repr, _both(factory, line)))) != 1]
    assert differing == []
