"""The patterns of the config's user rules, compiled with RE2.

RE2 runs in time linear in the text, whatever the pattern: a user rule such as ``(a+)+$`` can
no longer hang a run (Python's ``re`` backtracks on it for minutes on 41 characters). RE2 takes
no backreferences and no lookaround; a pattern that needs them is a config error that says so.
Its classes are ASCII unless asked (``\\d`` is 0-9; ``\\p{N}`` for any digit, ``\\p{Han}``).
"""

from __future__ import annotations

import re
from typing import Any

import re2  # type: ignore[import-untyped]

_TEMPLATE_PART = re.compile(r"\\(?:g<([^>]*)>|([0-9]{1,2})|(.))", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "\\": "\\"}


class UserPatternError(ValueError):
    """A user rule's pattern or replacement that cannot be used."""


def compile_user_pattern(pattern: str) -> Any:
    """``pattern`` compiled with RE2 (its pattern objects work as ``re``'s: ``finditer``,
    ``fullmatch``, matches with ``expand``); :class:`UserPatternError` when RE2 cannot take
    it."""
    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not RE2's log on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        reason = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        raise UserPatternError(
            f"pattern {pattern!r} is not a valid regular expression for RE2: {reason} (user "
            "rules run on RE2, a linear-time engine: no backreferences, no lookaround)"
        ) from None


def expand(match: Any, template: str) -> str:
    """``template`` with its group references filled from ``match``, as ``re``'s
    ``Match.expand`` does (RE2's own mangles non-ASCII templates): ``\\1``, ``\\g<1>``,
    ``\\g<name>``, and the escapes ``\\n``, ``\\t``, ``\\\\`` and their kin; a group that did
    not take part gives ""."""

    def part(found: re.Match[str]) -> str:
        name, number, escaped = found.groups()
        if escaped is not None:
            return _ESCAPES.get(escaped, "\\" + escaped)
        if name is None:
            key: int | str = int(number)
        else:
            key = int(name) if name.isdigit() else name
        return match.group(key) or ""

    return _TEMPLATE_PART.sub(part, template)


def replacement_problem(compiled: Any, replacement: str) -> str | None:
    """Why ``replacement`` cannot be a template for ``compiled``, or ``None``: each group it
    names (``\\1``, ``\\g<1>``, ``\\g<name>``) must be one of the pattern's."""
    names: dict[str, int] = dict(compiled.groupindex)
    for match in _TEMPLATE_PART.finditer(replacement):  # escapes (group 3) name no group
        name, number = match.group(1), match.group(2)
        if name is not None and not (
            name in names or (name.isdigit() and int(name) <= compiled.groups)
        ):
            return f"replacement {replacement!r} is not valid: invalid group reference {name!r}"
        if number is not None and int(number) > compiled.groups:
            return f"replacement {replacement!r} is not valid: invalid group reference {number}"
    return None
