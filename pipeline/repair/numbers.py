"""Rules for numbers garbled by machine translation of Chinese pages.

The damage hits the digit 1 of the Chinese source: it comes out as the "65438" marker (with a
"+0"), as ``/kloc-0/``, or a space is inserted before it (``20 10``). Each rule repairs what the
evidence supports and flags what it does not; a correct number is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.repair.base import MARKER, NOT_AFTER_NUMBER, Finding, found

_MONTHS = [
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
]


class MarkerDigitRule:
    """The marker with its ``+0`` is the digit 1; the digits after it follow.

    ``65,438+000`` → ``100``; ``65.438+0.`` → ``1.``; ``654.38+000 billion`` → ``100 billion``.
    """

    name = "marker_65438"
    _pattern = re.compile(
        NOT_AFTER_NUMBER + MARKER + r"[+＋]\s?0(?P<tail>[0-9]*(?:,[0-9]{3})*)(?![0-9]|[.,][0-9])"
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each marker followed by ``+0``."""
        if "65" not in text:
            return
        for match in self._pattern.finditer(text):
            yield found(
                self.name,
                match,
                "1" + match.group("tail"),
                "certain",
                "the 65438 marker with its +0 stands for the digit 1",
            )


class MarkerMagnitudeRule:
    """The marker where a Chinese magnitude (万) followed: the tail was re-rendered.

    ``654.38+10,000 yuan`` → ``100,000 yuan`` (10万); ``8-65,438+10,000/year`` →
    ``80,000-100,000/year`` (8-10万); ``654.38 million yuan`` → ``100,000 yuan``. These were
    verified on real pages but are probable, not certain. ``6,543,800`` (once 1万) and a bare
    ``654.38 million`` are flagged.
    """

    name = "marker_65438_magnitude"
    _ten_wan = re.compile(NOT_AFTER_NUMBER + MARKER + r"[+＋]\s?10,000(?![0-9]|[.,][0-9])")
    _low_bound = re.compile(
        r"(?<![0-9.,])(?P<low>[0-9][0-9.,]*)(?P<wan>\s?万)?(?P<join>\s?(?:[-–~至到]|to)\s?)$"
    )
    _million = re.compile(
        NOT_AFTER_NUMBER
        + MARKER
        + r"\s?(?i:million)(?P<unit>\s?\+|\s?(?:yuan|RMB|元))?(?![A-Za-z])"
    )
    _million_as_wan = re.compile(r"(?<![0-9.,])6,543,800(?![0-9]|[.,][0-9])")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield probable repairs of 10万 forms and flags for the doubtful ones."""
        if "65" not in text and "6,5" not in text:
            return
        reason = "65438+10,000 after a Chinese magnitude means 10万 = 100,000"
        for match in self._ten_wan.finditer(text):
            low = self._low_bound.search(text, max(0, match.start() - 40), match.start())
            if low is None:
                yield found(self.name, match, "100,000", "probable", reason)
            elif re.fullmatch("[1-9]", low.group("low")):
                bound, join = low.group("low"), low.group("join")
                yield Finding(
                    self.name,
                    low.start(),
                    match.end(),
                    f"{bound}0,000{join}100,000",
                    "probable",
                    f"{reason}; the range's lower bound {bound} is {bound}万",
                )
            else:
                yield Finding(
                    self.name,
                    low.start(),
                    match.end(),
                    None,
                    "probable",
                    f"{reason}; the range's lower bound {low.group('low')} cannot be scaled",
                    ("100,000",),
                )
        for match in self._million.finditer(text):
            if match.group("unit"):
                yield Finding(
                    self.name,
                    match.start(),
                    match.start() + len(match.group()) - len(match.group("unit")),
                    "100,000",
                    "probable",
                    "'654.38 million' before yuan or + was verified to mean 10万 = 100,000",
                )
            else:
                yield found(
                    self.name,
                    match,
                    None,
                    "probable",
                    "the 65438 marker before 'million' has meant 10万 = 100,000",
                    ("100,000",),
                )
        for match in self._million_as_wan.finditer(text):
            yield found(
                self.name,
                match,
                None,
                "probable",
                "6,543,800 once meant 1万 = 10,000; it may also be a real number",
                ("10,000",),
            )


class MarkerMonthRule:
    """The marker before a month: ``65438+ February 23`` → ``December 23`` (12月 = 1 + 2月).

    Only January and February make a month (11, 12) with a leading 1; any other month is
    flagged.
    """

    name = "marker_65438_month"
    _pattern = re.compile(
        NOT_AFTER_NUMBER + MARKER + r"[+＋]\s?(?P<month>" + "|".join(_MONTHS) + r")\b"
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield probable month repairs and flags for months that cannot follow a 1."""
        if "65" not in text:
            return
        for match in self._pattern.finditer(text):
            month = _MONTHS.index(match.group("month")) + 1
            if month <= 2:
                after = _MONTHS[10 + month - 1]
                yield found(
                    self.name,
                    match,
                    after,
                    "probable",
                    f"the marker is the digit 1: 1 + {month}月 = {10 + month}月, {after}",
                )
            else:
                yield found(
                    self.name,
                    match,
                    None,
                    "probable",
                    f"the marker (digit 1) before {match.group('month')} makes no month",
                )


class KlocRule:
    """The sister marker ``/kloc-0/`` is the digit 1: ``in 20/kloc-0/0`` → ``in 2010``.

    Without its closing slash (``/KLOC-0``) the repair is probable, and not made after a letter
    or before a number (``bugs/KLOC-0.5`` is a defect rate). Words found inside the marker
    (``/kloc-the company 0/``) were displaced from elsewhere in the sentence: that is flagged.
    """

    name = "marker_kloc"
    _pattern = re.compile(
        r"/kloc-(?:(?P<words>[^/\n]{0,80}?[^\s/0-9][^/\n]{0,80}?)\s?)?0(?P<slash>/)?", re.I
    )
    _after_letter = re.compile("[A-Za-z]")
    _number_after = re.compile(r"[.,]?[0-9]")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield repairs of plain markers and flags for markers with words inside."""
        if "/" not in text:
            return
        for match in self._pattern.finditer(text):
            words = match.group("words")
            if words is not None:
                if match.group("slash"):
                    yield found(
                        self.name,
                        match,
                        None,
                        "probable",
                        f"the /kloc-0/ marker (digit 1) holds displaced words: {words.strip()!r}",
                        ("1",),
                    )
                continue
            if match.group("slash"):
                yield found(
                    self.name,
                    match,
                    "1",
                    "certain",
                    "the /kloc-0/ marker stands for the digit 1",
                )
            elif not (
                self._after_letter.match(text, max(0, match.start() - 1))
                or self._number_after.match(text, match.end())
            ):
                yield found(
                    self.name,
                    match,
                    "1",
                    "probable",
                    "/KLOC-0 without its closing slash is likely the /kloc-0/ marker (digit 1)",
                )


class SplitYearRule:
    """A space inserted before a digit 1 inside a year: ``in 20 10`` → ``in 2010``,
    ``by 20 1 1`` → ``by 2011``, ``202 1年`` → ``2021年``.

    Certain when 年 or "year" follows, or a year context ("in", "since", a month, ...) comes
    before and the text goes on as after a year (punctuation, "the", "and", ...): "On March 20
    10 students" is a count, so it is flagged, as is any other suspect. ``20 10-minute breaks``
    and times such as ``2007-7-11 14:43`` are not suspects.
    """

    name = "split_year"
    _pattern = re.compile(
        r"(?<![0-9A-Za-z.,:/])(?P<left>(?:19|20)[0-9]?)(?P<right>(?: 1[0-9]?){1,2})"
        r"(?![0-9A-Za-z]|[.,:/][0-9]|\s?[-‐–][A-Za-z]|\s?%)"
    )
    _before = re.compile(
        r"(?:\b(?:in|since|by|from|until|till|to|before|after|during|year|mid|early|late"
        r"|end of|start of|beginning of|middle of)"
        r"|\b(?:" + "|".join(_MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
        r"(?:\s+[0-9]{1,2})?,?"
        r"|[在于到至从])\s*$",
        re.I,
    )
    _after = re.compile(r"\s?(?:年|years?\b)")
    _chinese_before = re.compile(r"[在于到至从]\s*$")
    # What may follow a year in running text; a noun or unit ("20 10 students") makes a count.
    _year_end = re.compile(
        r"\s*$|\s?[,.;:!?)\]'\"，。；：、）」』]|\s+(?:the|and|or|but|to|when|with|as|after"
        r"|before|a|an|it|its|we|he|she|they|this|that|there|was|is|were|are|for|from|of|on"
        r"|at|by|in|while|until|had|has|have|will|would)\b",
        re.I,
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield certain repairs of split years in a year context, flags for the others."""
        if " 1" not in text:
            return
        for match in self._pattern.finditer(text):
            digits = match.group("left") + match.group("right").replace(" ", "")
            if len(digits) != 4:
                continue
            before = self._before.search(text, max(0, match.start() - 30), match.start())
            if before and self._chinese_before.search(before.group()):
                before = None  # 在20 11个城市: in Chinese only 年 makes it a year
            year_like = before is not None and self._year_end.match(text, match.end())
            if year_like or self._after.match(text, match.end()):
                yield found(
                    self.name,
                    match,
                    digits,
                    "certain",
                    "a space inserted before the digit 1 of a year",
                )
            else:
                yield found(
                    self.name,
                    match,
                    None,
                    "probable",
                    "digits split by a space before a 1, like a year, but with no year near",
                    (digits,),
                )
