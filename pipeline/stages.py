"""The stage chain, built from the config in one place.

Per-article stages (repair, furniture labels, review decisions, language, segmentation, the
split into records) run inside :class:`~pipeline.process.ArticleProcessor`, wherever the
engine puts it; their list is :attr:`ArticleProcessor.steps`. The corpus stages below see the
records of the whole run, in order, and each returns the records left and what it dropped, with
its own counts: the editors' drops, the page furniture seen across a site, then deduplication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.config import Config
from pipeline.dedup import deduplicate
from pipeline.dedup_items import Place
from pipeline.fingerprint import Signatures
from pipeline.furniture.stage import FurnitureStage
from pipeline.records import DroppedParagraph, Record
from pipeline.review.apply import drop_decided


class CorpusStage(Protocol):
    """A stage over the whole run's records."""

    name: str
    counts: Counter[str]  # what it set aside or labelled, by kind

    def apply(self, records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
        """The records left, and the paragraphs dropped (in corpus order)."""
        ...


@dataclass
class EditorDrops:
    """The paragraphs editors decided to drop (review file), before anything else looks."""

    name: str = "review drops"
    counts: Counter[str] = field(default_factory=Counter)

    def apply(self, records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
        """Drop what the ``drop`` decisions name."""
        records, dropped = drop_decided(records)
        self.counts["editor"] += len(dropped)
        return records, dropped


@dataclass
class SiteFurniture:
    """Page furniture: labels from each page and repetition across each site."""

    config: Config
    name: str = "site furniture"
    counts: Counter[str] = field(default_factory=Counter)

    def apply(self, records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
        """Set furniture aside (or keep it labelled, as the config says)."""
        stage = FurnitureStage(self.config)
        records, dropped = stage.apply(records)
        self.counts.update(stage.counts)
        return records, dropped


@dataclass
class Deduplication:
    """Repeated paragraphs, exact and near, within and across articles."""

    config: Config
    known: Mapping[Place, Signatures]
    name: str = "dedup"
    counts: Counter[str] = field(default_factory=Counter)

    def apply(self, records: list[Record]) -> tuple[list[Record], list[DroppedParagraph]]:
        """Drop the copies, keeping one of each as the config says."""
        records, dropped = deduplicate(records, self.config.dedup, self.known)
        self.counts.update(item.reason for item in dropped)
        return records, dropped


def corpus_stages(config: Config, known: Mapping[Place, Signatures]) -> list[CorpusStage]:
    """The corpus stages of a run, in order (``known``: signatures from the index)."""
    return [EditorDrops(), SiteFurniture(config), Deduplication(config, known)]
