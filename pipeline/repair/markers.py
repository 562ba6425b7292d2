"""Rules for the "65438" marker: the translator's rendering of a Chinese 1.

The marker is the digits 6 5 4 3 8 formatted as a number (:data:`~pipeline.repair.base.MARKER`),
usually followed by ``+``; with its ``+0`` it is the digit 1. Each rule repairs the forms whose
reading the evidence fixes and flags, with the readings it allows as candidates, the forms it
cannot prove. What no rule takes, the guard (:mod:`pipeline.repair.guard`) flags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.repair.base import (
    MARKER,
    MARKER_HINT,
    MONTH,
    MONTH_PART,
    MONTHS,
    NOT_AFTER_NUMBER,
    NOT_PRICE,
    PLUS,
    Finding,
    found,
    suspect,
)

# A month as the editor should read it after a leading 1 (1 + 1月 = 11月, 1 + 2月 = 12月).
_WITH_LEADING_ONE = {"January": "November", "February": "December"}


class MarkerDigitRule:
    """The marker with its ``+0`` is the digit 1; the digits after it follow.

    ``65,438+000`` → ``100``; ``65.438+0.`` → ``1.``; ``654.38+000 billion`` → ``100 billion``;
    ``65438+0.2 billion`` → ``1.2 billion``. Digits run into the marker's front lead the number
    (probable): ``265438+0 newly`` → ``21 newly``.
    """

    name = "marker_65438"
    hint = MARKER_HINT
    _tail = (
        r"[+＋]\s?0(?P<tail>[0-9]*(?:,[0-9]{3})*(?:\.[0-9]+)?)(?![0-9]|[.,][0-9]|\s?/?(?i:kloc))"
    )
    _pattern = re.compile(NOT_AFTER_NUMBER + NOT_PRICE + MARKER + _tail)
    _led = re.compile(r"(?<![0-9.,$¥€£￥])(?P<lead>[0-9]{1,3})" + MARKER + _tail)

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each marker followed by ``+0``, a probable one when
        digits stand right before it."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            yield found(
                self.name,
                match,
                "1" + match.group("tail"),
                "certain",
                "the 65438 marker with its +0 stands for the digit 1",
            )
        for match in self._led.finditer(text):
            yield found(
                self.name,
                match,
                match.group("lead") + "1" + match.group("tail"),
                "probable",
                "the 65438 marker with its +0 stands for the digit 1, after the digits before it",
            )


class MarkerMagnitudeRule:
    """The marker where a Chinese magnitude (万) followed: the tail was re-rendered.

    ``654.38+10,000 yuan`` → ``100,000 yuan`` (10万); ``8-65,438+10,000/year`` →
    ``80,000-100,000/year`` (8-10万); ``654.38 million yuan`` → ``100,000 yuan``;
    ``RMB 654.38+million`` → ``RMB 100,000``. These were verified on real pages but are probable,
    not certain. ``6,543,800`` (once 1万) and a bare ``654.38 million`` are flagged.
    """

    name = "marker_65438_magnitude"
    hint = MARKER_HINT
    _ten_wan = re.compile(NOT_AFTER_NUMBER + MARKER + r"[+＋]\s?10,000(?![0-9]|[.,][0-9])")
    _low_bound = re.compile(
        r"(?<![0-9.,])(?P<low>[0-9][0-9.,]*)(?:\s?万)?(?P<join>\s?(?:[-–~至到]|to)\s?)$"
    )
    # "+million": the marker's + survived before the magnitude word.
    _million = re.compile(
        NOT_AFTER_NUMBER
        + MARKER
        + r"(?P<plus>\s?[+＋])?\s?(?i:million)(?P<unit>\s?\+|\s?(?:yuan|RMB|元))?(?![A-Za-z])"
    )
    _million_as_wan = re.compile(r"(?<![0-9.,])6,543,800(?![0-9]|[.,][0-9])")
    # 十二万 as the marker (the 1 of 十) and 20,000 (二万): 12万 = 120,000, flagged.
    _teens_wan = re.compile(
        NOT_AFTER_NUMBER + MARKER + r"[+＋]\s?(?P<digit>[2-9])0,000(?![0-9]|[.,][0-9])"
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield probable repairs of 10万 forms and flags for the doubtful ones."""
        if not self.hint.search(text):
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
            end = match.end() - len(match.group("unit") or "")
            verified = match.group("plus") or (
                match.group("unit") and match.group().startswith("654.38")
            )  # the form seen on real pages; "6.5438 million RMB" may be a real sum
            yield Finding(
                self.name,
                match.start(),
                end,
                "100,000" if verified else None,
                "probable",
                "the 65438 marker with + or a unit around 'million' was verified to mean"
                " 10万 = 100,000"
                if verified
                else "the 65438 marker before 'million' has meant 10万 = 100,000",
                () if verified else ("100,000",),
            )
        for match in self._teens_wan.finditer(text):
            value = f"1{match.group('digit')}0,000"
            low = self._low_bound.search(text, max(0, match.start() - 40), match.start())
            start, candidate = match.start(), value
            if low is not None and re.fullmatch("[1-9]", low.group("low")):
                start = low.start()
                candidate = f"{low.group('low')}0,000{low.group('join')}{value}"
            yield Finding(
                self.name,
                start,
                match.end(),
                None,
                "probable",
                f"the marker as the 1 of 十 before {match.group('digit')}万: most likely"
                f" 1{match.group('digit')}万 = {value}",
                (candidate,),
            )
        for match in self._million_as_wan.finditer(text):
            yield suspect(
                self.name,
                match,
                "6,543,800 once meant 1万 = 10,000; it may also be a real number",
                ("10,000",),
            )


class MarkerMonthRule:
    """The marker in a month: 12月 and 11月 are a 1 before 2月 and 1月, and 1月 came out as the
    marker and a 1 before "October" (its ``0`` read as 10月).

    ``65438+ February 23`` → ``December 23``; ``65438+ early February`` → ``early December``;
    ``65438+1early October`` → ``early January``;
    ``165438+1early October`` → ``early November``. Flagged, with the months they may be:
    another month after the marker, words between the marker and its month
    (``65438+next year1early October``), ``65438+ 10`` in a text about months, and a marker
    after its month (``In mid-February, 65438+ began``).
    """

    name = "marker_65438_month"
    hint = MARKER_HINT
    _after = re.compile(
        NOT_AFTER_NUMBER
        + MARKER
        + PLUS
        + r"\s?(?P<part>"
        + MONTH_PART
        + r")?(?P<month>"
        + MONTH
        + r")\b"
    )
    _october = re.compile(
        NOT_AFTER_NUMBER
        + r"(?P<one>1)?"
        + MARKER
        + PLUS
        + r"\s?(?:(?P<words>[A-Za-z][A-Za-z ]{0,30}?)\s?)??1\s?(?P<part>"
        + MONTH_PART
        + r")?October\b"
    )
    _ten = re.compile(
        NOT_AFTER_NUMBER
        + r"(?P<one>1)?"
        + MARKER
        + PLUS
        + r"\s?10(?![0-9]|[.,][0-9]|\s?(?:[万%/元]|,000|percent|thousand|million|yuan))"
    )
    _before = re.compile(
        r"(?P<month>January|February)(?P<between>[,，]?\s?)" + MARKER + PLUS + r"(?!\s?[0-9])"
    )
    _month_word = re.compile(MONTH + r"\b|\bmonths?\b")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield probable month repairs and flags with candidate months."""
        if not self.hint.search(text):
            return
        for match in self._after.finditer(text):
            part, month = match.group("part") or "", match.group("month")
            if month in _WITH_LEADING_ONE:
                after = _WITH_LEADING_ONE[month]
                number = MONTHS.index(after) + 1
                yield found(
                    self.name,
                    match,
                    part + after,
                    "probable",
                    f"the marker is the digit 1: 1 + {number - 10}月 = {number}月, {after}",
                )
            elif MONTHS.index(month) >= 9:
                yield suspect(
                    self.name,
                    match,
                    f"the marker before {month}: most likely the 1 of 十 that {month} already"
                    " holds (十月, 十一月, 十二月)",
                    (part + month,),
                )
            else:
                yield suspect(
                    self.name,
                    match,
                    f"the marker (digit 1) before {month} makes no month",
                )
        for match in self._october.finditer(text):
            month = "November" if match.group("one") else "January"
            reading = (match.group("part") or "") + month
            chinese = "11月" if match.group("one") else "1月"
            words = (match.group("words") or "").strip()
            if words:
                yield suspect(
                    self.name,
                    match,
                    f"the marker and '1 ... October' read as {chinese} ({month}), with the words"
                    f" {words!r} displaced into it",
                    (f"{reading} {words}",),
                )
            else:
                yield found(
                    self.name,
                    match,
                    reading,
                    "probable",
                    f"the marker and '1 ... October' are how {chinese} came out: {month}",
                )
        if self._month_word.search(text):
            for match in self._ten.finditer(text):
                candidates = ("November",) if match.group("one") else ("January", "November")
                yield suspect(
                    self.name,
                    match,
                    "the marker and 10 in a text about months: most likely a month with a"
                    " leading 1",
                    candidates,
                )
        for match in self._before.finditer(text):
            after = _WITH_LEADING_ONE[match.group("month")]
            yield suspect(
                self.name,
                match,
                f"the marker (digit 1) after {match.group('month')} seems displaced from it:"
                f" 1 + {match.group('month')} = {after}",
                (after + match.group("between").strip(),),
            )


class MarkerDebrisRule:
    """The 65438 marker run into the kloc marker (``65438/KLOC-0``) after a list of dates stands
    for nothing: it is removed, never turned into digits.

    ``on May 1, June 1 and October 1 65438/KLOC-0.`` → ``on May 1, June 1 and October 1.``
    Elsewhere the run-together markers are flagged (they may be 11).
    """

    name = "marker_debris"
    hint = MARKER_HINT
    _pattern = re.compile(
        NOT_AFTER_NUMBER + MARKER + r"(?:" + PLUS + r"0?)?\s?/?(?i:kloc)-0/?(?![0-9])"
    )
    _date = re.compile(
        MONTH + r"\.?\s?[0-9]{1,2}\b|\b[0-9]{1,2}\s" + MONTH + r"|[0-9]{1,2}月[0-9]{1,2}[日号]"
        r"|\b[0-9]{1,2}/[0-9]{1,2}\b"
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield probable removals after a list of dates, flags elsewhere."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            before = text[max(0, match.start() - 80) : match.start()]
            if len(self._date.findall(before)) >= 2:
                start = match.start()
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
                yield Finding(
                    self.name,
                    start,
                    match.end(),
                    "",
                    "probable",
                    "the 65438 and kloc markers run together after a list of dates: debris",
                )
            else:
                yield suspect(
                    self.name,
                    match,
                    "the 65438 and kloc markers run together: debris, or two digits 1",
                    ("", "11"),
                )
