"""The HTML report: one self-contained file (inline CSS, script and SVG; nothing fetched) that an
editor opens from disk.

Safety: every string from the input reaches the page either escaped by :func:`html.escape`
(the summary, drawn here) or as JSON data that the page's script puts in the document as text
(``textContent``, never as markup). The JSON is embedded gzipped and in base64, so no scraped
``</script>`` can end it. A Content-Security-Policy allows only the page's own inline
script and style (by hash): an injected script or event handler would not run even if one got
through. Ids are hex digests of the source, never the source itself.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections import Counter
from html import escape
from importlib import resources
from typing import Any

from pipeline.review.charts import bar_chart
from pipeline.review.model import ArticleView, ParagraphView, ReportModel, paragraph_anchor
from pipeline.textsafe import printable_name


def _asset(name: str) -> str:
    return resources.files("pipeline.review").joinpath(f"assets/{name}").read_text("utf-8")


def packed_json(data: Any) -> str:
    """The data as JSON, gzipped (with no time in the header, so the same data gives the same
    bytes) and in base64: a fifth of the size, and nothing in it can end its element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(text, compresslevel=9, mtime=0)).decode("ascii")


def unpacked_json(text: str) -> Any:
    """The data that :func:`packed_json` packed (for tests and tools that read a report)."""
    return json.loads(gzip.decompress(base64.b64decode(text)))


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


CONTEXT = 60  # characters kept on each side of a change in a summary row
EXCERPT = 200  # characters kept of an unchanged or dropped paragraph in a summary row


def _clip_context(text: str, first: bool, last: bool) -> str:
    """Unchanged text between changes, cut to ``CONTEXT`` characters on each side that touches
    a change."""
    if len(text) <= 2 * CONTEXT + 3:
        return text
    if first and last:
        return text[:EXCERPT] + " …" if len(text) > EXCERPT else text
    if first:
        return "… " + text[-CONTEXT:]
    if last:
        return text[:CONTEXT] + " …"
    return text[:CONTEXT] + " … " + text[-CONTEXT:]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT] + " …"


def _paragraph_data(
    paragraph: ParagraphView, clip: bool, match_text: str | None = None
) -> dict[str, Any]:
    """One paragraph for the page's script. ``clip`` (a summary row) keeps only the text near
    its changes, and leaves out the text of an exact duplicate that reads as its match
    (``match_text``), which the page takes from the match."""
    data: dict[str, Any] = {"i": paragraph.index, "h": paragraph.hash, "r": paragraph.role}
    data["l"] = paragraph.lang
    if paragraph.line is not None:
        data["n"] = paragraph.line
    if paragraph.fixes or paragraph.flags:
        segments = paragraph.segments()
        data["s"] = [
            [s.kind, s.text, s.after, s.rule, s.confidence, s.reason, list(s.candidates)]
            if s.kind != "text"
            else _clip_context(s.text, n == 0, n == len(segments) - 1)
            if clip
            else s.text
            for n, s in enumerate(segments)
        ]
        loose = paragraph.loose_flags()
        if loose:
            data["lf"] = [[f["rule"], f["span"], f["reason"], f["candidates"]] for f in loose]
    elif clip and match_text == paragraph.original and paragraph.dropped == "exact_duplicate":
        data["same"] = 1
    else:
        data["t"] = _excerpt(paragraph.original) if clip else paragraph.original
    if clip and len(paragraph.original) > EXCERPT:
        data["cut"] = 1
    if paragraph.dropped:
        data["d"] = paragraph.dropped
    if paragraph.evidence:
        data["e"] = paragraph.evidence
    if paragraph.duplicate_of:
        source, index = paragraph.duplicate_of["source"], paragraph.duplicate_of["index"]
        data["m"] = [paragraph_anchor(source, index), source, index, paragraph.similarity]
    if paragraph.decisions:
        data["c"] = [
            [d["action"], d.get("value"), d.get("rule"), d["outcome"]] for d in paragraph.decisions
        ]
    return data


def _match_text(paragraph: ParagraphView, referenced: dict[tuple[str, int], str]) -> str | None:
    if not paragraph.duplicate_of:
        return None
    return referenced.get((paragraph.duplicate_of["source"], paragraph.duplicate_of["index"]))


def _changed(paragraph: ParagraphView) -> bool:
    return bool(paragraph.dropped or paragraph.fixes or paragraph.flags or paragraph.decisions)


def _article_data(
    article: ArticleView, full: bool, referenced: dict[tuple[str, int], str]
) -> dict[str, Any]:
    shown = [
        p
        for p in article.paragraphs
        if full or _changed(p) or (article.source, p.index) in referenced
    ]
    return {
        "a": article.anchor,
        "src": article.source,
        "t": article.title,
        "u": article.url,
        "langs": article.langs,
        "why": article.reasons,
        "rep": article.repairs,
        "fl": article.open_flags,
        "dr": article.drops,
        "n": len(article.paragraphs),
        "full": full,
        "p": [_paragraph_data(p, not full, _match_text(p, referenced)) for p in shown],
    }


def report_data(model: ReportModel, full: int) -> dict[str, Any]:
    """The data the page's script renders: every article, the first ``full`` of them (the most
    changed) with all their paragraphs, the rest with only what changed and what other
    paragraphs matched."""
    targets = {
        (p.duplicate_of["source"], p.duplicate_of["index"])
        for article in model.articles
        for p in article.paragraphs
        if p.duplicate_of
    }
    referenced = {
        (article.source, p.index): p.original
        for article in model.articles
        for p in article.paragraphs
        if (article.source, p.index) in targets and not p.dropped
    }
    return {
        "articles": [
            _article_data(article, number < full, referenced)
            for number, article in enumerate(model.articles)
        ]
    }


def _cell(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else printable_name(str(value))


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_html(model: ReportModel) -> str:
    """The summary section: counts per language, drops, repairs, flags, problems, decisions."""
    counts = model.manifest.get("counts", {})
    langs = sorted(counts.get("paragraphs", {}).items(), key=lambda kv: (-kv[1]["in"], kv[0]))
    dropped = {k: v for k, v in counts.get("dropped", {}).items() if v}
    by_rule: dict[str, Counter[str]] = {}
    flags: Counter[str] = Counter()
    for article in model.articles:
        for paragraph in article.paragraphs:
            for fix in paragraph.fixes:
                by_rule.setdefault(fix["rule"], Counter())[fix["confidence"]] += 1
            flags.update(flag["rule"] for flag in paragraph.flags)
    parts = [
        '<section id="summary"><h2>Summary</h2><div class="cards">',
        _card("articles", counts.get("articles", len(model.articles))),
        _card("paragraphs in", sum(v["in"] for _, v in langs)),
        _card("paragraphs out", sum(v["out"] for _, v in langs)),
        _card("dropped", sum(dropped.values())),
        _card("repairs", sum(sum(c.values()) for c in by_rule.values())),
        _card("open flags", sum(flags.values())),
        _card("input problems", len(model.manifest.get("problems", []))),
        "</div><div class='charts'>",
        bar_chart(
            "Paragraphs in and out, by language",
            [
                (lang, [(v["out"], "c-out"), (v["in"] - v["out"], "c-gone")])
                for lang, v in langs[:12]
            ],
            [("out", "c-out"), ("dropped", "c-gone")],
        ),
        bar_chart(
            "Dropped paragraphs, by reason",
            [
                (reason.replace("_", " "), [(n, "c-drop")])
                for reason, n in sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        ),
        bar_chart(
            "Repairs, by rule and confidence",
            [
                (rule, [(c["certain"], "c-certain"), (c["probable"], "c-probable")])
                for rule, c in sorted(
                    by_rule.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])
                )[:15]
            ],
            [("certain", "c-certain"), ("probable", "c-probable")],
        ),
        bar_chart(
            "Open flags, by rule",
            [
                (rule, [(n, "c-flag")])
                for rule, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
            ],
        ),
        "</div>",
        _languages_html(model, langs),
        _problems_html(model.manifest.get("problems", [])),
        _review_html(model.manifest.get("review") or {}),
        "</section>",
    ]
    return "".join(parts)


def _languages_html(model: ReportModel, langs: list[tuple[str, dict[str, int]]]) -> str:
    """Per record language: paragraphs in and out (the manifest's counts), and how many
    articles have paragraphs in it, in the input and in the output."""
    articles_in: Counter[str] = Counter()
    articles_out: Counter[str] = Counter()
    for article in model.articles:
        articles_in.update({p.lang for p in article.paragraphs})
        articles_out.update({p.lang for p in article.paragraphs if not p.dropped})
    rows = [
        [lang, articles_in[lang], articles_out[lang], v["in"], v["out"], v["in"] - v["out"]]
        for lang, v in langs
    ]
    headers = ["language", "articles in", "articles out", "paragraphs in", "out", "dropped"]
    note = (
        "<p class='note'>Paragraphs are counted by the record they belong to; articles by the "
        "language of their own paragraphs (an article may count in several).</p>"
    )
    return "<h3>Per language</h3>" + _table(headers, rows) + note


def _card(label: str, value: int) -> str:
    return f'<div class="card"><b>{value:,}</b><span>{escape(label)}</span></div>'


_MAX_ROWS = 200


def _problems_html(problems: list[dict[str, Any]]) -> str:
    if not problems:
        return "<h3>Input problems</h3><p>None.</p>"
    rows = [
        [
            p.get("severity", ""),
            p.get("path", "") + (f":{p['line']}" if p.get("line") else ""),
            p.get("reason", ""),
        ]
        for p in problems[:_MAX_ROWS]
    ]
    more = (
        f"<p>… and {len(problems) - _MAX_ROWS:,} more (manifest.json lists them all).</p>"
        if len(problems) > _MAX_ROWS
        else ""
    )
    return (
        f"<h3>Input problems ({len(problems):,})</h3>"
        + _table(["severity", "where", "reason"], rows)
        + more
    )


def _review_html(review: dict[str, Any]) -> str:
    entries = review.get("entries", [])
    if not entries:
        return "<h3>Decisions</h3><p>No review file decisions in this run.</p>"
    rows = [
        [
            e["line"],
            e["source"],
            e["index"],
            e["action"],
            e.get("value") or e.get("rule") or "",
            e["outcome"],
        ]
        for e in entries[:_MAX_ROWS]
    ]
    name = escape(printable_name(str(review.get("file"))))
    head = (
        f"<h3>Decisions ({name}: {review.get('applied', 0)} applied, "
        f"{review.get('no_effect', 0)} without effect, {review.get('stale', 0)} stale)</h3>"
    )
    return head + _table(["line", "source", "index", "action", "value", "outcome"], rows)


def render_report(model: ReportModel, full: int = 200, title: str = "Review") -> str:
    """The whole HTML page for ``model``, with the ``full`` most changed articles in full."""
    style, script = _asset("report.css"), _asset("report.js")
    policy = (
        f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    manifest = model.manifest
    about = (
        f"{manifest.get('tool', 'pipeline')} {manifest.get('tool_version', '')}, "
        f"schema {manifest.get('schema_version', '')}: {len(model.articles):,} articles, "
        f"the {min(full, len(model.articles)):,} most changed in full"
    )
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{escape(policy, quote=False)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(printable_name(title))}</title><style>{style}</style></head><body>",
            f"<header><h1>{escape(printable_name(title))}</h1><p>{escape(about)}</p></header>",
            summary_html(model),
            _CONTROLS,
            _LIST,
            '<script type="text/plain" id="report-data" data-encoding="gzip+base64">',
            packed_json(report_data(model, full)),
            f"</script><script>{script}</script></body></html>\n",
        ]
    )


_LIST = """<main id="articles"></main>
<p id="more-row"><button id="more" hidden>show more</button></p>
<div id="copied" hidden><button id="copied-close" type="button" title="close">×</button>
<span>Copied to the clipboard (add it to review.toml):</span><pre></pre></div>
<noscript><p>The article list needs JavaScript; the summary above does not.</p></noscript>"""
_CONTROLS = """<section id="controls"><h2>Articles</h2>
<input id="search" type="search" placeholder="search title, source, text shown" aria-label="search">
<select id="lang" aria-label="language"><option value="">any language</option></select>
<select id="reason" aria-label="drop reason"><option value="">any drop reason</option></select>
<label><input id="has-flags" type="checkbox"> has flags</label>
<label><input id="has-repairs" type="checkbox"> has repairs</label>
<span id="count"></span></section>"""
