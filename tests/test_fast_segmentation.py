"""The rjieba segmenter gives jieba's tokens: on hand cases where rjieba alone does not, on
random text (hypothesis), on a slice of the benchmark corpus end to end; and its limits (user
words, a missing rjieba) are clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config, ConfigError, SegmentationConfig, load_config
from pipeline.config_checks import validate_segmenter
from pipeline.fast_segmentation import FastSegmenter
from pipeline.segmentation import Segmenter

pytest.importorskip("rjieba", reason="rjieba (the fast extra) is not installed")

from tests.conftest import write
from tests.test_cli import invoke, outputs


@pytest.fixture(scope="module")
def jieba_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@pytest.fixture(scope="module")
def fast() -> dict[bool, FastSegmenter]:
    return {hmm: FastSegmenter(hmm) for hmm in (True, False)}


def _jieba_tokens(tokenizer: Any, text: str, hmm: bool) -> list[str]:
    return [token for token in tokenizer.cut(text, HMM=hmm) if token]


# Blocks where rjieba alone parts from jieba (its HMM keeps these runs whole), dictionary
# words of letters and symbols, runs of single characters that make a dictionary word, and
# white space of every kind.
HAND_CASES = [
    "大概0.6cm左右长。",
    "还支持802.11NSaaS WIFI速度",
    "2008-06-04 9:30，当卓越的书已经收到的时候",
    "耗电(5.5w), 写着2.6kg,可是",
    "精通C++和C#，熟悉AT&T的系统，c++也行",
    "穿T恤的B超医生买了A股",
    "第1-3年\r\n薪资10%~20%\t增长",
    "ＡＢＣ全角字母和１２３全角数字",
    "中国科学院计算所的小明硕士毕业",
    # near ties: rjieba's total (its dictionary's twice-listed word counted once) and its HMM
    # table (rounded to six decimals) would flip these (found by a review of this module)
    "勘定理屈曲骨",
    "他说生光鲜有时差。",
    "米消豁",
    "恒就亲",
    "俗摘梁",
    "",
    "   ",
    "English only, no Chinese at all.",
]


@pytest.mark.parametrize("hmm", [True, False])
@pytest.mark.parametrize("text", HAND_CASES)
def test_the_same_tokens_as_jieba_on_hand_cases(
    fast: dict[bool, FastSegmenter], jieba_tokenizer: Any, text: str, hmm: bool
) -> None:
    assert fast[hmm].tokens(text) == _jieba_tokens(jieba_tokenizer, text, hmm)


@pytest.mark.parametrize(
    ("text", "hmm"), [("大概0.6cm左右长", True), ("米消豁", True), ("勘定理屈曲骨", False)]
)
def test_rjieba_alone_parts_from_jieba(jieba_tokenizer: Any, text: str, hmm: bool) -> None:
    """Why rjieba only gives the routes, with its total mended: its HMM keeps 0.6cm whole and
    rounds its table; its total lacks a twice-listed word."""
    import rjieba

    assert rjieba.Jieba().cut(text, hmm) != _jieba_tokens(jieba_tokenizer, text, hmm)


def test_the_total_rjieba_lacks_is_read_off_jieba_s_dictionary(jieba_tokenizer: Any) -> None:
    """jieba adds every line of its dictionary file to its total; rjieba each word once."""
    from pipeline.fast_segmentation import TOTAL_SHORTFALL

    seen: dict[str, int] = {}
    twice = 0
    with jieba_tokenizer.get_dict_file() as stream:
        lines = stream.read().decode("utf-8").splitlines()
    for line in lines:
        word, frequency = line.split()[:2]
        twice += int(frequency) if word in seen else 0
        seen[word] = int(frequency)
    assert twice == TOTAL_SHORTFALL
    assert sum(seen.values()) + twice == jieba_tokenizer.total


_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
_WORDS = ["职业", "发展", "前景", "薪资", "中国科学院", "电信", "客服", "行业", "招聘", "工程师"]
_OTHER = [*list("abcXYZ0189+#&._%-"), " ", "\t", "\r\n", "\n", "，", "。", "（", "）", "·", "Ａ"]
_PIECES = st.one_of(
    st.sampled_from(list(_HAN)),
    st.sampled_from(_WORDS),
    st.sampled_from(_OTHER),
    st.sampled_from(["C++", "AT&T", "T恤", "B超", "A股", "0.6cm", "2008-06-04", "802.11N"]),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # past jieba's range too
    st.characters(codec="utf-8"),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.booleans())
def test_the_same_tokens_as_jieba_on_any_text(
    fast: dict[bool, FastSegmenter], jieba_tokenizer: Any, text: str, hmm: bool
) -> None:
    assert fast[hmm].tokens(text) == _jieba_tokens(jieba_tokenizer, text, hmm)


def test_no_dictionary_word_is_letters_and_digits_alone(jieba_tokenizer: Any) -> None:
    """What reading rjieba's route from its cut without HMM rests on: that cut joins runs of
    single letters and digits, and no word of the dictionary is such a run. (A jieba release
    whose dictionary breaks this fails here.) And rjieba's ``has_word`` is jieba's test of a
    run of single characters (a frequency above 0): no word of the dictionary has 0."""
    import rjieba

    letters_and_digits = re.compile("[a-zA-Z0-9]{2,}")
    frequencies = jieba_tokenizer.FREQ
    assert not [w for w, f in frequencies.items() if f and letters_and_digits.fullmatch(w)]
    sample = list(frequencies.items())[::997]
    assert [rjieba.has_word(w) for w, _ in sample] == [bool(f) for _, f in sample]


def test_the_segmenter_option_picks_the_fast_one() -> None:
    config = SegmentationConfig(segmenter="rjieba")
    assert Segmenter(config).tokens("随着5G技术的发展") == ["随着", "5G", "技术", "的", "发展"]


def test_a_segmenter_made_without_the_config_check_refuses_user_words_too() -> None:
    with pytest.raises(ValueError, match="takes no user words"):
        Segmenter(SegmentationConfig(segmenter="rjieba", user_words=("电信客服",)))


def test_user_words_with_rjieba_are_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text(
        '[segmentation]\nsegmenter = "rjieba"\nuser_words = ["电信客服"]\n', "utf-8"
    )
    with pytest.raises(ConfigError, match="takes no user_dict or user_words"):
        load_config(tmp_path / "pipeline.toml")


def test_an_unknown_segmenter_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'segmenter' must be one of jieba, rjieba"):
        validate_segmenter(Config().with_segmenter("pkuseg"), "x.segmentation")


def test_rjieba_missing_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"pip install 'career-article-pipeline\[fast\]'"):
        validate_segmenter(Config().with_segmenter("rjieba"), "x.segmentation")


CHINESE = (
    "随着5G、6G技术的发展，电信客服行业将面临重大变革，年薪8-15万元。\n\n"
    "求职者应当重视沟通能力和专业技能的培养，掌握C++与802.11N协议，并积累0.6年以上经验。\n"
)


def test_run_with_rjieba_writes_what_jieba_writes(raw_dir: Path) -> None:
    """Through the CLI: every output file the same, the manifest too (the segmenter never
    changes the output, so it is not in it)."""
    write(raw_dir, "zh.txt", CHINESE)
    one, fast_out = raw_dir.parent / "one", raw_dir.parent / "fast"
    assert invoke("run", str(raw_dir), "--out", str(one), "-q", "--no-index")[0] == 0
    code, _, err = invoke(
        "run", str(raw_dir), "--out", str(fast_out), "-q", "--no-index", "--segmenter", "rjieba"
    )
    assert code == 0, err
    assert outputs(fast_out) == outputs(one)
    manifest = json.loads((fast_out / "manifest.json").read_text("utf-8"))
    assert "segmenter" not in manifest["config"]["segmentation"]
    assert invoke("check", str(raw_dir), "--out", str(one), "--segmenter", "rjieba")[0] == 0


def test_segmenter_rjieba_with_user_words_is_a_usage_error(raw_dir: Path) -> None:
    write(raw_dir, "zh.txt", CHINESE)
    (raw_dir.parent / "pipeline.toml").write_text(
        '[segmentation]\nuser_words = ["电信客服"]\n', "utf-8"
    )
    code, _, err = invoke(
        "run",
        str(raw_dir),
        "--config",
        str(raw_dir.parent / "pipeline.toml"),
        "--segmenter",
        "rjieba",
    )
    assert code == 2
    assert "--segmenter: segmenter 'rjieba' takes no user_dict" in err


@pytest.mark.slow
def test_the_corpus_slice_is_written_the_same_with_rjieba(
    bench_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 documents of the benchmark corpus, end to end."""
    monkeypatch.chdir(tmp_path)
    raw = tmp_path / "raw"
    raw.mkdir()
    with (bench_corpus / "docs.jsonl").open(encoding="utf-8") as stream:
        lines = [line for _, line in zip(range(500), stream, strict=False)]
    (raw / "docs.jsonl").write_text("".join(lines), "utf-8")
    jieba_out, fast_out = tmp_path / "jieba", tmp_path / "fast"
    assert invoke("run", str(raw), "--out", str(jieba_out), "-q", "--no-index")[0] == 0
    fast_run = ("--out", str(fast_out), "-q", "--no-index", "--segmenter", "rjieba")
    assert invoke("run", str(raw), *fast_run)[0] == 0
    assert outputs(fast_out) == outputs(jieba_out)
    zh = (fast_out / "zh.jsonl").read_text("utf-8").splitlines()
    assert sum(len(json.loads(line)["paragraphs"]) for line in zh) > 4000  # 4,648


def test_remembered_runs_give_the_tokens_of_a_segmenter_that_forgets(jieba_tokenizer: Any) -> None:
    """Runs of single characters are remembered (the same runs recur): a segmenter that has
    seen them gives the tokens of one that remembers nothing, and jieba's."""
    texts = [text for text in HAND_CASES if text.strip()] * 2
    seasoned = FastSegmenter(True)
    first = [seasoned.tokens(text) for text in texts]
    again = [seasoned.tokens(text) for text in texts]
    forgetful = FastSegmenter(True)
    forgetful._run_tokens = forgetful._new_run_tokens  # type: ignore[method-assign]
    fresh = [forgetful.tokens(text) for text in texts]
    assert first == again == fresh == [_jieba_tokens(jieba_tokenizer, t, True) for t in texts]
    memory = seasoned._runs
    assert memory is not None and memory.cache_info().hits > 0  # the memory was used


def test_rjieba_is_used_without_its_default_instance(jieba_tokenizer: Any) -> None:
    """The segmenter takes rjieba's class from its extension module: the package's own
    ``__init__``, which makes a default instance with its own dictionary (about 26 MB, for the
    process's life), does not run; an ``import rjieba`` afterwards takes the same class (the
    extension is loaded once), and the segmenter's tokens are jieba's."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pipeline.fast_segmentation import FastSegmenter, rjieba_class\n"
        "tokens = FastSegmenter(True).tokens('我们在上海的呼叫中心工作。')\n"
        "before = 'rjieba' in sys.modules\n"
        "import rjieba\n"
        "print(before, rjieba.Jieba is rjieba_class(), '/'.join(tokens))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    expected = "/".join(_jieba_tokens(jieba_tokenizer, "我们在上海的呼叫中心工作。", True))
    assert done.stdout.split() == ["False", "True", expected]
