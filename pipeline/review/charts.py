"""Small SVG charts drawn by the tool (no library, no script): horizontal bars, stacked by part."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 190
BAR_WIDTH = 300
VALUE_WIDTH = 80


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[int, str]]]],
    legend: Sequence[tuple[str, str]] = (),
) -> str:
    """An SVG bar chart: one bar per ``(label, parts)``, each part ``(value, css class)`` stacked
    left to right, scaled to the largest total. ``legend`` names the classes. Empty rows give
    an empty string (nothing to draw)."""
    if not rows:
        return ""
    largest = max(sum(value for value, _ in parts) for _, parts in rows) or 1
    legend_height = (BAR_HEIGHT + GAP) if legend else 0
    height = 24 + legend_height + len(rows) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    out = [
        f'<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="15" class="chart-title">{escape(title)}</text>',
    ]
    y = 24
    if legend:
        key_x = LABEL_WIDTH
        for name, css in legend:
            out.append(
                f'<rect x="{key_x}" y="{y + 4}" width="10" height="10" class="{escape(css)}"/>'
                f'<text x="{key_x + 14}" y="{y + 13}" class="chart-label">{escape(name)}</text>'
            )
            key_x += 14 + 8 * len(name) + 16
        y += legend_height
    for label, parts in rows:
        shown = label if len(label) <= 28 else label[:27] + "…"
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" class="chart-label">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
        )
        x = float(LABEL_WIDTH)
        total = 0
        for value, css in parts:
            length = BAR_WIDTH * value / largest
            if length > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{max(length, 1):.1f}" '
                    f'height="{BAR_HEIGHT}" class="{escape(css)}"/>'
                )
            x += length
            total += value
        out.append(f'<text x="{x + 6:.1f}" y="{y + 13}" class="chart-value">{total:,}</text>')
        y += BAR_HEIGHT + GAP
    out.append("</svg>")
    return "".join(out)
