"""The built-in rules, in priority order (where two findings overlap, the earlier rule wins),
and user rules built from the config."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.records import Confidence
from pipeline.repair.base import Finding, Rule
from pipeline.repair.glued import GarbledYearRule, GluedNumberRule
from pipeline.repair.kloc import KlocRule
from pipeline.repair.lists import RULE as LIST_RULE
from pipeline.repair.markers import (
    MarkerDebrisRule,
    MarkerDigitRule,
    MarkerMagnitudeRule,
    MarkerMonthRule,
)
from pipeline.repair.split import SplitNumberRule, SplitYearRule
from pipeline.repair.text import (
    Big5MojibakeRule,
    C1ControlsRule,
    FullwidthDigitsRule,
    GbkMojibakeRule,
    HtmlEntitiesRule,
    LostBytesRule,
    MojibakeRule,
)

BUILTIN_RULES: tuple[Callable[[], Rule], ...] = (
    HtmlEntitiesRule,
    LostBytesRule,
    MojibakeRule,
    GbkMojibakeRule,
    Big5MojibakeRule,
    MarkerDebrisRule,
    MarkerMagnitudeRule,
    MarkerMonthRule,
    MarkerDigitRule,
    KlocRule,
    SplitYearRule,
    SplitNumberRule,
    GluedNumberRule,
    GarbledYearRule,
    FullwidthDigitsRule,
    C1ControlsRule,
)
# The rules that look at a paragraph with its neighbours (lists), after the per-text ones.
ARTICLE_RULE_NAMES = (LIST_RULE,)
RULE_NAMES: tuple[str, ...] = (*(make().name for make in BUILTIN_RULES), *ARTICLE_RULE_NAMES)
FIX_LEVELS = ("certain", "probable")
_USER_RULE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class PatternRule:
    """A user rule from the config: a regular expression and its replacement template."""

    name: str
    pattern: re.Pattern[str]
    replacement: str
    confidence: Confidence
    reason: str

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a repair for each non-empty match."""
        for match in self.pattern.finditer(text):
            if match.end() > match.start():
                after = match.expand(self.replacement)
                yield Finding(
                    self.name, match.start(), match.end(), after, self.confidence, self.reason
                )


def user_rule_problem(name: str, pattern: str, replacement: str, confidence: str) -> str | None:
    """Why a user rule cannot be used, or ``None`` when it can."""
    if not _USER_RULE_NAME.fullmatch(name):
        return f"name {name!r} must be lower-case letters, digits and _ (a letter first)"
    if name in RULE_NAMES:
        return f"name {name!r} is a built-in rule"
    if confidence not in FIX_LEVELS:
        return f"confidence must be one of {', '.join(FIX_LEVELS)}"
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return f"pattern {pattern!r} is not a valid regular expression: {exc}"
    if compiled.fullmatch(""):
        return f"pattern {pattern!r} matches empty text"
    try:
        compiled.sub(replacement, "")  # compiles the template: bad group references fail here
    except (re.error, IndexError) as exc:
        return f"replacement {replacement!r} is not valid for the pattern: {exc}"
    return None
