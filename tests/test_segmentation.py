"""Segmentation: tokens join back to the text, user words, quiet start-up, cache out of the way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import SegmentationConfig
from pipeline.segmentation import Segmenter


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(SegmentationConfig())


@pytest.mark.parametrize(
    "text",
    [
        "职业现状",
        "随着5G、6G技术的发展, 电信客服 行业\t将面临重大变革。",
        "Career prospects 发展前景  (HR/KPI)",
        "電信客服職位的招聘需求呈現穩定增長趨勢",
    ],
)
def test_tokens_join_back_to_the_text(segmenter: Segmenter, text: str) -> None:
    tokens = segmenter.tokens(text)
    assert "".join(tokens) == text
    assert all(tokens)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_tokens_join_back_for_any_text(segmenter: Segmenter, text: str) -> None:
    assert "".join(segmenter.tokens(text)) == text


def test_chinese_is_split_into_words(segmenter: Segmenter) -> None:
    assert segmenter.tokens("职业现状") == ["职业", "现状"]


def test_user_words_are_kept_whole() -> None:
    plain = Segmenter(SegmentationConfig()).tokens("电信客服行业")
    custom = Segmenter(SegmentationConfig(user_words=("电信客服",))).tokens("电信客服行业")
    assert "电信客服" not in plain
    assert custom[0] == "电信客服"


def test_user_dictionary_file(tmp_path: Path) -> None:
    userdict = tmp_path / "terms.txt"
    userdict.write_text("呼叫中心 10 n\n", encoding="utf-8")
    tokens = Segmenter(SegmentationConfig(user_dict=str(userdict))).tokens("呼叫中心行业")
    assert tokens[0] == "呼叫中心"


def test_start_up_is_quiet_and_caches_outside_the_working_directory(tmp_path: Path) -> None:
    """jieba normally logs 'Building prefix dict...' and writes jieba.cache to the temp folder."""
    code = (
        "from pipeline.segmentation import Segmenter\n"
        "from pipeline.config import SegmentationConfig\n"
        "print(Segmenter(SegmentationConfig()).tokens('职业现状'))"
    )
    cache = tmp_path / "cache"
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        env={"XDG_CACHE_HOME": str(cache), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "['职业', '现状']"
    assert done.stderr == ""
    assert list(work.iterdir()) == []
    assert [p.name for p in (cache / "career-pipeline").iterdir()] == ["jieba.cache"]
