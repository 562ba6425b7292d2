"""Property tests: reading and language detection never raise, whatever the bytes or text."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config, LanguageConfig
from pipeline.decoding import decode_bytes
from pipeline.language import LanguageDetector
from pipeline.output import render_outputs
from pipeline.paragraphs import build_paragraphs, clean_paragraph, original_text, split_paragraphs
from pipeline.reading import read_file
from pipeline.records import Fix
from pipeline.runner import run_pipeline

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


def _replay(original: str, fixes: list[Fix]) -> str:
    out, last = "", 0
    for fix in sorted(fixes, key=lambda f: f.start):
        assert original[fix.start : fix.end] == fix.before
        out += original[last : fix.start] + fix.after
        last = fix.end
    return out + original[last:]


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["auto", "blank", "line"]), st.booleans())
def test_paragraphs_are_non_empty_and_fixes_replay(text: str, mode: str, markdown: bool) -> None:
    for raw in split_paragraphs(text, mode):
        cleaned, fixes, _ = clean_paragraph(raw, markdown)
        assert _replay(original_text(raw), fixes) == cleaned
    for paragraph in build_paragraphs(enumerate(split_paragraphs(text, mode)), Config().input):
        assert paragraph.text and paragraph.text == paragraph.text.strip()


_ANY_TEXT = st.text(
    alphabet=st.characters(codec=None) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    max_size=60,
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "id": _JSON_VALUES,
                "url": _JSON_VALUES,
                "title": _ANY_TEXT | _JSON_VALUES,
                "text": _ANY_TEXT | _JSON_VALUES,
                "paragraphs": st.lists(_ANY_TEXT, max_size=4) | _JSON_VALUES,
            },
        ),
        max_size=4,
    )
)
def test_any_jsonl_renders_to_valid_output(
    tmp_path: Path, objects: list[dict[str, object]]
) -> None:
    """Whatever the JSONL holds (lone surrogates, nesting, odd types), the run renders valid
    UTF-8 JSON and every line is either an article or a problem."""
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(o) + "\n" for o in objects), "utf-8")
    result = run_pipeline(tmp_path, Config())
    assert result.article_count + len(result.problems) >= len(objects)
    for name, data in render_outputs(result, Config()).items():
        text = data.decode("utf-8")
        if name.endswith(".jsonl"):
            for line in text.splitlines():
                assert isinstance(json.loads(line), dict)
        else:
            assert json.loads(text)["counts"]["articles"] == result.article_count


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
