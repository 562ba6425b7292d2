"""The built-in rules, in priority order (where two findings overlap, the earlier rule wins),
and user rules built from the config."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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
from pipeline.rules import ARTICLE_RULE_NAMES, FIX_LEVELS, RULE_NAMES, user_rule_problem
from pipeline.user_patterns import expand

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
# The built-in rules that find nothing in a text of ASCII characters alone (every hint of theirs
# is a non-ASCII character): the engine does not ask them about such a text, which Python knows
# without reading it.
NON_ASCII_RULES = frozenset(
    {"lost_bytes", "mojibake", "gbk_mojibake", "big5_mojibake", "fullwidth_digits", "c1_controls"}
)
# The built-in rules that find nothing in a text without an ASCII digit (every finding of theirs
# holds one: a split or glued number, a marker's 5438 or 0): the engine looks for a digit once
# and does not ask them about such a text (three paragraphs in four, on the benchmark corpus).
DIGIT_RULES = frozenset(
    {"marker_debris", "marker_65438_magnitude", "marker_65438_month", "marker_65438"}
    | {"marker_kloc", "split_year", "split_number", "glued_number", "garbled_year"}
)
# The names, their order and the fix levels are in the catalogue (pipeline.rules), so that the
# config is checked without importing the rules; tests/test_repair.py keeps the two in step.
__all__ = [
    "ARTICLE_RULE_NAMES",
    "BUILTIN_RULES",
    "DIGIT_RULES",
    "FIX_LEVELS",
    "LIST_RULE",
    "NON_ASCII_RULES",
    "RULE_NAMES",
    "PatternRule",
    "user_rule_problem",
]


@dataclass(frozen=True)
class PatternRule:
    """A user rule from the config: a regular expression and its replacement template."""

    name: str
    pattern: Any  # compiled with RE2 (pipeline.user_patterns): linear in the text
    replacement: str
    confidence: Confidence
    reason: str
    hint: re.Pattern[str] | None = None  # any text may match

    def find(self, text: str) -> Iterator[Finding]:
        """Yield a repair for each non-empty match."""
        for match in self.pattern.finditer(text):
            if match.end() > match.start():
                after = expand(match, self.replacement)
                yield Finding(
                    self.name, match.start(), match.end(), after, self.confidence, self.reason
                )
