"""The command line: run, check, exit codes, determinism, and the console script itself."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, write

from pipeline.cli import main
from pipeline.layout import INDEX_FILE, LOCK_FILE
from pipeline.output import OUTPUT_FILES

EN = "Career prospects\n\nThe call center industry is growing fast in China.\n"
ZH = "职业现状\n电信客服职位的招聘需求呈现稳定增长趋势。\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


def test_run_writes_every_output_and_a_summary(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    write(raw_dir, "zh.txt", ZH)
    code, out, err = invoke("run", str(raw_dir), "--out", "cleaned")
    assert code == 0, err
    written = sorted(p.name for p in Path("cleaned").iterdir())
    assert written == sorted([*OUTPUT_FILES, INDEX_FILE, LOCK_FILE])
    assert "articles    2 from 2 files" in out
    assert "1 en.jsonl, 1 zh.jsonl" in out
    assert err == ""
    en = [json.loads(line) for line in Path("cleaned/en.jsonl").read_text("utf-8").splitlines()]
    assert en[0]["source"] == "en.txt" and en[0]["title"] == "Career prospects"
    assert Path("cleaned/dropped.jsonl").read_bytes() == b""


def test_defaults_are_raw_and_cleaned(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    assert invoke("run", "-q")[0] == 0
    assert Path("cleaned/en.jsonl").is_file()


def test_quiet_prints_nothing_on_success(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    assert invoke("run", str(raw_dir), "--quiet") == (0, "", "")


def test_check_passes_after_run_and_fails_on_any_difference(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    invoke("run", str(raw_dir), "-q")
    assert invoke("check", str(raw_dir))[:2] == (0, "cleaned is up to date\n")

    write(raw_dir, "zh.txt", ZH)  # new input: zh.jsonl and the manifest are now stale
    code, out, err = invoke("check", str(raw_dir))
    assert code == 1
    assert "zh.jsonl: differs" in out and "manifest.json: differs" in out
    assert "out of date" in err

    invoke("run", str(raw_dir), "-q")
    Path("cleaned/other.jsonl").unlink()
    write(Path("cleaned"), "en.parquet", "left by a run with --format parquet")
    write(Path("cleaned"), "notes.txt", "the user's own: a run keeps it, so it is no difference")
    code, out, _ = invoke("check", str(raw_dir))
    assert code == 1
    assert out.splitlines() == [
        "other.jsonl: missing",
        "en.parquet: left by a run in another format (a run removes it)",
    ]


def test_check_writes_nothing(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    assert invoke("check", str(raw_dir))[0] == 1
    assert not Path("cleaned").exists()


def test_unreadable_input_exits_3_and_the_rest_is_written(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    write(raw_dir, "batch.jsonl", '{"text": "Good text here."}\n{broken\n')
    (raw_dir / "gone.txt").symlink_to(raw_dir / "nowhere.txt")
    code, out, err = invoke("run", str(raw_dir))
    assert code == 3
    assert f"{raw_dir.as_posix()}/batch.jsonl:2: error: invalid JSON" in err
    assert f"{raw_dir.as_posix()}/gone.txt: error: cannot read file" in err
    assert "problems    2 error(s), 0 warning(s)" in out
    manifest = json.loads(Path("cleaned/manifest.json").read_text("utf-8"))
    assert [(p["path"], p["line"], p["kind"]) for p in manifest["problems"]] == [
        ("batch.jsonl", 2, "invalid_json"),
        ("gone.txt", None, "unreadable"),
    ]
    assert manifest["counts"]["articles"] == 2


def test_warnings_do_not_change_the_exit_code(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    write(raw_dir, "empty.txt", "\n\n")
    code, _, err = invoke("run", str(raw_dir))
    assert code == 0
    assert "empty.txt: warning: no text in file" in err


@pytest.mark.parametrize(
    "args",
    [
        ["run", "no-such-dir"],
        ["run", "raw", "--jobs", "0"],
        ["run", "raw", "--bogus"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(raw_dir: Path, args: list[str]) -> None:
    assert invoke(*args)[0] == 2


def test_bad_config_exits_2_with_the_reason(raw_dir: Path) -> None:
    write(raw_dir.parent, "pipeline.toml", "[language]\ncolour = 1\n")
    code, _, err = invoke("run", str(raw_dir))
    assert code == 2
    assert "Error: pipeline.toml.language: unknown option(s) colour" in err


def test_config_option_and_jobs_override(raw_dir: Path) -> None:
    write(raw_dir, "zh.txt", "电信客服行业\n")
    settings = write(raw_dir.parent, "custom.toml", '[segmentation]\nuser_words = ["电信客服"]\n')
    assert invoke("run", str(raw_dir), "--config", str(settings), "-j", "2", "-q")[0] == 0
    record = json.loads(Path("cleaned/zh.jsonl").read_text("utf-8"))
    assert record["paragraphs"][0]["tokens"][0] == "电信客服"
    manifest = json.loads(Path("cleaned/manifest.json").read_text("utf-8"))
    assert manifest["config"]["segmentation"]["user_words"] == ["电信客服"]


def _many_articles(raw_dir: Path) -> None:
    lines = []
    for n in range(300):
        text = (
            f"第{n}篇：电信客服的薪资水平相对较低。" if n % 3 else f"Article {n} is about the job."
        )
        lines.append(
            json.dumps({"id": f"a{n}", "title": f"Title {n}", "text": text}, ensure_ascii=False)
        )
    write(raw_dir, "many.jsonl", "\n".join(lines) + "\n")
    write(raw_dir, "en.txt", EN)


def test_output_is_identical_across_runs_and_job_counts(raw_dir: Path) -> None:
    _many_articles(raw_dir)
    assert invoke("run", str(raw_dir), "--out", "one", "-j", "1", "-q")[0] == 0
    assert invoke("run", str(raw_dir), "--out", "two", "-j", "2", "-q")[0] == 0
    assert invoke("run", str(raw_dir), "--out", "again", "-j", "1", "-q")[0] == 0
    assert outputs(Path("one")) == outputs(Path("two")) == outputs(Path("again"))
    # A short English title ("Title 7") over a Chinese body stays in the zh record.
    assert len(Path("one/en.jsonl").read_text("utf-8").splitlines()) == 101
    assert len(Path("one/zh.jsonl").read_text("utf-8").splitlines()) == 200


def test_no_timestamp_or_absolute_path_in_output(raw_dir: Path) -> None:
    _many_articles(raw_dir)
    invoke("run", str(raw_dir.resolve()), "-q")
    for name, data in outputs(Path("cleaned")).items():
        text = data.decode("utf-8")
        assert str(raw_dir.parent) not in text, name
        assert str(Path.home()) not in text, name
        assert '"/' not in text, name
    manifest = Path("cleaned/manifest.json").read_text("utf-8")
    assert "time" not in manifest and "date" not in manifest


def test_console_script_and_module_entry_point(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    script = Path(sys.executable).with_name("pipeline")
    done = subprocess.run(
        [str(script), "run", "raw", "--out", "via-script"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "articles    1 from 1 file" in done.stdout
    module = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "raw", "--out", "via-script"],
        capture_output=True,
        text=True,
    )
    assert module.returncode == 0, module.stdout + module.stderr
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("pipeline, version ")


def test_help_describes_commands_and_exit_codes() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    assert out.startswith("Usage: pipeline [OPTIONS] COMMAND")
    assert "  run  " in out and "  check  " in out
    assert "3  some inputs could not be read" in out


def test_committed_cleaned_output_is_up_to_date() -> None:
    """CI keeps cleaned/ in step with raw/: `pipeline check` must pass on the repository."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "raw", "--out", "cleaned"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_progress_bar_only_on_a_terminal(raw_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(raw_dir, "en.txt", EN)
    assert invoke("run", str(raw_dir))[2] == ""  # CliRunner's stderr is not a terminal
    monkeypatch.setattr("pipeline.cli_run.stderr_is_terminal", lambda: True)
    assert "files" in invoke("run", str(raw_dir))[2]
    assert invoke("run", str(raw_dir), "--quiet")[2] == ""


def test_output_folder_inside_raw_dir_is_not_read_as_input(raw_dir: Path) -> None:
    write(raw_dir, "en.txt", EN)
    out = str(raw_dir / "cleaned")
    assert invoke("run", str(raw_dir), "--out", out, "-q")[0] == 0
    assert invoke("run", str(raw_dir), "--out", out, "-q")[0] == 0
    manifest = json.loads((raw_dir / "cleaned" / "manifest.json").read_text("utf-8"))
    assert [item["path"] for item in manifest["inputs"]] == ["en.txt"]
    assert invoke("check", str(raw_dir), "--out", out)[0] == 0


@pytest.mark.slow
def test_the_wheel_ships_every_module_and_the_schema(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "pipeline").rglob("*.py")}
    assert sources <= shipped
    assert {"pipeline/schema/record.schema.json", "pipeline/py.typed"} <= shipped


def test_bench_prints_its_figures_as_json(tmp_path: Path) -> None:
    """`pipeline bench` on any folder of raw articles (here a golden case): one JSON object
    on the last line with the figures the issue names. (How rounds of --repeat combine is
    the next test's, without the processes.)"""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "bench",
            "--corpus",
            str(REPO / "tests/golden/dedup/raw"),
            "--json",
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.splitlines()[-1])
    for key in (
        "mb_per_s",
        "paragraphs_per_s",
        "peak_rss_mb",
        "ratio_a",
        "ratio_b",
        "jobs_speedup",
        "jobs_ceiling",
    ):
        assert figures[key] > 0, key
    assert {"repair", "language", "segmentation", "dedup", "render and write"} <= set(
        figures["stages"]
    )
    assert figures["repeat"] == 1 and figures["outputs_identical_across_jobs"] is True
    assert len(figures["jobs_speedup_rounds"]) == len(figures["jobs_ceiling_rounds"]) == 1
    assert {"dedup", "per-article (wall)"} <= set(figures["stages_2_jobs"])
    assert "ratio_b_rounds" not in figures  # one round: no list of one


def test_bench_rounds_give_medians_each_taken_within_its_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three rounds with known times (the runs faked): every ratio is taken within a round,
    each figure is the median of its rounds, and the stages are those of the median run."""
    from pipeline import benchmark

    one_job, two_jobs = iter([30.0, 10.0, 20.0]), iter([20.0, 4.0, 10.0])
    jieba_alone, side_by_side = iter([15.0, 10.0, 5.0]), iter([20.0, 4.0, 10.0])

    def run(raw: Path, out: Path, jobs: int, segmenter: str) -> dict[str, object]:
        out.mkdir(exist_ok=True)
        (out / "en.jsonl").write_text("the same\n", "utf-8")
        seconds = next(one_job if jobs == 1 else two_jobs)
        return {
            "seconds": seconds,
            "stages": {"repair": seconds / 10},
            "paragraphs": 100,
            "peak_self_mb": seconds,
            "peak_children_mb": 1.0,
        }

    monkeypatch.setattr(benchmark, "_run_in_child", run)
    monkeypatch.setattr(benchmark, "reference_b", lambda *_: (next(jieba_alone), 7, 0))
    monkeypatch.setattr(benchmark, "_side_by_side", lambda *_: next(side_by_side))
    monkeypatch.setattr(benchmark, "reference_a", lambda _: 2.0)
    monkeypatch.setattr(benchmark, "help_seconds", lambda: 0.1)
    figures = benchmark.run_bench(REPO / "tests/golden/dedup/raw", "full", 2, repeat=3)
    assert figures["ratio_b_rounds"] == [2.0, 1.0, 4.0] and figures["ratio_b"] == 2.0
    assert figures["jobs_speedup_rounds"] == [1.5, 2.5, 2.0] and figures["jobs_speedup"] == 2.0
    assert figures["jobs_ceiling_rounds"] == [3.0, 5.0, 4.0] and figures["jobs_ceiling"] == 4.0
    assert figures["seconds_1_job"] == 20.0 and figures["seconds_2_jobs"] == 10.0
    assert figures["reference_b_s"] == 10.0 and figures["ratio_a"] == 10.0
    assert figures["stages"] == {"repair": 2.0} and figures["stages_2_jobs"] == {"repair": 1.0}
    assert figures["peak_rss_mb"] == 30 and figures["paragraphs_per_s"] == 5.0
    # 1,346 bytes in 20 s, to four significant figures (rounded to places, it would be 0)
    assert figures["input_mb"] == 0.001346 and figures["mb_per_s"] == 0.0000673
    assert figures["outputs_identical_across_jobs"] is True


def test_engine_ray_without_ray_is_a_usage_error(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(raw_dir, "en.txt", EN)
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    code, _, err = invoke("run", str(raw_dir), "--engine", "ray")
    assert code == 2 and "pip install 'career-article-pipeline[ray]'" in err


def test_format_parquet_without_pyarrow_is_a_usage_error(
    raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(raw_dir, "en.txt", EN)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if pyarrow were not installed
    for command in ("run", "check"):
        code, _, err = invoke(command, str(raw_dir), "--format", "parquet")
        assert code == 2 and "pip install 'career-article-pipeline[parquet]'" in err


def test_bench_4x_folds_the_corpus_and_three_seeds_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import benchmark

    corpus = tmp_path / "corpus"
    write(corpus, "docs.jsonl", '{"id": "a"}\n')
    write(corpus / "seeds" / "s1", "docs.jsonl", '{"id": "s1-a"}\n')
    built: list[tuple[Path, int | None]] = []

    def build(target: Path, builder: Path, seed: int | None = None) -> None:
        built.append((target, seed))
        write(target, "docs.jsonl", f'{{"id": "s{seed}-a"}}\n')

    monkeypatch.setattr(benchmark, "build_corpus", build)
    (tmp_path / "work").mkdir()
    raw = benchmark.prepare_4x(corpus, tmp_path / "work", Path("builder.py"))
    assert built == [(corpus / "seeds" / "s2", 2), (corpus / "seeds" / "s3", 3)]
    contents = [(raw / f"docs{n}.jsonl").read_text() for n in range(4)]
    assert contents == ['{"id": "a"}\n', '{"id": "s1-a"}\n', '{"id": "s2-a"}\n', '{"id": "s3-a"}\n']


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_a_runs_peak_memory_is_its_own_not_what_the_bench_process_holds() -> None:
    """A child's ``ru_maxrss`` counts what its parent held when it forked; the bench's own
    process holds the corpus' labels, so a run's peak read that way was the bench's."""
    held = b"x" * (300 * 1024 * 1024)  # the parent holds 300 MB, pages touched
    probe = (
        "import resource; from pipeline.benchmark import own_peak_mb; "
        "print(own_peak_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    own, inherited = map(float, done.stdout.split())
    assert len(held) and inherited > 300  # the way it was measured before: the parent's
    assert own < 150
