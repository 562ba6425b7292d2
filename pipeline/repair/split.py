"""Numbers split by a space the translator inserted before a digit 1: ``20 10``, ``2 1 1``.

A split is joined only where the context proves the reading: a year context, Project 211/985,
a century, a count before a unit or a plural noun, the other bound of a range. Every other
split is flagged with the joined number as its candidate, and the traps stay as they are: dates
(``1949 12 16``), phone numbers, space-grouped thousands, counters, ``20 10-minute breaks``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.repair.base import MONTHS, Finding, found, suspect
from pipeline.repair.guard import may_hold_trace

_MONTHS = list(MONTHS)


class SplitYearRule:
    """A space inserted before a digit 1 inside a year: ``in 20 10`` → ``in 2010``,
    ``by 20 1 1`` → ``by 2011``, ``202 1年`` → ``2021年``.

    Certain when 年 or "year" follows, or a year context ("in", "since", a month, ...) comes
    before and the text goes on as after a year (punctuation, "the", "and", ...): "On March 20
    10 students" is a count, so it is flagged, as is any other suspect. ``20 10-minute breaks``
    and times such as ``2007-7-11 14:43`` are not suspects.
    """

    name = "split_year"
    hint = re.compile(" 1")  # the year's second half starts with 1 (" 10", " 1 0")
    _pattern = re.compile(
        r"(?<![0-9A-Za-z.,:/])(?P<left>(?:19|20)[0-9]?)(?P<right>(?: 1[0-9]?){1,2})"
        r"(?![0-9A-Za-z]|[.,:/][0-9]|\s?[-‐–][A-Za-z]|\s?%)"
    )
    _before = re.compile(
        r"(?:\b(?:in|since|by|from|until|till|to|before|after|during|year|mid|early|late|class of"
        r"|end of|start of|beginning of|middle of)"
        r"|\b(?:" + "|".join(_MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
        r"(?:\s+[0-9]{1,2})?,?"
        r"|[在于到至从])\s*$",
        re.I,
    )
    _after = re.compile(r"\s?(?:年|year\b)")  # "20 10 years" may be a duration
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
        if not self.hint.search(text):
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
                yield suspect(
                    self.name,
                    match,
                    "digits split by a space before a 1, like a year, but with no year near",
                    (digits,),
                )


# Words that say a number names Project 211 or 985 (universities, "211 engineering", ...).
_PROJECT_CONTEXT = re.compile(
    r"project|engineering|universit|college|school|institut|academ|\b(?:211|985)\b"
    r"|double[- ]first|key construction|yard",
    re.I,
)
# Units and counted nouns that may follow a count; any lower-case plural noun counts as well.
_UNITS = frozenset(
    (
        "mu",
        "yuan",
        "rmb",
        "km",
        "kilometers",
        "kilometres",
        "meters",
        "metres",
        "hectares",
        "acres",
        "people",
        "persons",
        "million",
        "billion",
        "thousand",
        "percent",
        "points",
        "pieces",
        "sets",
        "tons",
        "tonnes",
        "households",
    )
)
# After two numbers side by side, a time unit makes a range more likely ("boil for 8 10 minutes").
_TIME_UNITS = frozenset(
    "seconds minutes hours days weeks months years decades times".split()  # noqa: SIM905
)
_NOT_PLURAL = re.compile(r"(?:ss|us|is|ous|ics|'s)$")
# Where a number is a label, a counter or a code, not a quantity.
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:no|nos|page|pages|p|pp|vol|chapter|section|sec|table|fig|figure|tel|phone|room"
    r"|isbn|issn|grades?|class|step|item|article|version|rank|level|v|views?|reads|clicks|hits"
    r"|likes|comments|replies|questions?|q|parts?|ages?|aged|units?|lessons?|rooms?|nos?)\.?"
    r"(?:\s+[A-Z])?|[#№])\s*$",
    re.I,
)
_DETERMINER_BEFORE = re.compile(
    r"\b(?:the|a|an|this|that|our|its|their|his|her|each|every)\s+$", re.I
)
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_CLAUSE_END = re.compile(r"[.;!?。；！？\n]|[,，](?![0-9])")


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _clause(text: str, start: int, end: int) -> str:
    """The clause around ``text[start:end]``: up to the nearest sentence mark or comma."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, max(0, start - 120), start)), default=0)
    right = _CLAUSE_END.search(text, end)
    return text[left : right.start() if right else len(text)]


class SplitNumberRule:
    """A space inserted before a 1 inside a number that is not a year, joined where the context
    proves the reading: ``2 1 1 University`` → ``211 University``,
    ``2 1 1985 University`` → ``211/985 University``,
    ``facing 2 1 century`` → ``facing the 21st century``,
    ``has 3 1 provinces`` → ``has 31 provinces``, ``was 1 1.93 million`` → ``was 11.93 million``,
    ``from 36 14 to 5787`` → ``from 3614 to 5787``, ``rose 0. 15%`` → ``rose 0.15%``.

    Counts and ranges are probable; a split in a clause that holds other damage (a marker) is
    flagged, as is every split without such context. ``1949 12 16`` (a date), ``138 1234 5678``,
    ``4 148 000`` and numbers after "page", "No." or a month are left alone.
    """

    name = "split_number"
    _project = re.compile(
        r"(?<![0-9A-Za-z.,])(?:2 1 1(?P<both>985)?|9 8 5)(?![0-9A-Za-z]|[.,][0-9]| [0-9])"
    )
    _groups = re.compile(
        r"(?<![0-9A-Za-z.,:/+\-#])(?P<groups>[0-9]{1,3}(?: 1[0-9]{0,2})+)"
        r"(?P<frac>\.[0-9]+)?(?P<ord>st|nd|rd|th)?"
        r"(?![0-9A-Za-z%:/\-]|[.,][0-9]|\s?%| [0-9])"
    )
    _grouped = re.compile(
        r"(?<![0-9A-Za-z.,])[0-9]{1,3}(?:,\s?[0-9]{1,3})* 1[0-9]{0,2}(?:,\s?[0-9]{3})+(?![0-9])"
    )
    _decimal = re.compile(
        r"(?<![0-9A-Za-z.,])(?P<int>[0-9]{1,3})\. (?P<frac>1[0-9]*)"
        r"(?=\s?(?:%|percent\b|million\b|billion\b))"
    )
    # "[0-9]\.? 1|9 8 5", with the digit both branches start with taken out of the alternation:
    # the search then skips to the next digit (twice as quick).
    hint = re.compile(r"[0-9](?:\.? 1| 8 5)")
    _century = re.compile(r"\s?century\b", re.I)
    _next_word = re.compile(r"\s(?P<word>[A-Za-z]+)\b")
    _range_after = re.compile(r"\s?(?:to|-|–|~|至)\s?(?P<other>[0-9][0-9,]*)")
    _range_before = re.compile(r"(?P<other>[0-9][0-9,]*)\s?(?:to|-|–|~|至)\s?$")
    _run_before = re.compile(r"[0-9][ \t]$|(?<![0-9])[0-9]{1,3},\s?$")
    _month_before = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\s$")
    # A match score ("won 2 1"): two numbers side by side on purpose.
    _score_before = re.compile(
        r"\b(?:won|lost|beat|beats|drew|tied|defeated|led|leads|trailed|score[sd]?)(?:\s+by)?\s$",
        re.I,
    )

    def find(self, text: str) -> Iterator[Finding]:
        """Yield joins the context proves and flags for the other splits."""
        if not self.hint.search(text):
            return
        for match in self._project.finditer(text):
            yield self._project_finding(text, match)
        for match in self._groups.finditer(text):
            finding = self._groups_finding(text, match)
            if finding is not None:
                yield finding
        for match in self._grouped.finditer(text):
            yield suspect(
                self.name,
                match,
                "a space inserted before a 1 inside a grouped number (the translator may also"
                " have changed its scale)",
                (re.sub(r"\s", "", match.group()),),
            )
        for match in self._decimal.finditer(text):
            joined = f"{match.group('int')}.{match.group('frac')}"
            if match.group("int") != "0":  # "The answer is 42. 15% of them agreed."
                yield suspect(
                    self.name,
                    match,
                    "a space after a decimal point, or a sentence that ends in a number",
                    (joined,),
                )
                continue
            yield self._joined(text, match, joined, "a space inserted before a 1 after 0.")

    def _project_finding(self, text: str, match: re.Match[str]) -> Finding:
        joined = "211/985" if match.group("both") else re.sub(" ", "", match.group())
        context = _PROJECT_CONTEXT.search(
            text, max(0, match.start() - 80), match.start()
        ) or _PROJECT_CONTEXT.search(text, match.end(), match.end() + 80)
        if context:
            return found(
                self.name,
                match,
                joined,
                "certain",
                f"Project {joined} split by spaces before its digits, next to {context.group()!r}",
            )
        return suspect(
            self.name,
            match,
            f"digits split by spaces like Project {joined}, with no university or project near",
            (joined,),
        )

    def _groups_finding(self, text: str, match: re.Match[str]) -> Finding | None:
        groups, frac = match.group("groups"), match.group("frac") or ""
        digits = groups.replace(" ", "")
        if digits in ("211", "985") or len(digits) > 6:
            return None  # Project 211/985 have their own pattern; longer runs are codes
        if not frac and len(groups.rsplit(" ", 1)[1]) == 3:
            return None  # thousands grouped by a space: 3 150 is 3,150
        if not frac and len(digits) == 4 and digits[:2] in ("19", "20"):
            return None  # a split year: split_year decides
        before = text[max(0, match.start() - 20) : match.start()]
        if (
            self._run_before.search(before)
            or self._month_before.search(before)
            or _LABEL_BEFORE.search(before)
            or self._score_before.search(before)
        ):
            return None  # in a longer run (a date, a phone number, 1, 29 1, 000), a day, a label
        if _HAN.match(text, max(0, match.start() - 1)):
            return None  # after a Chinese word: a model or code name (扣肉2 1.8主频)
        joined = digits + frac
        if self._century.match(text, match.end()) and not frac and 1 <= int(digits) <= 21:
            the = "" if _DETERMINER_BEFORE.search(before) else "the "
            return found(
                self.name,
                match,
                the + _ordinal(int(digits)),
                "certain",
                "a century split by a space before its 1 (20世纪, 21世纪)",
            )
        if match.group("ord"):
            return suspect(
                self.name,
                match,
                "an ordinal split by a space before a 1",
                (_ordinal(int(digits)),),
            )
        word = self._next_word.match(text, match.end())
        if word and self._counted(word.group("word")):
            reason = f"a count split by a space before its 1, before {word.group()!r}"
            lone_one = groups.endswith(" 1")  # "3 1 provinces"; "3 10 points" may be two numbers
            if lone_one and word.group("word").lower() not in _TIME_UNITS:
                return self._joined(text, match, joined, reason)
            return suspect(
                self.name, match, f"{reason}; not joined: it may be two numbers", (joined,)
            )
        for other in (
            self._range_after.match(text, match.end()),
            self._range_before.search(before),
        ):
            if other and not frac and len(other.group("other").replace(",", "")) == len(digits):
                return self._joined(
                    text,
                    match,
                    joined,
                    f"a range bound split by a space before its 1; the other bound,"
                    f" {other.group('other')}, has as many digits",
                )
        return suspect(
            self.name,
            match,
            "digits split by a space before a 1, with nothing near that proves the number",
            (joined,),
        )

    @staticmethod
    def _counted(word: str) -> bool:
        lower = word.lower()
        if lower in _UNITS:
            return True
        return (
            word == lower and len(word) >= 4 and word.endswith("s") and not _NOT_PLURAL.search(word)
        )

    def _joined(self, text: str, match: re.Match[str], joined: str, reason: str) -> Finding:
        """A probable join; a flag when the clause still holds unrepaired damage, or at the start
        of the paragraph, where the first number may be a list item's ("2 10 points each")."""
        if not text[: match.start()].strip():
            return suspect(
                self.name,
                match,
                f"{reason}; not joined: the first number may be a list item's",
                (joined,),
            )
        if may_hold_trace(_clause(text, match.start(), match.end())):
            return suspect(
                self.name,
                match,
                f"{reason}; not joined: the clause holds other damage",
                (joined,),
            )
        return found(self.name, match, joined, "probable", reason)
