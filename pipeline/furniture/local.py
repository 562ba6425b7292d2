"""Page furniture found inside one article: clues combined with where the paragraph stands, and
the article's real title chosen among what is left.

The article's body is told by its anchors: paragraphs that read as running prose (wide, with a
sentence mark inside) and carry no strong clue. What stands before the first anchor is the top
of the page, what stands after the last one its bottom; weak clues there (a date line, a long
advert that ends with a link) add up to furniture, and so does a run of headline-like lines
after the article (a related-links list). A breadcrumb whose last part is the article's title is
one, and that title is the headline.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.config import InputConfig
from pipeline.fingerprint import nfkc
from pipeline.furniture.clues import (
    ARROW_PATH,
    RELATED_HEADER,
    SHORT,
    WEAK,
    Clue,
    Kind,
    clues,
    path_segments,
)
from pipeline.paragraphs import classify_role, is_title_candidate
from pipeline.records import Paragraph, Role
from pipeline.text_width import SENTENCE_INSIDE, display_width, is_prose

FURNITURE_ROLES = frozenset({"breadcrumb", "navigation", "advert", "meta", "boilerplate"})
_ENOUGH = 1.0
_ENOUGH_FOR_PROSE = 1.5  # a long paragraph of running text needs two clues
_RELATED_RUN = 4  # headline-like lines after the article that make a related-links list
_ENDS_OPEN = re.compile(r"[,，、;；:：\-–]\s*$")
_ENDS_SENTENCE = re.compile(r"[.。!！?？;；:：…]\s*[\"'”’」』)）]*\s*$")
_STATEMENT_INSIDE = re.compile(r"[.。!！;；](?=\s*\S)")  # a headline may ask and answer: "X？Y"
_INTRODUCES = re.compile(r"[:：]\s*$")
_LIST_HEADING = re.compile(
    r"(?:要求|职责|条件|技能|如下|包括|方法|步骤|优势|特点)\s*[:：]?\s*$"
    r"|\b(?:requirements|skills|responsibilities|duties|qualifications|steps|tips)\s*:?\s*$",
    re.I,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HAN = re.compile("[\u3400-\u9fff]")


_EDGE_DEPTH = 2  # furniture sits among an article's first or last two paragraphs


@dataclass(frozen=True)
class Zones:
    """Where an article's body starts and ends: indexes into its paragraph list."""

    first_anchor: int | None
    last_anchor: int | None
    size: int = 0

    def edge(self, position: int) -> str | None:
        """``top`` or ``bottom`` for a paragraph outside the body and among the article's
        first or last paragraphs, else ``None``."""
        if self.first_anchor is None or self.last_anchor is None:
            return None
        if position < min(self.first_anchor, _EDGE_DEPTH):
            return "top"
        if position > max(self.last_anchor, self.size - 1 - _EDGE_DEPTH):
            return "bottom"
        return None


def zones(
    paragraphs: Sequence[Paragraph],
    strong: Sequence[bool] | None = None,
    prose: Sequence[bool] | None = None,
) -> Zones:
    """The article's body: from its first to its last paragraph of running prose
    (:func:`~pipeline.text_width.is_prose`, or ``prose[i]`` when given) that carries no strong
    clue (``strong[i]``)."""
    anchors = [
        position
        for position, paragraph in enumerate(paragraphs)
        if paragraph.role not in FURNITURE_ROLES
        and not (strong and strong[position])
        and (prose[position] if prose is not None else is_prose(paragraph.text))
    ]
    if not anchors:
        return Zones(None, None, len(paragraphs))
    return Zones(anchors[0], anchors[-1], len(paragraphs))


def _norm(text: str) -> str:
    return "".join(nfkc(text).split()).casefold()


def _headline_like(text: str) -> bool:
    """A short line that reads as a link to another article: a headline's worth of words (ten
    Chinese characters, four English words), no sentence mark."""
    width = display_width(text, 101)
    if width > 100 or _ENDS_SENTENCE.search(text) or _ENDS_OPEN.search(text):
        return False
    if _HAN.search(text):
        return len(text) >= 10
    words = _LATIN_WORD.findall(text)
    return len(words) >= 4 and text.lstrip("\"'“‘")[:1].isupper()


def _fragment(text: str) -> bool:
    """A piece of a broken line: it ends open or starts in the middle of a sentence."""
    return _ENDS_OPEN.search(text) is not None or text[:1].islower()


def label_article(
    paragraphs: list[Paragraph],
    config: InputConfig,
    *,
    title_given: bool = False,
    clues_of: Callable[[str], list[Clue]] = clues,
) -> None:
    """Label the article's furniture (role and evidence) and choose its title, in place.
    With ``title_given`` (a JSONL title field), paragraph 0 is the title whatever it says.
    ``clues_of`` gives a text's clues, as :func:`~pipeline.furniture.clues.clues` does (a list
    of its caller's own: it is added to)."""
    found: dict[int, list[Clue]] = defaultdict(list)
    for position, paragraph in enumerate(paragraphs):
        if title_given and position == 0:
            continue
        found[position] = clues_of(paragraph.text)
    strong = [any(c.strength > WEAK for c in found.get(p, ())) for p in range(len(paragraphs))]
    body = zones(paragraphs, strong)
    _title_in_breadcrumb(paragraphs, found, body)
    for position, paragraph in enumerate(paragraphs):
        edge = body.edge(position)
        listed = found.get(position, [])
        helped = next((c for c in listed if c.at_edge and c.strength == WEAK), None)
        if edge and helped is not None:
            listed.append(Clue(helped.kind, WEAK, f"at the {edge} of the article"))
        decided = _decide(paragraph.text, listed)
        if decided is not None:
            paragraph.role, paragraph.evidence = decided
            where = f"at the {edge} of the article"
            if edge and where not in paragraph.evidence:
                paragraph.evidence.append(where)
    _related_links(paragraphs, body)
    choose_title(paragraphs, config, title_given=title_given)


def _title_in_breadcrumb(
    paragraphs: Sequence[Paragraph], found: dict[int, list[Clue]], body: Zones
) -> None:
    """A path-shaped line at the top is a breadcrumb when its last part is another paragraph
    near it (the title, maybe cut short), when arrows separate its parts, or when it is the
    page's first line and a headline follows it."""
    limit = body.first_anchor if body.first_anchor is not None else min(len(paragraphs), 4)
    for position in range(min(limit, 4)):
        text = paragraphs[position].text
        segments = path_segments(text)
        if not segments:
            continue
        last = _norm(segments[-1])
        for other in range(min(len(paragraphs), position + 4)):
            other_text = _norm(paragraphs[other].text)
            if (
                len(last) >= 6
                and other != position
                and (other_text.startswith(last) or last.startswith(other_text))
            ):
                found[position].append(Clue("breadcrumb", WEAK, "ends with the article's title"))
                break
        else:
            following = paragraphs[position + 1].text if position + 1 < len(paragraphs) else ""
            if ARROW_PATH.search(text) and position < 2:
                found[position].append(Clue("breadcrumb", WEAK, "at the top of the page"))
            elif (
                position == 0
                and _section_path(text, segments)
                and _title_like(following)
                and not _STATEMENT_INSIDE.search(following)  # one headline, not two sentences
                and not path_segments(following)
            ):
                found[position].append(Clue("breadcrumb", WEAK, "the line above the headline"))


def _section_path(text: str, segments: Sequence[str]) -> bool:
    """Whether a path reads as sections of a site: short parts, no question or colon in them,
    joined by dashes (a title may join its parts with "/" or "|")."""
    return (
        not re.search(r"\s[/|]\s", text)
        and all(display_width(part) <= 24 for part in segments)
        and not any(re.search("[:：?？]", part) for part in segments)
    )


def _title_like(text: str) -> bool:
    """Short, one sentence at most, not a piece of a broken line."""
    return (
        0 < display_width(text, 161) <= 160
        and len(SENTENCE_INSIDE.findall(text)) <= 1
        and not _fragment(text)
    )


def _decide(text: str, listed: Sequence[Clue]) -> tuple[Role, list[str]] | None:
    """The furniture kind the clues add up to, with their evidence, or ``None``."""
    if not listed:
        return None
    scores: dict[Kind, float] = defaultdict(float)
    for clue in listed:
        scores[clue.kind] += clue.strength
    first_seen = {clue.kind: -number for number, clue in reversed(list(enumerate(listed)))}
    kind = max(scores, key=lambda k: (scores[k], first_seen[k]))
    wide = display_width(text, 2 * SHORT + 1) > 2 * SHORT
    needed = _ENOUGH_FOR_PROSE if wide and is_prose(text) else _ENOUGH
    if scores[kind] < needed:
        return None
    return kind, [clue.evidence for clue in listed if clue.kind == kind]


def _related_links(paragraphs: Sequence[Paragraph], body: Zones) -> None:
    """A run of headline-like lines after the article's last paragraph of prose, and the
    short lines under a "related reading" header there."""
    if body.last_anchor is None:
        return
    after = paragraphs[body.last_anchor + 1 :]
    headers = [p for p in after if p.role == "navigation" and RELATED_HEADER.match(p.text)]
    if headers:
        start = after.index(headers[0])
        listed = [p for p in after[start + 1 :] if p.role not in FURNITURE_ROLES]
        if all(display_width(p.text, 101) <= 100 and not is_prose(p.text) for p in listed):
            for paragraph in listed:
                paragraph.role = "navigation"
                paragraph.evidence = [f"listed under {headers[0].text.strip()!r}"]
            return
    run = [p for p in after if p.role not in FURNITURE_ROLES and p.role != "title"]
    if len(run) < _RELATED_RUN or not all(_headline_like(p.text) for p in run):
        return
    if _INTRODUCES.search(paragraphs[body.last_anchor].text) or _LIST_HEADING.search(run[0].text):
        return  # "What we look for:", "任职要求": the article's own list
    for paragraph in run:
        paragraph.role = "navigation"
        paragraph.evidence = [
            f"one of {len(run)} headline-like lines after the article (a related-links list)"
        ]


def choose_title(
    paragraphs: Sequence[Paragraph], config: InputConfig, *, title_given: bool = False
) -> None:
    """Make the article's first paragraph that is not furniture its title when it reads as a
    headline (short, not a fragment of a broken line); every other paragraph loses the role."""
    if title_given:
        return
    chosen = None
    for paragraph in paragraphs:
        if paragraph.role in FURNITURE_ROLES:
            continue
        text = paragraph.text
        if is_title_candidate(text, config) and _title_like(text):
            chosen = paragraph
        break
    for paragraph in paragraphs:
        if paragraph is chosen:
            paragraph.role = "title"
        elif paragraph.role == "title":
            paragraph.role = classify_role(paragraph.text, config)
