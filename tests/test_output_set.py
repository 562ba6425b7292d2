"""The output set is replaced whole (issue #12, item 2): a run killed at any step, a disk that
fills between two files, or two runs at once leave OUT_DIR holding one run's whole output, and
the next run completes and leaves nothing behind."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write
from fault_run import forked_run

import pipeline.outset
from pipeline.cli import main
from pipeline.output import output_names

REPO = Path(__file__).resolve().parents[1]
FAULT_RUN = REPO / "tests" / "fault_run.py"
SET_NAMES = output_names("jsonl")
EN = "Agents in Shanghai earn about 6,000 yuan a month before tax, and more on night shifts."
ZH = "上海的房产经纪人每月税前收入大约六千元，夜班的收入会更高一些。"


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two inputs, A and B, in a working folder of their own: B changes a file of A and adds
    one (English: a run or check of one over the other's index then does not load jieba, and
    each takes a few milliseconds)."""
    monkeypatch.chdir(tmp_path)
    first, second = tmp_path / "raw_a", tmp_path / "raw_b"
    for number in range(3):
        write(first, f"{number}.txt", f"Title {number}\n\n{EN} Case {number}.\n\n{ZH}\n")
    shutil.copytree(first, second)
    write(second, "1.txt", f"Another title\n\n{EN} A changed case.\n")
    write(second, "9.txt", f"The new one\n\n{EN} Nine.\n\n{EN}\n")
    return first, second


def _first_run(tmp_path: Path, raw: Path) -> Path:
    """OUT_DIR (``out``) after a run of ``raw``: the set a later run replaces."""
    out = tmp_path / "out"
    assert invoke("run", str(raw), "--out", str(out), "-q")[0] == 0
    return out


def _rename_fails(
    monkeypatch: pytest.MonkeyPatch, when: Callable[[Path], bool], error: OSError
) -> None:
    """Make ``os.rename`` of a path for which ``when`` holds fail with ``error``."""
    real_rename = os.rename

    def rename(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if when(Path(str(source))):
            raise error
        real_rename(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


def _set_of(folder: Path) -> dict[str, bytes] | None:
    """The output files of ``folder``, or ``None`` when one is missing."""
    if not all((folder / name).is_file() for name in SET_NAMES):
        return None
    return {name: (folder / name).read_bytes() for name in SET_NAMES}


def _nothing_left(out: Path, kill_at: int = 0) -> None:
    """No temporary file in OUT_DIR, and no folder of the tool's beside it."""
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*SET_NAMES, ".pipeline-index.sqlite", ".pipeline.lock", "folder", "notes.txt"]
    )
    assert not [p.name for p in out.parent.glob(f".{out.name}.*")], kill_at


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the killed runs are forks")
@pytest.mark.parametrize("exchange", [True, False], ids=["swap", "two-renames"])
def test_a_run_killed_at_any_step_leaves_one_whole_set(
    tmp_path: Path, inputs: tuple[Path, Path], exchange: bool
) -> None:
    first, second = inputs
    out = tmp_path / "work" / "out"
    out.parent.mkdir()
    assert invoke("run", str(first), "--out", str(out), "-q")[0] == 0
    (out / "notes.txt").write_text("the user's own file", "utf-8")
    (out / "folder").mkdir()  # a folder of the user's: moved into the new set
    before = tmp_path / "before"
    shutil.copytree(out, before)
    old = _set_of(before)
    arguments = ["run", str(second), "--out", str(out), "-q"]
    status, steps = forked_run(0, arguments, not exchange)
    new = _set_of(out)
    assert os.waitstatus_to_exitcode(status) == 0 and new is not None and new != old
    # the set's and the work folder, five outputs and the index (each fsynced), links, the swap
    assert steps >= 14
    outcomes = []
    # Without the swap, the steps before it are the same as with it (tried there): only the
    # last ones, from the holder folder on, are tried again.
    for kill_at in range(1 if exchange else steps - 7, steps + 1):
        shutil.rmtree(out)
        shutil.copytree(before, out)
        status, _ = forked_run(kill_at, arguments, not exchange)
        assert os.waitstatus_to_exitcode(status) == -signal.SIGKILL, kill_at
        # (check puts back a set moved aside, where folders cannot be swapped)
        matches_a = invoke("check", str(first), "--out", str(out), "-q")[0] == 0
        matches_b = invoke("check", str(second), "--out", str(out), "-q")[0] == 0
        assert matches_a != matches_b, kill_at
        assert _set_of(out) == (old if matches_a else new), kill_at
        outcomes.append("old" if matches_a else "new")
        assert (out / "notes.txt").read_text("utf-8") == "the user's own file"
        assert invoke("run", str(second), "--out", str(out), "-q")[0] == 0
        assert _set_of(out) == new
        _nothing_left(out, kill_at)
    # killed before the swap: the old set; after it (the last steps): the new one
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=["old", "new"].index)


def test_a_full_disk_while_writing_leaves_the_old_set(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    (out / "notes.txt").write_text("the user's own file", "utf-8")
    (out / "folder").mkdir()
    old = _set_of(out)
    import pipeline.output

    real_write = pipeline.output.JsonlWriter.write

    def full(self: pipeline.output.JsonlWriter, result: object, folder: Path) -> object:
        real_write(self, result, folder)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "manifest.json"))

    monkeypatch.setattr(pipeline.output.JsonlWriter, "write", full)
    with pytest.raises(OSError):  # (the console's one-line error: see test_reliability)
        CliRunner().invoke(
            main, ["run", str(second), "--out", str(out), "-q"], catch_exceptions=False
        )
    assert _set_of(out) == old
    monkeypatch.setattr(pipeline.output.JsonlWriter, "write", real_write)
    assert invoke("run", str(second), "--out", str(out), "-q")[0] == 0
    _nothing_left(out)


def test_two_runs_at_once_give_one_runs_whole_output(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, second = inputs
    out = tmp_path / "out"
    runs = []
    for raw in (first, second):
        count = tmp_path / f"steps-{raw.name}"
        command = [sys.executable, str(FAULT_RUN), "0", str(count), "--hold", "1", "--"]
        command += ["run", str(raw), "--out", str(out), "-q", "--no-index"]
        runs.append(subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True))
        time.sleep(0.3 if raw == first else 0)
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    waited = [err for err in errors if "waiting for the run that holds" in err]
    assert len(waited) == 1  # one ran, the other waited for it, then ran
    last = second if "waiting" in errors[1] else first
    assert invoke("check", str(last), "--out", str(out), "--no-index", "-q")[0] == 0
    assert not [p.name for p in tmp_path.glob(".out.*")]


def test_a_second_run_with_no_wait_says_why_and_changes_nothing(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    old = _set_of(out)
    count = tmp_path / "steps"
    command = [sys.executable, str(FAULT_RUN), "0", str(count), "--hold", "2", "--"]
    holder = subprocess.Popen(
        [*command, "run", str(first), "--out", str(out), "-q"], cwd=tmp_path, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".out.new-*/manifest.json")):
            assert time.monotonic() < deadline and holder.poll() is None
            time.sleep(0.05)  # until the first run has written its set and holds it
        code, err = invoke("run", str(second), "--out", str(out), "-q", "--no-wait")
        assert code == 6 and "in use by another run" in err
    finally:
        holder.wait(timeout=120)
    assert holder.returncode == 0
    assert _set_of(out) == old  # the first run's input again: the same set


def test_where_no_folder_can_be_made_beside_out_dir_files_are_replaced_one_by_one(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    real_mkdtemp = tempfile.mkdtemp

    def refused(suffix: str | None = None, prefix: str | None = None, dir: object = None) -> str:
        if prefix and prefix.startswith(".out.new-"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_mkdtemp(suffix, prefix, dir)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    code, err = invoke("run", str(second), "--out", str(out), "-q")
    assert code == 0
    assert "warning: output files replaced one by one: cannot write beside OUT_DIR" in err
    assert invoke("check", str(second), "--out", str(out), "-q")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*SET_NAMES, ".pipeline-index.sqlite", ".pipeline.lock"]
    )


def test_out_dir_keeps_its_mode_and_a_link_to_it_stays_a_link(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, second = inputs
    real = tmp_path / "real-out"
    real.mkdir(mode=0o750)
    real.chmod(0o750)
    (tmp_path / "out").symlink_to(real)
    for raw in (first, second):
        assert invoke("run", str(raw), "--out", "out", "-q")[0] == 0
    assert (tmp_path / "out").is_symlink() and os.readlink(tmp_path / "out") == str(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o750
    assert invoke("check", str(second), "--out", "out", "-q")[0] == 0
    assert not [p.name for p in tmp_path.glob(".real-out.*")]


def test_a_run_from_inside_out_dir_replaces_files_one_by_one_and_leaves_the_shell_there(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = inputs
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)  # `cd out && pipeline run ../raw_a --out .`
    assert invoke("run", str(first), "--out", ".", "-q")[0] == 0
    code, err = invoke("run", str(second), "--out", ".", "-q")
    assert code == 0 and "the working folder is in OUT_DIR" in err
    assert Path.cwd() == out and out.is_dir()  # still the folder the shell is in
    assert invoke("check", str(second), "--out", ".", "-q")[0] == 0
    assert not [p.name for p in tmp_path.glob(".out.*")]


def _left_by_a_killed_run(out: Path, name: str = "abcd1234") -> Path:
    """A folder as a run killed just after its swap leaves it: the old set, marked."""
    folder = out.parent / f".{out.name}.new-{name}"
    folder.mkdir()
    (folder / ".pipeline-staging").write_text("old\nen.jsonl\nmanifest.json\n", "utf-8")
    (folder / "en.jsonl").write_text("an old set's file\n", "utf-8")
    return folder


def test_a_killed_runs_folder_gives_back_the_users_files_and_only_its_own_out_dirs(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, _ = inputs
    out, other = tmp_path / "out1", tmp_path / "out[1]"  # a glob would take one for the other
    assert invoke("run", str(first), "--out", str(out), "-q")[0] == 0
    left = _left_by_a_killed_run(out)
    write(left / "notes", "a.txt", "the user's, moved aside by the killed run")
    assert invoke("run", str(first), "--out", str(other), "-q")[0] == 0
    assert (left / "notes" / "a.txt").is_file()  # not out[1]'s: untouched
    assert not (other / "notes").exists()
    assert invoke("run", str(first), "--out", str(out), "-q")[0] == 0
    assert (out / "notes" / "a.txt").read_text("utf-8").startswith("the user's")
    assert not left.exists()
    assert (out / "en.jsonl").read_bytes() != b"an old set's file\n"


def test_what_cannot_be_moved_back_is_kept_beside_out_dir_and_never_removed(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = inputs
    out = _first_run(tmp_path, first)
    left = _left_by_a_killed_run(out)
    write(left / "notes", "a.txt", "the first notes")
    write(out / "notes", "b.txt", "notes made again since")  # the same name in OUT_DIR now
    code, err = invoke("run", str(first), "--out", str(out), "-q")
    assert code == 0 and "an earlier run left beside OUT_DIR, kept" in err
    assert (left / "notes" / "a.txt").is_file() and (out / "notes" / "b.txt").is_file()
    # A folder that cannot be renamed (a mount point: EBUSY) stays in the old set, whole.
    write(out / "mounted", "data.txt", "on another file system")
    busy = OSError(errno.EBUSY, "Device or resource busy")
    _rename_fails(monkeypatch, lambda path: path.name == "mounted", busy)
    code, err = invoke("run", str(first), "--out", str(out), "-q")
    assert code == 0 and "not moved into OUT_DIR: mounted" in err
    kept = [p for p in tmp_path.glob(".out.new-*") if (p / "mounted" / "data.txt").is_file()]
    assert len(kept) == 1


def test_an_index_in_a_folder_a_killed_run_moved_aside_is_found_again(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, second = inputs
    out = tmp_path / "out"
    index = ["--index", str(out / "sub" / "index.sqlite")]
    assert invoke("run", str(second), "--out", str(out), "-q", *index)[0] == 0
    left = _left_by_a_killed_run(out)
    os.rename(out / "sub", left / "sub")  # killed between the swap and moving it back
    assert invoke("run", str(first), "--out", str(out), "-q", *index)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert len(manifest["inputs"]) == 4  # A's three files and B's new one, from the index


def test_a_set_moved_aside_is_not_put_back_while_its_run_still_holds_the_lock(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    import fcntl

    first, _ = inputs
    out = _first_run(tmp_path, first)
    holder = tmp_path / ".out.old-abcd1234"
    holder.mkdir()
    (holder / ".pipeline-staging").write_text("old\n", "utf-8")
    os.rename(out, holder / "set")  # a run between its two renames (no folder swap)
    handle = os.open(holder / "set" / ".pipeline.lock", os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX)  # ... and still running
    code, err = invoke("check", str(first), "--out", str(out), "-q", "--no-wait")
    assert code == 6 and "in use by another run" in err
    assert (holder / "set").is_dir() and not out.exists()
    threading.Timer(1.0, os.close, (handle,)).start()  # the run dies in a second
    code, err = invoke("check", str(first), "--out", str(out), "-q")  # waits, then puts it back
    assert code == 0 and "waiting for the run" in err and "put back the output set" in err
    assert not holder.exists() and not (out / ".pipeline-staging").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another owner needs root")
def test_out_dir_keeps_its_owner_and_group(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    first, second = inputs
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, 65534, 65534)
    for raw in (first, second):
        assert invoke("run", str(raw), "--out", str(out), "-q")[0] == 0
    assert (out.stat().st_uid, out.stat().st_gid) == (65534, 65534)


def test_where_out_dir_cannot_be_moved_files_are_replaced_one_by_one(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:

    first, second = inputs
    out = _first_run(tmp_path, first)
    sticky = PermissionError(errno.EPERM, "Operation not permitted")  # another's sticky parent
    monkeypatch.setattr(pipeline.outset, "_exchange", lambda first, second: False)
    _rename_fails(monkeypatch, lambda path: path == out, sticky)
    code, err = invoke("run", str(second), "--out", str(out), "-q")
    assert code == 0 and "replaced one by one: OUT_DIR's folder cannot be renamed" in err
    assert invoke("check", str(second), "--out", str(out), "-q")[0] == 0
    assert not [p.name for p in tmp_path.glob(".out.*")]
    assert not (out / ".pipeline-staging").exists()


def test_an_error_after_the_swap_leaves_the_users_folders_for_the_next_run(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    write(out / "notes", "n.txt", "the user's")

    def failing(*args: object) -> list[str]:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(pipeline.outset, "_retire", failing)
    with pytest.raises(OSError):
        CliRunner().invoke(
            main, ["run", str(second), "--out", str(out), "-q"], catch_exceptions=False
        )
    assert [p for p in tmp_path.glob(".out.new-*/notes/n.txt")]  # aside, not removed
    monkeypatch.undo()
    assert invoke("run", str(second), "--out", str(out), "-q")[0] == 0
    assert (out / "notes" / "n.txt").read_text("utf-8") == "the user's"
    assert not [p.name for p in tmp_path.glob(".out.*")]


def test_a_folder_that_could_not_go_with_the_set_keeps_the_set_in_place(
    tmp_path: Path, inputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    write(out / "shared", "s.txt", "another user's folder")
    write(out / ".work-projects", "plan.txt", "named like a work folder, but the user's")
    real_access = os.access
    monkeypatch.setattr(  # as if "shared" belonged to another user, or were a mount point
        os, "access", lambda path, mode: Path(path).name != "shared" and real_access(path, mode)
    )
    code, err = invoke("run", str(second), "--out", str(out), "-q")
    assert code == 0 and "shared in OUT_DIR cannot be moved with it" in err
    assert (out / "shared" / "s.txt").is_file() and (out / ".work-projects" / "plan.txt").is_file()
    assert invoke("check", str(second), "--out", str(out), "-q")[0] == 0
    assert not [p.name for p in tmp_path.glob(".out.*")]


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another group needs root")
def test_files_take_the_group_of_a_setgid_out_dir(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, _ = inputs
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, -1, 65534)
    out.chmod(0o2775)
    assert invoke("run", str(first), "--out", str(out), "-q")[0] == 0
    assert {(out / name).stat().st_gid for name in SET_NAMES} == {65534}
    assert stat.S_IMODE(out.stat().st_mode) == 0o2775


def test_a_folder_of_the_users_named_like_a_work_folder_goes_with_the_swapped_set(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    first, second = inputs
    out = _first_run(tmp_path, first)
    write(out / ".work-projects", "plan.txt", "named like a work folder, but the user's")
    code, err = invoke("run", str(second), "--out", str(out), "-q")
    assert code == 0 and "one by one" not in err  # swapped
    assert (out / ".work-projects" / "plan.txt").read_text("utf-8").endswith("the user's")
    assert not [p.name for p in tmp_path.glob(".out.*")]
