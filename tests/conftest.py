"""Shared fixtures: a throwaway raw folder and a working directory without config files."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock
import pytest

from pipeline.config import Config

REPO = Path(__file__).resolve().parents[1]
# For slow tests over corpus slices whose subject is not the tokens: rjieba when installed
# writes jieba's tokens (test_fast_segmentation.py holds it to that on a corpus slice) in a
# third of the time.
FAST_SEGMENTER = "rjieba" if importlib.util.find_spec("rjieba") else "jieba"


@pytest.fixture
def config() -> Config:
    """The default configuration."""
    return Config()


@pytest.fixture
def raw_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty raw folder; the working directory is moved beside it, where no config is found."""
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.chdir(tmp_path)
    return raw


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``folder/name`` (text encoded with ``encoding``)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def _builder() -> Path | None:
    candidates = [
        os.environ.get("PIPELINE_BENCH_BUILDER", ""),
        str(REPO.parent / "shared/bench/build_corpus.py"),
    ]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="session")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark corpus's folder: docs.jsonl and labels.jsonl (built when not there yet)."""
    corpus = REPO / "bench-corpus"
    if (corpus / "docs.jsonl").is_file():
        return corpus
    builder = _builder()
    if builder is None:
        pytest.skip("benchmark corpus builder (../shared/bench/build_corpus.py) not found")
    # Built once for all the test processes (pytest-xdist's workers share the parent of their
    # temporary folders): the first builds it under a lock, the others wait and take it.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    corpus = shared / "bench-corpus"
    with filelock.FileLock(str(shared / "bench-corpus.lock")):
        if not (corpus / "docs.jsonl").is_file():
            building = shared / "bench-corpus.partial"
            shutil.rmtree(building, ignore_errors=True)
            subprocess.run([sys.executable, str(builder), str(building)], check=True)
            building.rename(corpus)
    return corpus


@pytest.fixture(scope="session")
def bench_docs(bench_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A raw folder holding the benchmark corpus's docs.jsonl."""
    raw = tmp_path_factory.mktemp("bench-raw")
    # A copy, not a link: a link to outside RAW_DIR is skipped (unless --follow-links).
    shutil.copyfile(bench_corpus / "docs.jsonl", raw / "docs.jsonl")
    return raw


@pytest.fixture(scope="session", autouse=True)
def heavy_resources_shared_across_runs() -> Iterator[None]:
    """jieba's dictionary and langdetect's profiles, loaded once per test process.

    A run loads them afresh and lets them go when its articles are done (the CLI runs once per
    process, and the corpus stages reuse that memory); the hundreds of runs made in one test
    process would spend ~1.8 s each loading them again. Here a run takes the ones loaded for
    an earlier run with the same user words and dictionary; the loading itself is still what
    every subprocess and worker test goes through."""
    from pipeline.language import LanguageDetector
    from pipeline.resources import file_state
    from pipeline.segmentation import Segmenter

    load_jieba, load_profiles = Segmenter._jieba, LanguageDetector._detector_factory
    tokenizers: dict[tuple[str, Any, tuple[str, ...]], Any] = {}
    factories: list[Any] = []

    def shared_jieba(self: Segmenter) -> Any:
        if self._tokenizer is None:
            config = self._config
            key = (config.user_dict, file_state(config.user_dict), tuple(config.user_words))
            if key not in tokenizers:
                tokenizers[key] = load_jieba(self)
            self._tokenizer = tokenizers[key]
        return self._tokenizer

    def shared_profiles(self: LanguageDetector) -> Any:
        if self._factory is None:
            if not factories:
                factories.append(load_profiles(self))
            self._factory = factories[0]
        return self._factory

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Segmenter, "_jieba", shared_jieba)
        patch.setattr(LanguageDetector, "_detector_factory", shared_profiles)
        yield
