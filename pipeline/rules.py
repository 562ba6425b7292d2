"""The catalogue of repair rules that configs may name: the built-in rule names, the fix levels
and what makes a user rule usable. It imports nothing of the pipeline, so that the config layer
can check a config without loading the rules themselves (``pipeline.repair.registry`` holds
those, in this order; a test keeps the two in step)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.user_patterns import UserPatternError, compile_user_pattern, replacement_problem

BUILTIN_RULE_NAMES: tuple[str, ...] = (
    "html_entities",
    "lost_bytes",
    "mojibake",
    "gbk_mojibake",
    "big5_mojibake",
    "marker_debris",
    "marker_65438_magnitude",
    "marker_65438_month",
    "marker_65438",
    "marker_kloc",
    "split_year",
    "split_number",
    "glued_number",
    "garbled_year",
    "fullwidth_digits",
    "c1_controls",
)
# The rules that look at a paragraph with its neighbours (lists), after the per-text ones.
ARTICLE_RULE_NAMES: tuple[str, ...] = ("list_number_merged",)
RULE_NAMES: tuple[str, ...] = (*BUILTIN_RULE_NAMES, *ARTICLE_RULE_NAMES)
# Fixes made while reading (debris and Markdown markers), which a decision may reject too.
READING_RULE_NAMES: tuple[str, ...] = ("strip_debris", "markdown_heading")
FIX_LEVELS = ("certain", "probable")
_USER_RULE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def user_rule_problem(name: str, pattern: str, replacement: str, confidence: str) -> str | None:
    """Why a user rule cannot be used, or ``None`` when it can."""
    if not _USER_RULE_NAME.fullmatch(name):
        return f"name {name!r} must be lower-case letters, digits and _ (a letter first)"
    if name in RULE_NAMES:
        return f"name {name!r} is a built-in rule"
    if confidence not in FIX_LEVELS:
        return f"confidence must be one of {', '.join(FIX_LEVELS)}"
    try:
        compiled = compile_user_pattern(pattern)
    except UserPatternError as exc:
        return str(exc)
    if compiled.fullmatch(""):
        return f"pattern {pattern!r} matches empty text"
    return replacement_problem(compiled, replacement)


def rejectable_rules(user_rules: Iterable[str]) -> frozenset[str]:
    """The rules whose fixes a ``reject_repair`` decision may name, given the names of the
    config's user rules."""
    return frozenset({*BUILTIN_RULE_NAMES, *READING_RULE_NAMES, *user_rules})
