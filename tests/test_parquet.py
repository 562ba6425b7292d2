"""The Parquet writer (`--format parquet`): the same rows as the JSONL files, deterministic
bytes, `check` by content, and one format per OUT_DIR."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from pipeline.cli import main

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed (extra [parquet])")

from pipeline.parquet import parquet_rows  # noqa: E402  (after the skip)

GOLDEN = REPO / "tests" / "golden"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def jsonl_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("case", ["repairs", "jsonl_langs", "dedup"])
def test_parquet_holds_the_rows_of_the_jsonl_files(case: str, tmp_path: Path) -> None:
    raw = GOLDEN / case / "raw"
    expected = 3 if case == "jsonl_langs" else 0  # that case has a broken line, on purpose
    assert invoke("run", str(raw), "--out", str(tmp_path / "j"), "-q", "--no-index")[0] == expected
    code, _, err = invoke(
        "run", str(raw), "--out", str(tmp_path / "p"), "-q", "--no-index", "--format", "parquet"
    )
    assert code == expected, err
    for stem in ("en", "zh", "other", "dropped"):
        rows = parquet_rows((tmp_path / "p" / f"{stem}.parquet").read_bytes())
        assert rows == jsonl_rows(tmp_path / "j" / f"{stem}.jsonl"), stem
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == "parquet" and "pyarrow" in manifest["libraries"]


def test_parquet_bytes_are_the_same_every_run(tmp_path: Path) -> None:
    raw = GOLDEN / "repairs" / "raw"
    for out in ("a", "b"):
        invoke("run", str(raw), "--out", str(tmp_path / out), "-q", "--format", "parquet")
    for name in ("en.parquet", "zh.parquet", "dropped.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_check_compares_parquet_by_content(tmp_path: Path) -> None:
    raw, out = GOLDEN / "dedup" / "raw", tmp_path / "out"
    invoke("run", str(raw), "--out", str(out), "-q", "--format", "parquet")
    assert invoke("check", str(raw), "--out", str(out), "--format", "parquet")[0] == 0
    table = pq.read_table(out / "en.parquet")
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")  # other bytes, the same rows
    (out / "en.parquet").write_bytes(sink.getvalue())
    assert invoke("check", str(raw), "--out", str(out), "--format", "parquet")[0] == 0
    pq.write_table(table.slice(0, 1), out / "en.parquet")  # a row lost
    code, stdout, _ = invoke("check", str(raw), "--out", str(out), "--format", "parquet")
    assert code == 1 and "en.parquet: differs" in stdout


def test_a_run_in_one_format_removes_the_other_formats_files(tmp_path: Path) -> None:
    raw, out = GOLDEN / "dedup" / "raw", tmp_path / "out"
    invoke("run", str(raw), "--out", str(out), "-q")
    invoke("run", str(raw), "--out", str(out), "-q", "--format", "parquet")
    assert not list(out.glob("*.jsonl"))
    invoke("run", str(raw), "--out", str(out), "-q")
    assert not list(out.glob("*.parquet"))
    assert invoke("check", str(raw), "--out", str(out))[0] == 0


def test_lone_surrogates_are_written_as_their_json_escape() -> None:
    """A file name with undecodable bytes keeps them as lone surrogates in ``source``; Parquet
    strings must be UTF-8, so they are written as the escape the JSONL files hold."""
    from pipeline.parquet import render_parquet
    from pipeline.records import Paragraph, Record

    paragraph = Paragraph(0, role="body", text="Body text.", lang="en")
    record = Record("0" * 16, "bad\udcff.txt", "bad", None, "en", None, None, [paragraph])
    rows = parquet_rows(render_parquet([record], [])["en.parquet"])
    assert rows[0]["source"] == "bad\\udcff.txt"


def test_report_and_show_read_parquet_output(tmp_path: Path) -> None:
    raw, out = GOLDEN / "dedup" / "raw", tmp_path / "out"
    invoke("run", str(raw), "--out", str(out), "-q", "--format", "parquet")
    assert invoke("report", "--out", str(out), "-q")[0] == 0
    code, shown, _ = invoke("show", "b_second.txt", "--out", str(out), "--plain")
    from_jsonl = invoke(
        "show", "b_second.txt", "--out", str(GOLDEN / "dedup" / "expected"), "--plain"
    )
    assert code == 0 and shown == from_jsonl[1]
