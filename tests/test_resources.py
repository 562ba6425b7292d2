"""Resources kept between runs: one segmenter and one detector per config, lent to every run of
a long-lived program, and the same output as runs that load their own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from pipeline import Config, Resources, render_outputs, run_pipeline
from pipeline.config import LanguageConfig, SegmentationConfig
from pipeline.segmentation import Segmenter

GOLDEN = REPO / "tests/golden"


def _segmenters_asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The segmenter objects asked for tokens from now on, by id, as they are asked."""
    asked: list[int] = []
    tokens = Segmenter.tokens

    def counted(self: Segmenter, text: str) -> list[str]:
        asked.append(id(self))
        return tokens(self, text)

    monkeypatch.setattr(Segmenter, "tokens", counted)
    return asked


def test_runs_given_resources_share_one_segmenter(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _segmenters_asked(monkeypatch)
    resources = Resources()
    for _ in range(2):
        run_pipeline(GOLDEN / "bilingual" / "raw", Config(), resources=resources).close()
    assert asked and len(set(asked)) == 1
    assert set(asked) == {id(resources.segmenter(Config().segmentation))}


def test_runs_without_resources_make_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _segmenters_asked(monkeypatch)
    for _ in range(2):
        run_pipeline(GOLDEN / "bilingual" / "raw", Config()).close()
    assert len(set(asked)) == 2


@pytest.mark.parametrize("case", ["bilingual", "dedup", "repairs", "jsonl_langs"])
def test_resources_change_no_output(case: str) -> None:
    resources = Resources()
    raw = GOLDEN / case / "raw"
    alone = render_outputs(run_pipeline(raw, Config()), Config())
    first = render_outputs(run_pipeline(raw, Config(), resources=resources), Config())
    again = render_outputs(run_pipeline(raw, Config(), resources=resources), Config())
    assert first == alone and again == alone


def test_each_config_has_its_own() -> None:
    resources = Resources()
    plain, with_words = SegmentationConfig(), SegmentationConfig(user_words=("电信客服",))
    assert resources.segmenter(plain) is resources.segmenter(SegmentationConfig())
    assert resources.segmenter(plain) is not resources.segmenter(with_words)
    detector = resources.detector(LanguageConfig())
    assert detector is resources.detector(LanguageConfig())
    assert detector is not resources.detector(LanguageConfig(default_latin="fr"))


def test_a_user_dictionary_changed_on_disk_gets_a_new_segmenter(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("电信客服 100 n\n", encoding="utf-8")
    config = SegmentationConfig(user_dict=str(words))
    resources = Resources()
    first = resources.segmenter(config)
    assert "电信客服" in first.tokens("电信客服的前景")
    assert resources.segmenter(config) is first
    words.write_text("客服前景 100 n\n", encoding="utf-8")
    stat = words.stat()
    os.utime(words, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second: Any = resources.segmenter(config)
    assert second is not first
    assert "客服前景" in second.tokens("电信客服前景")
