"""Text structure: newlines, paragraph splitting, scraping debris, titles and headings.

Splitting follows the file's own style: blank lines between paragraphs when the file uses them,
otherwise one paragraph per line. Inside a blank-line block, the lines of hard-wrapped text are
joined with a space, or with nothing when either side is a CJK character; lines that are not
wrapped text (a breadcrumb, a title and the first answer line on consecutive lines, lines wider
than anyone wraps at) are paragraphs of their own. A Markdown table, and a list inside a block,
is one paragraph whose rows or items are kept on their own lines. Edges are trimmed of white
space and debris. Debris (zero-width characters, stray control and bidi characters) is removed
and each removal is recorded as a fix with its offsets into the original paragraph.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from pipeline.config import InputConfig
from pipeline.records import Fix, Paragraph, Role
from pipeline.text_width import display_width

# Zero-width space, BOM/zero-width no-break space, word joiner, soft hyphen, LRM/RLM, bidi
# embeddings and isolates, the object replacement character, C0 controls but tab and newline, DEL,
# and lone surrogates (from JSON escapes such as "\ud800"). C1 controls are left to the repair
# stage: they are often bytes of mojibake that it can decode. ZWJ/ZWNJ are kept: they
# carry meaning in emoji and some scripts.
_DEBRIS_CLASS = (
    "\u200b\ufeff\u2060\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffc"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff"
)
_DEBRIS = re.compile(f"[{_DEBRIS_CLASS}]+")
# Runs at the end of a text are found by stepping back from the end (_run_start): a pattern
# ending in ``[...]+$`` is tried from every position of every run, quadratic (and with two such
# classes, cubic: a paragraph of 4,000 spaces and zero-width spaces took 40 s).
_EDGE_ONLY = re.compile(rf"[\s{_DEBRIS_CLASS}]*")
_EDGE_CHAR = re.compile(rf"[\s{_DEBRIS_CLASS}]")
_PLAIN_CHAR = re.compile(rf"[^\S{_DEBRIS_CLASS}]")
_PLAIN_LEAD = re.compile(rf"[^\S{_DEBRIS_CLASS}]+")
_LEADING_DEBRIS = re.compile(rf"[\s{_DEBRIS_CLASS}]*[{_DEBRIS_CLASS}][\s{_DEBRIS_CLASS}]*")
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+")
_MARKDOWN_HEADING_LINE = re.compile(r"#{1,6}[ \t].*")
_NEWLINES = re.compile(r"\r\n|[\r\x85\u2028\v]")
_PAGE_BREAKS = re.compile(r"[\f\u2029]")
_ODD_NEWLINE = re.compile(r"[\r\x85\u2028\v\f\u2029]")
_BODY_END = ".。!！;；…,，、"
_SENTENCE_END = ".。!！?？;；…"
_CLOSERS = "\"'”’」』)）]】》>"
_WRAP_WIDTH = 100
_WRAPPED_LINE_WIDTH = 50
# In hard-wrapped text every line but the last is nearly as wide as the widest; a narrower one
# ends a paragraph (a title line, then the text).
_FULL_LINE_SHARE = 0.6
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_LIST_ITEM = re.compile(
    r"^\s*(?:[-*+•·]\s+|[0-9]{1,3}[.)、．](?![0-9])\s*|[(（][0-9]{1,3}[)）]\s*)\S"
)  # "3.5 million in 2020, ..." is a wrapped line, not item 3


def normalise_newlines(text: str) -> str:
    """Turn CR LF, CR, NEL, LS and VT into LF; form feeds and PS become a blank line."""
    if not _ODD_NEWLINE.search(text):
        return text
    return _PAGE_BREAKS.sub("\n\n", _NEWLINES.sub("\n", text))


_JOIN_WITHOUT_SPACE = re.compile(
    "[\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003ffff]"
)  # Han, kana, CJK punctuation and full-width forms; not Hangul, which uses spaces


def _joins_without_space(ch: str) -> bool:
    return _JOIN_WITHOUT_SPACE.match(ch) is not None


def _is_blank(line: str) -> bool:
    return _EDGE_ONLY.fullmatch(line) is not None


def _run_start(text: str, start: int, char: re.Pattern[str]) -> int:
    """Where the run of characters matching ``char`` that ends ``text`` begins (not before
    ``start``)."""
    end = len(text)
    while end > start and char.match(text, end - 1):
        end -= 1
    return end


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of one paragraph with a space, or with nothing next to a CJK character."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and not (_joins_without_space(out[-1]) or _joins_without_space(line[0])):
            out += " "
        out += line
    return out


def _uses_blank_lines(lines: list[str]) -> bool:
    content = [i for i, line in enumerate(lines) if not _is_blank(line)]
    pairs = list(itertools.pairwise(content))
    n_single = sum(1 for a, b in pairs if b == a + 1)
    n_blank = len(pairs) - n_single
    if n_blank == 0:
        return False
    if n_single <= n_blank:
        return True
    # Hard-wrapped prose: no line is long, and most lines that run on into the next are near
    # the wrap width. A file of one-line paragraphs with a blank line after the title is not.
    if max(display_width(lines[i].strip()) for i in content) > _WRAP_WIDTH:
        return False
    run_on = [display_width(lines[a].strip()) for a, b in pairs if b == a + 1]
    return sum(w >= _WRAPPED_LINE_WIDTH for w in run_on) >= 0.6 * len(run_on)


def split_paragraphs(text: str, mode: str = "auto") -> list[str]:
    """Split text into raw paragraph strings by ``mode``: ``blank``, ``line`` or ``auto``."""
    return [paragraph for _, paragraph in split_paragraph_lines(text, mode)]


def split_paragraph_lines(
    text: str, mode: str = "auto", markdown: bool = False
) -> list[tuple[int, str]]:
    """Split text into ``(first line number, raw paragraph)`` pairs (lines count from 1).

    ``mode`` is ``blank``, ``line`` or ``auto``. With ``markdown``, a heading line (``## ...``)
    is a paragraph of its own even without blank lines around it.
    """
    lines = normalise_newlines(text).split("\n")
    if mode == "auto":
        mode = "blank" if _uses_blank_lines(lines) else "line"
    if mode == "line":
        numbered = [(number, line) for number, line in enumerate(lines, 1) if not _is_blank(line)]
        return _group_tables(numbered)
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, 1):
        if _is_blank(line):
            current = []
        elif markdown and _MARKDOWN_HEADING_LINE.match(line):
            blocks.append((number, [line]))
            current = []
        else:
            if not current:
                current = []
                blocks.append((number, current))
            current.append(line)
    return [piece for number, block in blocks for piece in _block_paragraphs(number, block)]


def _group_tables(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """One paragraph per line, but consecutive Markdown table rows make one paragraph."""
    result: list[tuple[int, str]] = []
    previous_row = False
    for number, line in numbered:
        row = _TABLE_ROW.match(line) is not None
        if row and previous_row:
            result[-1] = (result[-1][0], result[-1][1] + "\n" + line.strip())
        else:
            result.append((number, line))
        previous_row = row
    return result


def _block_paragraphs(first: int, block: list[str]) -> list[tuple[int, str]]:
    """The paragraphs of one blank-line block: ``(first line number, text)``.

    Table rows stay together, and so do list items, each on its own line. Other lines are
    joined when they are hard-wrapped text: the block's widest line is no wider than anyone
    wraps at, and the line is nearly as wide as it (the last line of a paragraph may be short).
    """
    if len(block) == 1:
        return [(first, block[0])]
    widest = max(display_width(line.strip()) for line in block)
    wrapped = widest <= _WRAP_WIDTH
    pieces: list[tuple[int, list[str], str]] = []  # (line, lines, kind)
    for offset, line in enumerate(block):
        kind = "table" if _TABLE_ROW.match(line) else "item" if _LIST_ITEM.match(line) else "text"
        if pieces:
            start, lines, last_kind = pieces[-1]
            previous = lines[-1].strip()
            indented_item = kind == "text" and last_kind in ("item", "list") and line[:1].isspace()
            joins = (
                (kind == "table" and last_kind == "table")
                or indented_item  # a list item's indented continuation
                or (
                    kind == "text"
                    and wrapped
                    and display_width(previous) >= _FULL_LINE_SHARE * widest
                    # an item's text goes on after a wrap, not after its last sentence
                    and (last_kind == "text" or previous[-1] not in _SENTENCE_END)
                )
            )
            if kind == "item" and last_kind in ("item", "list"):
                pieces[-1] = (start, [*lines, line], "list")
                continue
            if joins:
                lines.append(line)
                continue
        pieces.append((first + offset, [line], kind))
    return [(start, _join_piece(lines, kind)) for start, lines, kind in pieces]


def _join_piece(lines: list[str], kind: str) -> str:
    if kind == "table":
        return "\n".join(line.strip() for line in lines)
    if kind == "list":
        items: list[list[str]] = []
        for line in lines:
            if _LIST_ITEM.match(line) or not items:
                items.append([line])
            else:
                items[-1].append(line)
        return "\n".join(join_lines(item) for item in items)
    return join_lines(lines)


def original_text(raw: str) -> str:
    """A raw paragraph with plain white space trimmed: the text that fix offsets refer to."""
    if raw[:1].isspace() or raw[-1:].isspace():
        lead = _PLAIN_LEAD.match(raw)
        start = lead.end() if lead else 0
        return raw[start : _run_start(raw, start, _PLAIN_CHAR)]
    return raw


def clean_paragraph(raw: str, markdown: bool = False) -> tuple[str, list[Fix], bool]:
    """Trim a raw paragraph and remove the debris in it.

    Plain white space at the edges is trimmed; that trimmed text is the paragraph's original.
    Debris is removed and recorded as fixes with offsets into the original: a run at either edge
    together with the white space around it, and each run inside. Returns the clean text, the
    fixes and whether a Markdown heading marker (``## ``) was removed (also a fix).
    """
    original = original_text(raw)
    lead = _LEADING_DEBRIS.match(original) if _EDGE_CHAR.match(original[:1]) else None
    start = lead.end() if lead else 0
    end = len(original)
    if _EDGE_CHAR.match(original[-1:]):
        run = _run_start(original, start, _EDGE_CHAR)
        end = run if _DEBRIS.search(original, run) else end  # a trailing run with debris in it
    fixes: list[Fix] = []
    if start:
        fixes.append(Fix("strip_debris", original[:start], "", 0, start))
    body_start = start
    if markdown:
        marker = _MARKDOWN_HEADING.match(original, start)
        if marker and marker.end() < end:
            fixes.append(Fix("markdown_heading", marker.group(), "", start, marker.end()))
            body_start = marker.end()
    inner = []
    if _DEBRIS.search(original, body_start, end):  # the common case is none
        inner = [
            Fix("strip_debris", match.group(), "", match.start(), match.end())
            for match in _DEBRIS.finditer(original, body_start, end)
        ]
    fixes.extend(inner)
    if end < len(original):
        fixes.append(Fix("strip_debris", original[end:], "", end, len(original)))
    body = original[body_start:end]
    text = _DEBRIS.sub("", body) if inner else body
    return text, fixes, body_start > start


def classify_role(text: str, config: InputConfig, heading_hint: bool = False) -> Role:
    """``heading`` for a short line that does not end like a sentence, else ``body``."""
    if heading_hint:
        return "heading"
    if "\n" in text or not text:
        return "body"  # a table or a list
    ending = text.rstrip(_CLOSERS) or text  # 他说：“你好。” ends like a sentence
    if ending[-1] in _BODY_END or len(text) > config.heading_max_width:  # width >= length
        return "body"
    return "heading" if display_width(text) <= config.heading_max_width else "body"


def is_title_candidate(text: str, config: InputConfig) -> bool:
    """The first paragraph is the title when it is short: no wider than ``title_max_width``."""
    if "\n" in text:
        return False  # a table or a list
    return len(text) <= config.title_max_width and display_width(text) <= config.title_max_width


def build_paragraphs(
    raw_paragraphs: Iterable[tuple[int, str, int | None]],
    config: InputConfig,
    *,
    title: str | None = None,
    title_line: int | None = None,
    detect_title: bool = True,
    markdown: bool = False,
) -> list[Paragraph]:
    """Turn ``(index, raw text, line)`` triples into paragraphs with roles and debris fixes.

    With an explicit ``title`` (found on ``title_line``) it becomes paragraph 0 and the given
    indexes are shifted by one; otherwise, with ``detect_title``, the first paragraph is the
    title when it is short.
    """
    paragraphs: list[Paragraph] = []
    offset = 0
    if title is not None:
        text, fixes, _ = clean_paragraph(title)
        if text:
            paragraphs.append(Paragraph(0, "title", text, line=title_line, fixes=fixes))
            offset = 1
    for index, raw, line in raw_paragraphs:
        text, fixes, marked = clean_paragraph(raw, markdown)
        if not text:
            continue
        first = not paragraphs
        if first and title is None and detect_title and is_title_candidate(text, config):
            role: Role = "title"
        else:
            role = classify_role(text, config, heading_hint=marked)
        paragraphs.append(Paragraph(index + offset, role, text, line=line, fixes=fixes))
    return paragraphs
