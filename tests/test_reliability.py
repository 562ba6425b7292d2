"""Faults of the environment and of the command line (issue #12): the index never writes over
a file it did not make, environment errors are one line with their own exit code, --jobs is
capped, Ctrl-C is exit 130, and JSONL fields are checked alike."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write

from pipeline.cli import main

TEXT = "Title\n\nAgents in Shanghai earn about 6,000 yuan a month before tax, more at night.\n"
REPO = Path(__file__).resolve().parents[1]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def pipeline(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it (the console entry point, with its own exit codes)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=cwd
    )


def test_an_index_path_inside_raw_dir_is_refused_and_the_input_left_alone(raw_dir: Path) -> None:
    source = write(raw_dir, "a.txt", TEXT)
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "--index", str(source))
    assert code == 2 and "inside RAW_DIR" in err
    assert source.read_text("utf-8") == TEXT
    assert not Path("out").exists()  # nothing run, nothing written


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_file_that_is_not_an_index_is_never_written_over(raw_dir: Path, rebuild: bool) -> None:
    write(raw_dir, "a.txt", TEXT)
    other = write(Path("notes"), "keep.txt", "my notes, not an index\n")
    args = ["run", str(raw_dir), "--out", "out", "--index", str(other)]
    code, _, err = invoke(*args, *(["--rebuild"] if rebuild else []))
    assert code == 2 and "is not a fingerprint index" in err and "refusing" in err
    assert other.read_text("utf-8") == "my notes, not an index\n"


def test_another_sqlite_file_is_not_taken_for_an_index(raw_dir: Path) -> None:
    import sqlite3

    write(raw_dir, "a.txt", TEXT)
    with sqlite3.connect("other.sqlite") as connection:
        connection.execute("CREATE TABLE people (name TEXT)")
    connection.close()
    before = Path("other.sqlite").read_bytes()
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "--index", "other.sqlite")
    assert code == 2 and "not a fingerprint index" in err
    assert Path("other.sqlite").read_bytes() == before


def test_an_index_of_this_tool_is_still_used(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    assert invoke("run", str(raw_dir), "--out", "out", "--index", "my.sqlite", "-q")[0] == 0
    code, out, _ = invoke("run", str(raw_dir), "--out", "out", "--index", "my.sqlite")
    assert code == 0 and "1 unchanged file(s) taken from the index" in out


def test_a_config_that_is_not_utf8_is_a_config_error(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    Path("bad.toml").write_bytes(b"jobs = 2\n# caf\xe9\n")
    code, _, err = invoke("run", str(raw_dir), "--config", "bad.toml")
    assert code == 2 and "not UTF-8" in err and "Traceback" not in err


def test_an_out_dir_that_cannot_be_made_is_one_line_and_exit_5(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    Path("a-file").write_text("x", "utf-8")
    done = pipeline("run", str(raw_dir), "--out", "a-file/out", "-q", cwd=Path.cwd())
    assert done.returncode == 5, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "a-file" in line


def test_jobs_above_the_cpu_count_are_capped_unless_forced(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    cpus = os.cpu_count() or 1
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "-q", "--jobs", str(cpus + 3))
    assert code == 0 and f"running {cpus}" in err
    code, _, err = invoke(
        "run", str(raw_dir), "--out", "forced", "-q", "--jobs", str(cpus + 1), "--force-jobs"
    )
    assert code == 0 and "running" not in err
    assert Path("out/en.jsonl").read_bytes() == Path("forced/en.jsonl").read_bytes()


@pytest.mark.parametrize("jobs", ["0", "5000"])
def test_jobs_out_of_range_is_a_usage_error(raw_dir: Path, jobs: str) -> None:
    write(raw_dir, "a.txt", TEXT)
    assert invoke("run", str(raw_dir), "--jobs", jobs)[0] == 2
    Path("pipeline.toml").write_text(f"jobs = {jobs}\n", "utf-8")
    code, _, err = invoke("run", str(raw_dir), "--config", "pipeline.toml")
    assert code == 2 and "'jobs' must be from 1 to 1024" in err


def test_ctrl_c_is_exit_130_and_leaves_no_work_folder(bench_docs: Path, tmp_path: Path) -> None:
    lines = (bench_docs / "docs.jsonl").read_text("utf-8").splitlines(keepends=True)[:1500]
    write(tmp_path / "raw", "docs.jsonl", "".join(lines))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "run", "raw", "--out", str(out), "-q"]
    process = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(tmp_path.glob(".out.new-*/.work-*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the run has started spilling (in the new set's folder)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    # No output written, and the new set's folder removed (the lock file stays: see
    # pipeline.lock).
    assert [p.name for p in out.iterdir()] == [".pipeline.lock"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]


def test_a_url_that_is_not_a_string_is_an_error_like_a_title(raw_dir: Path) -> None:
    body = "Agents in Shanghai earn about 6,000 yuan a month before tax, more at night."
    lines = [
        {"title": "Fine", "url": "https://example.com/a", "paragraphs": [body]},
        {"title": "Object url", "url": {"href": "x"}, "paragraphs": [body]},
        {"title": ["a", "list"], "paragraphs": [body]},
    ]
    write(raw_dir, "a.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "-q")
    assert code == 3
    assert "a.jsonl:2: error: field 'url' is not a string" in err
    assert "a.jsonl:3: error: field 'title' is not a string" in err


def test_an_unterminated_string_names_its_column_once(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", '{"title": "T", "paragraphs": ["never closed\n')
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "-q")
    assert code == 3
    assert "invalid JSON: Unterminated string starting at column 31" in err
    assert "at at" not in err


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_exit_soon_after_their_parent_is_killed(bench_docs: Path, tmp_path: Path) -> None:
    lines = (bench_docs / "docs.jsonl").read_text("utf-8").splitlines(keepends=True)[:1500]
    write(tmp_path / "raw", "docs.jsonl", "".join(lines))
    command = [sys.executable, "-m", "pipeline", "run", "raw", "--out", "out", "-q"]
    process = subprocess.Popen([*command, "--jobs", "2", "--force-jobs"], cwd=tmp_path)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)  # the pool's workers, and the resource tracker, are its children
        workers = [pid for pid in _children(process.pid) if _alive(pid)]
    assert len(workers) >= 2, "the run started no workers"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def test_a_run_removes_what_a_killed_run_left_in_out_dir(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    out = Path("out")
    (out / ".work-abc123_z").mkdir(parents=True)  # tempfile's names: 8 random characters
    (out / ".work-abc123_z" / "records.bin").write_bytes(b"\0" * 10)
    (out / ".write-xyz45678").mkdir()
    (out / ".en.jsonl.k2j3ab9c.tmp").write_text("half", "utf-8")
    (out / "..pipeline-index.sqlite.9f8eabcd.tmp").write_text("half", "utf-8")
    (out / ".mine").write_text("the user's", "utf-8")  # not the tool's: left alone
    (out / "notes.txt").write_text("the user's", "utf-8")
    for name in (".work-notes", ".write-up.md", ".x.jsonl.bak.tmp"):  # like the tool's, not it
        (out / name).write_text("the user's", "utf-8")
    assert invoke("run", str(raw_dir), "--out", "out", "-q")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".mine",
        ".pipeline-index.sqlite",
        ".pipeline.lock",
        ".work-notes",
        ".write-up.md",
        ".x.jsonl.bak.tmp",
        "dropped.jsonl",
        "en.jsonl",
        "manifest.json",
        "notes.txt",
        "other.jsonl",
        "zh.jsonl",
    ]


def _hold_lock(folder: Path, exclusive: bool = True) -> int:
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / ".pipeline.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    return handle


def test_a_second_run_on_one_out_dir_stops_with_no_wait(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    handle = _hold_lock(Path("out"))  # as another run would
    try:
        code, _, err = invoke("run", str(raw_dir), "--out", "out", "--no-wait")
        assert code == 6 and "in use by another run" in err
        assert invoke("check", str(raw_dir), "--out", "out", "--no-wait")[0] == 6
    finally:
        os.close(handle)
    assert not Path("out/en.jsonl").exists()  # it wrote nothing
    assert invoke("run", str(raw_dir), "--out", "out", "-q", "--no-wait")[0] == 0


def test_the_config_can_say_not_to_wait_and_the_option_overrides_it(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    Path("pipeline.toml").write_text("wait = false\n", "utf-8")
    handle = _hold_lock(Path("out"))
    try:
        code, _, err = invoke("run", str(raw_dir), "--out", "out")
        assert code == 6 and "in use by another run" in err
    finally:
        os.close(handle)
    handle = _hold_lock(Path("out"))
    threading.Timer(1.0, os.close, (handle,)).start()  # the other run ends in a second
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "-q", "--wait")
    assert code == 0 and "waiting for the run that holds out" in err
    manifest = json.loads(Path("out/manifest.json").read_text("utf-8"))
    assert "wait" not in manifest["config"]  # how a run waits never changes its output


def test_a_second_run_waits_for_the_first(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    handle = _hold_lock(raw_dir.parent / "out")
    command = [sys.executable, "-m", "pipeline", "run", "raw", "--out", "out", "-q"]
    process = subprocess.Popen(command, cwd=raw_dir.parent, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)
        assert process.poll() is None  # still waiting
        assert not (raw_dir.parent / "out" / "en.jsonl").exists()
    finally:
        os.close(handle)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "waiting for the run that holds out" in err
    assert (raw_dir.parent / "out" / "en.jsonl").exists()


def test_links_to_outside_raw_dir_are_skipped_with_a_warning_unless_followed(
    raw_dir: Path,
) -> None:
    outside = Path("outside")
    write(outside, "x.txt", TEXT)
    write(outside / "sub", "z.txt", "Fourth\n\nTeam leaders in Xi'an get a bonus each quarter.\n")
    write(raw_dir, "inside.txt", TEXT.replace("Title", "Another title"))
    hidden = write(raw_dir / ".kept", "y.txt", "Third\n\nNight shifts in Chengdu pay 20% more.\n")
    (raw_dir / "file-link.txt").symlink_to(outside.resolve() / "x.txt")
    (raw_dir / "folder-link").symlink_to((outside / "sub").resolve())
    (raw_dir / "inner-link.txt").symlink_to(hidden.resolve())  # stays inside RAW_DIR
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "-q")
    assert code == 0
    warned = sorted(line.split(":")[0] for line in err.splitlines() if "outside RAW_DIR" in line)
    assert [Path(name).name for name in warned] == ["file-link.txt", "folder-link"]
    sources = {json.loads(line)["source"] for line in Path("out/en.jsonl").read_text().splitlines()}
    assert sources == {"inside.txt", "inner-link.txt"}
    code, _, err = invoke("run", str(raw_dir), "--out", "all", "-q", "--follow-links")
    assert code == 0 and "outside RAW_DIR" not in err
    sources = {json.loads(line)["source"] for line in Path("all/en.jsonl").read_text().splitlines()}
    assert sources == {"inside.txt", "inner-link.txt", "file-link.txt", "folder-link/z.txt"}
    # the config's input.follow_links does the same; the option overrides it
    Path("links.toml").write_text("[input]\nfollow_links = true\n", "utf-8")
    configured = ["run", str(raw_dir), "--config", "links.toml", "-q"]
    assert invoke(*configured, "--out", "conf")[0] == 0
    assert Path("conf/en.jsonl").read_bytes() == Path("all/en.jsonl").read_bytes()
    assert invoke(*configured, "--out", "off", "--no-follow-links")[0] == 0
    assert Path("off/en.jsonl").read_bytes() == Path("out/en.jsonl").read_bytes()
    manifest = json.loads(Path("conf/manifest.json").read_text("utf-8"))
    assert manifest["config"]["input"]["follow_links"] is True


HOSTILE = "evil\x1b]0;title\x07\nforged.txt: error: fake\u202e"  # no "/": one name


@pytest.mark.parametrize("command", ["run", "check", "scan"])
def test_untrusted_names_are_escaped_in_every_printed_line(raw_dir: Path, command: str) -> None:
    write(raw_dir, f"{HOSTILE}.jsonl", '{"title": ["not", "a string"]}\n')
    out_dir = f"out-{HOSTILE}"
    if command == "check":
        invoke("run", str(raw_dir), "--out", out_dir, "-q")
        write(raw_dir, "new.txt", TEXT)  # so that check names OUT_DIR as out of date
    args = [command, str(raw_dir)] + (["--out", out_dir] if command != "scan" else [])
    _, out, err = invoke(*args)
    printed = out + err
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert "forged.txt: error: fake" not in printed.splitlines()  # no forged line
    escaped = "evil\\x1b]0;title\\x07\\x0aforged.txt: error: fake\\u202e"
    assert f"raw/{escaped}.jsonl:1: error" in err
    if command == "check":
        assert f"out-{escaped} is out of date" in err
    if command == "run":
        assert f"written to  out-{escaped}" in out


@pytest.mark.parametrize(
    ("section", "option", "message"),
    [
        ("input", "title_max_width = -5", "'title_max_width' must be 1 or more"),
        ("input", "heading_max_width = 0", "'heading_max_width' must be 1 or more"),
        ("language", "langdetect_min_letters = -1", "'langdetect_min_letters' must not be"),
        ("language", 'default_latin = "xx-bogus"', "'default_latin' must be a language code"),
    ],
)
def test_config_values_out_of_range_are_config_errors(
    raw_dir: Path, section: str, option: str, message: str
) -> None:
    write(raw_dir, "a.txt", TEXT)
    Path("bad.toml").write_text(f"[{section}]\n{option}\n", "utf-8")
    code, _, err = invoke("run", str(raw_dir), "--out", "out", "--config", "bad.toml", "-q")
    assert code == 2 and message in err
    assert not Path("out/en.jsonl").exists()


def test_an_out_dir_that_is_a_loop_of_links_is_a_usage_error(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", TEXT)
    Path("loopB").symlink_to("loopA")
    Path("loopA").symlink_to("loopB")
    code, _, err = invoke("run", str(raw_dir), "--out", "loopA", "-q")
    assert code == 2 and "loopA: cannot resolve the path" in err
