"""``pipeline show``: one article as the review sees it, in the terminal.

Coloured with rich on a terminal, plain text otherwise; wrapped to the terminal's width, with
the width of Chinese characters counted as two cells (rich measures cells). Text from the input
goes in as :class:`rich.text.Text`, never as markup, and with its control characters escaped,
so a scraped page cannot move the cursor, recolour or reorder the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.review.model import ArticleView, ParagraphView
from pipeline.textsafe import printable, printable_name

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def _text(*parts: tuple[str, str]) -> Text:
    from rich.text import Text

    result = Text()
    for content, style in parts:
        result.append(printable(content), style=style or None)
    return result


def _detail(*parts: tuple[str, str]) -> tuple[int, Text]:
    return 4, _text(*parts)


def _heading(article: ArticleView) -> list[Text]:
    title = article.title or "(no title)"
    summary = (
        f"languages {', '.join(article.langs)} · {len(article.paragraphs)} paragraphs · "
        f"{article.drops} dropped · {article.repairs} repaired · {article.open_flags} flagged"
    )
    return [
        _text((printable_name(article.source), "bold cyan"), ("  ", ""), (title, "bold")),
        _text((summary, "dim")),
    ]


def _paragraph_lines(paragraph: ParagraphView) -> list[tuple[int, Text]]:
    status = (
        f"dropped: {paragraph.dropped.replace('_', ' ')}" if paragraph.dropped else paragraph.role
    )
    where = f"¶{paragraph.index}" + (f" line {paragraph.line}" if paragraph.line else "")
    head = _text(
        (where, "bold"),
        (f" [{paragraph.lang}] ", "magenta"),
        (status, "yellow" if paragraph.dropped else "green"),
        (f"  hash {paragraph.hash}", "dim"),
    )
    if paragraph.duplicate_of:
        source = printable_name(paragraph.duplicate_of["source"])
        target = f"{source} ¶{paragraph.duplicate_of['index']}"
        similarity = (
            "" if paragraph.similarity is None else f" (similarity {paragraph.similarity:g})"
        )
        head.append_text(_text((f"  of {target}{similarity}", "yellow")))
    body_style = "strike dim" if paragraph.dropped else ""
    parts: list[tuple[str, str]] = []
    for segment in paragraph.segments():
        if segment.kind == "text":
            parts.append((segment.text, body_style))
        elif segment.kind == "fix":
            parts += [
                ("[", "dim"),
                (segment.text, "red"),
                (" → ", "dim"),
                (segment.after, "bold green"),
                ("]", "dim"),
            ]
        else:
            parts += [("«", "dim"), (segment.text, "bold red"), ("»?", "dim")]
    lines = [(0, head), (2, _text(*parts))]
    for fix in paragraph.fixes:
        lines.append(
            _detail(
                ("repair ", "dim"),
                (f"{fix['rule']} ({fix['confidence']}): ", "green"),
                (f"{fix['before']!r} → {fix['after']!r}", ""),
            )
        )
    for flag in paragraph.flags:
        candidates = (
            f" — candidates: {' | '.join(flag['candidates'])}" if flag["candidates"] else ""
        )
        lines.append(
            _detail(
                ("flag ", "dim"),
                (f"{flag['rule']}: ", "red"),
                (f"{flag['span']!r} {flag['reason']}{candidates}", ""),
            )
        )
    for line in paragraph.evidence:
        lines.append(_detail(("evidence: ", "dim"), (line, "")))
    for decision in paragraph.decisions:
        detail = " ".join(str(d) for d in (decision.get("value"), decision.get("rule")) if d)
        lines.append(
            _detail(
                ("decision ", "dim"),
                (f"{decision['action']} {detail}".rstrip() + ": ", "cyan"),
                (decision["outcome"], ""),
            )
        )
    return lines


def show_article(article: ArticleView, console: Console) -> None:
    """Print ``article`` (every paragraph, kept and dropped) on ``console``."""
    for line in _heading(article):
        _print_wrapped(console, line, 0)
    for paragraph in article.paragraphs:
        console.print()
        for indent, line in _paragraph_lines(paragraph):
            _print_wrapped(console, line, indent)


def _print_wrapped(console: Console, text: Text, indent: int) -> None:
    """Print ``text`` wrapped to the console's width less ``indent``, every line indented."""
    from rich.text import Text

    width = max(console.width - indent, 10)
    for line in text.wrap(console, width, overflow="fold"):
        line.rstrip()
        console.print(Text(" " * indent) + line, soft_wrap=True)


def make_console(plain: bool, width: int | None = None, file: Any = None) -> Console:
    """A rich console: plain text when ``plain``, else coloured (even into a pipe)."""
    from rich.console import Console

    return Console(
        file=file,
        width=width,
        color_system=None if plain else "standard",
        force_terminal=not plain,
        highlight=False,
        emoji=False,
        markup=False,
    )
