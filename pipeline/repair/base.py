"""What a repair rule is: a named object whose ``find`` reports findings in a text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from pipeline.records import Confidence

# The digits 6 5 4 3 8 as the translator formatted them; with its "+0" the marker is the digit 1.
MARKER = r"(?:65[,，]\s?438|654\.38|6543\.8|65\.438|65438)"
# Not the tail of a longer number: no digit, and no digit followed by "." or "," before it.
NOT_AFTER_NUMBER = r"(?<![0-9])(?<![0-9][.,])"


@dataclass(frozen=True)
class Finding:
    """Something a rule found in ``text[start:end]``: a repair when ``replacement`` is set, a
    suspect to flag when it is ``None``."""

    rule: str
    start: int
    end: int
    replacement: str | None
    confidence: Confidence
    reason: str
    candidates: tuple[str, ...] = ()


def found(
    rule: str,
    match: re.Match[str],
    replacement: str | None,
    confidence: Confidence,
    reason: str,
    candidates: tuple[str, ...] = (),
) -> Finding:
    """A finding over the whole of ``match``."""
    return Finding(rule, match.start(), match.end(), replacement, confidence, reason, candidates)


class Rule(Protocol):
    """A repair rule: ``name`` is what fixes and flags record; ``find`` never raises."""

    @property
    def name(self) -> str:
        """The rule's name, as recorded on its fixes and flags."""
        ...

    def find(self, text: str) -> Iterator[Finding]:
        """Yield the rule's findings in ``text``, in order."""
        ...
