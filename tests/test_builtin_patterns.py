"""The built-in patterns against backtracking (issue #12, item 3): user rules run on RE2, the
built-in ones on Python's ``re``, so each is tried here on hostile text made of its own
characters. Every compiled pattern of the package is found (module and class attributes), so a
new one is tried too.

A pattern is tried as the code uses it: searched through the text (``finditer``), unless it is
listed in ANCHORED (the code only matches it at one position) or BOUNDED (the code only
searches a slice of bounded length, named with the bound). Each must take less than a quarter
of a second on 4,000 characters and grow no faster than about linearly from 1,000 to 4,000
(16x is quadratic; the bound is 8x, plus 10 ms for timer noise on fast patterns).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import re._parser as sre_parse
import time
from collections.abc import Iterator
from typing import Any

import pytest

import pipeline

# Matched at one position only (match/fullmatch, or match at an offset): linear there.
ANCHORED = {
    "pipeline.paragraphs._LEADING_DEBRIS",  # clean_paragraph: match at 0
    "pipeline.repair.lists._ITEM_START",  # match at 0
    "pipeline.repair.lists._SECOND_ITEM",  # match at 0
    "pipeline.furniture.clues._META_LABEL",  # match at 0
    "pipeline.furniture.clues._PREV_NEXT",  # match at 0
    "pipeline.repair.engine.BUILTIN_RULES._year_end",  # match at the end of a split year
    "pipeline.review.decisions._TABLE_HEADER",  # match at the start of a line
}
# Searched only in a slice of bounded length.
BOUNDED = {
    "pipeline.furniture.clues._MONEY": 40,  # a value of display width <= 40
    "pipeline.furniture.clues._PATH_SEPARATOR": 300,  # path_segments: lines of <= 300
    "pipeline.repair.engine.BUILTIN_RULES._range_before": 20,  # the 20 characters before
}
GENERIC_UNITS = ("1", "1,", "1.", "1 ", " ", "a", "a ", "中", "一", "万", "-", "+", "1+", "\n")
CATEGORY_CHARS = {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the package, by where it is (first place found)."""
    found: dict[str, re.Pattern[str]] = {}
    seen: set[int] = set()

    def visit(value: Any, where: str, depth: int = 0) -> None:
        if id(value) in seen or depth > 4:
            return
        seen.add(id(value))
        if isinstance(value, re.Pattern):
            if isinstance(value.pattern, str) and value.pattern not in {
                p.pattern for p in found.values()
            }:
                found[where] = value
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                visit(item, where, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, where, depth + 1)
        elif (inspect.isclass(value) and value.__module__.startswith("pipeline")) or (
            type(value).__module__.startswith("pipeline")
            and hasattr(value, "__dict__")
            and not inspect.ismodule(value)
            and not inspect.isroutine(value)
        ):
            for name, item in vars(value).items():
                visit(item, f"{where}.{name}", depth + 1)

    for module_info in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        if module_info.name.endswith(("__main__", "ray_engine")):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            visit(value, f"{module_info.name}.{name}")
    return found


def _alphabet(pattern: re.Pattern[str]) -> set[str]:
    """A character of each literal, range end and class in ``pattern``."""
    chars: set[str] = set()

    def visit(items: Any) -> None:
        for op, value in items:
            kind = str(op)
            if kind == "LITERAL":
                chars.add(chr(value))
            elif kind == "IN":
                for inner, item in value:
                    if str(inner) == "LITERAL":
                        chars.add(chr(item))
                    elif str(inner) == "RANGE":
                        chars.update((chr(item[0]), chr(item[1])))
                    elif str(inner) == "CATEGORY":
                        chars.add(CATEGORY_CHARS.get(str(item), ""))
            elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                visit(value[2])
            elif kind in ("SUBPATTERN", "ATOMIC_GROUP"):
                visit(value[-1])
            elif kind == "BRANCH":
                for branch in value[1]:
                    visit(branch)
            elif kind in ("ASSERT", "ASSERT_NOT"):
                visit(value[1])
            elif kind == "CATEGORY":
                chars.add(CATEGORY_CHARS.get(str(value), ""))

    visit(sre_parse.parse(pattern.pattern, pattern.flags))
    chars.discard("")
    return chars


def _hostile(pattern: re.Pattern[str], length: int) -> Iterator[str]:
    """Runs of one unit (a character of the pattern, two of them, or a generic one), ending
    in a character that spoils a match."""
    alphabet = sorted(_alphabet(pattern))
    units = {*GENERIC_UNITS, *alphabet}
    if len(alphabet) <= 12:
        units |= {a + b for a in alphabet for b in alphabet}
    for unit in sorted(units):
        for end in ("", "!", "\x00"):
            yield unit * (length // len(unit)) + end


def _seconds(pattern: re.Pattern[str], text: str, anchored: bool) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        if anchored:
            pattern.match(text)
        else:
            for _ in pattern.finditer(text):
                pass
        best = min(best, time.perf_counter() - start)
    return best


PATTERNS = _patterns()


def test_every_pattern_is_found_and_the_lists_name_real_ones() -> None:
    assert len(PATTERNS) > 100
    assert {*ANCHORED, *BOUNDED} <= set(PATTERNS)


@pytest.mark.slow
@pytest.mark.parametrize("where", sorted(PATTERNS))
def test_a_builtin_pattern_does_not_backtrack_on_hostile_text(where: str) -> None:
    pattern = PATTERNS[where]
    anchored = where in ANCHORED
    length = min(BOUNDED.get(where, 4000), 4000)
    slowest = max(
        ((_seconds(pattern, text, anchored), text) for text in _hostile(pattern, length // 4)),
        key=lambda pair: pair[0],
    )
    seconds, text = slowest
    long_text = text[:-1] * 4 + text[-1] if text[-1:] in ("!", "\x00") else text * 4
    long_seconds = _seconds(pattern, long_text[: length + 1], anchored)
    assert long_seconds < 0.25, (where, text[:20], long_seconds)
    assert long_seconds < 8 * seconds + 0.01, (where, text[:20], seconds, long_seconds)
