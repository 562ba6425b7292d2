"""Golden end-to-end tests: small curated inputs under tests/golden/CASE/raw, and the exact
output expected under tests/golden/CASE/expected (reviewed by hand when written).

Cases: ``bilingual`` (an English translation followed by its Chinese original in one file, debris,
a mixed heading, a number-only line; a Markdown file), ``jsonl_langs`` (English, Spanish and
Traditional Chinese articles, a line without text and a broken line), ``encodings`` (GB18030 with
CRLF, Big5). To rewrite the expected files after a deliberate change, run
``PIPELINE_UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.output import MANIFEST_FILE, render_outputs
from pipeline.records import record_schema
from pipeline.runner import run_pipeline

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "raw").is_dir())


def _stable_manifest(data: bytes) -> dict[str, object]:
    manifest: dict[str, object] = json.loads(data)
    manifest.pop("libraries")  # versions of installed libraries, not of this tool's behaviour
    return manifest


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str) -> None:
    files = render_outputs(run_pipeline(GOLDEN / case / "raw", Config()), Config())
    expected_dir = GOLDEN / case / "expected"
    if os.environ.get("PIPELINE_UPDATE_GOLDEN"):
        expected_dir.mkdir(exist_ok=True)
        for name, data in files.items():
            (expected_dir / name).write_bytes(data)
    for name, data in files.items():
        expected = (expected_dir / name).read_bytes()
        if name == MANIFEST_FILE:
            assert _stable_manifest(data) == _stable_manifest(expected)
        else:
            assert data == expected, name


@pytest.mark.parametrize("case", CASES)
def test_golden_records_match_the_schema(case: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(record_schema())
    files = render_outputs(run_pipeline(GOLDEN / case / "raw", Config()), Config())
    lines = [
        json.loads(line)
        for name in ("en.jsonl", "zh.jsonl", "other.jsonl")
        for line in files[name].decode("utf-8").splitlines()
    ]
    assert lines
    for record in lines:
        validator.validate(record)
        for paragraph in record["paragraphs"]:
            if paragraph["tokens"] is not None:
                assert "".join(paragraph["tokens"]) == paragraph["text"]


def test_bilingual_article_gives_one_record_per_language_in_order() -> None:
    files = render_outputs(run_pipeline(GOLDEN / "bilingual" / "raw", Config()), Config())
    (en,) = [json.loads(x) for x in files["en.jsonl"].decode().splitlines()]
    zh = [json.loads(x) for x in files["zh.jsonl"].decode().splitlines()]
    career = next(r for r in zh if r["source"] == "career.txt")
    assert [p["index"] for p in en["paragraphs"]] == [0, 1, 2, 3]
    assert [p["index"] for p in career["paragraphs"]] == [4, 5, 6, 7]
    assert en["id"] != career["id"]


def test_short_english_fragments_stay_in_their_chinese_article(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(
        "职业现状\n电信客服的薪资水平相对较低。\nKPI\n未来发展前景良好。\nwww.example.com\n",
        "utf-8",
    )
    result = run_pipeline(raw, Config())
    assert [record.lang for record in result.records] == ["zh"]
    langs = [(p.index, p.lang) for p in result.records[0].paragraphs]
    assert langs == [(0, "zh"), (1, "zh"), (2, "en"), (3, "zh"), (4, "en")]
