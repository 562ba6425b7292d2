"""The JSON form of the record model: the hand-written converters give exactly what
``dataclasses.asdict`` gives, field for field, so the fast path cannot drift from the model."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import (
    AppliedDecision,
    Fix,
    Flag,
    Paragraph,
    Record,
    dropped_data,
    dropped_from,
    paragraph_data,
    record_data,
    to_json_line,
)


def _paragraph() -> Paragraph:
    return Paragraph(
        3,
        line=7,
        hash="0badcafe",
        role="heading",
        text="职业 2010",
        lang="mixed",
        script="Hans",
        tokens=["职业", " ", "2010"],
        fixes=[Fix("split_year", "20 10", "2010", 3, 8, "probable")],
        flags=[Flag("split_number", "1 16", 0, 4, "why", ("116", "1 16"))],
        evidence=["a line"],
        decisions=[AppliedDecision("set_lang", "zh", None, 2, "applied")],
    )


def test_every_field_is_converted_in_field_order() -> None:
    paragraph = _paragraph()
    record = Record("0123456789abcdef", "a.txt", "a", "https://x", "zh", "Hans", "T", [paragraph])
    dropped = dropped_from("a.txt", paragraph, "near_duplicate", {"source": "b", "index": 1}, 91.5)
    assert list(paragraph_data(paragraph)) == [f.name for f in fields(paragraph)]
    assert list(record_data(record)) == [f.name for f in fields(record)]
    assert list(dropped_data(dropped)) == [f.name for f in fields(dropped)]
    for fast, slow in (
        (record_data(record), asdict(record)),
        (dropped_data(dropped), asdict(dropped)),
    ):
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)
    assert to_json_line(record) == json.dumps(asdict(record), ensure_ascii=False) + "\n"


def test_packed_tokens_read_as_the_list_they_hold() -> None:
    import pickle

    from pipeline.tokens import Tokens, pack_tokens

    items = ["电信", "客服", " ", "KPI", ""]
    tokens = pack_tokens(items)
    assert isinstance(tokens, Tokens)
    assert list(tokens) == items and tokens == items and len(tokens) == 5
    assert tokens[1] == "客服" and tokens[-2:] == ["KPI", ""]
    assert pickle.loads(pickle.dumps(tokens)) == tokens
    assert pack_tokens([]) == [] and len(pack_tokens([])) == 0
    assert pack_tokens(["a\x1fb"]) == ["a\x1fb"]  # holds the separator: kept as a list
    paragraph = _paragraph()
    paragraph.tokens = pack_tokens(["职业", " ", "2010"])
    assert paragraph_data(paragraph)["tokens"] == ["职业", " ", "2010"]


def test_a_paragraph_with_packed_tokens_serialises() -> None:
    from pipeline.tokens import pack_tokens

    paragraph = _paragraph()
    paragraph.tokens = pack_tokens(["职业", " ", "2010"])
    assert json.loads(to_json_line(paragraph))["tokens"] == ["职业", " ", "2010"]
    assert pack_tokens(["a"]) != ("a",)  # equal to the list it holds, as a list would be


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(st.sampled_from(["a", "职", " ", "\x1f", "\x1e"]), max_size=4)))
def test_tokens_are_packed_unless_one_holds_the_separator(items: list[str]) -> None:
    from pipeline.tokens import Tokens

    if any(Tokens.SEPARATOR in token for token in items):
        with pytest.raises(ValueError, match="separator"):
            Tokens(items)
    else:
        tokens = Tokens(items)
        assert list(tokens) == items and len(tokens) == len(items)
