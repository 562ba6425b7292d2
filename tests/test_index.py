"""Incremental runs: the fingerprint index gives exactly the output of a full run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FAST_SEGMENTER, write

from pipeline.cli import main
from pipeline.config import Config
from pipeline.index import FingerprintIndex
from pipeline.layout import INDEX_FILE
from pipeline.output import OUTPUT_FILES
from pipeline.runner import run_pipeline

SHARED = "Team leaders are expected to coach new agents and to review the quality of calls weekly."
INDUSTRY = "The call centre industry in China has grown quickly for ten years."
A = f"Alpha article\n\n{INDUSTRY}\n\nNight shifts pay more than day shifts.\n"
B = f"Beta article\n\n{SHARED}\n\nAgents in Shanghai earn about 6,000 yuan a month before tax.\n"
C = f"Gamma article\n\n{SHARED.replace('quality', 'qualty')}\n\n{INDUSTRY}\n"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


def test_a_new_batch_is_deduplicated_against_earlier_ones_as_a_full_run_would(
    raw_dir: Path,
) -> None:
    first, second, everything = raw_dir / "first", raw_dir / "second", raw_dir / "all"
    write(first, "a.txt", A)
    write(first, "c.txt", C)
    write(second, "b.txt", B)  # sorts between a and c: c's copy must now be the one dropped
    for name, text in (("a.txt", A), ("b.txt", B), ("c.txt", C)):
        write(everything, name, text)
    assert invoke("run", str(first), "--out", "out", "-q")[0] == 0
    code, summary = invoke("run", str(second), "--out", "out")
    assert code == 0
    assert "2 unchanged file(s) taken from the index, 2 of them no longer in RAW_DIR" in summary
    assert invoke("run", str(everything), "--out", "full", "-q", "--no-index")[0] == 0
    assert outputs(Path("out")) == outputs(Path("full"))
    dropped = [json.loads(line) for line in Path("out/dropped.jsonl").read_text().splitlines()]
    # In the first batch, c.txt repeats only a.txt; with b.txt sorted in between, it repeats
    # b.txt too: the incremental run must drop that copy, as the full run does.
    assert [(d["source"], d["index"], d["reason"], d["duplicate_of"]) for d in dropped] == [
        ("c.txt", 1, "near_duplicate", {"source": "b.txt", "index": 1}),
        ("c.txt", 2, "exact_duplicate", {"source": "a.txt", "index": 1}),
    ]


def test_unchanged_files_are_taken_from_the_index_and_changed_ones_read_again(
    raw_dir: Path,
) -> None:
    write(raw_dir, "a.txt", A)
    write(raw_dir, "b.txt", B)
    config = Config()
    index = FingerprintIndex(Path("out") / INDEX_FILE, config)
    assert run_pipeline(raw_dir, config, index=index).reused == 0
    index.save()
    again = FingerprintIndex(Path("out") / INDEX_FILE, config)
    assert run_pipeline(raw_dir, config, index=again).reused == 2
    write(raw_dir, "b.txt", B.replace("6,000", "7,000"))
    changed = run_pipeline(
        raw_dir, config, index=FingerprintIndex(Path("out") / INDEX_FILE, config)
    )
    full = run_pipeline(raw_dir, config)
    assert changed.reused == 1
    assert [r.paragraphs for r in changed.records] == [r.paragraphs for r in full.records]


def test_rebuild_forgets_files_no_longer_in_raw_dir(raw_dir: Path) -> None:
    write(raw_dir / "one", "a.txt", A)
    write(raw_dir / "two", "b.txt", B)
    invoke("run", str(raw_dir / "one"), "--out", "out", "-q")
    invoke("run", str(raw_dir / "two"), "--out", "out", "-q", "--rebuild")
    manifest = json.loads(Path("out/manifest.json").read_text())
    assert [item["path"] for item in manifest["inputs"]] == ["b.txt"]
    assert FingerprintIndex(Path("out") / INDEX_FILE, Config()).paths() == ["b.txt"]


def test_an_entry_made_with_other_settings_is_not_used(raw_dir: Path) -> None:
    write(raw_dir / "one", "a.txt", A.replace("ten years", "20 10"))
    write(raw_dir / "two", "b.txt", B)
    invoke("run", str(raw_dir / "one"), "--out", "out", "-q")
    code, _ = invoke("run", str(raw_dir / "two"), "--out", "out", "-q", "--fix-level", "certain")
    assert code == 0
    manifest = json.loads(Path("out/manifest.json").read_text())
    assert [p["kind"] for p in manifest["problems"]] == ["stale_index_entry"]
    assert [item["path"] for item in manifest["inputs"]] == ["a.txt", "b.txt"]
    assert manifest["counts"]["articles"] == 1


def test_check_reads_the_index_and_never_writes_it(raw_dir: Path) -> None:
    write(raw_dir / "one", "a.txt", A)
    write(raw_dir / "two", "b.txt", B)
    invoke("run", str(raw_dir / "one"), "--out", "out", "-q")
    invoke("run", str(raw_dir / "two"), "--out", "out", "-q")
    before = (Path("out") / INDEX_FILE).read_bytes()
    assert invoke("check", str(raw_dir / "two"), "--out", "out")[0] == 0
    assert invoke("check", str(raw_dir / "two"), "--out", "out", "--no-index")[0] == 1
    assert (Path("out") / INDEX_FILE).read_bytes() == before


def test_a_file_at_the_index_path_that_is_no_index_stops_the_run(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", A)
    write(Path("out"), INDEX_FILE, "not a database")
    code, output = invoke("run", str(raw_dir), "--out", "out", "-q")
    assert code == 2 and "refusing to write over it" in output
    assert (Path("out") / INDEX_FILE).read_text() == "not a database"  # never written over
    # The library still copes: an index it cannot read is taken as empty.
    assert FingerprintIndex(Path("out") / INDEX_FILE, Config()).paths() == []


@pytest.mark.slow
def test_incremental_runs_over_the_benchmark_corpus_equal_a_full_run(
    bench_docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # away from the project's user_words, which rjieba refuses
    lines = (bench_docs / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines = lines[:500]  # a slice: the test is about batches, not about the corpus's size
    half = len(lines) // 2
    first, second, everything = tmp_path / "first", tmp_path / "second", tmp_path / "all"
    write(first, "part1.jsonl", "".join(lines[:half]))
    write(second, "part2.jsonl", "".join(lines[half:]))
    write(everything, "part1.jsonl", "".join(lines[:half]))
    write(everything, "part2.jsonl", "".join(lines[half:]))
    out, full = tmp_path / "out", tmp_path / "full"
    options = ("-q", "-j", "2", "--segmenter", FAST_SEGMENTER)
    assert invoke("run", str(first), "--out", str(out), *options)[0] == 0
    assert invoke("run", str(second), "--out", str(out), *options)[0] == 0
    assert invoke("run", str(everything), "--out", str(full), *options, "--no-index")[0] == 0
    assert outputs(out) == outputs(full)
    shutil.rmtree(full)


def test_an_index_of_an_older_version_is_ignored_and_written_anew(raw_dir: Path) -> None:
    import sqlite3

    write(raw_dir, "a.txt", A)
    Path("out").mkdir()
    with sqlite3.connect(Path("out") / INDEX_FILE) as old:  # schema 3: signatures, no facts
        old.execute(
            "CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, fingerprint TEXT,"
            " entry BLOB, signatures BLOB)"
        )
        old.execute("INSERT INTO files VALUES ('\"gone.txt\"', 'x', 'y', x'00', x'00')")
    old.close()
    code, summary = invoke("run", str(raw_dir), "--out", "out")
    assert code == 0 and "stale" not in summary
    assert FingerprintIndex(Path("out") / INDEX_FILE, Config()).paths() == ["a.txt"]


def test_a_large_file_comes_back_from_the_index_a_chunk_at_a_time(raw_dir: Path) -> None:
    from pipeline.parallel import CHUNK_SIZE
    from pipeline.runner import _from_index
    from pipeline.spill import spill_chunk

    body = "Agents on the night shift in Shenzhen are paid a bonus of {} yuan for each month."
    lines = [
        json.dumps({"title": f"Article {n}", "paragraphs": [body.format(n), "Short."]})
        for n in range(2 * CHUNK_SIZE + 5)
    ]
    write(raw_dir, "many.jsonl", "\n".join(lines) + "\n")
    config = Config()
    index = FingerprintIndex(Path("index.sqlite"), config)
    fresh = run_pipeline(raw_dir, config, index=index)
    records = fresh.records
    fresh.close()
    index.save()
    indexed = FingerprintIndex(Path("index.sqlite"), config).lookup("many.jsonl")
    assert indexed is not None
    chunks = list(_from_index(indexed))
    assert [len(chunk.light) for chunk in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 5]
    # Each chunk's band keys are those its paragraphs get when processed afresh.
    lengths = (config.dedup.min_length_en, config.dedup.min_length_zh)
    start = 0
    for chunk in chunks:
        articles = [[record] for record in records[start : start + len(chunk.light)]]
        start += len(chunk.light)
        expected = spill_chunk(articles, {}, lengths)
        assert (chunk.rows == expected.rows).all()
        assert (chunk.bands == expected.bands).all()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE files SET entry = x'00'",
        "UPDATE files SET facts = NULL",
        "UPDATE files SET facts = 'not json'",
        "UPDATE files SET band_rows = substr(band_rows, 1, 3)",
        "UPDATE files SET checksum = 'x'",
        "UPDATE files SET entry = NULL, checksum = NULL",
    ],
)
def test_a_damaged_index_row_is_a_warning_and_its_file_is_processed_again(
    raw_dir: Path, damage: str
) -> None:
    import sqlite3

    write(raw_dir, "a.txt", A)
    write(raw_dir, "b.txt", B)
    assert invoke("run", str(raw_dir), "--out", "out", "-q")[0] == 0
    with sqlite3.connect(Path("out") / INDEX_FILE) as connection:
        connection.execute(f"{damage} WHERE path = ?", ('"a.txt"',))
    connection.close()
    for command in ("check", "run"):
        code, output = invoke(command, str(raw_dir), "--out", "out")
        assert code == 0, output
        assert "a.txt: warning: its index entry is damaged" in output
        assert "damaged" not in Path("out/manifest.json").read_text("utf-8")
    assert invoke("run", str(raw_dir), "--out", "full", "--no-index", "-q")[0] == 0
    assert outputs(Path("out")) == outputs(Path("full"))
    code, output = invoke("run", str(raw_dir), "--out", "out")  # the entry was written anew
    assert code == 0 and "damaged" not in output
