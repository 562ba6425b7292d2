"""The guard: every trace of the translator's markers that no rule took is flagged.

It is derived from how the damage is made, not from strings seen: the translator wrote a Chinese
1 (一, the leading 1 of 十, a 1 before 万/亿/月) as the digits 6 5 4 3 8 (or their tail 5 4 3 8)
formatted as a number and usually followed by ``+``, or as ``kloc``/``KLOC`` with a ``-0`` or
``0/`` somewhere after it. Whatever stands before or after such a sequence, it is suspect; a
number that merely contains 65438 with no ``+``, magnitude, month or kloc (``65,438 visitors``)
is not. The guard runs after the rules and cannot be switched off.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pipeline.repair.base import (
    MARKER,
    MARKER_HINT,
    MARKER_TAIL,
    MONTH,
    NOT_AFTER_NUMBER,
    NOT_PRICE,
    PLUS,
)


class GuardPattern(NamedTuple):
    """A marker trace: the rule its flags are recorded under, its pattern and the reason."""

    rule: str
    pattern: re.Pattern[str]
    reason: str


GUARDS = (
    GuardPattern(
        "marker_65438",
        # A digit may stand right before it ("20 165438+"); a price's digits and separator
        # may not ("$1,654.38+tax" is 1,654.38 plus tax).
        re.compile(
            r"(?<![0-9][.,])(?<![$¥€£￥][0-9])(?<![$¥€£￥][0-9]{2})" + NOT_PRICE + MARKER + PLUS
        ),
        "the 65438 marker (digit 1) in a context no rule repairs",
    ),
    GuardPattern(
        "marker_65438",
        re.compile(NOT_AFTER_NUMBER + MARKER + r"(?:\s?(?i:million|billion|thousand)\b|\s?[万亿])"),
        "the 65438 marker (a Chinese 1) before a magnitude, left as it is",
    ),
    GuardPattern(
        "marker_65438",
        re.compile(NOT_AFTER_NUMBER + MARKER + r"\s?(?=" + MONTH + r"\b)"),
        "the 65438 marker (a Chinese 1) before a month, left as it is",
    ),
    GuardPattern(
        "marker_65438",
        # Run into the digits before it with nothing after ("20 1065438"): re-cut text. Not a
        # formatted number that ends in it (265,438 visitors, $1654.38, 165.438 km).
        re.compile(r"(?<![$¥€£￥.,0-9])[0-9]+65438(?![0-9.,]|\s?[+＋])"),
        "the 65438 marker (a Chinese 1) run into the number before it",
    ),
    GuardPattern(
        "marker_65438",
        re.compile(NOT_AFTER_NUMBER + MARKER_TAIL + PLUS),
        "the tail of the 65438 marker (a Chinese 1, its 6 lost) left as it is",
    ),
    GuardPattern(
        "marker_kloc",
        # kloc with a 0 after it, "kloc-" with a "0/" within its line, or "/kloc-" anywhere but
        # before a decimal ("bugs/KLOC-0.5"); the forms with words in them are lower case.
        re.compile(
            r"(?i:kloc)[-‐–]\s?0(?![.,][0-9])|kloc-[^\n]{0,80}?(?<![0-9])0/|/kloc-(?!0[.,][0-9])"
        ),
        "the kloc marker (a Chinese 1) left as it is",
    ),
    GuardPattern(
        "lost_bytes",
        re.compile("(?:锟斤拷)+|(?:\ufffd)+"),
        "bytes lost in an earlier decoding",
    ),
)


def may_hold_trace(text: str) -> bool:
    """A cheap test that ``text`` may hold a marker trace at all."""
    return (
        MARKER_HINT.search(text) is not None
        or "kloc" in text.lower()
        or "锟斤拷" in text
        or "\ufffd" in text
    )


def marker_traces(text: str) -> list[tuple[GuardPattern, int, int]]:
    """Every marker trace in ``text``: the guard pattern and the span it matched."""
    if not may_hold_trace(text):
        return []
    return [
        (guard, match.start(), match.end())
        for guard in GUARDS
        for match in guard.pattern.finditer(text)
    ]
