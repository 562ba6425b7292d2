"""Property tests: reading, repair and language detection never raise, whatever the bytes or
text; repairs replay and are idempotent."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config, LanguageConfig, RepairConfig
from pipeline.decoding import decode_bytes
from pipeline.language import LanguageDetector
from pipeline.output import render_outputs
from pipeline.paragraphs import build_paragraphs, clean_paragraph, original_text, split_paragraphs
from pipeline.reading import read_file
from pipeline.records import Fix
from pipeline.repair.base import MARKER, NOT_AFTER_NUMBER
from pipeline.repair.engine import Repairer
from pipeline.repair.ledger import Ledger
from pipeline.runner import run_pipeline

DETECTOR = LanguageDetector(LanguageConfig())
REPAIRERS = (Repairer(RepairConfig()), Repairer(RepairConfig(fix_level="certain")))
# Pieces of damaged and legitimate text, so that generated strings hit the rules often.
_PIECES = st.sampled_from(
    [
        *[
            "65,438",
            "654.38",
            "6543.8",
            "65.438",
            "65438",
            "65,",
            "438",
            "+",
            "+0",
            "+0.",
            "000",
            ",000",
            "10,000",
            "million",
        ],
        *[
            "yuan",
            "February",
            "October",
            "8-",
            "20",
            "19",
            "202",
            "195",
            "1",
            "10",
            "11",
            "in",
            "年",
            "-minute",
            "/kloc-",
            "0/",
        ],
        *[
            "/KLOC-0",
            "words",
            "０",
            "１",
            "２",
            "锟斤拷",
            "�",
            "Ã©",
            "â€™",
            "鑱屼笟",
            "职业",
            ".",
            ",",
            ":",
            "6,543,800",
            "\u200b",
        ],
        " ",
        "\n",
    ]
)
_DAMAGED = st.lists(_PIECES | st.text(max_size=3), max_size=25).map("".join)
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
    triples = [(index, raw, None) for index, raw in enumerate(split_paragraphs(text, mode))]
    for paragraph in build_paragraphs(triples, Config().input):
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


@SETTINGS
@given(_DAMAGED | st.text(max_size=200), st.booleans())
def test_repair_never_raises_replays_and_is_idempotent(text: str, cautious: bool) -> None:
    repairer = REPAIRERS[cautious]
    original = original_text(text)
    cleaned, debris, _ = clean_paragraph(text)
    repaired = repairer.repair(cleaned, debris)
    # Every fix, debris removal included, has offsets into the original; replaying gives the text.
    assert _replay(original, repaired.fixes) == repaired.text
    for flag in repaired.flags:
        assert original[flag.start : flag.end] == flag.span
    again = repairer.repair(repaired.text)
    assert again.text == repaired.text
    assert again.fixes == []
    assert [flag.rule for flag in again.flags] == [flag.rule for flag in repaired.flags]
    if cautious:
        assert all(fix.confidence == "certain" for fix in repaired.fixes)


@SETTINGS
@given(_DAMAGED)
def test_no_marker_survives_without_a_fix_or_a_flag(text: str) -> None:
    repaired = REPAIRERS[0].repair(text)
    ledger = Ledger(text, repaired.fixes)
    for match in re.finditer(
        NOT_AFTER_NUMBER + MARKER + r"\+0|/kloc-0/|锟斤拷|\ufffd", repaired.text, re.I
    ):
        start, end = ledger.original_span(match.start(), match.end())
        assert any(flag.start < end and flag.end > start for flag in repaired.flags), text
    assert not re.search("[０-９]", repaired.text)
