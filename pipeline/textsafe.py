"""Untrusted text made safe to show: control, bidirectional-formatting and invisible characters
written as escapes, so that a scraped page or a file name cannot move the cursor, recolour or
reorder a terminal line or a web page, nor hide what an editor must see."""

from __future__ import annotations

import re

# C0 and C1 controls but tab and newline, DEL, soft hyphen, zero-width spaces and joiners,
# LRM/RLM, the line and paragraph separators, the bidi embeddings, overrides and isolates, the
# word joiner and invisible operators, and the BOM.
_UNSAFE_IN_TEXT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
# In a name (a path, an id, a span shown on one line), tab and newline are escaped too.
_UNSAFE_IN_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every unsafe character but tab and newline written as an escape
    (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE_IN_TEXT.sub(_escape, text)


def printable_name(text: str) -> str:
    """A name (path, id, span) for one line: every unsafe character, tab, newline and lone
    surrogates (undecodable bytes of a file name) included, written as an escape."""
    return _UNSAFE_IN_NAME.sub(_escape, text)
