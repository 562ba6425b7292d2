"""List numbers the translator merged into a count: ``1、语文、数学、英语各150分；`` came out as
``Chinese, mathematics, English 1,150;``, item 1's number glued before 150 as a thousands group.

Only the list around it shows this: the next item (the next paragraph, or the text after a
``;``) starts with 2 while this one starts with no number. Such a ``1,ddd`` is flagged with
``ddd`` as the candidate; nothing is changed.
"""

from __future__ import annotations

import re

from pipeline.repair.base import Finding

RULE = "list_number_merged"
_MERGED = re.compile(r"(?<![0-9.,])1,(?P<count>[0-9]{3})(?![0-9]|[.,][0-9])")
_ITEM_START = re.compile(r"\s*(?:[(（][0-9]{1,2}[)）]|[0-9]{1,2}\s?(?:[.、，)）:]|,(?![0-9])))")
_SECOND_ITEM = re.compile(r"\s*[(（]?2\s?[.,、，)）]")
_NEXT_ITEM_INSIDE = re.compile(r"[;；]\s*[(（]?2\s?[.,、，)）]")


def merged_list_numbers(text: str, next_text: str | None) -> list[Finding]:
    """Flags for ``1,ddd`` counts in ``text`` that look like list item 1 merged into a count:
    ``text`` starts with no item number and the next item, inside ``text`` after a ``;`` or in
    ``next_text`` when ``text`` ends with one, is item 2."""
    if "1," not in text or _ITEM_START.match(text):
        return []
    next_is_item_two = (
        next_text is not None
        and text.rstrip()[-1:] in (";", "；")
        and _SECOND_ITEM.match(next_text) is not None
    )
    findings = []
    for match in _MERGED.finditer(text):
        follows = _NEXT_ITEM_INSIDE.search(text, match.end())
        if follows is None and not next_is_item_two:
            continue
        findings.append(
            Finding(
                RULE,
                match.start(),
                match.end(),
                None,
                "probable",
                "list item 1's number merged into the count after it: the next item is 2",
                (match.group("count"),),
            )
        )
    return findings
