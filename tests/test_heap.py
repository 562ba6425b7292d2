"""The run's C heap setting (pipeline.heap): set where the C library is glibc, nothing
elsewhere, and a run's output is the same with it (every golden test runs with it)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from pipeline import heap


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt only")
def test_the_threshold_is_fixed_under_glibc() -> None:
    # In a process of its own: the setting stays for the process's life.
    code = "from pipeline.heap import give_back_large_blocks as g; print(g())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_nothing_is_set_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap.sys, "platform", "darwin")
    assert heap.give_back_large_blocks() is False


def test_a_c_library_without_mallopt_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoMallopt:
        def __init__(self, name: str) -> None:
            pass

        def __getattr__(self, name: str) -> object:
            raise AttributeError(name)

    monkeypatch.setattr(heap.ctypes, "CDLL", NoMallopt)
    assert heap.give_back_large_blocks() is False
