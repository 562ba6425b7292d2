"""Deduplication figures for the benchmark command (:mod:`pipeline.bench`).

Speed is measured on records built straight from ``docs.jsonl`` (language by script, no jieba),
against NFKC-normalising the same paragraphs in the same process, on half the corpus and on all
of it. Recall and the originals lost are measured on the whole run's ``dropped`` list against the
corpus labels (``kind``: orig, exact, exact_ws, near). A re-scrape (the corpus four times with new
ids) must keep exactly what one copy keeps.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.dedup import deduplicate
from pipeline.records import DroppedParagraph, Paragraph, Record
from pipeline.runner import run_pipeline

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


def dedup_accuracy(
    dropped: list[DroppedParagraph], paragraphs: list[str], labels: list[dict[str, Any]]
) -> None:
    """Print exact and near-duplicate recall and the originals lost, against the labels."""
    print("\n== 7. deduplication accuracy (whole run's dropped.jsonl against labels) ==")
    figures = accuracy(dropped, paragraphs, labels)
    _show("exact duplicates dropped", f"{figures.exact_found:,} / {figures.exact:,}")
    _show("  kept by design: shorter than min_length_zh/en across articles", figures.exact_short)
    _show(
        "exact duplicates dropped, those left out (target 100%)",
        f"{100 * figures.exact_recall:.2f}%",
    )
    _show(
        "near-duplicates dropped (target >= 99%)",
        f"{figures.near_found:,} / {figures.near:,} ({100 * figures.near_recall:.2f}%)",
    )
    _show("orig paragraphs dropped as repeats of their article's title", figures.title_repeats)
    lost = sum(figures.originals_lost.values())
    _show(
        "orig paragraphs dropped for any other reason (target <= 0.1%)",
        f"{lost:,} / {figures.originals:,} ({100 * figures.originals_lost_share:.3f}%)",
    )
    _show("  by reason", dict(figures.originals_lost.most_common()))
    for item in figures.examples:
        _show(
            f"  e.g. {item.reason} {item.similarity}", f"{item.text[:60]!r} -> {item.duplicate_of}"
        )
    _show("dropped by reason", dict(Counter(item.reason for item in dropped).most_common()))


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


def rescrape(lines: list[str], copies: int, jobs: int) -> Rescrape:
    """Run the pipeline on the documents of ``lines`` (docs.jsonl lines) once, and on the
    same documents ``copies`` times over with new ids, and compare what is kept."""
    documents = len(lines)
    repeated = []
    for copy in range(copies):
        for line in lines:
            doc = json.loads(line)
            if copy:
                doc["id"] = f"{doc['id']}-copy{copy}"
            repeated.append(json.dumps(doc, ensure_ascii=False) + "\n")
    config = Config().with_jobs(jobs)
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


def bench_rescrape(corpus: Path, jobs: int, copies: int = 4) -> None:
    """A re-scrape: the corpus four times with new ids keeps exactly what one copy keeps."""
    print(f"\n== 8. re-scrape ({copies} copies of docs.jsonl with new ids, jobs={jobs}) ==")
    lines = (corpus / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    start = time.perf_counter()
    figures = rescrape(lines, copies, jobs)
    _show("time s (one copy, then all)", f"{time.perf_counter() - start:.1f}")
    _show("paragraphs kept from one copy", f"{sum(figures.kept_once.values()):,}")
    _show(
        f"paragraphs kept from {copies} copies: first / later copies",
        f"{sum(figures.kept_first.values()):,} / {figures.kept_later:,}",
    )
    _show(
        "the copies keep exactly what one copy keeps (target yes)", "yes" if figures.same else "no"
    )
