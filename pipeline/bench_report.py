"""Measure the HTML review report on a run's output: its size, the time to build it, and, in
headless Chromium when it is installed, the time to first paint and until the article list is
drawn, and the time a filter and a search take.

Usage::

    python -m pipeline.bench_report OUT_DIR [--full N] [--loads K]

OUT_DIR is the output of ``pipeline run`` (for the benchmark corpus: ``pipeline run
bench-corpus-raw --out OUT_DIR``). Prints one figure per line and, last, one JSON object.
It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.review.html import render_report
from pipeline.review.model import load_model

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build(out_dir: Path, full: int, html: Path) -> dict[str, Any]:
    """Build the report of ``out_dir`` into ``html``; its size and the seconds each step took."""
    start = time.perf_counter()
    model = load_model(out_dir)
    loaded = time.perf_counter()
    page = render_report(model, full).encode("utf-8")
    rendered = time.perf_counter()
    html.write_bytes(page)
    return {
        "articles": len(model.articles),
        "full": min(full, len(model.articles)),
        "size_mb": round(len(page) / 1e6, 2),
        "read_s": round(loaded - start, 2),
        "render_s": round(rendered - loaded, 2),
    }


def browse(html: Path, loads: int) -> dict[str, Any] | None:
    """Open ``html`` ``loads`` times in headless Chromium; the median timings (ms), or ``None``
    when Chromium or Playwright is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    timings: dict[str, list[float]] = {
        "first_paint": [],
        "list_ready": [],
        "filter": [],
        "search": [],
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for _ in range(loads):
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            start = time.perf_counter()
            page.goto(html.resolve().as_uri())
            page.wait_for_selector("body[data-ready]", timeout=120_000)
            timings["list_ready"].append((time.perf_counter() - start) * 1000)
            paints = page.evaluate(
                "performance.getEntriesByType('paint').map(e => [e.name, e.startTime])"
            )
            timings["first_paint"].append(dict(paints).get("first-contentful-paint", 0.0))
            total = page.locator("#count").inner_text()
            start = time.perf_counter()
            page.select_option("#reason", index=1)
            expect(page.locator("#count")).not_to_have_text(total)
            timings["filter"].append((time.perf_counter() - start) * 1000)
            page.select_option("#reason", index=0)
            expect(page.locator("#count")).to_have_text(total)
            start = time.perf_counter()
            page.fill("#search", "salary")
            expect(page.locator("#count")).not_to_have_text(total, timeout=60_000)
            timings["search"].append((time.perf_counter() - start) * 1000 - 150)  # less the wait
            page.close()
        browser.close()
    return {f"{name}_ms": round(statistics.median(values)) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--full", type=int, default=200)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "report.html"
        figures = build(args.out_dir, args.full, html)
        figures["browser"] = browse(html, args.loads)
    for name, value in figures.items():
        print(f"  {name}: {value}")
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
