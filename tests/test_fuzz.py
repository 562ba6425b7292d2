"""Fuzzing reading, repair and language detection (issue #12): many generated inputs, built
from the pieces that reach the rules (garbled numbers, JSONL syntax, legacy encodings, long
runs of one character), and no exception may escape. Bounded by the example counts (a few
seconds each here); the property tests beside it check what the outputs mean."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import _PIECES

from pipeline.config import Config, LanguageConfig, RepairConfig
from pipeline.language import LanguageDetector
from pipeline.paragraphs import clean_paragraph
from pipeline.reading import read_file
from pipeline.repair.engine import Repairer

FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
CONFIG = Config()
DETECTOR = LanguageDetector(LanguageConfig())
REPAIRER = Repairer(RepairConfig())
UNITS = st.sampled_from([" ", "\u200b ", "1", "1,", "0.", "中", "\u3000", "-", "\n", "a"])
# A long run of one unit: what makes a backtracking pattern hang.
_RUN = st.tuples(UNITS, st.integers(1, 3000)).map(lambda pair: pair[0] * pair[1])
_TEXT = st.lists(_PIECES | st.text(max_size=8) | _RUN, max_size=12).map("".join)
_JSON_SYNTAX = st.sampled_from(
    [b"{", b"}", b"[", b"]", b'"', b",", b":", b"\n", b'{"title": ', b'"text": ', b"\\u", b"\\"]
)
_ENCODED = st.tuples(
    _TEXT, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "latin-1"])
).map(lambda pair: pair[0].encode(pair[1], "replace"))
_BYTES = st.lists(_ENCODED | _JSON_SYNTAX | st.binary(max_size=8), max_size=10).map(b"".join)


@pytest.mark.slow
@FUZZ
@given(_BYTES, st.sampled_from(["a.txt", "a.md", "a.jsonl"]))
def test_reading_never_raises(tmp_path: Path, data: bytes, name: str) -> None:
    (tmp_path / name).write_bytes(data)
    item = read_file(tmp_path, name, CONFIG)
    assert all(problem.path == name for problem in item.problems)


@pytest.mark.slow
@FUZZ
@given(_TEXT)
def test_cleaning_and_repair_never_raise(text: str) -> None:
    cleaned, debris, _ = clean_paragraph(text)
    repaired = REPAIRER.repair(cleaned, debris)
    assert isinstance(repaired.text, str)


@pytest.mark.slow
@FUZZ
@given(_TEXT)
def test_language_detection_never_raises(text: str) -> None:
    assert DETECTOR.detect(text).lang
