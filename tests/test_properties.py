"""Property tests: reading and language detection never raise, whatever the bytes or text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config, LanguageConfig
from pipeline.decoding import decode_bytes
from pipeline.language import LanguageDetector
from pipeline.paragraphs import build_paragraphs, split_paragraphs
from pipeline.reading import read_file

DETECTOR = LanguageDetector(LanguageConfig())
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400))
def test_decoding_never_raises(data: bytes) -> None:
    decoded = decode_bytes(data)
    assert isinstance(decoded.text, str)


@SETTINGS
@given(st.text(max_size=300))
def test_detection_never_raises_and_labels_are_well_formed(text: str) -> None:
    label = DETECTOR.detect(text)
    assert label.lang == "und" or label.lang.isalpha() or label.lang == "mixed"
    assert label.script in (None, "Hans", "Hant")


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["auto", "blank", "line"]))
def test_paragraphs_are_non_empty_and_fixes_replay(text: str, mode: str) -> None:
    raw = split_paragraphs(text, mode)
    for paragraph in build_paragraphs(enumerate(raw), Config().input):
        assert paragraph.text and paragraph.text == paragraph.text.strip()
        assert all(fix.start < fix.end for fix in paragraph.fixes)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.sampled_from(["a.txt", "a.md", "a.jsonl"]),
)
def test_reading_any_file_never_raises(tmp_path: Path, data: bytes, name: str) -> None:
    (tmp_path / name).write_bytes(data)
    item = read_file(tmp_path, name, Config())
    for article in item.articles:
        assert article.paragraphs
    for problem in item.problems:
        assert problem.path == name and problem.reason
