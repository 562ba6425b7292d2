"""The review views: the report model read back from an output folder, the HTML report (its
data, escaping and policy) and `pipeline show` (golden files of its plain output)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, write

from pipeline.cli import main
from pipeline.review.charts import bar_chart
from pipeline.review.html import packed_json, render_report, report_data, unpacked_json
from pipeline.review.model import find_articles, load_model, paragraph_anchor

GOLDEN = Path(__file__).parent / "golden"
SHOW_CASES = [
    ("repairs", "mt_forms.txt", 80),
    ("dedup", "raw/b_second.txt", 80),
    ("bilingual", "career.txt", 60),
    ("jsonl_langs", "batch.jsonl:3", 40),
]
HOSTILE = (
    "<script>window.pwned = 1; alert('x')</script> and <img src=x onerror=\"window.pwned=2\">\n\n"
    "A </textarea><b>bold</b> close, a [link](javascript:window.pwned=3) and {{template}} text.\n\n"
    "</script><script>window.pwned = 4</script> -- &amp; &lt; \u2028 end.\n"
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def sha8(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


@pytest.mark.parametrize(
    "case", sorted(p.name for p in GOLDEN.iterdir() if (p / "expected").is_dir())
)
def test_the_model_gives_back_every_paragraphs_original_text(case: str) -> None:
    """The original text the review shows is the one the paragraph's hash was taken of."""
    model = load_model(GOLDEN / case / "expected")
    paragraphs = [p for article in model.articles for p in article.paragraphs]
    assert paragraphs
    for paragraph in paragraphs:
        assert sha8(paragraph.original) == paragraph.hash, (case, paragraph.index)


def test_the_model_orders_articles_most_changed_first() -> None:
    model = load_model(GOLDEN / "dedup" / "expected")
    changes = [article.changes for article in model.articles]
    assert changes == sorted(changes, reverse=True)
    assert all(
        [p.index for p in article.paragraphs] == sorted(p.index for p in article.paragraphs)
        for article in model.articles
    )


def test_segments_put_repairs_and_flags_in_their_place() -> None:
    model = load_model(GOLDEN / "repairs" / "expected")
    (article,) = find_articles(model, "mt_forms.txt")
    paragraph = article.paragraphs[1]
    kinds = [(s.kind, s.text, s.after) for s in paragraph.segments()]
    assert kinds[0] == ("text", 'Fuzhou University is a national "', "")
    assert kinds[1] == ("fix", "2 1 1", "211")
    assert ("flag", "1 16", "") in kinds
    assert "".join(s.text for s in paragraph.segments()) == paragraph.original


def test_find_articles_takes_the_raw_path_or_the_source() -> None:
    model = load_model(GOLDEN / "jsonl_langs" / "expected")
    assert [a.source for a in find_articles(model, "raw/batch.jsonl")] == [
        "batch.jsonl:1",
        "batch.jsonl:2",
        "batch.jsonl:3",
        "batch.jsonl:4",
    ][: len(find_articles(model, "batch.jsonl"))]
    assert [a.source for a in find_articles(model, "/any/where/batch.jsonl:3")] == ["batch.jsonl:3"]
    assert find_articles(model, "batch.jsonl:99") == []


def test_summary_rows_hold_what_changed_and_what_others_matched() -> None:
    model = load_model(GOLDEN / "dedup" / "expected")
    data = report_data(model, full=0)
    by_source = {article["src"]: article for article in data["articles"]}
    first = by_source["a_first.txt"]
    assert not first["full"]
    shown = {p["i"] for p in first["p"]}
    referenced = {
        p["m"][2]
        for article in data["articles"]
        for p in article["p"]
        if "m" in p and p["m"][1] == "a_first.txt"
    }
    changed = {p.index for p in model.find("a_first.txt").paragraphs if p.dropped or p.fixes}
    assert shown == referenced | changed
    assert len(report_data(model, full=10)["articles"][0]["p"]) == len(model.articles[0].paragraphs)


def test_links_to_a_match_use_the_anchor_of_that_paragraph() -> None:
    model = load_model(GOLDEN / "dedup" / "expected")
    links = [p["m"] for a in report_data(model, 99)["articles"] for p in a["p"] if "m" in p]
    assert links
    for anchor, source, index, _ in links:
        assert anchor == paragraph_anchor(source, index)
        assert re.fullmatch("a[0-9a-f]{12}-[0-9]+", anchor)


def test_packed_json_gives_back_the_data_and_holds_no_markup() -> None:
    data = {"t": "</script><script>alert(1)</script> <!-- \u2028 & 职业"}
    text = packed_json(data)
    assert re.fullmatch("[A-Za-z0-9+/=]+", text)
    assert unpacked_json(text) == data
    assert packed_json(data) == text  # no time in the gzip header


def test_hostile_content_appears_in_the_page_only_as_data(raw_dir: Path) -> None:
    write(raw_dir, "<img src=x onerror=alert(1)>.txt", HOSTILE)
    assert invoke("run", str(raw_dir), "--out", "out", "-q", "--report")[0] == 0
    page = Path("out/report.html").read_text("utf-8")
    assert page.count("<script") == 2  # the data block and the page's own script
    data = page.split('id="report-data" data-encoding="gzip+base64">')[1].split("</script>")[0]
    for needle in ("window.pwned", "<img", "</textarea>", "<b>bold", "onerror"):
        assert needle not in page
    articles = unpacked_json(data)["articles"]
    texts = [p.get("t") for p in articles[0]["p"]]
    assert texts[0].startswith("<script>window.pwned = 1;")  # given to the script as text
    assert "{{template}}" in texts[1]


def test_the_policy_allows_only_the_pages_own_script_and_style() -> None:
    model = load_model(GOLDEN / "dedup" / "expected")
    page = render_report(model, 5)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    rules = dict(rule.strip().split(" ", 1) for rule in policy.group(1).split(";"))
    assert rules["default-src"] == "'none'"
    script = page.rsplit("<script>", 1)[1].split("</script>")[0]
    import base64

    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert rules["script-src"] == f"'sha256-{digest}'"
    assert "unsafe-inline" not in policy.group(1)
    before, after = page.split('id="report-data" data-encoding="gzip+base64">')
    script = after.split("</script>", 1)[1]
    assert not re.search(r"\b(src|href|url)\s*[=(]", before)  # the markup fetches nothing
    assert "fetch(" not in script and "XMLHttpRequest" not in script and "import(" not in script
    markup = before + script
    assert "https:" not in markup and "http:" not in markup.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_a_chart_escapes_its_labels_and_scales_its_bars() -> None:
    svg = bar_chart("Drops", [("<b>x</b>", [(10, "c")]), ("y", [(5, "c")])])
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9]+" width="([0-9.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert bar_chart("nothing", []) == ""


def test_report_command_writes_a_file_check_does_not_mind(raw_dir: Path) -> None:
    for name in ("000_306bb36a3590e69e.txt", "003_bcd2a2650fb392b7.txt"):
        write(raw_dir, name, (REPO / "raw" / name).read_bytes())
    assert invoke("run", str(raw_dir), "--out", "out", "-q")[0] == 0
    code, out, _ = invoke("report", "--out", "out", "--html", "view/r.html", "--full", "1")
    assert code == 0 and "view/r.html" in out and "1 in full" in out
    assert Path("view/r.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert invoke("report", "--out", "out", "-q")[0] == 0
    assert Path("out/report.html").is_file()
    assert invoke("check", str(raw_dir), "--out", "out", "-q")[0] == 0


def test_report_of_a_folder_without_output_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("report", "--out", str(tmp_path))
    assert code == 2 and "run `pipeline run` first" in err


def test_the_report_is_the_same_bytes_every_time() -> None:
    model = load_model(GOLDEN / "repairs" / "expected")
    assert render_report(model, 3) == render_report(load_model(GOLDEN / "repairs" / "expected"), 3)


@pytest.mark.parametrize(("case", "file", "width"), SHOW_CASES)
def test_show_plain_output_is_as_golden(case: str, file: str, width: int) -> None:
    code, out, err = invoke(
        "show", file, "--out", str(GOLDEN / case / "expected"), "--plain", "--width", str(width)
    )
    assert code == 0, err
    expected = GOLDEN / "show" / f"{case}-{Path(file).name.replace(':', '-')}.txt"
    if os.environ.get("PIPELINE_UPDATE_GOLDEN"):
        expected.write_text(out, "utf-8")
    assert out == expected.read_text("utf-8")
    assert "\x1b" not in out and all(line == line.rstrip() for line in out.splitlines())


def test_show_wraps_by_cells_so_chinese_fits_the_width() -> None:
    _, out, _ = invoke(
        "show",
        "batch.jsonl:3",
        "--out",
        str(GOLDEN / "jsonl_langs" / "expected"),
        "--plain",
        "--width",
        "30",
    )
    from rich.cells import cell_len

    assert max(cell_len(line) for line in out.splitlines()) <= 30


def test_show_colours_on_request_and_escapes_control_characters(raw_dir: Path) -> None:
    name = "e\x1b]0;pwned\x07\u202evil.txt"
    write(raw_dir, name, "Title\n\nA line with \x1b[31m red and \u202e reversed text.\n")
    invoke("run", str(raw_dir), "--out", "out", "-q")
    code, out, _ = invoke("show", name, "--out", "out", "--color")
    assert code == 0 and "\x1b[" in out  # colours
    assert "\x1b]" not in out and "\u202e" not in out and "\x07" not in out
    assert "e\\x1b]0;pwned\\x07\\u202evil.txt" in out  # the name, escaped
    assert "\\u202e" in out  # the repair that took the override out, escaped
    plain = invoke("show", name, "--out", "out", "--plain")[1]
    assert "\x1b" not in plain


def test_show_escapes_tabs_and_newlines_in_a_name(raw_dir: Path) -> None:
    name = "two\nlines\tand tab.txt"
    write(raw_dir, name, "Title\n\nSome body text.\n")
    invoke("run", str(raw_dir), "--out", "out", "-q")
    out = invoke("show", name, "--out", "out", "--plain")[1]
    assert out.splitlines()[0].startswith("two\\x0alines\\x09and tab.txt")


def test_show_of_a_file_not_in_the_output_is_a_usage_error() -> None:
    code, _, err = invoke("show", "nope.txt", "--out", str(GOLDEN / "dedup" / "expected"))
    assert code == 2 and "nope.txt is not in the output" in err
