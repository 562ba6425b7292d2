"""How wide a text is in a terminal, and whether it reads as running prose: measures of text
that the reading, furniture and spill layers share (a leaf: it imports nothing of the
pipeline)."""

from __future__ import annotations

import functools
import re
import unicodedata


def display_width(text: str, limit: int | None = None) -> int:
    """Width in terminal columns: wide (CJK) characters count 2, the rest 1. With ``limit``, a
    text at least that long gives its length: no less than ``limit``, which is all a comparison
    with a threshold up to ``limit`` needs (long paragraphs cost nothing)."""
    if text.isascii() or (limit is not None and len(text) >= limit):
        return len(text)
    if _BEYOND_BMP.search(text):
        return slow_display_width(text)
    return len(text) + text.translate(_width_table()).count("W")


SENTENCE_INSIDE = re.compile(r"[.。!！?？;；](?=\s*\S)")  # a sentence mark with text after it


def is_prose(text: str) -> bool:
    """Whether a text reads as running prose: at least 60 columns wide, with a sentence mark
    inside (not only at its end). What tells an article's body from the page around it."""
    return display_width(text, 60) >= 60 and SENTENCE_INSIDE.search(text) is not None


def slow_display_width(text: str) -> int:
    """:func:`display_width` character by character (beyond the BMP; the table's reference)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@functools.cache
def _width_table() -> str:
    """``W`` for every wide (or full-width) BMP character, ``n`` for the others: built once per
    process on first use (20 ms), immutable."""
    return "".join(
        "W" if unicodedata.east_asian_width(chr(code)) in "WF" else "n" for code in range(0x10000)
    )


_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")
