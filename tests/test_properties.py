"""Property tests: reading, repair and language detection never raise, whatever the bytes or
text; repairs replay and are idempotent."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config, DedupConfig, LanguageConfig, RepairConfig
from pipeline.decoding import decode_bytes
from pipeline.dedup import deduplicate
from pipeline.language import LanguageDetector
from pipeline.output import render_outputs
from pipeline.paragraphs import build_paragraphs, clean_paragraph, original_text, split_paragraphs
from pipeline.reading import read_file
from pipeline.records import Decision, Fix, Paragraph, Record
from pipeline.repair.base import MARKER, NOT_AFTER_NUMBER
from pipeline.repair.engine import Repairer
from pipeline.repair.ledger import Ledger
from pipeline.review.decisions import decision_set
from pipeline.runner import run_pipeline

DETECTOR = LanguageDetector(LanguageConfig())
REPAIRERS = (Repairer(RepairConfig()), Repairer(RepairConfig(fix_level="certain")))
# Pieces of damaged and legitimate text, so that generated strings hit the rules often.
_PIECES = st.sampled_from(
    [
        *[
            "65,438",
            "654.38",
            "6543.8",
            "65.438",
            "65438",
            "65,",
            "438",
            "+",
            "+0",
            "+0.",
            "000",
            ",000",
            "10,000",
            "million",
        ],
        *[
            "yuan",
            "February",
            "October",
            "8-",
            "20",
            "19",
            "202",
            "195",
            "1",
            "10",
            "11",
            "in",
            "年",
            "-minute",
            "/kloc-",
            "0/",
        ],
        *[
            "/KLOC-0",
            "words",
            "０",
            "１",
            "２",
            "锟斤拷",
            "�",
            "Ã©",
            "â€™",
            "鑱屼笟",
            "职业",
            ".",
            ",",
            ":",
            "6,543,800",
            "\u200b",
        ],
        " ",
        "\n",
    ]
)
_DAMAGED = st.lists(_PIECES | st.text(max_size=3), max_size=25).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=400))
def test_decoding_never_raises(data: bytes) -> None:
    decoded = decode_bytes(data)
    assert isinstance(decoded.text, str)


@SETTINGS
@given(st.text(max_size=300))
def test_detection_never_raises_and_labels_are_well_formed(text: str) -> None:
    label = DETECTOR.detect(text)
    assert label.lang == "und" or label.lang.isalpha() or label.lang == "mixed"
    assert label.script in (None, "Hans", "Hant")


def _replay(original: str, fixes: list[Fix]) -> str:
    out, last = "", 0
    for fix in sorted(fixes, key=lambda f: f.start):
        assert original[fix.start : fix.end] == fix.before
        out += original[last : fix.start] + fix.after
        last = fix.end
    return out + original[last:]


@SETTINGS
@given(st.text(max_size=300), st.sampled_from(["auto", "blank", "line"]), st.booleans())
def test_paragraphs_are_non_empty_and_fixes_replay(text: str, mode: str, markdown: bool) -> None:
    for raw in split_paragraphs(text, mode):
        cleaned, fixes, _ = clean_paragraph(raw, markdown)
        assert _replay(original_text(raw), fixes) == cleaned
    triples = [(index, raw, None) for index, raw in enumerate(split_paragraphs(text, mode))]
    for paragraph in build_paragraphs(triples, Config().input):
        assert paragraph.text and paragraph.text == paragraph.text.strip()


_ANY_TEXT = st.text(
    alphabet=st.characters(codec=None) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    max_size=60,
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "id": _JSON_VALUES,
                "url": _JSON_VALUES,
                "title": _ANY_TEXT | _JSON_VALUES,
                "text": _ANY_TEXT | _JSON_VALUES,
                "paragraphs": st.lists(_ANY_TEXT, max_size=4) | _JSON_VALUES,
            },
        ),
        max_size=4,
    )
)
def test_any_jsonl_renders_to_valid_output(
    tmp_path: Path, objects: list[dict[str, object]]
) -> None:
    """Whatever the JSONL holds (lone surrogates, nesting, odd types), the run renders valid
    UTF-8 JSON and every line is either an article or a problem."""
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(o) + "\n" for o in objects), "utf-8")
    result = run_pipeline(tmp_path, Config())
    assert result.article_count + len(result.problems) >= len(objects)
    for name, data in render_outputs(result, Config()).items():
        text = data.decode("utf-8")
        if name.endswith(".jsonl"):
            for line in text.splitlines():
                assert isinstance(json.loads(line), dict)
        else:
            assert json.loads(text)["counts"]["articles"] == result.article_count


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.sampled_from(["a.txt", "a.md", "a.jsonl"]),
)
def test_reading_any_file_never_raises(tmp_path: Path, data: bytes, name: str) -> None:
    (tmp_path / name).write_bytes(data)
    item = read_file(tmp_path, name, Config())
    for article in item.articles:
        assert article.paragraphs
    for problem in item.problems:
        assert problem.path == name and problem.reason


@SETTINGS
@given(_DAMAGED | st.text(max_size=200), st.booleans())
def test_repair_never_raises_replays_and_is_idempotent(text: str, cautious: bool) -> None:
    repairer = REPAIRERS[cautious]
    original = original_text(text)
    cleaned, debris, _ = clean_paragraph(text)
    repaired = repairer.repair(cleaned, debris)
    # Every fix, debris removal included, has offsets into the original; replaying gives the text.
    assert _replay(original, repaired.fixes) == repaired.text
    for flag in repaired.flags:
        assert original[flag.start : flag.end] == flag.span
    again = repairer.repair(repaired.text)
    assert again.text == repaired.text
    assert again.fixes == []
    assert [flag.rule for flag in again.flags] == [flag.rule for flag in repaired.flags]
    if cautious:
        assert all(fix.confidence == "certain" for fix in repaired.fixes)


@SETTINGS
@given(_DAMAGED)
def test_no_marker_survives_without_a_fix_or_a_flag(text: str) -> None:
    repaired = REPAIRERS[0].repair(text)
    ledger = Ledger(text, repaired.fixes)
    for match in re.finditer(
        NOT_AFTER_NUMBER + MARKER + r"\+0|/kloc-0/|锟斤拷|\ufffd", repaired.text, re.I
    ):
        start, end = ledger.original_span(match.start(), match.end())
        assert any(flag.start < end and flag.end > start for flag in repaired.flags), text
    assert not re.search("[０-９]", repaired.text)


_BASES = [
    "The call centre industry in China has grown quickly and now employs millions of people.",
    "电信客服行业近年来发展迅速，人才需求持续增长，一线城市的平均月薪约在三千到五千元之间。",
    "Team leaders coach new agents and review the quality of their calls every single week.",
    "Career prospects",
    "发展前景",
]


@st.composite
def _paragraph_text(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(_BASES))
    for _ in range(draw(st.integers(0, 2))):  # a few edits make near-duplicates
        position = draw(st.integers(0, len(text) - 1))
        text = text[:position] + draw(st.sampled_from("ax。5 ")) + text[position + 1 :]
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.lists(_paragraph_text(), min_size=1, max_size=6), min_size=1, max_size=5))
def test_dedup_keeps_or_lists_every_paragraph_and_points_at_what_stays(
    articles: list[list[str]],
) -> None:
    records = [
        Record(
            f"a{number}",
            f"a{number}.txt",
            None,
            None,
            "en",
            None,
            None,
            [
                Paragraph(index, "body", text, lang="zh" if "电" in text or "发" in text else "en")
                for index, text in enumerate(texts)
            ],
        )
        for number, texts in enumerate(articles)
    ]
    total = sum(len(texts) for texts in articles)
    kept, dropped = deduplicate(records, DedupConfig())
    kept_places = {(r.source, p.index) for r in kept for p in r.paragraphs}
    dropped_places = {(d.source, d.index): d for d in dropped}
    assert len(kept_places) + len(dropped_places) == total
    assert not kept_places & set(dropped_places)
    for item in dropped:
        assert item.duplicate_of is not None
        target = (item.duplicate_of["source"], item.duplicate_of["index"])
        assert target in kept_places or dropped_places[target].reason == "boilerplate"
    assert deduplicate(kept, DedupConfig())[1] == []  # deduplicating again drops nothing


_ACTIONS = st.sampled_from(["keep", "drop", "set_lang", "set_role", "set_title", "reject_repair"])


# Each example is two whole runs (jieba and the language profiles load in each): few examples.
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.lists(_paragraph_text(), min_size=1, max_size=5), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 10**6), _ACTIONS), max_size=8),
)
def test_with_any_decisions_every_paragraph_is_kept_or_listed_once(
    articles: list[list[str]], choices: list[tuple[int, str]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder)
        for number, texts in enumerate(articles):
            (raw / f"a{number}.txt").write_text("\n\n".join(texts) + "\n", "utf-8")
        first = run_pipeline(raw, Config())
        places = sorted(
            {(r.source, p.index, p.hash) for r in first.records for p in r.paragraphs}
            | {(d.source, d.index, d.hash) for d in first.dropped}
        )
        decisions = []
        seen = set()
        for pick, action in choices:
            source, index, digest = places[pick % len(places)]
            key = (source, index, "keep/drop" if action in ("keep", "drop") else action)
            if key in seen:
                continue
            seen.add(key)
            value = {"set_lang": "fr", "set_role": "advert", "set_title": None}.get(action)
            rule = "marker_65438" if action == "reject_repair" else None
            decisions.append(Decision(source, index, digest, action, value, rule))
        result = run_pipeline(raw, Config(), decisions=decision_set(decisions))
        written = [(r.source, p.index) for r in result.records for p in r.paragraphs]
        written += [(d.source, d.index) for d in result.dropped]
        assert sorted(written) == sorted((s, i) for s, i, _ in places)
        assert not any(outcome.stale for outcome in result.review)
        assert len(result.review) == len(decisions)
        files = render_outputs(result, Config())
        again = render_outputs(
            run_pipeline(raw, Config(), decisions=decision_set(decisions)), Config()
        )
        assert files == again


def test_the_width_table_agrees_with_unicodedata_on_every_bmp_character() -> None:
    from pipeline.text_width import display_width, slow_display_width

    every = "".join(chr(code) for code in range(0x10000))
    assert display_width(every) == slow_display_width(every)


@given(st.text(max_size=120))
def test_display_width_agrees_with_the_character_by_character_count(text: str) -> None:
    from pipeline.text_width import display_width, slow_display_width

    assert display_width(text) == slow_display_width(text)
