"""The HTML report in a real browser: headless Chromium (Debian's package), driven by Playwright.

It opens the report of the seed articles plus a hostile one, from disk, and checks that nothing
from the content runs, that the filters and the links to a dropped paragraph's match work, and
that a decision button puts the right TOML on the clipboard. `make test` installs Chromium and
Playwright; the test is skipped, saying why, where neither can be had.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, write

from pipeline.bench_report import CHROMIUM_ARGS
from pipeline.cli import main
from pipeline.review.decisions import decision_snippet
from pipeline.review.html import unpacked_json
from pipeline.review.model import paragraph_anchor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = CHROMIUM_ARGS
SEEDS = ("000_306bb36a3590e69e.txt", "003_bcd2a2650fb392b7.txt")
COPIED = (
    "The call center has only a history of more than ten years in China, but it has created a "
    "myth that the output value is nearly 654.38+000 billion."
)


def hostile_article() -> str:
    return (
        "<script>window.pwned = 1; alert('title')</script>\n\n"
        '<img src=x onerror="window.pwned = 2; alert(2)"> pictures of call centres.\n\n'
        'Close a </textarea><textarea> and a <a href="javascript:window.pwned=3">link</a>; '
        "{{constructor.constructor('window.pwned=4')()}} is template text.\n\n"
        f"{(REPO / 'raw' / SEEDS[0]).read_text('utf-8').split(chr(10))[6]}\n\n"
        "</script><script>window.pwned = 5</script><!-- the end -->\n"
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def report(raw_dir: Path) -> Path:
    for name in SEEDS:
        write(raw_dir, name, (REPO / "raw" / name).read_bytes())
    write(raw_dir, 'zz_<img src=x onerror="window.pwned=6">\u202eevil.txt', hostile_article())
    result = CliRunner().invoke(main, ["run", str(raw_dir), "--out", "out", "-q"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["report", "--out", "out", "--full", "1", "-q"])
    assert result.exit_code == 0, result.output
    return Path("out/report.html").resolve()


def test_the_report_in_chromium(browser: Any, report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(5000)
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready]")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    first_paint = page.evaluate(
        "performance.getEntriesByType('paint').map(e => [e.name, e.startTime])"
    )
    print("paint timings (ms):", first_paint)

    # Nothing from the content ran; the page's own script did, without an error.
    assert dialogs == []
    assert errors == []
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("article.entry").count() == 3
    hostile = page.locator("article.entry", has_text="zz_")
    # A right-to-left override in the name is shown as an escape, not obeyed.
    assert (
        hostile.locator(".source").inner_text()
        == 'zz_<img src=x onerror="window.pwned=6">\\u202eevil.txt'
    )
    assert "\u202e" not in page.locator("body").inner_text()
    if "open" not in (hostile.get_attribute("class") or ""):
        hostile.locator(".toggle").click()
    assert "<script>window.pwned = 1;" in hostile.inner_text()
    assert (
        page.evaluate("document.querySelectorAll('img, textarea, a[href^=javascript]').length") == 0
    )

    # Filters: by drop reason, by language, by flags; a search.
    page.select_option("#reason", "advert")
    assert page.locator("#count").inner_text() == "1 of 3 articles"
    assert "advert" in page.locator("article.entry").inner_text()
    page.select_option("#reason", index=0)
    page.select_option("#lang", "zh")
    assert page.locator("article.entry").count() == 1
    assert page.locator("article.entry .source").inner_text() == SEEDS[1]
    page.select_option("#lang", index=0)
    page.check("#has-repairs")
    assert page.locator("article.entry").count() == 2
    page.uncheck("#has-repairs")
    page.fill("#search", "ZZ_<img")
    expect(page.locator("#count")).to_have_text("1 of 3 articles")
    assert page.locator("article.entry .source").inner_text().startswith("zz_<img")
    page.fill("#search", "")
    expect(page.locator("#count")).to_have_text("3 of 3 articles")

    # A dropped paragraph's link goes to its match in another article (a summary row, opened).
    hostile.locator(".toggle").click()  # the list was drawn again by the filters
    link = hostile.locator("a.match-link").first
    target = link.get_attribute("data-target")
    assert target is not None and link.inner_text().startswith(SEEDS[0])
    link.click()
    matched = page.locator(f"[id='{target}']")
    matched.wait_for()
    assert "target" in (matched.get_attribute("class") or "")
    assert matched.is_visible()
    box = matched.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "scrolled into view"
    assert "myth that the output value is nearly" in matched.inner_text()

    # The copy button puts the decision on the clipboard, as review.toml takes it.
    data = unpacked_json(page.locator("#report-data").text_content() or "")
    dropped = next(
        (article["src"], p)
        for article in data["articles"]
        for p in article["p"]
        if p.get("d") == "exact_duplicate" and article["src"].startswith("zz_")
    )
    anchor = paragraph_anchor(dropped[0], dropped[1]["i"])
    button = page.locator(f"[id='{anchor}'] button.decide", has_text="keep")
    button.click()
    page.locator("#copied").wait_for()
    expected = decision_snippet(dropped[0], dropped[1]["i"], dropped[1]["h"], "keep")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.locator("#copied pre").inner_text().strip() == expected.strip()

    # So does a choice of language for a paragraph.
    select = page.locator(f"[id='{anchor}'] select.decide-select").first
    select.select_option("zh")
    expected = decision_snippet(dropped[0], dropped[1]["i"], dropped[1]["h"], "set_lang", "zh")
    expect(page.locator("#copied pre")).to_have_text(expected.strip())
    assert page.evaluate("navigator.clipboard.readText()") == expected
    context.close()
