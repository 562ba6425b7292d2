"""Reading: file discovery, both paragraph styles, titles, headings, JSONL, debris, problems."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import write

from pipeline.config import Config, InputConfig, JsonlConfig
from pipeline.paragraphs import (
    classify_role,
    clean_paragraph,
    join_lines,
    split_paragraph_lines,
    split_paragraphs,
)
from pipeline.reading import discover, read_file

BLANK_STYLE = (
    "Career prospects\n\nThe call center has grown.\nIt keeps growing.\n\nSalaries rose.\n"
)
LINE_STYLE = "职业现状\n1.招聘需求情况:需求稳定增长。\n2.人才供给情况:来源广泛。\n发展前景\n"


def test_blank_line_style_splits_on_blank_lines_and_joins_wrapped_lines() -> None:
    assert split_paragraphs(BLANK_STYLE) == [
        "Career prospects",
        "The call center has grown. It keeps growing.",
        "Salaries rose.",
    ]


def test_line_style_splits_on_every_line() -> None:
    assert split_paragraphs(LINE_STYLE) == [
        "职业现状",
        "1.招聘需求情况:需求稳定增长。",
        "2.人才供给情况:来源广泛。",
        "发展前景",
    ]


def test_one_blank_line_after_the_title_does_not_merge_the_line_paragraphs() -> None:
    long_line = (
        "This paragraph is a full line of text that is longer than a hard wrap would be. " * 2
    )
    text = f"Title\n\n{long_line}\n{long_line}\n{long_line}\n"
    assert len(split_paragraphs(text)) == 4


def test_hard_wrapped_prose_with_blank_lines_is_unwrapped() -> None:
    wrapped = (
        "The call center has only a history of more than ten years in China,\n"
        "but it has created a myth that the output value is very large indeed.\n"
        "However, compared with the huge output value of Indian outsourcing,\n"
        "the industry is still immature.\n"
    )
    text = f"{wrapped}\n{wrapped}\n{wrapped}"
    paragraphs = split_paragraphs(text)
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The call center") and paragraphs[0].endswith("immature.")
    assert "China, but" in paragraphs[0]


def test_cjk_lines_are_joined_without_a_space() -> None:
    assert split_paragraphs("电信客服\n行业\n\n第二段\n\n第三段", "blank")[0] == "电信客服行业"


def test_split_mode_can_be_forced() -> None:
    assert len(split_paragraphs(BLANK_STYLE, "line")) == 4
    # Forced blank-line style still keeps apart the lines that are not wrapped text: a
    # heading, a list (one paragraph, an item a line) and another heading.
    assert split_paragraphs(LINE_STYLE, "blank") == [
        "职业现状",
        "1.招聘需求情况:需求稳定增长。\n2.人才供给情况:来源广泛。",
        "发展前景",
    ]


def test_newlines_of_every_kind_are_normalised() -> None:
    assert split_paragraphs("a\r\nb\rc\u2028d", "line") == ["a", "b", "c", "d"]
    assert split_paragraphs("a b\fc d", "blank") == ["a b", "c d"]


def test_debris_is_removed_and_recorded_with_offsets() -> None:
    text, fixes, _ = clean_paragraph("  电信\u200b客服\x07行业\u200b\u200b ")
    assert text == "电信客服行业"
    assert [(f.rule, f.before, f.start, f.end) for f in fixes] == [
        ("strip_debris", "\u200b", 2, 3),
        ("strip_debris", "\x07", 5, 6),
        ("strip_debris", "\u200b\u200b", 8, 10),
    ]
    # Replaying the fixes on the original (plain white space trimmed) gives the output text.
    original = "电信\u200b客服\x07行业\u200b\u200b"
    rebuilt, last = "", 0
    for fix in fixes:
        rebuilt += original[last : fix.start] + fix.after
        last = fix.end
    assert rebuilt + original[last:] == text


def test_debris_at_the_edges_is_recorded_with_the_space_around_it() -> None:
    text, fixes, _ = clean_paragraph("\ufeff\u200b Title here \x07")
    assert text == "Title here"
    assert [(f.before, f.start, f.end) for f in fixes] == [
        ("\ufeff\u200b ", 0, 3),
        (" \x07", 13, 15),
    ]


def test_zero_width_joiner_is_kept() -> None:
    assert clean_paragraph("a\u200db")[0] == "a\u200db"


def test_lines_of_only_debris_count_as_blank() -> None:
    assert split_paragraphs("One paragraph here.\n\u200b\nAnother one.\n\u200b \nThird.") == [
        "One paragraph here.",
        "Another one.",
        "Third.",
    ]


def test_txt_article_title_headings_and_body(raw_dir: Path, config: Config) -> None:
    write(raw_dir, "a.txt", BLANK_STYLE)
    item = read_file(raw_dir, "a.txt", config)
    (article,) = item.articles
    assert [(p.index, p.role) for p in article.paragraphs] == [
        (0, "title"),
        (1, "body"),
        (2, "body"),
    ]
    assert article.source == "a.txt" and article.article_id == "a"
    assert item.encoding == "utf-8" and item.sha256 and len(item.sha256) == 64


def test_long_first_line_is_not_a_title(raw_dir: Path, config: Config) -> None:
    write(raw_dir, "a.txt", "Long " * 40 + "\nShort heading\nA sentence that ends.\n")
    (article,) = read_file(raw_dir, "a.txt", config).articles
    assert [p.role for p in article.paragraphs] == ["body", "heading", "body"]


def test_headings_are_short_and_do_not_end_like_sentences(raw_dir: Path, config: Config) -> None:
    write(raw_dir, "zh.txt", "职业现状\n发展前景\n未来的职业发展趋势:\n薪资水平相对较低。\n")
    (article,) = read_file(raw_dir, "zh.txt", config).articles
    assert [p.role for p in article.paragraphs] == ["title", "heading", "heading", "body"]


def test_markdown_heading_markers_are_removed_and_recorded(raw_dir: Path, config: Config) -> None:
    write(raw_dir, "a.md", "# Careers\n\n## Career prospects\n\nThe work is good.\n")
    (article,) = read_file(raw_dir, "a.md", config).articles
    assert [(p.role, p.text) for p in article.paragraphs] == [
        ("title", "Careers"),
        ("heading", "Career prospects"),
        ("body", "The work is good."),
    ]
    assert article.paragraphs[1].fixes[0].before == "## "


def test_gb18030_and_big5_files(raw_dir: Path, config: Config) -> None:
    write(raw_dir, "gb.txt", "职业现状\n电信客服的薪资水平相对较低。\n", "gb18030")
    write(raw_dir, "b5.txt", "職業現狀\n電信客服的薪資水平相對較低。\n", "big5")
    gb = read_file(raw_dir, "gb.txt", config)
    b5 = read_file(raw_dir, "b5.txt", config)
    assert gb.encoding == "gb18030" and gb.articles[0].paragraphs[0].text == "职业现状"
    assert (
        b5.encoding == "big5"
        and b5.articles[0].paragraphs[1].text == "電信客服的薪資水平相對較低。"
    )
    assert not gb.problems and not b5.problems


def _jsonl(*objects: object) -> str:
    return "".join(
        (o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects
    )


def test_jsonl_articles_with_text_or_paragraphs(raw_dir: Path, config: Config) -> None:
    write(
        raw_dir,
        "batch.jsonl",
        _jsonl(
            {
                "id": "a1",
                "url": "https://x/1",
                "title": "发展前景",
                "paragraphs": ["第一段。", "", "第三段。"],
            },
            "",
            {"id": 7, "text": "Career prospects\n\nThe work is good.\n\nPay is fair."},
        ),
    )
    item = read_file(raw_dir, "batch.jsonl", config)
    first, second = item.articles
    assert (
        first.source == "batch.jsonl:1" and first.article_id == "a1" and first.url == "https://x/1"
    )
    # Index counts the title, and an empty list element keeps its place.
    assert [(p.index, p.role, p.text) for p in first.paragraphs] == [
        (0, "title", "发展前景"),
        (1, "body", "第一段。"),
        (3, "body", "第三段。"),
    ]
    assert second.source == "batch.jsonl:3" and second.article_id == "7"
    assert [p.role for p in second.paragraphs] == ["title", "body", "body"]
    assert first.key == "batch.jsonl#a1"


def test_jsonl_field_names_are_configurable(raw_dir: Path) -> None:
    config = replace(Config(), jsonl=JsonlConfig(text_field="body", title_field="headline"))
    write(raw_dir, "b.jsonl", _jsonl({"headline": "Title here", "body": "Some body text."}))
    (article,) = read_file(raw_dir, "b.jsonl", config).articles
    assert [p.text for p in article.paragraphs] == ["Title here", "Some body text."]


def test_bad_jsonl_lines_become_problems_and_the_rest_is_read(
    raw_dir: Path, config: Config
) -> None:
    write(
        raw_dir,
        "b.jsonl",
        _jsonl(
            "{not json",
            "[1, 2]",
            {"title": "no text"},
            {"paragraphs": "not a list"},
            {"text": "A good article. It has text."},
        ),
    )
    item = read_file(raw_dir, "b.jsonl", config)
    assert len(item.articles) == 1 and item.articles[0].source == "b.jsonl:5"
    assert [(p.line, p.kind, p.severity) for p in item.problems] == [
        (1, "invalid_json", "error"),
        (2, "invalid_json", "error"),
        (3, "missing_text", "error"),
        (4, "bad_field", "error"),
    ]


def test_duplicate_jsonl_ids_are_warned_and_keep_distinct_keys(
    raw_dir: Path, config: Config
) -> None:
    write(raw_dir, "d.jsonl", _jsonl({"id": "x", "text": "One."}, {"id": "x", "text": "Two."}))
    item = read_file(raw_dir, "d.jsonl", config)
    assert [a.key for a in item.articles] == ["d.jsonl#x", "d.jsonl:2"]
    assert [p.kind for p in item.problems] == ["duplicate_id"]


def test_unreadable_and_empty_files_are_problems(raw_dir: Path, config: Config) -> None:
    (raw_dir / "gone.txt").symlink_to(raw_dir / "missing-target.txt")
    write(raw_dir, "empty.txt", "\n \u200b\n")
    gone = read_file(raw_dir, "gone.txt", config)
    empty = read_file(raw_dir, "empty.txt", config)
    assert [(p.kind, p.severity) for p in gone.problems] == [("unreadable", "error")]
    assert "cannot read file" in gone.problems[0].reason
    assert [(p.kind, p.severity) for p in empty.problems] == [("empty", "warning")]


def test_undecodable_bytes_are_a_warning_and_the_text_is_kept(raw_dir: Path) -> None:
    config = replace(Config(), input=InputConfig(encoding="utf-8"))
    write(raw_dir, "bad.txt", b"Title\n\nGood text \xff here.\n")
    item = read_file(raw_dir, "bad.txt", config)
    assert [(p.kind, p.severity) for p in item.problems] == [("undecodable_bytes", "warning")]
    assert item.articles[0].paragraphs[1].text == "Good text \ufffd here."


def test_discover_sorts_filters_and_skips_hidden(raw_dir: Path) -> None:
    for name in ["b.txt", "a/z.jsonl", "a/y.md", "notes.pdf", ".hidden.txt", ".git/x.txt"]:
        write(raw_dir, name, "x")
    wanted, ignored, problems = discover(raw_dir, (".txt", ".md", ".jsonl"))
    assert wanted == ["a/y.md", "a/z.jsonl", "b.txt"]
    assert ignored == ["notes.pdf"]
    assert problems == []


def test_markdown_uses_blank_lines_and_headings_stand_alone(raw_dir: Path, config: Config) -> None:
    write(
        raw_dir,
        "a.md",
        "# Careers\n## Outlook\nThe call center industry is growing and\nwill keep growing.\n\n"
        "## Pay\nSalaries rose.\n",
    )
    (article,) = read_file(raw_dir, "a.md", config).articles
    assert [(p.role, p.text) for p in article.paragraphs] == [
        ("title", "Careers"),
        ("heading", "Outlook"),
        ("body", "The call center industry is growing and will keep growing."),
        ("heading", "Pay"),
        ("body", "Salaries rose."),
    ]


@pytest.mark.parametrize("text", ["他说：“你好。”", 'He said "Yes."', "（完成了。）"])
def test_sentences_ending_in_closing_quotes_are_body(text: str, config: Config) -> None:
    assert classify_role(text, config.input) == "body"


def test_korean_lines_are_joined_with_a_space() -> None:
    assert join_lines(["안녕하세요 여러분", "반갑습니다"]) == "안녕하세요 여러분 반갑습니다"


def test_a_breadcrumb_a_title_and_the_first_line_on_consecutive_lines_are_three_paragraphs() -> (
    None
):
    text = (
        "Current location - Training Network - Mathematics courses - What is the full score?\n"
        "What is the full score?\n"
        "The score of the Hunan college entrance examination is 750. The full marks of Chinese, "
        "mathematics and foreign languages are 150 respectively.\n\n"
        "Since 2016, Hunan Province has used the national paper.\n"
    )
    assert [line for line, _ in split_paragraph_lines(text)] == [1, 2, 3, 5]


def test_a_short_line_before_wrapped_text_in_one_block_is_a_paragraph_of_its_own() -> None:
    wrapped = (
        "Career prospects\n"
        "The call center has only a history of more than ten years in China, but it has\n"
        "created a myth that the output value is nearly 100 billion. However, compared\n"
        "with the huge output value of Indian outsourcing, it is still immature.\n\n"
        "Salaries rose.\n"
    )
    assert split_paragraphs(wrapped, "blank") == [
        "Career prospects",
        "The call center has only a history of more than ten years in China, but it has created "
        "a myth that the output value is nearly 100 billion. However, compared with the huge "
        "output value of Indian outsourcing, it is still immature.",
        "Salaries rose.",
    ]


def test_tables_and_lists_are_one_paragraph_with_their_rows_and_items_on_lines() -> None:
    text = "Pay\n\n| Rank | Pay |\n|---|---|\n| Clerk | 3000 |\n\n- one item\n- two\n  items\n"
    assert split_paragraphs(text, "blank") == [
        "Pay",
        "| Rank | Pay |\n|---|---|\n| Clerk | 3000 |",
        "- one item\n- two items",
    ]
    lines = "Pay\n| Rank | Pay |\n|---|---|\n| Clerk | 3000 |\nMore text.\n"
    assert split_paragraphs(lines, "line") == [
        "Pay",
        "| Rank | Pay |\n|---|---|\n| Clerk | 3000 |",
        "More text.",
    ]


def test_the_manifest_names_each_files_encoding_with_its_confidence(tmp_path: Path) -> None:
    from pipeline.output import render_outputs
    from pipeline.runner import run_pipeline

    (tmp_path / "latin.txt").write_bytes("Le métier\n\nTrès bien payé.\n".encode("latin-1"))
    (tmp_path / "stray.txt").write_bytes("Le métier\n\nconseiller".encode() + b"\xff\n")
    config = Config()
    manifest = json.loads(render_outputs(run_pipeline(tmp_path, config), config)["manifest.json"])
    entries = {entry["path"]: entry for entry in manifest["inputs"]}
    assert (entries["latin.txt"]["encoding"], entries["latin.txt"]["encoding_confidence"]) == (
        "cp1252",
        1.0,
    )
    assert (entries["stray.txt"]["encoding"], entries["stray.txt"]["encoding_confidence"]) == (
        "utf-8",
        0.5,
    )
