"""Deduplication figures for the benchmark command (:mod:`pipeline.bench`).

Speed is measured on records built straight from ``docs.jsonl`` (language by script, no jieba),
against NFKC-normalising the same paragraphs in the same process, on half the corpus and on all
of it. Precision and recall are measured on the whole run's ``dropped`` list against the corpus
labels (``kind``: orig, exact, exact_ws, near).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.dedup import deduplicate
from pipeline.records import DroppedParagraph, Paragraph, Record

_HAN = re.compile("[\u4e00-\u9fff]")


def _show(name: str, value: object) -> None:
    print(f"  {name}: {value}")


def _records(docs: list[dict[str, Any]]) -> list[Record]:
    records = []
    for number, doc in enumerate(docs):
        paragraphs = [
            Paragraph(index, "body", text, lang="zh" if _HAN.search(text) else "en")
            for index, text in enumerate(doc["paragraphs"], start=1)
        ]
        source = f"docs.jsonl:{number + 1}"
        records.append(Record(f"{number:016x}", source, None, None, "x", None, None, paragraphs))
    return records


def _time_dedup(docs: list[dict[str, Any]], repeats: int = 3) -> tuple[float, float, int]:
    """The least CPU time of ``repeats`` runs of NFKC and of dedup (CPU time, so that other
    processes on the machine do not count), and how many paragraphs were dropped."""
    nfkc_times, dedup_times, dropped = [], [], 0
    for _ in range(repeats):
        records = _records(docs)
        texts = [paragraph.text for record in records for paragraph in record.paragraphs]
        start = time.process_time()
        for text in texts:
            unicodedata.normalize("NFKC", text)
        nfkc_times.append(time.process_time() - start)
        start = time.process_time()
        dropped = len(deduplicate(records, Config().dedup)[1])
        dedup_times.append(time.process_time() - start)
    return min(dedup_times), min(nfkc_times), dropped


def bench_dedup_speed(corpus: Path) -> None:
    """Dedup time against NFKC time, and how it grows from half the corpus to all of it."""
    print("\n== 6. deduplication speed (deduplicate on docs.jsonl records) ==")
    with (corpus / "docs.jsonl").open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    # Every other document: a half with the same mix of languages, sources and lengths as the
    # whole (the later documents of the corpus are longer, so its first half is not half).
    half = docs[::2]
    _time_dedup(docs[:50], repeats=1)  # warm up: imports, tables
    half_time, half_nfkc, half_dropped = _time_dedup(half)
    full_time, full_nfkc, full_dropped = _time_dedup(docs)
    paragraphs = sum(len(doc["paragraphs"]) for doc in docs)
    half_paragraphs = sum(len(doc["paragraphs"]) for doc in half)
    _show("documents (all / every other one)", f"{len(docs):,} / {len(half):,}")
    _show("paragraphs (all / half)", f"{paragraphs:,} / {half_paragraphs:,}")
    _show("NFKC CPU s, best of 3 (all / half)", f"{full_nfkc:.2f} / {half_nfkc:.2f}")
    _show("dedup CPU s, best of 3 (all / half)", f"{full_time:.2f} / {half_time:.2f}")
    _show("dedup / NFKC (all; target <= 15)", f"{full_time / full_nfkc:.1f}x")
    _show("all / half dedup time (doubling; target <= 2.2)", f"{full_time / half_time:.2f}x")
    _show("all / half NFKC time (a linear step, for reference)", f"{full_nfkc / half_nfkc:.2f}x")
    _show("dropped (all / half)", f"{full_dropped:,} / {half_dropped:,}")


def _too_short(text: str) -> bool:
    """Whether the default config never drops ``text`` across articles for being short."""
    config = Config().dedup
    least = config.min_length_zh if _HAN.search(text) else config.min_length_en
    return len(text.strip()) < least


def dedup_accuracy(
    dropped: list[DroppedParagraph], paragraphs: list[str], labels: list[dict[str, Any]]
) -> None:
    """Exact and near-duplicate recall and originals dropped, against the labels. The corpus's
    titles are the first 40 characters of paragraph 1, so a short paragraph 1 repeats its title:
    those drops are counted apart (the labels do not know the titles)."""
    print("\n== 7. deduplication accuracy (whole run's dropped.jsonl against labels) ==")
    drops = {(item.source, item.index): item for item in dropped}
    by_kind: Counter[str] = Counter()
    found: Counter[str] = Counter()
    orig_reasons: Counter[str] = Counter()
    title_repeats = short_cross = 0
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
                orig_reasons[item.reason] += 1
                if item.reason != "boilerplate" and len(examples) < 3:
                    examples.append(item)
        elif kind == "exact" and _too_short(paragraphs[label["gid"]]):
            short_cross += 1
    exact, near, orig = by_kind["exact"], by_kind["near"], by_kind["orig"]
    droppable = exact - short_cross
    _show("exact duplicates dropped", f"{found['exact']:,} / {exact:,}")
    _show("  kept by design: shorter than min_length_zh/en across articles", short_cross)
    _show(
        "exact duplicates dropped, those left out (target 100%)",
        f"{100 * found['exact'] / droppable:.2f}%",
    )
    _show(
        "near-duplicates dropped (target >= 99%)",
        f"{found['near']:,} / {near:,} ({100 * found['near'] / near:.2f}%)",
    )
    _show("orig paragraphs dropped as repeats of their article's title", title_repeats)
    _show(
        "orig paragraphs dropped as boilerplate (by the rule: the first copy too)",
        orig_reasons["boilerplate"],
    )
    duplicates = orig_reasons["exact_duplicate"] + orig_reasons["near_duplicate"]
    _show(
        "orig paragraphs dropped as duplicates (target <= 0.1%)",
        f"{duplicates:,} / {orig:,} ({100 * duplicates / orig:.3f}%)",
    )
    for item in examples:
        _show(
            f"  e.g. {item.reason} {item.similarity}", f"{item.text[:60]!r} -> {item.duplicate_of}"
        )
    _show("dropped by reason", dict(Counter(item.reason for item in dropped).most_common()))
