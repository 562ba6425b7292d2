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
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.config import RepairConfig
from pipeline.recent import Recent
from pipeline.records import Fix, Flag, Paragraph
from pipeline.repair.base import Finding
from pipeline.repair.guard import marker_traces
from pipeline.repair.ledger import Edit, Ledger
from pipeline.repair.lists import RULE as LIST_RULE
from pipeline.repair.lists import merged_list_numbers
from pipeline.repair.registry import BUILTIN_RULES, DIGIT_RULES, NON_ASCII_RULES, PatternRule
from pipeline.user_patterns import compile_user_pattern

_MAX_PASSES = 10
_ASCII_DIGIT = re.compile("[0-9]")
# Repairs of the paragraphs repaired last, by text and earlier fixes: a paragraph repeated soon
# after (a site's boilerplate, an article copied nearby) is not repaired again.
RECENT_REPAIRS = 4096


@dataclass(frozen=True)
class Repaired:
    """A paragraph's text after repair, all its fixes (earlier ones included) and its flags."""

    text: str
    fixes: list[Fix]
    flags: list[Flag]


_Remembered = tuple[str, tuple[Fix, ...], tuple[Flag, ...]]  # a Repaired, immutable


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
                    compile_user_pattern(user.pattern),
                    user.replacement,
                    "probable" if user.confidence == "probable" else "certain",
                    user.reason,
                )
            )
        # Each rule's find, and the search for its hint: most rules have nothing to find in
        # most paragraphs, and are not asked (a generator per rule and paragraph costs more
        # than the search).
        # The rules asked about a text, by whether it is ASCII and whether it holds an ASCII
        # digit: the others find nothing in it (a user rule's name is never a built-in one's).
        scans = [(rule.find, None if rule.hint is None else rule.hint.search) for rule in rules]
        self._scans = {
            (ascii, digits): [
                scan
                for rule, scan in zip(rules, scans, strict=True)
                if not (ascii and rule.name in NON_ASCII_RULES)
                and not (not digits and rule.name in DIGIT_RULES)
            ]
            for ascii in (False, True)
            for digits in (False, True)
        }
        self._priority = {rule.name: position for position, rule in enumerate(rules)}
        self._apply_probable = config.fix_level == "probable"
        self._check_lists = LIST_RULE not in disabled
        self._recent: Recent[tuple[str, tuple[Fix, ...]], _Remembered] = Recent(RECENT_REPAIRS)

    def _findings(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        scans = self._scans[text.isascii(), _ASCII_DIGIT.search(text) is not None]
        for find, hint in scans:
            if hint is None or hint(text):
                findings += find(text)
        return _select(findings, self._priority) if findings else findings

    def _applies(self, finding: Finding, text: str) -> bool:
        return (
            finding.replacement is not None
            and finding.replacement != text[finding.start : finding.end]
            and (finding.confidence == "certain" or self._apply_probable)
        )

    def repair(self, text: str, fixes: Sequence[Fix] = ()) -> Repaired:
        """Repair ``text``, whose earlier ``fixes`` (offsets into its original) are kept. The
        lists returned are the caller's own."""
        key = (text, tuple(fixes))
        remembered = self._recent.get(key)
        if remembered is None:  # a repair depends on the text and its fixes alone
            repaired = self._repair(text, fixes)
            remembered = (repaired.text, tuple(repaired.fixes), tuple(repaired.flags))
            self._recent.put(key, remembered)
        return Repaired(remembered[0], list(remembered[1]), list(remembered[2]))

    def _repair(self, text: str, fixes: Sequence[Fix]) -> Repaired:
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
        if self._check_lists:
            suspects += merged_list_numbers(current, None)
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

    def repair_paragraphs(self, paragraphs: Sequence[Paragraph]) -> None:
        """Repair an article's paragraphs in place: their text, fixes and flags. Whether a
        paragraph is an item of a numbered list is judged on the repaired text of the next."""
        for paragraph in paragraphs:
            repaired = self.repair(paragraph.text, paragraph.fixes)
            paragraph.text, paragraph.fixes, paragraph.flags = (
                repaired.text,
                repaired.fixes,
                repaired.flags,
            )
        if not self._check_lists:
            return
        for paragraph, following in itertools.pairwise(paragraphs):
            merged = merged_list_numbers(paragraph.text, following.text)
            known = {(flag.rule, flag.span) for flag in paragraph.flags}
            if not merged:
                continue
            ledger = Ledger.from_current(paragraph.text, paragraph.fixes)
            spans = ledger.original_spans([(finding.start, finding.end) for finding in merged])
            for finding, (start, end) in zip(merged, spans, strict=True):
                flag = self._flag(finding, ledger.original, start, end)
                if (flag.rule, flag.span) not in known:
                    paragraph.flags.append(flag)
            paragraph.flags.sort(key=lambda flag: (flag.start, flag.end, flag.rule))


def _unclaimed_markers(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """Marker traces in ``text`` that no finding covers, as flags (one per stretch of text)."""
    traces = marker_traces(text)
    if not traces:
        return []
    spans = sorted((f.start, f.end) for f in findings)  # chosen findings do not overlap
    unclaimed: list[Finding] = []
    for guard, start, end in sorted(traces, key=lambda trace: (trace[1], -trace[2])):
        if _overlaps(spans, start, end):
            continue
        bisect.insort(spans, (start, end))
        unclaimed.append(Finding(guard.rule, start, end, None, "certain", guard.reason))
    return unclaimed
