"""The page-furniture stage: what the per-article labels and the repetition on each site make
furniture is set aside, into ``dropped.jsonl`` with its kind and evidence, or kept in the records
with its kind as the role (``[furniture] keep``); titles that turned out to be furniture are
chosen again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipeline.config import Config
from pipeline.furniture.local import FURNITURE_ROLES, choose_title
from pipeline.furniture.site import SiteArticle, repeated_furniture, site_of
from pipeline.records import DroppedParagraph, Paragraph, Record, dropped_from
from pipeline.review.apply import title_text


class FurnitureStage:
    """Sets aside page furniture across a corpus of records, as the config says."""

    def __init__(self, config: Config) -> None:
        self._config = config.furniture
        self._input = config.input
        self.counts: Counter[str] = Counter()  # furniture paragraphs by kind

    def apply(self, records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
        """The records with their furniture set aside, and the furniture dropped (in corpus
        order; none when it is kept). Paragraphs that repair left empty always go."""
        order = {source: number for number, source in enumerate(_articles(records))}
        records, empty = _without_empty(records)
        if not self._config.enabled:
            return records, empty
        articles = _articles(records)
        changes = repeated_furniture(
            [
                SiteArticle(
                    source, site_of(source, url), paragraphs, _title_given(source, paragraphs)
                )
                for source, (url, paragraphs) in articles.items()
            ],
            self._config.boilerplate_min_pages,
        )
        for _, paragraphs in articles.values():
            title_lost = False
            for paragraph in paragraphs:
                change = changes.get(id(paragraph))
                if change is not None and not _role_decided(paragraph):
                    title_lost = title_lost or paragraph.role == "title"
                    paragraph.role, paragraph.evidence = change
            if title_lost:  # a slogan was taken for the title: choose again among the rest
                choose_title(paragraphs, self._input)
        for record in records:
            record.title = title_text(record.paragraphs)
            self.counts.update(p.role for p in record.paragraphs if p.role in FURNITURE_ROLES)
        if self._config.keep:
            return records, empty
        dropped: list[DroppedParagraph] = list(empty)
        kept_records = []
        for record in records:
            aside = {id(p) for p in record.paragraphs if _set_aside(p)}
            content = [p for p in record.paragraphs if id(p) not in aside]
            dropped.extend(
                dropped_from(record.source, p, p.role) for p in record.paragraphs if id(p) in aside
            )
            record.paragraphs = content  # a record left with none lets go of them too
            if content:
                kept_records.append(record)
        dropped.sort(key=lambda item: (order[item.source], item.index))
        return kept_records, dropped


def _set_aside(paragraph: Paragraph) -> bool:
    """Whether a paragraph goes to dropped.jsonl as furniture: it is some, and no editor decided
    to keep it (then it stays, with its kind as the role)."""
    if paragraph.role not in FURNITURE_ROLES:
        return False
    decision = paragraph.decided("keep")
    if decision is None:
        return True
    decision.settle(f"applied: kept although taken for {paragraph.role}", paragraph.index)
    return False


def _without_empty(records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
    """The records without the paragraphs repair left empty (``&nbsp;`` alone, a lone control
    character), and those paragraphs, listed as dropped with the repairs that emptied them."""
    empty: list[DroppedParagraph] = []
    kept: list[Record] = []
    for record in records:
        if all(p.text_length for p in record.paragraphs):
            kept.append(record)
            continue
        for paragraph in record.paragraphs:
            if not paragraph.text_length:
                rules = ", ".join(sorted({fix.rule for fix in paragraph.fixes}))
                evidence = [f"no text left after repair ({rules})"]
                empty.append(dropped_from(record.source, paragraph, "empty", evidence=evidence))
        record.paragraphs = [p for p in record.paragraphs if p.text_length]
        if record.paragraphs:
            if record.title is not None and not any(p.role == "title" for p in record.paragraphs):
                record.title = None
            kept.append(record)
    return kept, empty


def _role_decided(paragraph: Paragraph) -> bool:
    """Whether an editor set this paragraph's role (or made it the title): the site-wide
    repetition does not change it then."""
    return any(d.action in ("set_role", "set_title") for d in paragraph.decisions)


def _title_given(source: str, paragraphs: Sequence[Paragraph]) -> bool:
    """Whether the article's title may have come from the input (a JSONL title field): then it
    is never taken for boilerplate."""
    first = paragraphs[0] if paragraphs else None
    jsonl = source.rpartition(":")[0].lower().endswith(".jsonl")
    return jsonl and first is not None and first.index == 0 and first.role == "title"


def _articles(records: Sequence[Record]) -> dict[str, tuple[str | None, list[Paragraph]]]:
    """Each article's URL and paragraphs in index order, whatever records they went to; in the
    order the articles first appear."""
    articles: dict[str, tuple[str | None, list[Paragraph]]] = {}
    for record in records:
        _, paragraphs = articles.setdefault(record.source, (record.url, []))
        paragraphs.extend(record.paragraphs)
    for _, paragraphs in articles.values():
        paragraphs.sort(key=lambda p: p.index)
    return articles
