"""The run summary stays short whatever the number of languages."""

from __future__ import annotations

from pathlib import Path

from pipeline.reading import InputFile
from pipeline.records import Paragraph, Problem, Record
from pipeline.report import problem_line, summary
from pipeline.runner import RunResult


def _record(lang: str, paragraphs: int) -> Record:
    body = [Paragraph(i, "body", "x", lang) for i in range(paragraphs)]
    return Record(f"{lang:0>16}", "a.txt", "a", None, lang, None, None, body)


def test_summary_names_the_largest_languages_and_sums_the_rest() -> None:
    langs = {"en": 50, "zh": 40, "de": 5, "fr": 4, "it": 3, "es": 2, "nl": 1, "pt": 1}
    records = [_record(lang, n) for lang, n in langs.items()]
    problems = [Problem("a.txt", "bad", "invalid_json", line=3)]
    result = RunResult(
        [InputFile("a.txt", problems=problems)], ["x.pdf"], records, paragraphs_in=langs
    )
    text = summary(result, Path("out"))
    assert "records     1 en.jsonl, 6 other.jsonl, 1 zh.jsonl" in text
    assert "  en             50 -> 50" in text
    assert "  es              2 -> 2" in text
    assert "  2 more          2 -> 2 (see manifest.json)" in text
    assert "(1 other files ignored)" in text
    assert "problems    1 error(s), 0 warning(s)" in text
    assert "fixes       0 certain, 0 probable; 0 flag(s)" in text
    assert len(text.splitlines()) <= 15


def test_problem_line_names_the_file_and_line() -> None:
    problem = Problem("sub/a.jsonl", "invalid JSON", "invalid_json", line=7)
    assert problem_line(problem, Path("raw")) == "raw/sub/a.jsonl:7: error: invalid JSON"
