"""Editors' decisions (review.toml): reading and checking the file, and what each kind of
decision does to the next run's output."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import write

from pipeline.cli import main
from pipeline.review.decisions import ReviewError, decision_snippet, parse_decisions

SHARED = "The call center industry is growing fast and needs many trained agents every single year."
ARTICLE_A = (
    f"Career prospects in call centres\n\n{SHARED}\n\nAgents earn about 3,000 yuan a month.\n"
)
ARTICLE_B = (
    "Why call centres hire\n\nMost agents start straight after school.\n\n"
    f"{SHARED}\n\nThe market size is 654.38+000 billion yuan.\n"
)


def sha8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run(raw: Path, *extra: str) -> tuple[int, str]:
    code, _, err = invoke("run", str(raw), "--out", "cleaned", "-q", *extra)
    return code, err


def paragraphs() -> list[tuple[str, str, dict[str, Any]]]:
    """Every paragraph written: (file, source, paragraph or dropped entry)."""
    found = []
    for name in ("en.jsonl", "zh.jsonl", "other.jsonl"):
        for line in Path("cleaned", name).read_text("utf-8").splitlines():
            record = json.loads(line)
            found += [(name, record["source"], p) for p in record["paragraphs"]]
    for line in Path("cleaned/dropped.jsonl").read_text("utf-8").splitlines():
        item = json.loads(line)
        found.append(("dropped.jsonl", item["source"], item))
    return found


def where(source: str, index: int) -> tuple[str, dict[str, Any]]:
    matches = [(name, p) for name, s, p in paragraphs() if s == source and p["index"] == index]
    assert len(matches) == 1, matches
    return matches[0]


def decide(**fields: Any) -> None:
    """Append one decision to review.toml in the working directory."""
    lines = ["[[decision]]"]
    for key, value in fields.items():
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    with Path("review.toml").open("a", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n\n")


def manifest_review() -> dict[str, Any]:
    review: dict[str, Any] = json.loads(Path("cleaned/manifest.json").read_text("utf-8"))["review"]
    return review


@pytest.fixture
def corpus(raw_dir: Path) -> Path:
    write(raw_dir, "a.txt", ARTICLE_A)
    write(raw_dir, "b.txt", ARTICLE_B)
    assert run(raw_dir) == (0, "")
    return raw_dir


# --- reading the file -------------------------------------------------------------------------


def test_a_valid_file_gives_its_decisions_in_order() -> None:
    data = (
        b'[[decision]]\nsource = "a.txt"\nindex = 2\nhash = "9F2C1E07"\naction = "keep"\n\n'
        b'[[decision]]\nsource = "b.txt"\nindex = 0\nhash = "00000000"\naction = "set_lang"\n'
        b'value = "fr"\nnote = "French, whatever langdetect says"\n'
    )
    decisions = parse_decisions(data).decisions
    assert [(d.source, d.index, d.hash, d.action, d.value, d.line) for d in decisions] == [
        ("a.txt", 2, "9f2c1e07", "keep", None, 1),
        ("b.txt", 0, "00000000", "set_lang", "fr", 7),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[[decision]]\nsource = "a.txt"\nindex = = 2\n', 3, "not valid TOML"),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "keep"\n'
            'colour = "red"\n',
            6,
            "unknown field 'colour'",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "set_lang"\n',
            1,
            "needs a 'value'",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "xyz"\naction = "keep"\n',
            4,
            "8 hex digits",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = -1\nhash = "0000000a"\naction = "keep"\n',
            3,
            "whole number",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "burn"\n',
            5,
            "unknown action 'burn'",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\n'
            'action = "reject_repair"\n',
            1,
            "needs the 'rule'",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "set_role"\n'
            'value = "title"\n',
            6,
            "use set_title",
        ),
        (
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "keep"\n\n'
            '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "drop"\n',
            7,
            "first is at line 1",
        ),
        ('[review]\nfile = "x"\n', 1, "unknown table or key 'review'"),
    ],
)
def test_a_bad_file_is_an_error_naming_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ReviewError) as caught:
        parse_decisions(text.encode(), "review.toml")
    assert str(caught.value).startswith(f"review.toml:{line}: "), caught.value
    assert message in str(caught.value)


def test_a_byte_order_mark_is_allowed() -> None:
    data = '\ufeff[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\naction = "keep"\n'
    assert len(parse_decisions(data.encode()).decisions) == 1


def test_reject_repair_of_an_unknown_rule_is_an_error_when_the_rules_are_known() -> None:
    data = (
        b'[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0000000a"\n'
        b'action = "reject_repair"\nrule = "no_such_rule"\n'
    )
    with pytest.raises(ReviewError, match=r"review\.toml:6: unknown rule 'no_such_rule'"):
        parse_decisions(data, rules={"split_year", "strip_debris"})
    assert parse_decisions(data).decisions[0].rule == "no_such_rule"  # rules not known: taken


def test_a_file_that_is_not_utf8_is_an_error() -> None:
    with pytest.raises(ReviewError, match=r"review.toml:2: not UTF-8"):
        parse_decisions(b'# ok\nsource = "\xff"\n')


def test_a_bad_review_file_is_a_usage_error_exit_2(corpus: Path) -> None:
    Path("review.toml").write_text(
        '[[decision]]\nsource = "a.txt"\nindex = 1\nhash = "0"\nmood = 1\n'
    )
    code, _, err = invoke("run", str(corpus), "--out", "cleaned", "-q")
    assert code == 2
    assert err.startswith("Error: review.toml:5: unknown field 'mood'")


def test_a_missing_review_file_named_on_the_command_line_is_a_usage_error(corpus: Path) -> None:
    code, _, err = invoke("run", str(corpus), "--out", "cleaned", "--review", "nope.toml")
    assert code == 2 and "nope.toml" in err


def test_the_snippet_the_report_copies_reads_back_as_the_same_decision() -> None:
    text = decision_snippet('odd "name"\\.txt', 3, "0badcafe", "accept_candidate", value="1\t2")
    (decision,) = parse_decisions(text.encode()).decisions
    assert (decision.source, decision.index, decision.hash, decision.action, decision.value) == (
        'odd "name"\\.txt',
        3,
        "0badcafe",
        "accept_candidate",
        "1\t2",
    )


# --- what each decision does ------------------------------------------------------------------


def test_hashes_in_the_output_are_of_the_original_text(corpus: Path) -> None:
    _, repaired = where("b.txt", 3)
    assert repaired["text"] == "The market size is 100 billion yuan."
    assert repaired["hash"] == sha8("The market size is 654.38+000 billion yuan.")


def test_keep_brings_back_a_dropped_duplicate(corpus: Path) -> None:
    name, dropped = where("b.txt", 2)
    assert name == "dropped.jsonl" and dropped["reason"] == "exact_duplicate"
    decide(source="b.txt", index=2, hash=dropped["hash"], action="keep")
    assert run(corpus) == (0, "")
    name, kept = where("b.txt", 2)
    assert name == "en.jsonl" and kept["text"] == SHARED
    assert kept["decisions"][0]["action"] == "keep"
    assert (
        "kept although an exact duplicate of a.txt paragraph 1" in kept["decisions"][0]["outcome"]
    )
    assert manifest_review()["applied"] == 1
    assert invoke("check", str(corpus), "--out", "cleaned", "-q")[0] == 0


def test_keep_of_furniture_keeps_it_with_its_kind_as_role(raw_dir: Path) -> None:
    write(raw_dir, "c.txt", "Home > Careers > Call centres\n\nCall centre jobs\n\n" + SHARED + "\n")
    run(raw_dir)
    name, crumb = where("c.txt", 0)
    assert name == "dropped.jsonl" and crumb["reason"] == "breadcrumb"
    decide(source="c.txt", index=0, hash=crumb["hash"], action="keep")
    run(raw_dir)
    name, kept = where("c.txt", 0)
    assert name == "en.jsonl" and kept["role"] == "breadcrumb"


def test_drop_removes_a_kept_paragraph_and_says_an_editor_did(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="drop", note="outdated")
    run(corpus)
    name, dropped = where("a.txt", 2)
    assert name == "dropped.jsonl" and dropped["reason"] == "editor"
    assert dropped["decisions"][0]["outcome"] == "applied"


def test_drop_of_the_first_copy_keeps_the_next_one(corpus: Path) -> None:
    _, first = where("a.txt", 1)
    decide(source="a.txt", index=1, hash=first["hash"], action="drop")
    run(corpus)
    assert where("a.txt", 1)[0] == "dropped.jsonl"
    assert where("b.txt", 2)[0] == "en.jsonl", "content that merely recurs is never lost"


def test_reject_repair_restores_the_original_and_leaves_it_flagged(corpus: Path) -> None:
    _, repaired = where("b.txt", 3)
    decide(
        source="b.txt", index=3, hash=repaired["hash"], action="reject_repair", rule="marker_65438"
    )
    run(corpus)
    _, paragraph = where("b.txt", 3)
    assert paragraph["text"] == "The market size is 654.38+000 billion yuan."
    assert paragraph["fixes"] == []
    assert paragraph["flags"], "the marker is still there: the guard flags it"
    assert paragraph["decisions"][0]["outcome"] == "applied"


def test_reject_repair_of_a_rule_that_did_nothing_has_no_effect(corpus: Path) -> None:
    _, repaired = where("b.txt", 3)
    decide(
        source="b.txt", index=3, hash=repaired["hash"], action="reject_repair", rule="split_year"
    )
    code, err = run(corpus)
    assert code == 0 and "no repair by split_year" in err
    assert where("b.txt", 3)[1]["text"] == "The market size is 100 billion yuan."


def test_accept_candidate_applies_the_editors_choice(raw_dir: Path) -> None:
    write(raw_dir, "s.txt", "Salaries\n\nA senior agent can reach 8-65,438+10,000/year.\n")
    run(raw_dir, "--fix-level", "certain")
    _, flagged = where("s.txt", 1)
    assert flagged["flags"][0]["candidates"] == ["80,000-100,000"]
    decide(
        source="s.txt",
        index=1,
        hash=flagged["hash"],
        action="accept_candidate",
        value="80,000-100,000",
    )
    run(raw_dir, "--fix-level", "certain")
    _, paragraph = where("s.txt", 1)
    assert paragraph["text"] == "A senior agent can reach 80,000-100,000/year."
    assert paragraph["flags"] == []
    assert [(f["rule"], f["before"], f["after"]) for f in paragraph["fixes"]] == [
        ("review", "8-65,438+10,000", "80,000-100,000")
    ]


def test_accept_of_a_value_no_flag_proposes_has_no_effect(raw_dir: Path) -> None:
    write(raw_dir, "s.txt", "Salaries\n\nA senior agent can reach 8-65,438+10,000/year.\n")
    run(raw_dir, "--fix-level", "certain")
    _, flagged = where("s.txt", 1)
    decide(source="s.txt", index=1, hash=flagged["hash"], action="accept_candidate", value="9")
    _, err = run(raw_dir, "--fix-level", "certain")
    assert "no flag in this paragraph proposes '9'" in err
    assert where("s.txt", 1)[1]["text"] == flagged["text"]


def test_set_lang_moves_the_paragraph_to_that_languages_record(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="set_lang", value="fr")
    run(corpus)
    name, paragraph = where("a.txt", 2)
    assert name == "other.jsonl" and paragraph["lang"] == "fr"


def test_set_lang_zh_segments_the_paragraph(raw_dir: Path) -> None:
    write(raw_dir, "m.txt", "Title here\n\n电信客服 KPI 考核\n")
    run(raw_dir)
    _, paragraph = where("m.txt", 1)
    decide(source="m.txt", index=1, hash=paragraph["hash"], action="set_lang", value="zh")
    run(raw_dir)
    name, paragraph = where("m.txt", 1)
    assert name == "zh.jsonl" and paragraph["lang"] == "zh"
    assert "".join(paragraph["tokens"]) == paragraph["text"]


def test_set_role_to_furniture_drops_it_as_that_kind(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="set_role", value="advert")
    run(corpus)
    name, dropped = where("a.txt", 2)
    assert name == "dropped.jsonl" and dropped["reason"] == "advert"
    assert dropped["evidence"] == ["set by an editor"]


def test_set_role_heading(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="set_role", value="heading")
    run(corpus)
    assert where("a.txt", 2)[1]["role"] == "heading"


def test_set_title_makes_the_paragraph_the_title_and_can_give_its_text(corpus: Path) -> None:
    _, body = where("b.txt", 1)
    decide(
        source="b.txt",
        index=1,
        hash=body["hash"],
        action="set_title",
        value="Who call centres hire",
    )
    run(corpus)
    record = json.loads(Path("cleaned/en.jsonl").read_text("utf-8").splitlines()[1])
    assert record["source"] == "b.txt"
    assert record["title"] == "Who call centres hire"
    roles = {p["index"]: p["role"] for p in record["paragraphs"]}
    assert roles[1] == "title" and roles[0] == "heading"
    assert where("b.txt", 1)[1]["text"] == "Most agents start straight after school."


def test_a_stale_decision_is_reported_and_applied_to_nothing(corpus: Path) -> None:
    before = {name: Path("cleaned", name).read_bytes() for name in ("en.jsonl", "dropped.jsonl")}
    decide(source="a.txt", index=2, hash="deadbeef", action="drop")
    code, err = run(corpus)
    assert code == 0
    assert err.startswith(
        "review.toml:1: warning: drop decision for a.txt paragraph 2 (deadbeef): stale"
    )
    assert {name: Path("cleaned", name).read_bytes() for name in before} == before
    assert manifest_review()["stale"] == 1


def test_a_decision_follows_its_paragraph_when_the_page_shifts(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="drop")
    write(
        corpus,
        "a.txt",
        ARTICLE_A.replace("\n\n", "\n\nA new opening line for the re-scrape.\n\n", 1),
    )
    run(corpus)
    name, dropped = where("a.txt", 3)
    assert name == "dropped.jsonl" and dropped["reason"] == "editor"
    assert dropped["decisions"][0]["outcome"] == "applied (the paragraph is now at index 3)"


def test_a_decision_about_repeated_text_that_moved_is_stale_not_guessed(raw_dir: Path) -> None:
    text = "Title\n\nIntro line here.\n\nRepeat me.\n\nMiddle.\n\nRepeat me.\n"
    write(raw_dir, "r.txt", text)
    run(raw_dir)
    _, second = where("r.txt", 4)
    decide(source="r.txt", index=4, hash=second["hash"], action="keep")
    write(raw_dir, "r.txt", text.replace("Intro line here.", "New.\n\nIntro line here."))
    code, err = run(raw_dir)
    assert code == 0 and "stale" in err
    assert all(not p["decisions"] for _, s, p in paragraphs() if s == "r.txt")


def test_keep_of_a_moved_duplicate_says_where_it_is_now(corpus: Path) -> None:
    _, dropped = where("b.txt", 2)
    decide(source="b.txt", index=2, hash=dropped["hash"], action="keep")
    write(corpus, "b.txt", ARTICLE_B.replace("\n\n", "\n\nA new line.\n\n", 1))
    run(corpus)
    name, kept = where("b.txt", 3)
    assert name == "en.jsonl"
    assert kept["decisions"][0]["outcome"].endswith("(the paragraph is now at index 3)")


def test_the_summary_counts_drops_by_editors(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="drop")
    _, out, _ = invoke("run", str(corpus), "--out", "cleaned")
    assert "1 by editors" in out and "review      1 decision(s): 1 applied" in out


def test_decisions_take_effect_with_the_index_and_undo_when_removed(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    first = Path("cleaned/en.jsonl").read_bytes()
    decide(source="a.txt", index=2, hash=salary["hash"], action="set_lang", value="fr")
    run(corpus)  # a.txt is unchanged but its decisions are new: processed again
    assert where("a.txt", 2)[0] == "other.jsonl"
    Path("review.toml").unlink()
    run(corpus)
    assert Path("cleaned/en.jsonl").read_bytes() == first


def test_decisions_give_the_same_output_with_any_number_of_jobs(corpus: Path) -> None:
    _, salary = where("a.txt", 2)
    decide(source="a.txt", index=2, hash=salary["hash"], action="drop")
    run(corpus, "--no-index", "-j", "1")
    one = {
        n: Path("cleaned", n).read_bytes() for n in ("en.jsonl", "dropped.jsonl", "manifest.json")
    }
    run(corpus, "--no-index", "-j", "2")
    two = {n: Path("cleaned", n).read_bytes() for n in one}
    assert one == two


def test_reject_repair_of_an_unknown_rule_is_a_usage_error(corpus: Path) -> None:
    decide(source="b.txt", index=3, hash="00000000", action="reject_repair", rule="no_such_rule")
    code, _, err = invoke("run", str(corpus), "--out", "cleaned", "-q")
    assert code == 2 and "review.toml:6: unknown rule 'no_such_rule'" in err


def test_a_review_file_with_a_syntax_error_is_exit_2_naming_the_line(corpus: Path) -> None:
    Path("review.toml").write_text('[[decision]]\nsource = "a.txt"\nindex = = 1\n', "utf-8")
    code, _, err = invoke("check", str(corpus), "--out", "cleaned")
    assert code == 2 and err.startswith("Error: review.toml:3: not valid TOML")


def test_a_decision_about_a_file_no_longer_in_raw_dir_leaves_it_in_and_is_stale(
    corpus: Path,
) -> None:
    """A remembered file (in the index, gone from RAW_DIR) cannot be processed again: its
    records stay as they were, and a new decision about it is reported, not half-applied."""
    before = where("a.txt", 2)
    (corpus / "a.txt").rename(corpus.parent / "a.txt.away")
    decide(source="a.txt", index=2, hash=before[1]["hash"], action="drop")
    code, err = run(corpus)
    assert code == 0 and "stale" in err
    assert where("a.txt", 2)[0] == "en.jsonl"
