"""What a repair rule is: a named object whose ``find`` reports findings in a text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pipeline.records import Confidence


def _formatted(digits: str) -> str:
    """``digits`` as a translator may have formatted them as a number: as they are, or with one
    separator (``.``, ``,`` or ``，``, maybe followed by a space) between two of them."""
    forms = [digits] + [
        re.escape(digits[:cut]) + r"[.,，]\s?" + re.escape(digits[cut:])
        for cut in range(1, len(digits))
    ]
    return "(?:" + "|".join(forms) + ")"


# The digits 6 5 4 3 8 that the translator wrote for a Chinese 1, formatted as a number
# (65438, 65,438, 654.38, 6.5438, ...); with its "+0" the marker is the digit 1.
MARKER = _formatted("65438")
# The marker cut short: its tail 5 4 3 8 (the 6 lost when the text was re-cut).
MARKER_TAIL = _formatted("5438")
# A cheap test that a text may hold the marker or its tail (regex search on a literal start).
MARKER_HINT = re.compile(r"5[.,，]?\s?4[.,，]?\s?3[.,，]?\s?8")
# Not the tail of a longer number: no digit, and no digit followed by "." or "," before it.
NOT_AFTER_NUMBER = r"(?<![0-9])(?<![0-9][.,])"
# Not a price: "$654.38+0.50 shipping" is a sum.
NOT_PRICE = r"(?<![$¥€£￥])"
PLUS = r"\s?[+＋]"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH = r"(?:" + "|".join(MONTHS) + r")"
# A part of a month before its name: "early October", "mid-May", "the end of February".
MONTH_PART = (
    r"(?:(?:early|mid|late|the end of|end of|the beginning of|beginning of|the middle of"
    r"|middle of|the start of|start of)[\s-]?)"
)


@dataclass(frozen=True)
class Finding:
    """Something a rule found in ``text[start:end]``: a repair when ``replacement`` is set, a
    suspect to flag when it is ``None``."""

    rule: str
    start: int
    end: int
    replacement: str | None
    confidence: Confidence
    reason: str
    candidates: tuple[str, ...] = ()


def found(
    rule: str,
    match: re.Match[str],
    replacement: str | None,
    confidence: Confidence,
    reason: str,
    candidates: tuple[str, ...] = (),
) -> Finding:
    """A finding over the whole of ``match``."""
    return Finding(rule, match.start(), match.end(), replacement, confidence, reason, candidates)


def suspect(
    rule: str, match: re.Match[str], reason: str, candidates: tuple[str, ...] = ()
) -> Finding:
    """A suspect to flag over the whole of ``match``, with the readings it may have."""
    return Finding(rule, match.start(), match.end(), None, "probable", reason, candidates)


class Rule(Protocol):
    """A repair rule: ``name`` is what fixes and flags record; ``find`` never raises."""

    @property
    def name(self) -> str:
        """The rule's name, as recorded on its fixes and flags."""
        ...

    @property
    def hint(self) -> re.Pattern[str] | None:
        """A pattern found in every text the rule finds anything in (``None``: no such quick
        test). The engine looks for it first, and does not ask the rule when it is absent."""
        ...

    def find(self, text: str) -> Iterator[Finding]:
        """Yield the rule's findings in ``text``, in order."""
        ...
