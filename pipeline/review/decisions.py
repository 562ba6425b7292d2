"""The review file: editors' decisions per paragraph, read and checked before a run.

Each ``[[decision]]`` table names a paragraph by ``source``, ``index`` and ``hash`` and says what
to do with it (:data:`~pipeline.records.DECISION_ACTIONS`). A file that is not TOML, or a
decision with an unknown field, a missing or wrong value, or a repeat of another, is a
:class:`ReviewError` naming its line: the run does not start.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.records import DECISION_ACTIONS, Decision, Role, to_json

FIELDS = ("source", "index", "hash", "action", "value", "rule", "note")
NEEDS_VALUE = frozenset({"accept_candidate", "set_lang", "set_role"})
SETTABLE_ROLES: tuple[Role, ...] = (
    "heading",
    "body",
    "breadcrumb",
    "navigation",
    "advert",
    "meta",
    "boilerplate",
)
_HASH = re.compile("[0-9a-f]{8}")
_LANG = re.compile("[a-z]{2,3}|mixed|und")
_TABLE_HEADER = re.compile(r"\s*\[\[\s*\"?decision\"?\s*\]\]")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


class ReviewError(ValueError):
    """A review file that cannot be used; the message starts with ``FILE:LINE:``."""


@dataclass(frozen=True)
class DecisionSet:
    """The decisions of one review file, by source (in file order)."""

    name: str = ""  # the file's name, for the manifest (never a machine path)
    sha256: str = ""
    decisions: tuple[Decision, ...] = ()
    by_source: dict[str, tuple[Decision, ...]] = field(default_factory=dict)

    def for_source(self, source: str) -> tuple[Decision, ...]:
        """The decisions about the article ``source``."""
        return self.by_source.get(source, ())

    def digest_for_file(self, path: str) -> str:
        """A hash of the decisions about the articles of the input file ``path`` (``path``
        itself, or ``path:LINE`` for a JSONL line); empty when there is none."""
        chosen = [
            (d.source, d.index, d.hash, d.action, d.value, d.rule)
            for d in self.decisions
            if d.source == path or d.source.rpartition(":")[0] == path
        ]
        if not chosen:
            return ""
        data = to_json(chosen).encode("utf-8", "surrogatepass")
        return hashlib.sha256(data).hexdigest()


def decision_set(decisions: Iterable[Decision], name: str = "", sha256: str = "") -> DecisionSet:
    """A :class:`DecisionSet` of ``decisions`` (already checked)."""
    ordered = tuple(decisions)
    by_source: dict[str, list[Decision]] = defaultdict(list)
    for decision in ordered:
        by_source[decision.source].append(decision)
    return DecisionSet(name, sha256, ordered, {k: tuple(v) for k, v in by_source.items()})


def load_decisions(path: Path, rules: Collection[str] | None = None) -> DecisionSet:
    """Read and check the review file at ``path`` (``rules``: the rules a ``reject_repair``
    may name; any when ``None``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"{path}: cannot read the review file: {exc.strerror}") from None
    return parse_decisions(data, path.name, rules)


def parse_decisions(
    data: bytes, name: str = "review.toml", rules: Collection[str] | None = None
) -> DecisionSet:
    """Parse and check the bytes of a review file called ``name`` (a UTF-8 byte-order mark, as
    some editors write, is allowed). ``rules``: the rules a ``reject_repair`` may name."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReviewError(f"{name}:{line}: not UTF-8 text (byte {exc.start})") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line = int(found.group(1)) if found else 1
        message = _TOML_POSITION.sub("", str(exc)).strip()
        raise ReviewError(f"{name}:{line}: not valid TOML: {message}") from None
    lines = text.splitlines()
    for key in table:
        if key != "decision":
            where = _line_of_key(lines, key, 0, len(lines))
            raise ReviewError(f"{name}:{where}: unknown table or key {key!r} (only [[decision]])")
    entries = table.get("decision", [])
    if not isinstance(entries, list):
        raise ReviewError(
            f"{name}:{_line_of_key(lines, 'decision', 0, len(lines))}: "
            "'decision' must be an array of tables ([[decision]])"
        )
    headers = [number for number, line in enumerate(lines) if _TABLE_HEADER.match(line)]
    decisions: list[Decision] = []
    seen: dict[tuple[Any, ...], int] = {}
    for number, entry in enumerate(entries):
        start = headers[number] if number < len(headers) else 0
        end = headers[number + 1] if number + 1 < len(headers) else len(lines)
        decision = _decision(entry, name, lines, start, end)
        if rules is not None and decision.rule is not None and decision.rule not in rules:
            where = _line_of_key(lines, "rule", start, end)
            known = ", ".join(sorted(rules))
            raise ReviewError(f"{name}:{where}: unknown rule {decision.rule!r} (rules: {known})")
        identity = (decision.source, decision.index, decision.hash, decision.action, decision.rule)
        if decision.action in ("keep", "drop"):
            identity = (decision.source, decision.index, decision.hash, "keep/drop", None)
        if identity in seen:
            raise ReviewError(
                f"{name}:{decision.line}: a second decision of this kind for the same paragraph "
                f"(the first is at line {seen[identity]})"
            )
        seen[identity] = decision.line
        decisions.append(decision)
    return decision_set(decisions, name, hashlib.sha256(data).hexdigest())


def _line_of_key(lines: list[str], key: str, start: int, end: int) -> int:
    """The 1-based line where ``key =`` is written between lines ``start`` and ``end``."""
    pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start, end):
        if pattern.match(lines[number]):
            return number + 1
    return start + 1


def _decision(entry: Any, name: str, lines: list[str], start: int, end: int) -> Decision:
    line = start + 1

    def fail(key: str | None, message: str) -> ReviewError:
        where = line if key is None else _line_of_key(lines, key, start, end)
        return ReviewError(f"{name}:{where}: {message}")

    if not isinstance(entry, dict):
        raise fail(None, "a decision must be a table")
    for key in entry:
        if key not in FIELDS:
            raise fail(key, f"unknown field {key!r} (known: {', '.join(FIELDS)})")
    for key in ("source", "index", "hash", "action"):
        if key not in entry:
            raise fail(None, f"decision without {key!r}")
    for key in ("source", "hash", "action", "value", "rule", "note"):
        if key in entry and not isinstance(entry[key], str):
            raise fail(key, f"{key!r} must be a string")
    index = entry["index"]
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise fail("index", "'index' must be a whole number, 0 or more")
    digest = entry["hash"].lower()
    if not _HASH.fullmatch(digest):
        raise fail("hash", "'hash' must be 8 hex digits (of the SHA-256 of the original text)")
    action = entry["action"]
    if action not in DECISION_ACTIONS:
        raise fail("action", f"unknown action {action!r} (known: {', '.join(DECISION_ACTIONS)})")
    value, rule = entry.get("value"), entry.get("rule")
    if action in NEEDS_VALUE and not value:
        raise fail(None, f"action {action!r} needs a 'value'")
    if action == "reject_repair" and not rule:
        raise fail(None, "action 'reject_repair' needs the 'rule' of the repair")
    if value is not None and action not in (*NEEDS_VALUE, "set_title"):
        raise fail("value", f"action {action!r} takes no 'value'")
    if rule is not None and action != "reject_repair":
        raise fail("rule", f"action {action!r} takes no 'rule'")
    if action == "set_lang" and not _LANG.fullmatch(value or ""):
        raise fail("value", "'value' must be a language code (en, zh, ...), mixed or und")
    if action == "set_role" and value not in SETTABLE_ROLES:
        raise fail(
            "value",
            f"'value' must be a role: {', '.join(SETTABLE_ROLES)} (use set_title for the title)",
        )
    return Decision(entry["source"], index, digest, action, value, rule, entry.get("note"), line)


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (the report's script writes the same)."""
    escaped = []
    for ch in text:
        if ch in '\\"':
            escaped.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def decision_snippet(
    source: str,
    index: int,
    digest: str,
    action: str,
    value: str | None = None,
    rule: str | None = None,
) -> str:
    """The ``[[decision]]`` table for one decision, as the report's copy buttons give it."""
    lines = [
        "[[decision]]",
        f"source = {toml_string(source)}",
        f"index = {index}",
        f"hash = {toml_string(digest)}",
        f"action = {toml_string(action)}",
    ]
    if value is not None:
        lines.append(f"value = {toml_string(value)}")
    if rule is not None:
        lines.append(f"rule = {toml_string(rule)}")
    return "\n".join(lines) + "\n"
