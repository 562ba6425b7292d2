"""Numbers run into the words around them by the translator."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.repair.base import Finding, found, suspect

# Common English words that stand before a number in running text and never start a code or a
# unit: a number glued to one of them lost its space.
_GLUE_WORDS = frozenset(
    """
    about above across after against almost along among and approximately are around as at
    average averaged be been before being below between beyond by cost costs during earn earned
    earns exceed exceeded exceeding exceeds fell for from grew had has have hit in increased into
    is least less made make makes more nearly of on only or over paid pay pays per reach reached
    reaches reaching reduced rose roughly scored since than the through to total totaled
    totalled totalling towards under until up was were with within
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


class GluedNumberRule:
    """A number glued to the English word before it gets its space back:
    ``are150`` → ``are 150``, ``more than1000000`` → ``more than 1000000``,
    ``is10-31`` → ``is 10-31``.

    Only after common English words (verbs, prepositions, "than", "about", ...) and away from
    Chinese text, so that codes, units and names stay as they are: ``MP3``, ``Win10``, ``A4``,
    ``4G``, ``COVID-19``, ``lbf/in2``, ``300 in2``, ``Office2007``. ``RMB100`` and ``US$100``
    (a currency before its amount) are left alone.
    """

    name = "glued_number"
    _pattern = re.compile(
        r"(?<![A-Za-z0-9/.@#&_'’=?:%+\-])(?P<word>[a-z]{2,14})(?P<number>[0-9](?:[0-9,.]*[0-9])?)"
        r"(?![A-Za-z0-9_/@]|[+\-−±](?![0-9]))"
    )
    _number_before = re.compile(r"[0-9]\s$")
    # Every glue word ends in a lower-case letter: "[a-z][0-9]", searched from the digit (rarer
    # than a letter, so the search skips further) and looking back for the letter.
    hint = re.compile("[0-9](?<=[a-z][0-9])")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a certain repair for each number glued to a common English word."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            word, number = match.group("word"), match.group("number")
            if word not in _GLUE_WORDS:
                continue  # lower case only: "On2 Technologies", "More4" are names
            if word.lower() == "in" and len(number) < 2:
                continue  # "in2" is square inches
            if self._number_before.search(text, max(0, match.start() - 2), match.start()):
                continue  # "300 in2": a unit after a number
            if _HAN.search(text, max(0, match.start() - 20), match.end() + 20):
                continue  # English text only
            yield found(
                self.name,
                match,
                f"{word} {number}",
                "certain",
                f"a number glued to the word {word!r}: the space was lost",
            )


class GarbledYearRule:
    """Flags ``20021year``: a five-digit "year" glued to "year", 年 or "and", a year with a digit
    too many. The candidates are the years that dropping one digit gives; nothing is changed."""

    name = "garbled_year"
    _pattern = re.compile(r"(?<![0-9.,])(?:19|20)[0-9]{3}(?=year\b|年|and\b)")
    hint = re.compile("[0-9](?:year|年|and)")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a flag for each garbled year, with candidate years."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            digits = match.group()
            candidates = dict.fromkeys(
                year
                for cut in range(len(digits))
                if 1900 <= int(year := digits[:cut] + digits[cut + 1 :]) <= 2099
            )
            yield suspect(
                self.name,
                match,
                "a year with a digit too many, glued to the word after it",
                tuple(candidates),
            )
