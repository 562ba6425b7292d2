"""The fix ledger: a paragraph's original text and the fixes that turn it into the current text.

Every fix records ``before``/``after`` with offsets into the *original* text, so replaying the
fixes on the original gives the current text, whatever stage made them (debris removal while
reading, then the repair rules, pass after pass). Rules find things in the current text; the
ledger maps their spans back to the original. An edit that overlaps an earlier fix takes it in:
the two become one fix from the original to the final text, named after both rules.
"""

from __future__ import annotations

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

    def _placed(self) -> list[tuple[int, int, Fix]]:
        """Each fix with the span its ``after`` occupies in the current text."""
        placed = []
        shift = 0
        for fix in self.fixes:
            start = fix.start + shift
            placed.append((start, start + len(fix.after), fix))
            shift += len(fix.after) - (fix.end - fix.start)
        return placed

    def _to_original(
        self, position: int, placed: list[tuple[int, int, Fix]], *, is_end: bool
    ) -> int:
        """Map a current-text position outside every fix's output to the original. A deletion
        exactly at the position stays outside the span: after its text for a span's start,
        before it for a span's end."""
        shift = 0
        for start, end, fix in placed:
            if end > position or (is_end and start == end == position):
                break
            shift = end - fix.end
        return position - shift

    def _covering(
        self, start: int, end: int, placed: list[tuple[int, int, Fix]]
    ) -> list[tuple[int, int, Fix]]:
        """The fixes whose output overlaps ``[start, end)``; a deletion counts when it lies
        strictly inside."""
        covering = []
        for fix_start, fix_end, fix in placed:
            if fix_start == fix_end:
                inside = start < fix_start < end
            else:
                inside = fix_start < end and fix_end > start
            if inside:
                covering.append((fix_start, fix_end, fix))
        return covering

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the current span ``[start, end)``, widened to whole fixes
        where it overlaps their output."""
        placed = self._placed()
        covering = self._covering(start, end, placed)
        cur_start = min([start, *(item[0] for item in covering)])
        cur_end = max([end, *(item[1] for item in covering)])
        orig_start = min(
            [*(item[2].start for item in covering if item[0] == cur_start)]
            or [self._to_original(cur_start, placed, is_end=False)]
        )
        orig_end = max(
            [*(item[2].end for item in covering if item[1] == cur_end)]
            or [self._to_original(cur_end, placed, is_end=True)]
        )
        return orig_start, orig_end

    def apply(self, edits: Sequence[Edit]) -> None:
        """Apply non-overlapping edits given in current-text offsets."""
        placed = self._placed()
        absorbed: set[int] = set()
        new_fixes: list[Fix] = []
        for edit in sorted(edits, key=lambda item: item.start):
            covering = self._covering(edit.start, edit.end, placed)
            cur_start = min([edit.start, *(item[0] for item in covering)])
            cur_end = max([edit.end, *(item[1] for item in covering)])
            orig_start, orig_end = self.original_span(edit.start, edit.end)
            after = self.text[cur_start : edit.start] + edit.replacement
            after += self.text[edit.end : cur_end]
            rules = [item[2].rule for item in covering if item[2].rule != edit.rule]
            confidence = edit.confidence
            for item in covering:
                confidence = _weaker(confidence, item[2].confidence)
                absorbed.add(id(item[2]))
            new_fixes.append(
                Fix(
                    "+".join([*dict.fromkeys(rules), edit.rule]),
                    self.original[orig_start:orig_end],
                    after,
                    orig_start,
                    orig_end,
                    confidence,
                )
            )
        kept = [fix for fix in self.fixes if id(fix) not in absorbed]
        self.fixes = sorted([*kept, *new_fixes], key=lambda item: (item.start, item.end))
        self.text = replay(self.original, self.fixes)
