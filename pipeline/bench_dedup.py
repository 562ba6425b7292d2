"""Deduplication accuracy for ``pipeline bench`` and the corpus tests: recall and the originals
lost, measured on a run's ``dropped`` list against the corpus labels (``kind``: orig, exact,
exact_ws, near), and a re-scrape (the corpus several times with new ids), which must keep exactly
what one copy keeps.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.records import DroppedParagraph, Record
from pipeline.runner import run_pipeline

_HAN = re.compile("[\u4e00-\u9fff]")


def _too_short(text: str) -> bool:
    """Whether the default config never drops ``text`` across articles for being short."""
    config = Config().dedup
    least = config.min_length_zh if _HAN.search(text) else config.min_length_en
    return len(text.strip()) < least


@dataclass(frozen=True)
class DedupAccuracy:
    """Duplicate recall and originals lost, against the corpus labels."""

    exact: int
    exact_found: int
    exact_short: int  # exact copies kept by design: shorter than min_length_zh/en
    near: int
    near_found: int
    originals: int
    title_repeats: int  # originals dropped as a repeat of their own article's title
    originals_lost: Counter[str]  # by reason, title repeats left out
    examples: tuple[DroppedParagraph, ...]

    @property
    def exact_recall(self) -> float:
        """Share of the exact copies that may be dropped that were."""
        return self.exact_found / max(self.exact - self.exact_short, 1)

    @property
    def near_recall(self) -> float:
        """Share of the near-duplicates dropped."""
        return self.near_found / max(self.near, 1)

    @property
    def originals_lost_share(self) -> float:
        """Share of the originals dropped for any reason but repeating their own title."""
        return sum(self.originals_lost.values()) / max(self.originals, 1)


def accuracy(
    dropped: list[DroppedParagraph], paragraphs: list[str], labels: list[dict[str, Any]]
) -> DedupAccuracy:
    """Measure a run's ``dropped`` list against the labels (``kind``: orig, exact, exact_ws,
    near). The corpus's titles are the first 40 characters of paragraph 1, so a short paragraph
    1 repeats its title: those drops are counted apart (the labels do not know the titles)."""
    drops = {(item.source, item.index): item for item in dropped}
    by_kind: Counter[str] = Counter()
    found: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    title_repeats = short = 0
    examples: list[DroppedParagraph] = []
    for label in labels:
        key = (f"docs.jsonl:{label['doc'] + 1}", label["i"] + 1)  # the title is paragraph 0
        kind = "exact" if label["kind"] == "exact_ws" else label["kind"]
        by_kind[kind] += 1
        item = drops.get(key)
        if item is not None:
            found[kind] += 1
            if kind == "orig" and item.duplicate_of == {"source": key[0], "index": 0}:
                title_repeats += 1
            elif kind == "orig":
                lost[item.reason] += 1
                if len(examples) < 4:
                    examples.append(item)
        elif kind == "exact" and _too_short(paragraphs[label["gid"]]):
            short += 1
    return DedupAccuracy(
        by_kind["exact"],
        found["exact"],
        short,
        by_kind["near"],
        found["near"],
        by_kind["orig"],
        title_repeats,
        lost,
        tuple(examples),
    )


@dataclass(frozen=True)
class Rescrape:
    """What a run keeps of a corpus repeated ``copies`` times with new ids (a re-scrape)."""

    kept_once: Counter[tuple[int, int, str]]  # (document, index, text) kept from one copy
    kept_first: Counter[tuple[int, int, str]]  # the same, from the first of the copies
    kept_later: int  # paragraphs kept from the later copies

    @property
    def same(self) -> bool:
        """Whether the copies keep exactly what one copy keeps."""
        return self.kept_first == self.kept_once and self.kept_later == 0


def _kept(records: list[Record], documents: int) -> Counter[tuple[int, int, int, str]]:
    """(copy, document, index, text) of every paragraph kept; lines count from 1."""
    kept: Counter[tuple[int, int, int, str]] = Counter()
    for record in records:
        copy, document = divmod(int(record.source.rsplit(":", 1)[1]) - 1, documents)
        for paragraph in record.paragraphs:
            kept[(copy, document, paragraph.index, paragraph.text)] += 1
    return kept


def rescrape(lines: list[str], copies: int, config: Config) -> Rescrape:
    """Run the pipeline with ``config`` on the documents of ``lines`` (docs.jsonl lines)
    once, and on the same documents ``copies`` times over with new ids, and compare what is
    kept."""
    documents = len(lines)
    repeated = []
    for copy in range(copies):
        for line in lines:
            doc = json.loads(line)
            if copy:
                doc["id"] = f"{doc['id']}-copy{copy}"
            repeated.append(json.dumps(doc, ensure_ascii=False) + "\n")
    with tempfile.TemporaryDirectory(prefix="bench-rescrape-") as tmp:
        once, many = Path(tmp) / "once", Path(tmp) / "many"
        once.mkdir()
        many.mkdir()
        (once / "docs.jsonl").write_text("".join(lines), encoding="utf-8")
        (many / "docs.jsonl").write_text("".join(repeated), encoding="utf-8")
        kept_once = _kept(run_pipeline(once, config).records, documents)
        kept_many = _kept(run_pipeline(many, config).records, documents)
    once_keys = Counter({key[1:]: n for key, n in kept_once.items()})
    first = Counter({key[1:]: n for key, n in kept_many.items() if key[0] == 0})
    later = sum(n for key, n in kept_many.items() if key[0] > 0)
    return Rescrape(once_keys, first, later)
