"""The repair stage: run the rules over a paragraph, apply what the fix level allows, flag the rest.

Rules are run pass after pass on the current text until none applies a change (a repair can
reveal another: ``２０ １０`` becomes ``20 10``, then ``2010``), so repairing a repaired text
changes nothing. Where repairs overlap, the rule earlier in the registry wins; flags give way
to repairs. A last guard flags
any marker that no rule took (a disabled rule, an unknown context): no marker form is left in the
output without a fix or a flag.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.config import RepairConfig
from pipeline.records import Fix, Flag, Paragraph
from pipeline.repair.base import MARKER, NOT_AFTER_NUMBER, Finding
from pipeline.repair.ledger import Edit, Ledger
from pipeline.repair.registry import BUILTIN_RULES, PatternRule

_MAX_PASSES = 10
_GUARDS = (
    (
        "marker_65438",
        re.compile(
            NOT_AFTER_NUMBER
            + MARKER
            + r"(?:\s?[+＋](?=\s?[0-9０-９A-Z(])|\s?(?i:million|billion)\b)"
        ),
        "the 65438 marker (digit 1) in a context no rule repairs",
    ),
    (
        "marker_kloc",
        re.compile(r"/kloc-(?:0(?![.,]?[0-9])|[^/\n]{0,80}?0/)", re.I),
        "the /kloc-0/ marker (digit 1) left as it is",
    ),
    ("lost_bytes", re.compile("(?:锟斤拷)+|(?:\ufffd)+"), "bytes lost in an earlier decoding"),
)
_GUARD_HINT = re.compile("65|kloc|锟斤拷|\ufffd", re.I)


@dataclass(frozen=True)
class Repaired:
    """A paragraph's text after repair, all its fixes (earlier ones included) and its flags."""

    text: str
    fixes: list[Fix]
    flags: list[Flag]


def _select(findings: Iterable[Finding], priority: dict[str, int]) -> list[Finding]:
    """Non-overlapping findings, in text order: repairs first, by rule priority then position;
    then flags where no chosen repair is. A flag never blocks a repair: the repaired text is
    looked at again in the next pass."""
    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []  # chosen spans, sorted
    ordered = sorted(
        findings,
        key=lambda f: (f.replacement is None, priority.get(f.rule, len(priority)), f.start),
    )
    for finding in ordered:
        if finding.end <= finding.start:
            continue
        if not _overlaps(taken, finding.start, finding.end):
            bisect.insort(taken, (finding.start, finding.end))
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.start)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps one of ``spans`` (sorted, not overlapping each other)."""
    index = bisect.bisect_left(spans, (start, start))
    after = index < len(spans) and spans[index][0] < end
    before = index > 0 and spans[index - 1][1] > start
    return after or before


class Repairer:
    """Applies the enabled repair rules to paragraphs, as the config says."""

    def __init__(self, config: RepairConfig) -> None:
        disabled = set(config.disabled_rules)
        rules = [rule for rule in (make() for make in BUILTIN_RULES) if rule.name not in disabled]
        for user in config.user_rules:
            rules.append(
                PatternRule(
                    user.name,
                    re.compile(user.pattern),
                    user.replacement,
                    "probable" if user.confidence == "probable" else "certain",
                    user.reason,
                )
            )
        self._rules = rules
        self._priority = {rule.name: position for position, rule in enumerate(rules)}
        self._apply_probable = config.fix_level == "probable"

    def _findings(self, text: str) -> list[Finding]:
        return _select(
            (finding for rule in self._rules for finding in rule.find(text)), self._priority
        )

    def _applies(self, finding: Finding, text: str) -> bool:
        return (
            finding.replacement is not None
            and finding.replacement != text[finding.start : finding.end]
            and (finding.confidence == "certain" or self._apply_probable)
        )

    def repair(self, text: str, fixes: Sequence[Fix] = ()) -> Repaired:
        """Repair ``text``, whose earlier ``fixes`` (offsets into its original) are kept."""
        ledger: Ledger | None = None
        current = text
        findings = self._findings(current)
        for _ in range(_MAX_PASSES):
            edits = [
                Edit(f.start, f.end, f.replacement or "", f.rule, f.confidence)
                for f in findings
                if self._applies(f, current)
            ]
            if not edits:
                break
            ledger = ledger or Ledger.from_current(text, fixes)
            ledger.apply(edits)
            current = ledger.text
            findings = self._findings(current)
        suspects = [
            finding
            for finding in findings
            if finding.replacement != current[finding.start : finding.end]
        ]
        suspects += _unclaimed_markers(current, findings)
        if not suspects:
            return Repaired(current, list(ledger.fixes if ledger else fixes), [])
        ledger = ledger or Ledger.from_current(text, fixes)
        spans = ledger.original_spans([(finding.start, finding.end) for finding in suspects])
        flags = [
            self._flag(finding, ledger.original, start, end)
            for finding, (start, end) in zip(suspects, spans, strict=True)
        ]
        flags.sort(key=lambda flag: (flag.start, flag.end, flag.rule))
        return Repaired(current, list(ledger.fixes), flags)

    def _flag(self, finding: Finding, original: str, start: int, end: int) -> Flag:
        reason, candidates = finding.reason, finding.candidates
        if finding.replacement is not None:
            if finding.confidence == "probable" and not self._apply_probable:
                reason = f"{reason} (probable: not applied at fix level certain)"
            else:
                reason = f"{reason} (not applied: the rule keeps matching its own output)"
            candidates = (finding.replacement, *candidates)
        return Flag(finding.rule, original[start:end], start, end, reason, candidates)

    def repair_paragraph(self, paragraph: Paragraph) -> None:
        """Repair a paragraph in place: its text, fixes and flags."""
        repaired = self.repair(paragraph.text, paragraph.fixes)
        paragraph.text, paragraph.fixes, paragraph.flags = (
            repaired.text,
            repaired.fixes,
            repaired.flags,
        )


def _unclaimed_markers(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """Markers in ``text`` that no finding covers, as flags."""
    if not _GUARD_HINT.search(text):
        return []
    spans = sorted((f.start, f.end) for f in findings)  # chosen findings do not overlap
    unclaimed = []
    for rule, pattern, reason in _GUARDS:
        for match in pattern.finditer(text):
            if not _overlaps(spans, match.start(), match.end()):
                unclaimed.append(Finding(rule, match.start(), match.end(), None, "certain", reason))
    return unclaimed
