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
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.config import InputConfig
from pipeline.furniture.clues import SHORT, WEAK, Clue, Kind, clues, path_segments
from pipeline.paragraphs import classify_role, display_width, is_title_candidate
from pipeline.records import Paragraph, Role

FURNITURE_ROLES = frozenset({"breadcrumb", "navigation", "advert", "meta", "boilerplate"})
_ENOUGH = 1.0
_ENOUGH_FOR_PROSE = 1.5  # a long paragraph of running text needs two clues
_RELATED_RUN = 4  # headline-like lines after the article that make a related-links list
_SENTENCE_INSIDE = re.compile(r"[.。!！?？;；](?=\s*\S)")
_ENDS_OPEN = re.compile(r"[,，、;；:：\-–]\s*$")
_ENDS_SENTENCE = re.compile(r"[.。!！?？;；:：…]\s*[\"'”’」』)）]*\s*$")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HAN = re.compile("[\u3400-\u9fff]")


@dataclass(frozen=True)
class Zones:
    """Where an article's body starts and ends: indexes into its paragraph list."""

    first_anchor: int | None
    last_anchor: int | None

    def edge(self, position: int) -> str | None:
        """``top`` or ``bottom`` for a paragraph outside the body, else ``None``."""
        if self.first_anchor is None or self.last_anchor is None:
            return None
        if position < self.first_anchor:
            return "top"
        if position > self.last_anchor:
            return "bottom"
        return None


def _prose(text: str) -> bool:
    return display_width(text) >= 60 and _SENTENCE_INSIDE.search(text) is not None


def zones(paragraphs: Sequence[Paragraph], strong: Sequence[bool] | None = None) -> Zones:
    """The article's body: from its first to its last paragraph of running prose that carries
    no strong clue (``strong[i]``)."""
    anchors = [
        position
        for position, paragraph in enumerate(paragraphs)
        if paragraph.role not in FURNITURE_ROLES
        and not (strong and strong[position])
        and _prose(paragraph.text)
    ]
    return Zones(anchors[0], anchors[-1]) if anchors else Zones(None, None)


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _headline_like(text: str) -> bool:
    """A short line that reads as a link to another article: a few words, no sentence mark."""
    width = display_width(text)
    if width > 100 or _ENDS_SENTENCE.search(text) or _ENDS_OPEN.search(text):
        return False
    if _HAN.search(text):
        return len(text) >= 6
    words = _LATIN_WORD.findall(text)
    return len(words) >= 3 and text.lstrip("\"'“‘")[:1].isupper()


def _fragment(text: str) -> bool:
    """A piece of a broken line: it ends open or starts in the middle of a sentence."""
    return _ENDS_OPEN.search(text) is not None or text[:1].islower()


def label_article(
    paragraphs: list[Paragraph], config: InputConfig, *, title_given: bool = False
) -> None:
    """Label the article's furniture (role and evidence) and choose its title, in place.
    With ``title_given`` (a JSONL title field), paragraph 0 is the title whatever it says."""
    found: dict[int, list[Clue]] = defaultdict(list)
    for position, paragraph in enumerate(paragraphs):
        if title_given and position == 0:
            continue
        found[position] = clues(paragraph.text)
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
    _related_links(paragraphs, body)
    choose_title(paragraphs, config, title_given=title_given)


def _title_in_breadcrumb(
    paragraphs: Sequence[Paragraph], found: dict[int, list[Clue]], body: Zones
) -> None:
    """A path-shaped line at the top whose last part is another paragraph near it (the
    title, maybe cut short) is a breadcrumb."""
    limit = body.first_anchor if body.first_anchor is not None else min(len(paragraphs), 4)
    for position in range(min(limit, 4)):
        segments = path_segments(paragraphs[position].text)
        last = _norm(segments[-1]) if segments else ""
        if len(last) < 6:
            continue
        for other in range(min(len(paragraphs), position + 4)):
            text = _norm(paragraphs[other].text)
            if other != position and (text.startswith(last) or last.startswith(text)):
                found[position].append(Clue("breadcrumb", WEAK, "ends with the article's title"))
                break


def _decide(text: str, listed: Sequence[Clue]) -> tuple[Role, list[str]] | None:
    """The furniture kind the clues add up to, with their evidence, or ``None``."""
    if not listed:
        return None
    scores: dict[Kind, float] = defaultdict(float)
    for clue in listed:
        scores[clue.kind] += clue.strength
    first_seen = {clue.kind: -number for number, clue in reversed(list(enumerate(listed)))}
    kind = max(scores, key=lambda k: (scores[k], first_seen[k]))
    needed = _ENOUGH_FOR_PROSE if display_width(text) > 2 * SHORT and _prose(text) else _ENOUGH
    if scores[kind] < needed:
        return None
    return kind, [clue.evidence for clue in listed if clue.kind == kind]


def _related_links(paragraphs: Sequence[Paragraph], body: Zones) -> None:
    """A run of headline-like lines after the article's last paragraph of prose."""
    if body.last_anchor is None:
        return
    run = [
        p
        for p in paragraphs[body.last_anchor + 1 :]
        if p.role not in FURNITURE_ROLES and p.role != "title"
    ]
    if len(run) < _RELATED_RUN or not all(_headline_like(p.text) for p in run):
        return
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
        if is_title_candidate(text, config) and not _fragment(text):
            chosen = paragraph
        break
    for paragraph in paragraphs:
        if paragraph is chosen:
            paragraph.role = "title"
        elif paragraph.role == "title":
            paragraph.role = classify_role(paragraph.text, config)
