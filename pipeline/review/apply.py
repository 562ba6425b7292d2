"""Applying editors' decisions to an article's paragraphs (the per-article part) and to the corpus
(``drop``); ``keep`` is honoured by the stages that drop (furniture, dedup).

A decision finds its paragraph by hash: the paragraph with that hash nearest to the index it
names (the page may have shifted). One with no paragraph of that hash is stale: never applied,
reported by :func:`outcomes`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.records import (
    AppliedDecision,
    Decision,
    DroppedParagraph,
    Fix,
    Flag,
    Paragraph,
    Record,
    dropped_from,
)
from pipeline.repair.ledger import Edit, Ledger, replay, unreplay

ACCEPTED_RULE = "review"  # the rule named on a fix an editor made by accepting a candidate
CONTENT_ROLES = frozenset({"title", "heading", "body"})
TEXT_ACTIONS = ("reject_repair", "accept_candidate")
ROLE_ACTIONS = ("set_role", "set_title")
RepairText = Callable[[str, str, list[Fix]], tuple[str, list[Fix], list[Flag]]]


def attach(paragraphs: Sequence[Paragraph], decisions: Sequence[Decision]) -> None:
    """Record each decision on the paragraph it names: the one at its index with its hash, else
    the only one with its hash (the page shifted). Stale ones (no such paragraph, or several
    with that text and none at its index) are left out."""
    for decision in decisions:
        same = [p for p in paragraphs if p.hash == decision.hash]
        exact = [p for p in same if p.index == decision.index]
        if exact:
            target = exact[0]
        elif len(same) == 1:
            target = same[0]
        else:
            continue
        applied = AppliedDecision(decision.action, decision.value, decision.rule, decision.index)
        outcome = "no effect: nothing dropped it" if decision.action == "keep" else "applied"
        applied.settle(outcome, target.index)
        target.decisions.append(applied)


def _no_effect(decision: AppliedDecision, why: str, paragraph: Paragraph) -> None:
    decision.settle(f"no effect: {why}", paragraph.index)


def apply_text_decisions(
    paragraphs: Sequence[Paragraph],
    before_repair: Sequence[tuple[str, list[Fix]]],
    repair_without: RepairText,
) -> None:
    """Apply ``reject_repair`` and ``accept_candidate``. ``before_repair`` is each paragraph's
    text and fixes as read; ``repair_without(rule, text, fixes)`` repairs a text with one rule
    off."""
    for paragraph, (read_text, read_fixes) in zip(paragraphs, before_repair, strict=True):
        for decision in paragraph.decisions:
            if decision.action == "reject_repair" and decision.rule:
                _reject(paragraph, decision, decision.rule, read_text, read_fixes, repair_without)
        for decision in paragraph.decisions:
            if decision.action == "accept_candidate" and decision.value is not None:
                _accept(paragraph, decision, decision.value)


def _made_by(fix: Fix, rule: str) -> bool:
    return rule in fix.rule.split("+")


def _reject(
    paragraph: Paragraph,
    decision: AppliedDecision,
    rule: str,
    read_text: str,
    read_fixes: list[Fix],
    repair_without: RepairText,
) -> None:
    if not any(_made_by(fix, rule) for fix in paragraph.fixes):
        _no_effect(decision, f"no repair by {rule} in this paragraph", paragraph)
        return
    original = unreplay(read_text, read_fixes)
    kept = [fix for fix in read_fixes if not _made_by(fix, rule)]
    text, fixes, flags = repair_without(rule, replay(original, kept), kept)
    paragraph.text, paragraph.fixes, paragraph.flags = text, fixes, flags


def _accept(paragraph: Paragraph, decision: AppliedDecision, value: str) -> None:
    flag = next((f for f in paragraph.flags if value in f.candidates), None)
    if flag is None:
        _no_effect(decision, f"no flag in this paragraph proposes {value!r}", paragraph)
        return
    if any(fix.start < flag.end and fix.end > flag.start for fix in paragraph.fixes):
        _no_effect(decision, "the flagged text was changed by a repair since", paragraph)
        return
    shift = sum(
        len(fix.after) - (fix.end - fix.start) for fix in paragraph.fixes if fix.end <= flag.start
    )
    ledger = Ledger.from_current(paragraph.text, paragraph.fixes)
    start = flag.start + shift
    ledger.apply([Edit(start, start + (flag.end - flag.start), value, ACCEPTED_RULE, "certain")])
    paragraph.text, paragraph.fixes = ledger.text, ledger.fixes
    paragraph.flags = [f for f in paragraph.flags if f is not flag]


def apply_role_decisions(paragraphs: Sequence[Paragraph]) -> None:
    """Apply ``set_role`` and ``set_title`` (after the furniture labels, which they override)."""
    for paragraph in paragraphs:
        for decision in paragraph.decisions:
            if decision.action == "set_role" and decision.value:
                paragraph.role = decision.value  # type: ignore[assignment]  # checked on reading
                evidence = [] if decision.value in CONTENT_ROLES else ["set by an editor"]
                paragraph.evidence = evidence
    titled = [p for p in paragraphs if p.decided("set_title")]
    if not titled:
        return
    chosen = titled[-1]
    for paragraph in paragraphs:
        if paragraph.role == "title" and paragraph is not chosen:
            paragraph.role = "heading"
    for paragraph in titled[:-1]:
        earlier = paragraph.decided("set_title")
        if earlier is not None:
            _no_effect(
                earlier, f"another decision made paragraph {chosen.index} the title", paragraph
            )
    chosen.role, chosen.evidence = "title", []


def title_text(paragraphs: Sequence[Paragraph]) -> str | None:
    """The title of these paragraphs: the title paragraph's text, or the title an editor gave."""
    title = next((p for p in paragraphs if p.role == "title"), None)
    if title is None:
        return None
    decision = title.decided("set_title")
    return decision.value if decision is not None and decision.value else title.text


def drop_decided(records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
    """The records without the paragraphs editors decided to drop, and those paragraphs."""
    dropped: list[DroppedParagraph] = []
    kept: list[Record] = []
    for record in records:
        if not any(p.decided("drop") for p in record.paragraphs):
            kept.append(record)
            continue
        stay = [p for p in record.paragraphs if not p.decided("drop")]
        dropped.extend(
            dropped_from(record.source, p, "editor", evidence=["dropped by an editor's decision"])
            for p in record.paragraphs
            if p.decided("drop")
        )
        if stay:
            record.paragraphs = stay
            record.title = title_text(stay)
            kept.append(record)
    return kept, dropped


@dataclass(frozen=True)
class Outcome:
    """What became of one decision of the review file."""

    decision: Decision
    outcome: str  # "applied...", "no effect: ...", or "stale: ..."

    @property
    def stale(self) -> bool:
        """Whether the decision found no paragraph."""
        return self.outcome.startswith("stale")


def outcomes(
    decisions: Sequence[Decision],
    paragraphs: Sequence[tuple[str, int, str, Sequence[AppliedDecision]]],
) -> list[Outcome]:
    """Each decision's outcome, given every paragraph of the run as ``(source, index, hash,
    decisions)`` (kept or dropped)."""
    found: dict[tuple[str, str, str, str | None, str | None, int], str] = {}
    for source, _, digest, applied in paragraphs:
        for entry in applied:
            found[(source, digest, entry.action, entry.value, entry.rule, entry.index)] = (
                entry.outcome
            )
    result = []
    for decision in decisions:
        key = (
            decision.source,
            decision.hash,
            decision.action,
            decision.value,
            decision.rule,
            decision.index,
        )
        outcome = found.get(key)
        if outcome is None:
            outcome = (
                f"stale: no paragraph of {decision.source} has hash {decision.hash} at index "
                f"{decision.index}, nor is exactly one elsewhere (the page changed, or the "
                "source is gone): not applied"
            )
        result.append(Outcome(decision, outcome))
    return result
