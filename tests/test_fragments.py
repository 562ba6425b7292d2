"""Pre-rendered pieces put together give exactly the line the full record renders to."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.fragments import (
    _code_json,
    _tokens_json,
    dropped_line,
    full_dropped,
    full_record,
    paragraph_json,
    paragraph_pieces,
    record_line,
    record_pieces,
)
from pipeline.records import (
    AppliedDecision,
    Fix,
    Flag,
    Paragraph,
    Record,
    dropped_from,
    to_json,
    to_json_line,
)
from pipeline.tokens import Tokens, pack_tokens

# Text with what JSON and the writer escape: quotes, backslashes, control characters, lone
# surrogates, NEL, LS and PS, and Chinese.
TEXT = st.text(
    st.sampled_from(['"', "\\", "\n", "\x00", "\ud800", "\x85", "\u2028", "\u2029", "a", "中", " "])
    | st.characters(),
    max_size=12,
)
OPTIONAL = st.none() | TEXT
ROLES = st.sampled_from(["title", "heading", "body", "breadcrumb", "advert", "boilerplate"])
FIXES = st.lists(
    st.builds(
        Fix,
        TEXT,
        TEXT,
        TEXT,
        st.integers(0, 99),
        st.integers(0, 99),
        st.sampled_from(["certain", "probable"]),
    ),
    max_size=2,
)
FLAGS = st.lists(
    st.builds(
        Flag,
        TEXT,
        TEXT,
        st.integers(0, 9),
        st.integers(0, 9),
        TEXT,
        st.tuples(TEXT) | st.just(()),
    ),
    max_size=2,
)
DECISIONS = st.lists(
    st.builds(AppliedDecision, TEXT, OPTIONAL, OPTIONAL, st.integers(0, 9), TEXT), max_size=2
)
TOKENS = st.none() | st.lists(
    st.text(st.sampled_from('中文a b\\"'), min_size=1, max_size=3) | TEXT, max_size=4
)


@st.composite
def paragraphs(draw: st.DrawFn, index: int) -> Paragraph:
    tokens = draw(TOKENS)
    return Paragraph(
        index,
        line=draw(st.none() | st.integers(1, 999)),
        hash=draw(st.sampled_from(["", "0badf00d"])),
        role=draw(ROLES),
        text=draw(TEXT),
        lang=draw(st.sampled_from(["en", "zh", "mixed", "und"])),
        script=draw(st.none() | st.sampled_from(["Hans", "Hant"])),
        tokens=None if tokens is None else pack_tokens(tokens),
        fixes=draw(FIXES),
        flags=draw(FLAGS),
        evidence=draw(st.lists(TEXT, max_size=2)),
        decisions=draw(DECISIONS),
    )


@st.composite
def records(draw: st.DrawFn) -> Record:
    count = draw(st.integers(0, 3))
    return Record(
        id=draw(TEXT),
        source=draw(TEXT),
        article_id=draw(OPTIONAL),
        url=draw(OPTIONAL),
        lang=draw(st.sampled_from(["en", "zh", "other"])),
        script=draw(st.none() | st.just("Hans")),
        title=draw(OPTIONAL),
        paragraphs=[draw(paragraphs(index)) for index in range(count)],
    )


@settings(max_examples=300, deadline=None)
@given(records(), st.data())
def test_the_pieces_with_the_stages_changes_render_as_the_full_record(
    record: Record, data: st.DataObject
) -> None:
    pieces = record_pieces(record)  # made before the stages change anything
    # What the corpus stages may change: roles, evidence, decisions, the title, which stay.
    kept = [p for p in record.paragraphs if data.draw(st.booleans())]
    lines = []
    for paragraph, paragraph_pieces_ in zip(record.paragraphs, pieces.paragraphs, strict=True):
        if paragraph not in kept:
            continue
        paragraph.role = data.draw(ROLES)
        paragraph.evidence = data.draw(st.lists(TEXT, max_size=2))
        paragraph.decisions = data.draw(DECISIONS)
        lines.append(
            paragraph_json(
                paragraph_pieces_, paragraph.role, paragraph.evidence, paragraph.decisions
            )
        )
    record.paragraphs, record.title = kept, data.draw(OPTIONAL)
    line = record_line(pieces, record.title, lines)
    assert line == to_json_line(record)
    assert to_json_line(full_record(line)) == line


# What a dropped entry can repeat: nothing, a paragraph (source and index, as dedup writes it),
# or another dict (as an entry given from outside could hold).
DUPLICATE_OF = (
    st.none()
    | st.builds(lambda source, index: {"source": source, "index": index}, TEXT, st.integers())
    | st.dictionaries(st.sampled_from(["index", "source", "x"]), st.integers() | TEXT)
)


@settings(max_examples=300, deadline=None)
@given(
    paragraphs(3),
    TEXT,
    st.sampled_from(["exact_duplicate", "near_duplicate", "advert"]) | TEXT,
    DUPLICATE_OF,
    st.none() | st.floats(0, 100) | st.floats() | st.integers(0, 100),
    st.none() | st.lists(TEXT, max_size=2),
)
def test_a_dropped_line_from_pieces_is_the_full_entry(
    paragraph: Paragraph,
    source: str,
    reason: str,
    duplicate_of: dict[str, object] | None,
    similarity: float | None,
    evidence: list[str] | None,
) -> None:
    pieces = paragraph_pieces(paragraph)
    entry = dropped_from(source, paragraph, reason, duplicate_of, similarity, evidence)
    light = replace(entry, text="", fixes=[], flags=[])  # as a stub gives it
    assert dropped_line(light, pieces) == to_json_line(entry)
    assert full_dropped(light, pieces) == entry


# Tokens with what the one-string rendering of packed tokens must get right: escapes that end
# like the separator's (\u001e, \u001f written out), lone surrogates, NEL, LS, PS, empty tokens.
_TOKEN_TEXT = st.lists(
    st.sampled_from(["\x1e", "\x01", "u001f", "\\", '"', "\ud800", "\x85", "\u2028", "中", "a"])
    | st.characters(blacklist_characters="\x1f"),
    max_size=6,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_TOKEN_TEXT, max_size=6))
def test_packed_tokens_are_written_as_their_list_is(tokens: list[str]) -> None:
    packed = Tokens(tokens)
    assert _tokens_json(packed) == to_json(tokens)


@given(OPTIONAL | st.sampled_from(["en", "zh", "Hans", "zh-tw", "0a1b2c3d", "", "ＡＢ", "é"]))
def test_codes_are_written_as_the_encoder_writes_them(code: str | None) -> None:
    assert _code_json(code) == to_json(code)
