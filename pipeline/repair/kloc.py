"""The kloc marker: the translator's other rendering of a Chinese 1, ``/kloc-0/``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.repair.base import MARKER, PLUS, Finding, found, suspect


class KlocRule:
    """The sister marker ``/kloc-0/`` is the digit 1: ``in 20/kloc-0/0`` → ``in 2010``.

    Words found inside the marker were displaced into it; they go back before the number it
    starts: ``/kloc-moved to Kunming in 0/938`` → ``moved to Kunming in 1938``. Without its
    closing slash (``/KLOC-0``) the repair is probable, and not made before a number
    (``bugs/KLOC-0.5`` is a defect rate); after a word (``over/kloc-0 years``, where 1 or 10 may
    be meant) it is flagged, as are words inside a marker that a number stands right before.
    """

    name = "marker_kloc"
    hint = re.compile("/")
    # Words inside the marker come in the lower-case form only ("/kloc-moved to ... 0/938");
    # "defects/KLOC-based density was 0/5" is the software metric.
    _pattern = re.compile(
        r"/(?:kloc-(?:(?P<words>[^/\n]{0,80}?[^\s/0-9][^/\n]{0,80}?)\s)??|(?i:kloc)-)0(?P<slash>/)?"
    )
    _letter = re.compile("[A-Za-z]")
    _marker_before = re.compile(MARKER + r"(?:" + PLUS + r"0?)?\s?$")
    _number_after = re.compile(r"[.,][0-9]")
    _digits_after = re.compile(r"[0-9]+(?:st|nd|rd|th)?")

    def find(self, text: str) -> Iterator[Finding]:
        """Yield repairs of plain and split markers, flags for the doubtful ones."""
        if not self.hint.search(text):
            return
        for match in self._pattern.finditer(text):
            before = text[max(0, match.start() - 1) : match.start()]
            if match.group("words") is not None:
                yield from self._with_words(text, match, before)
            elif match.group("slash"):
                yield found(
                    self.name, match, "1", "certain", "the /kloc-0/ marker stands for the digit 1"
                )
            elif self._number_after.match(text, match.end()):
                continue  # a defect rate, "bugs/KLOC-0.5"
            elif self._marker_before.search(text, max(0, match.start() - 12), match.start()):
                continue  # run into the 65438 marker: marker_debris decides
            elif self._letter.match(before):
                yield suspect(
                    self.name,
                    match,
                    "/kloc-0 after a word: the digit 1, or 10 with its 0 kept (a space is missing"
                    " before it)",
                    ("10", "1"),
                )
            else:
                yield found(
                    self.name,
                    match,
                    "1",
                    "probable",
                    "/KLOC-0 without its closing slash is likely the /kloc-0/ marker (digit 1)",
                )

    def _with_words(self, text: str, match: re.Match[str], before: str) -> Iterator[Finding]:
        words = match.group("words").strip()
        digits = self._digits_after.match(text, match.end())
        if match.group("slash") and digits and not before.isdigit():
            space = " " if before.isalpha() else ""
            yield Finding(
                self.name,
                match.start(),
                match.end(),
                f"{space}{words} 1",
                "probable",
                f"the /kloc-0/ marker (digit 1) holds words displaced into it ({words!r}):"
                " they go back before the number it starts",
            )
        elif match.group("slash"):
            yield suspect(
                self.name,
                match,
                f"the /kloc-0/ marker (digit 1) holds displaced words: {words!r}",
                ("1",),
            )
