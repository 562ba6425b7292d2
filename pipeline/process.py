"""The per-article stage chain: repair, furniture labels and title, language, segmentation, then
one record per language.

:class:`ArticleProcessor` is built once per process from the config and holds the heavy objects
(langdetect profiles, jieba dictionary), loaded on first use. Deduplication (after records, across
articles) is a separate stage run by :mod:`pipeline.runner`.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from pipeline.config import Config
from pipeline.furniture.clues import Clue, clues
from pipeline.furniture.local import label_article
from pipeline.language import Label, LanguageDetector, resolve_undecided
from pipeline.recent import Recent
from pipeline.records import Article, Fix, Flag, Paragraph, Record, text_hash
from pipeline.repair.engine import Repairer
from pipeline.repair.ledger import unreplay
from pipeline.resources import Resources
from pipeline.review.apply import (
    ROLE_ACTIONS,
    TEXT_ACTIONS,
    apply_role_decisions,
    apply_text_decisions,
    attach,
    title_text,
)
from pipeline.segmentation import Segmenter
from pipeline.tokens import Tokens, pack_tokens

SEGMENTED_LANGS = frozenset({"zh", "mixed"})
CONTEXT_LANGS = frozenset({"mixed", "und"})
# The tokens of the paragraphs segmented last, by text: a paragraph repeated soon after (in its
# article, or a nearby copy of it) is not segmented again. On the benchmark corpus 4,096 of them
# (about 2 MB) spare a tenth of jieba's work; keeping all would spare 15%, at 40 MB.
RECENT_TOKENS = 4096
RECENT_CLUES = 4096  # the furniture clues of the paragraphs looked at last, by text


def record_id(article_key: str, lang: str) -> str:
    """A stable id for an article's record in one language."""
    key = f"{article_key}\x1f{lang}".encode("utf-8", "surrogatepass")  # odd file names
    return hashlib.sha1(key).hexdigest()[:16]


@dataclass
class _Work:
    """One article on its way through the steps, with what a step leaves for the next."""

    article: Article
    actions: set[str] = field(default_factory=set)  # the decisions' actions
    labels: list[Label] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class ArticleProcessor:
    """Repairs, labels, segments and splits one article into per-language records."""

    def __init__(self, config: Config, resources: Resources | None = None) -> None:
        """``resources`` lend the segmenter and the language detector (loaded once for many
        runs); without them the processor makes its own, which go with it."""
        self._repairer = Repairer(config.repair)
        if resources is None:
            self._detector = LanguageDetector(config.language)
            self._segmenter = Segmenter(config.segmentation)
        else:
            self._detector = resources.detector(config.language)
            self._segmenter = resources.segmenter(config.segmentation)
        self._furniture = config.furniture.enabled
        self._input = config.input
        self._repair_config = config.repair
        self._repairers_without: dict[str, Repairer] = {}  # for rejected repairs, by rule
        self._recent_tokens: Recent[str, Tokens] = Recent(RECENT_TOKENS)
        self._recent_clues: Recent[str, tuple[Clue, ...]] = Recent(RECENT_CLUES)
        # Which paragraphs get MinHash band keys where they are processed: the lengths dedup
        # compares across articles (English, Chinese); none when dedup is off.
        dedup = config.dedup
        self.band_lengths = (dedup.min_length_en, dedup.min_length_zh) if dedup.enabled else None
        # The per-article stages, in order: what the config turns off is not in the list.
        steps: list[tuple[str, Callable[[_Work], None]]] = [("repair", self._repair)]
        if self._furniture:
            steps.append(("furniture", self._label_furniture))
        steps += [
            ("review", self._decide_roles),
            ("language", self._detect_language),
            ("segmentation", self._segment),
            ("split", self._split),
        ]
        self.steps = steps
        self.seconds: dict[str, float] = dict.fromkeys((name for name, _ in steps), 0.0)

    def _repair_without(
        self, rule: str, text: str, fixes: list[Fix]
    ) -> tuple[str, list[Fix], list[Flag]]:
        repairer = self._repairers_without.get(rule)
        if repairer is None:
            disabled = (*self._repair_config.disabled_rules, rule)
            repairer = Repairer(replace(self._repair_config, disabled_rules=disabled))
            self._repairers_without[rule] = repairer
        repaired = repairer.repair(text, fixes)
        return repaired.text, repaired.fixes, repaired.flags

    def process(self, article: Article) -> list[Record]:
        """Return the article's records, one per language, in order of first appearance.
        The editors' decisions about the article are applied on the way. Each step's time is
        added to :attr:`seconds`."""
        return self.process_many([article])[0]

    def process_many(self, articles: Sequence[Article]) -> list[list[Record]]:
        """:meth:`process` for each article, a step at a time over all of them (each step
        works on one article at a time, so the result is the same; jieba and langdetect keep
        their tables in the processor's caches while their step runs)."""
        works = [_Work(article) for article in articles]
        for name, step in self.steps:
            start = time.perf_counter()
            for work in works:
                step(work)
            self.seconds[name] += time.perf_counter() - start
        return [work.records for work in works]

    def _repair(self, work: _Work) -> None:
        paragraphs = work.article.paragraphs
        for paragraph in paragraphs:
            paragraph.hash = text_hash(unreplay(paragraph.text, paragraph.fixes))
        as_read = [(p.text, list(p.fixes)) for p in paragraphs]
        self._repairer.repair_paragraphs(paragraphs)
        attach(paragraphs, work.article.decisions)
        work.actions = {d.action for p in paragraphs for d in p.decisions}
        if work.actions.intersection(TEXT_ACTIONS):
            apply_text_decisions(paragraphs, as_read, self._repair_without)

    def _label_furniture(self, work: _Work) -> None:
        label_article(
            work.article.paragraphs,
            self._input,
            title_given=work.article.title_given,
            clues_of=self._clues,
        )

    def _clues(self, text: str) -> list[Clue]:
        """The furniture clues in ``text``, taken from the recent ones when it was just looked
        at (they depend on the text alone); a list of the caller's own."""
        return list(self._recent_clues.get_or_make(text, _clue_tuple))

    def _decide_roles(self, work: _Work) -> None:
        if work.actions.intersection(ROLE_ACTIONS):
            apply_role_decisions(work.article.paragraphs)

    def _detect_language(self, work: _Work) -> None:
        paragraphs = work.article.paragraphs
        labels = [self._decided_lang(p) or self._detector.detect(p.text) for p in paragraphs]
        work.labels = resolve_undecided(labels, [len(p.text) for p in paragraphs])
        for paragraph, label in zip(paragraphs, work.labels, strict=True):
            paragraph.lang = label.lang
            paragraph.script = label.script

    def _segment(self, work: _Work) -> None:
        for paragraph in work.article.paragraphs:
            if paragraph.lang in SEGMENTED_LANGS:
                paragraph.tokens = self._tokens(paragraph.text)

    def _tokens(self, text: str) -> Sequence[str]:
        """jieba's tokens of ``text``, packed; taken from the recent ones when it was just
        segmented (jieba gives the same text the same tokens, and packed tokens never change,
        so paragraphs may share them)."""
        tokens = self._recent_tokens.get(text)
        if tokens is not None:
            return tokens
        packed = pack_tokens(self._segmenter.tokens(text))
        if isinstance(packed, Tokens):  # a list (a token holds the separator) is not shared
            self._recent_tokens.put(text, packed)
        return packed

    def _split(self, work: _Work) -> None:
        work.records = split_by_language(work.article, work.labels)

    def _decided_lang(self, paragraph: Paragraph) -> Label | None:
        decision = paragraph.decided("set_lang")
        if decision is None or not decision.value:
            return None
        script = (
            self._detector.script(paragraph.text) if decision.value in SEGMENTED_LANGS else None
        )
        return Label(decision.value, script)


def _clue_tuple(text: str) -> tuple[Clue, ...]:
    return tuple(clues(text))


def _record_languages(labels: list[Label]) -> list[str]:
    """Which record each paragraph goes to: its own language, or for ``mixed``, ``und`` and
    unsettled paragraphs (a short "KPI" in a Chinese article) the language of the nearest
    paragraph before (else after) them that has one of its own."""
    own = [
        None if label.lang in CONTEXT_LANGS or not label.decided else label.lang for label in labels
    ]
    following: list[str | None] = [None] * len(own)
    upcoming = None
    for position in range(len(own) - 1, -1, -1):
        following[position] = upcoming
        upcoming = own[position] or upcoming
    result: list[str] = []
    previous = None
    for position, lang in enumerate(own):
        if lang is None:
            fallback = "zh" if labels[position].lang == "mixed" else labels[position].lang
            lang = previous or following[position] or fallback
        previous = lang
        result.append(lang)
    return result


def split_by_language(article: Article, labels: list[Label]) -> list[Record]:
    """Group an article's labelled paragraphs into one record per language, order kept."""
    groups: dict[str, list[Paragraph]] = {}
    for paragraph, lang in zip(article.paragraphs, _record_languages(labels), strict=True):
        groups.setdefault(lang, []).append(paragraph)
    records = []
    for lang, paragraphs in groups.items():
        title = title_text(paragraphs)
        records.append(
            Record(
                id=record_id(article.key, lang),
                source=article.source,
                article_id=article.article_id,
                url=article.url,
                lang=lang,
                script=_record_script(paragraphs) if lang == "zh" else None,
                title=title,
                paragraphs=paragraphs,
            )
        )
    return records


def _record_script(paragraphs: list[Paragraph]) -> str:
    weights: Counter[str] = Counter()
    for paragraph in paragraphs:
        if paragraph.script:
            weights[paragraph.script] += len(paragraph.text)
    return "Hant" if weights["Hant"] > weights["Hans"] else "Hans"
