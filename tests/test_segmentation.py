"""Segmentation: tokens join back to the text, user words, quiet start-up, cache out of the way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import SegmentationConfig
from pipeline.segmentation import Segmenter, load_cached_dictionary


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


def _tokenizer(folder: Path) -> Any:
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(folder)
    return tokenizer


def test_the_cached_dictionary_read_whole_is_what_jieba_loads(tmp_path: Path) -> None:
    """jieba's own initialize builds the cache; read whole it gives the same dictionary, and
    jieba's initialize then has nothing left to do."""
    import logging

    logging.getLogger("jieba").setLevel(logging.WARNING)
    assert not load_cached_dictionary(_tokenizer(tmp_path))  # no cache yet
    built = _tokenizer(tmp_path)
    built.initialize()
    assert (tmp_path / "jieba.cache").is_file()
    loaded = _tokenizer(tmp_path)
    assert load_cached_dictionary(loaded)
    assert loaded.initialized and loaded.total == built.total and loaded.FREQ == built.FREQ
    assert not load_cached_dictionary(loaded)  # loaded already
    assert list(loaded.cut("职业现状与发展前景")) == list(built.cut("职业现状与发展前景"))


@pytest.mark.parametrize("damage", [b"", b"not marshal", b"\xe9\x00\x00"])
def test_a_damaged_cache_is_left_to_jieba(tmp_path: Path, damage: bytes) -> None:
    (tmp_path / "jieba.cache").write_bytes(damage)
    tokenizer = _tokenizer(tmp_path)
    assert not load_cached_dictionary(tokenizer)
    assert not tokenizer.initialized


def test_another_dictionary_is_left_to_jieba(tmp_path: Path) -> None:
    import jieba

    (tmp_path / "jieba.cache").write_bytes(b"")
    tokenizer = jieba.Tokenizer(str(tmp_path / "words.txt"))
    tokenizer.tmp_dir = str(tmp_path)
    assert not load_cached_dictionary(tokenizer)


def _processed_tokens(
    tmp_path: Path, paragraphs: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[list[list[str] | None], list[str]]:
    """Each paragraph's tokens after processing one article of ``paragraphs``, and the texts
    jieba was asked to segment."""
    from pipeline.config import Config
    from pipeline.process import ArticleProcessor
    from pipeline.reading import read_file

    (tmp_path / "a.txt").write_text("\n\n".join(paragraphs) + "\n", "utf-8")
    config = Config()
    [article] = read_file(tmp_path, "a.txt", config).articles
    processor = ArticleProcessor(config)
    asked: list[str] = []
    segment = processor._segmenter.tokens

    def counted(text: str) -> list[str]:
        asked.append(text)
        return segment(text)

    monkeypatch.setattr(processor._segmenter, "tokens", counted)
    records = processor.process(article)
    by_index = {p.index: p for record in records for p in record.paragraphs}
    tokens = [
        None if by_index[n].tokens is None else list(by_index[n].tokens) for n in sorted(by_index)
    ]
    return tokens, asked


REPEATED = "随着5G技术的发展，电信客服行业将面临重大变革，招聘需求呈现稳定增长趋势。"
OTHER = "职业现状与发展前景：薪资水平逐年提高，岗位要求也越来越高。"
THIRD = "求职者应当重视沟通能力和专业技能的培养，并积累相关工作经验。"


def test_a_repeated_paragraph_is_segmented_once_with_the_same_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens, asked = _processed_tokens(
        tmp_path, ["电信客服职业前景", REPEATED, OTHER, REPEATED], monkeypatch
    )
    assert asked.count(REPEATED) == 1
    fresh = Segmenter(SegmentationConfig()).tokens(REPEATED)
    assert tokens[1] == tokens[3] == fresh
    assert tokens[2] == Segmenter(SegmentationConfig()).tokens(OTHER)


def test_only_the_last_paragraphs_tokens_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.process

    monkeypatch.setattr(pipeline.process, "RECENT_TOKENS", 2)
    # The title and REPEATED, then OTHER and THIRD push REPEATED out: it is segmented again.
    tokens, asked = _processed_tokens(
        tmp_path, ["电信客服职业前景", REPEATED, OTHER, THIRD, REPEATED, THIRD], monkeypatch
    )
    assert asked.count(REPEATED) == 2
    assert asked.count(THIRD) == 1
    assert tokens[1] == tokens[4] == Segmenter(SegmentationConfig()).tokens(REPEATED)
