"""The fix ledger: a paragraph's original text and the fixes that turn it into the current text.

Every fix records ``before``/``after`` with offsets into the *original* text, so replaying the
fixes on the original gives the current text, whatever stage made them (debris removal while
reading, then the repair rules, pass after pass). Rules find things in the current text; the
ledger maps their spans back to the original. An edit that overlaps an earlier fix takes it in:
the two become one fix from the original to the final text, named after both rules.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.records import Confidence, Fix


@dataclass(frozen=True)
class Edit:
    """A change to the current text: replace ``text[start:end]`` by ``replacement``."""

    start: int
    end: int
    replacement: str
    rule: str
    confidence: Confidence


def replay(original: str, fixes: Iterable[Fix]) -> str:
    """Apply ``fixes`` (non-overlapping, offsets into ``original``) and return the result."""
    pieces: list[str] = []
    position = 0
    for fix in sorted(fixes, key=lambda item: (item.start, item.end)):
        pieces.append(original[position : fix.start])
        pieces.append(fix.after)
        position = fix.end
    pieces.append(original[position:])
    return "".join(pieces)


def unreplay(text: str, fixes: Sequence[Fix]) -> str:
    """The original text, from the current ``text`` and the fixes that produced it."""
    pieces: list[str] = []
    position = 0  # in text
    consumed = 0  # in the original
    for fix in sorted(fixes, key=lambda item: (item.start, item.end)):
        unchanged = fix.start - consumed
        pieces.append(text[position : position + unchanged])
        pieces.append(fix.before)
        position += unchanged + len(fix.after)
        consumed = fix.end
    pieces.append(text[position:])
    return "".join(pieces)


class _Placed(list[tuple[int, int, Fix]]):
    """Fixes with the spans of their output in the current text, and those spans' starts and
    ends as sorted lists for bisection."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[int] = []
        self.ends: list[int] = []


def _weaker(a: Confidence, b: Confidence) -> Confidence:
    return "probable" if "probable" in (a, b) else "certain"


class Ledger:
    """An original text, its fixes, and the current text they give."""

    def __init__(self, original: str, fixes: Iterable[Fix] = ()) -> None:
        self.original = original
        self.fixes = sorted(fixes, key=lambda item: (item.start, item.end))
        self.text = replay(original, self.fixes)

    @classmethod
    def from_current(cls, text: str, fixes: Sequence[Fix]) -> Ledger:
        """Rebuild the ledger of a paragraph from its current text and its fixes."""
        return cls(unreplay(text, fixes), fixes)

    def _placed(self) -> _Placed:
        """Each fix with the span its ``after`` occupies in the current text, in order."""
        placed = _Placed()
        shift = 0
        for fix in self.fixes:
            start = fix.start + shift
            placed.append((start, start + len(fix.after), fix))
            placed.starts.append(start)
            placed.ends.append(start + len(fix.after))
            shift += len(fix.after) - (fix.end - fix.start)
        return placed

    @staticmethod
    def _to_original(position: int, placed: _Placed, *, is_end: bool) -> int:
        """Map a current-text position outside every fix's output to the original. A deletion
        exactly at the position stays outside the span: after its text for a span's start,
        before it for a span's end."""
        before = bisect.bisect_right(
            placed.ends, position
        )  # fixes whose output ends at or before it
        while is_end and before and placed[before - 1][0] == placed[before - 1][1] == position:
            before -= 1
        if not before:
            return position
        _, end, fix = placed[before - 1]
        return position - (end - fix.end)

    @staticmethod
    def _covering(start: int, end: int, placed: _Placed) -> list[int]:
        """Indexes of the fixes whose output overlaps ``[start, end)``; a deletion counts when
        it lies strictly inside."""
        first = max(0, bisect.bisect_left(placed.starts, start) - 1)
        covering = []
        for index in range(first, len(placed)):
            fix_start, fix_end, _ = placed[index]
            if fix_start >= end:
                break
            deletion_inside = fix_start == fix_end and start < fix_start < end
            if deletion_inside or (fix_start < fix_end and fix_end > start):
                covering.append(index)
        return covering

    def _span(self, start: int, end: int, placed: _Placed) -> tuple[int, int, int, int, list[int]]:
        """The current span widened to whole fixes, its original offsets, and those fixes."""
        covering = self._covering(start, end, placed)
        cur_start = min([start, *(placed[i][0] for i in covering)])
        cur_end = max([end, *(placed[i][1] for i in covering)])
        orig_start = min(
            [placed[i][2].start for i in covering if placed[i][0] == cur_start]
            or [self._to_original(cur_start, placed, is_end=False)]
        )
        orig_end = max(
            [placed[i][2].end for i in covering if placed[i][1] == cur_end]
            or [self._to_original(cur_end, placed, is_end=True)]
        )
        return cur_start, cur_end, orig_start, orig_end, covering

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the current span ``[start, end)``, widened to whole fixes
        where it overlaps their output."""
        return self.original_spans([(start, end)])[0]

    def original_spans(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """:meth:`original_span` for many spans at once."""
        placed = self._placed()
        return [self._span(start, end, placed)[2:4] for start, end in spans]

    def apply(self, edits: Sequence[Edit]) -> None:
        """Apply non-overlapping edits given in current-text offsets. Edits that touch the
        output of the same earlier fix become one fix together with it."""
        placed = self._placed()
        clusters: list[tuple[list[Edit], set[int]]] = []
        for edit in sorted(edits, key=lambda item: item.start):
            touched = set(self._covering(edit.start, edit.end, placed))
            if clusters and touched & clusters[-1][1]:
                clusters[-1][0].append(edit)
                clusters[-1][1].update(touched)
            else:
                clusters.append(([edit], touched))
        absorbed: set[int] = set()
        new_fixes: list[Fix] = []
        for group, _ in clusters:
            cur_start, cur_end, orig_start, orig_end, covering = self._span(
                group[0].start, group[-1].end, placed
            )
            pieces, position = [], cur_start
            for edit in group:
                pieces += [self.text[position : edit.start], edit.replacement]
                position = edit.end
            pieces.append(self.text[position:cur_end])
            rules = [placed[i][2].rule for i in covering] + [edit.rule for edit in group]
            confidence: Confidence = "certain"
            for level in [placed[i][2].confidence for i in covering] + [
                e.confidence for e in group
            ]:
                confidence = _weaker(confidence, level)
            absorbed.update(covering)
            assert 0 <= orig_start <= orig_end <= len(self.original)
            new_fixes.append(
                Fix(
                    "+".join(dict.fromkeys(rules)),
                    self.original[orig_start:orig_end],
                    "".join(pieces),
                    orig_start,
                    orig_end,
                    confidence,
                )
            )
        kept = [fix for index, fix in enumerate(self.fixes) if index not in absorbed]
        self.fixes = sorted([*kept, *new_fixes], key=lambda item: (item.start, item.end))
        self.text = replay(self.original, self.fixes)
