"""Random corpora through the command line (issue #12): every input paragraph ends up exactly
once, in a record or in dropped.jsonl; the manifest's counts add up; the output is the same
byte for byte with one job or two. The corpora mix both languages, repeats and near-repeats,
garbled numbers, odd white space and line ends, and hostile file names."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.runner
from pipeline.cli import main
from pipeline.output import output_names

SENTENCES = (
    "The monthly salary of a call center agent is 654.38+000 yuan in first-tier cities.",
    "Graduates can work as customer service specialists, team leaders or quality inspectors.",
    "The industry has grown since 20 10, at an annual rate of about 30% a year.",
    "The salary is 8-65,438+10,000/year, with a bonus at the end of the year.",
    "Home > Careers > Customer service",
    "Click here to apply for the 2023 enrollment consultation now!",
    "电信客服行业近年来发展迅速，人才需求持续增长，一线城市的平均月薪约在三千到五千元之间。",
    "毕业生可以从事客服专员、班组长和质检员等工作，晋升空间较大。",
    "月薪654.38+0万元，年终另有奖金。",
    "来源：中国教育在线",
    "Le métier de conseiller demande de la patience et une bonne écoute des clients.",
    "Career prospects",
)
SPACES = ("", " ", "\t", "\u3000", "\u00a0", "\u200b")
NAME_CHARS = st.sampled_from("ab 中文-_é\n\x1b\u202e\x07")


@st.composite
def _paragraph(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SENTENCES))
    if draw(st.booleans()):  # a near-repeat: one character changed
        position = draw(st.integers(0, len(text) - 1))
        text = text[:position] + draw(st.sampled_from("ax。5")) + text[position + 1 :]
    return draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))


@st.composite
def _corpus(draw: st.DrawFn) -> dict[str, tuple[str, int]]:
    """File names and contents, with the number of paragraphs each holds."""
    files: dict[str, tuple[str, int]] = {}
    for number in range(draw(st.integers(1, 6))):
        name = f"{number}{draw(st.text(NAME_CHARS, max_size=6))}.txt"
        paragraphs = draw(st.lists(_paragraph(), min_size=1, max_size=6))
        line_end = draw(st.sampled_from(["\n", "\r\n"]))
        separator = line_end + draw(st.sampled_from(["", " ", "\u3000"])) + line_end
        files[name] = (separator.join(paragraphs) + line_end, len(paragraphs))
    return files


def _write(raw: Path, files: dict[str, tuple[str, int]]) -> None:
    raw.mkdir()
    for name, (text, _) in files.items():
        (raw / name).write_text(text, "utf-8", newline="")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _run(raw: Path, out: Path, jobs: int) -> dict[str, bytes]:
    arguments = ["run", str(raw), "--out", str(out), "-q", "--no-index"]
    result = CliRunner().invoke(main, [*arguments, "--jobs", str(jobs), "--force-jobs"])
    assert result.exit_code == 0, result.output
    return {name: (out / name).read_bytes() for name in output_names("jsonl")}


def _conserved(out: Path, files: dict[str, tuple[str, int]]) -> None:
    seen: Counter[tuple[str, int]] = Counter()
    langs: Counter[str] = Counter()
    paragraph_langs: Counter[str] = Counter()
    for name in ("en.jsonl", "zh.jsonl", "other.jsonl"):
        for record in _lines(out / name):
            for paragraph in record["paragraphs"]:
                seen[(record["source"], paragraph["index"])] += 1
                langs[record["lang"]] += 1
                paragraph_langs[paragraph["lang"]] += 1
    dropped = _lines(out / "dropped.jsonl")
    for entry in dropped:
        seen[(entry["source"], entry["index"])] += 1
    expected = {(name, index) for name, (_, count) in files.items() for index in range(count)}
    assert set(seen) == expected  # every paragraph, and no other
    assert set(seen.values()) == {1}  # each exactly once
    counts = json.loads((out / "manifest.json").read_text("utf-8"))["counts"]
    assert counts["files"] == len(files)
    assert sum(counts["records"].values()) == sum(
        len(_lines(out / name)) for name in ("en.jsonl", "zh.jsonl", "other.jsonl")
    )
    paragraphs = counts["paragraphs"]
    assert sum(value["in"] for value in paragraphs.values()) == len(expected)
    assert {lang: value["out"] for lang, value in paragraphs.items() if value["out"]} == dict(langs)
    assert counts["paragraph_langs"] == dict(paragraph_langs)
    assert sum(counts["dropped"].values()) == len(dropped)
    assert dict(Counter(entry["reason"] for entry in dropped)) == {
        reason: number for reason, number in counts["dropped"].items() if number
    }


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(_corpus())
def test_every_paragraph_is_kept_or_dropped_exactly_once(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, tuple[str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    _write(folder / "raw", files)
    _run(folder / "raw", folder / "out", 1)
    _conserved(folder / "out", files)


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(_corpus())
def test_the_output_is_the_same_with_one_job_or_two(
    tmp_path_factory: pytest.TempPathFactory, files: dict[str, tuple[str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    _write(folder / "raw", files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.runner, "CHUNK_SIZE", 2)  # several chunks, done out of order
        one = _run(folder / "raw", folder / "one", 1)
        two = _run(folder / "raw", folder / "two", 2)
    assert one == two
    _conserved(folder / "two", files)
