"""Bad input never stops a run: odd JSON, odd file names, unlistable or looping folders."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from pipeline.cli import entry, main
from pipeline.config import Config
from pipeline.output import render_outputs
from pipeline.reading import discover, read_file
from pipeline.runner import run_pipeline


def _render(raw_dir: Path) -> dict[str, bytes]:
    result = run_pipeline(raw_dir, Config())
    files = render_outputs(result, Config())
    for name, data in files.items():
        data.decode("utf-8")  # valid UTF-8 throughout
        if name.endswith(".jsonl"):
            for line in data.decode("utf-8").splitlines():
                json.loads(line)
    return files


def test_lone_surrogates_from_json_escapes_are_removed_and_recorded(raw_dir: Path) -> None:
    write(
        raw_dir,
        "a.jsonl",
        '{"id": "x\\udc80", "title": "T\\ud800", "text": "Good \\ud83d text."}\n',
    )
    files = _render(raw_dir)
    record = json.loads(files["en.jsonl"].decode("utf-8"))
    body = record["paragraphs"][1]
    assert body["text"] == "Good  text."
    assert body["fixes"][0]["rule"] == "strip_debris"
    assert body["fixes"][0]["before"] == "\ud83d"  # written as a JSON escape, read back the same
    assert record["article_id"] == "x\udc80"


@pytest.mark.parametrize(
    "line",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"id": ' + "1" * 5000 + ', "text": "x"}',
        '{"text": 12}',
        '{"title": {"a": 1}, "text": "x"}',
        '{"paragraphs": [1, 2]}',
        "null",
    ],
)
def test_odd_jsonl_lines_are_problems_not_crashes(raw_dir: Path, line: str) -> None:
    write(raw_dir, "a.jsonl", line + '\n{"text": "A good line of text."}\n')
    item = read_file(raw_dir, "a.jsonl", Config())
    assert [p.line for p in item.problems] == [1]
    assert len(item.articles) == 1
    _render(raw_dir)


def test_bom_at_the_start_of_a_later_jsonl_line_is_ignored(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", '{"text": "One."}\n\ufeff{"text": "Two."}\n')
    item = read_file(raw_dir, "a.jsonl", Config())
    assert not item.problems and len(item.articles) == 2


def test_empty_paragraph_list_falls_back_to_text(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", '{"paragraphs": [], "text": "Body text here."}\n')
    (article,) = read_file(raw_dir, "a.jsonl", Config()).articles
    assert article.paragraphs[0].text == "Body text here."


def test_empty_jsonl_file_is_a_warning(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", "\n\n")
    item = read_file(raw_dir, "a.jsonl", Config())
    assert [(p.kind, p.severity) for p in item.problems] == [("empty", "warning")]


def test_file_name_that_is_not_utf8_is_read_and_written_safely(raw_dir: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    (raw_dir / name).write_text("Title\n\nSome body text.\n", encoding="utf-8")
    files = _render(raw_dir)
    record = json.loads(files["en.jsonl"].decode("utf-8"))
    assert record["source"] == name


def test_unlistable_folder_is_an_error_and_the_rest_is_read(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(raw_dir, "ok.txt", "Fine.\n")
    write(raw_dir, "locked/x.txt", "Hidden.\n")
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    wanted, _, problems = discover(raw_dir, (".txt",))
    assert wanted == ["ok.txt"]
    assert [(p.path, p.kind) for p in problems] == [("locked", "unreadable")]
    result = run_pipeline(raw_dir, Config())
    assert result.has_errors and result.article_count == 1


def test_symlinked_folders_are_followed_once(raw_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "far.txt", "Far away.\n")
    (raw_dir / "link").symlink_to(outside)
    (raw_dir / "loop").symlink_to(raw_dir)
    wanted, _, problems = discover(raw_dir, (".txt",), follow_links=True)
    assert wanted == ["link/far.txt"]
    assert problems == []
    # Without follow_links, the link out of RAW_DIR is skipped with a warning; the loop (a
    # link inside it) is still walked once.
    wanted, _, problems = discover(raw_dir, (".txt",))
    assert wanted == []
    assert [(p.path, p.kind, p.severity) for p in problems] == [("link", "outside_link", "warning")]


def test_out_dir_equal_to_raw_dir_is_a_usage_error(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", "Text.\n")
    result = CliRunner().invoke(main, ["run", str(raw_dir), "--out", str(raw_dir)])
    assert result.exit_code == 2
    assert "OUT_DIR must not be RAW_DIR" in result.stderr
    assert sorted(p.name for p in raw_dir.iterdir()) == ["a.txt"]


def test_check_exits_0_when_up_to_date_even_with_input_errors(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", '{"text": "Fine."}\n{broken\n')
    runner = CliRunner()
    assert runner.invoke(main, ["run", str(raw_dir), "-q"]).exit_code == 3
    assert runner.invoke(main, ["check", str(raw_dir), "-q"]).exit_code == 0


def test_outputs_are_ordinary_readable_files(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", "Text.\n")
    previous = os.umask(0o022)
    try:
        CliRunner().invoke(main, ["run", str(raw_dir), "-q"])
    finally:
        os.umask(previous)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in Path("cleaned").iterdir()}
    assert modes == {0o644}


def test_a_crash_exits_4_with_a_traceback(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr("pipeline.runner.run_pipeline", broken)
    monkeypatch.setattr("sys.argv", ["pipeline", "run", str(raw_dir)])
    with pytest.raises(SystemExit) as exit_info:
        entry()
    assert exit_info.value.code == 4
    err = capsys.readouterr().err
    assert "Traceback" in err and "internal error" in err
