"""Page furniture and dedup on the benchmark corpus (slow): the accuracy targets, on slices.

The corpus is news, reviews and encyclopedia text of one host, with labelled copies: furniture
found on it is a loss, and a re-scrape of it must add nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.bench_dedup import accuracy, rescrape
from pipeline.config import Config
from pipeline.runner import run_pipeline
from tests.conftest import FAST_SEGMENTER

pytestmark = pytest.mark.slow


def _config() -> Config:
    """Two jobs, and the quicker segmenter: tokens play no part in what these tests count."""
    return Config().with_jobs(2).with_segmenter(FAST_SEGMENTER)


def _slice(corpus: Path, documents: int) -> tuple[list[str], list[str], list[dict[str, object]]]:
    """The first ``documents`` lines of docs.jsonl, their paragraphs and their labels."""
    with (corpus / "docs.jsonl").open(encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(documents)]
    paragraphs = [text for line in lines for text in json.loads(line)["paragraphs"]]
    with (corpus / "labels.jsonl").open(encoding="utf-8") as handle:
        labels = [json.loads(line) for line in handle]
    return lines, paragraphs, [label for label in labels if label["doc"] < documents]


def test_dedup_and_furniture_accuracy_targets_on_a_corpus_slice(
    bench_corpus: Path, tmp_path: Path
) -> None:
    lines, paragraphs, labels = _slice(bench_corpus, 2000)
    (tmp_path / "docs.jsonl").write_text("".join(lines), encoding="utf-8")
    result = run_pipeline(tmp_path, _config())
    figures = accuracy(result.dropped, paragraphs, labels)
    assert figures.originals > 25_000 and figures.exact > 4_000 and figures.near > 1_500
    assert figures.exact_recall == 1.0, figures
    assert figures.near_recall >= 0.99, figures
    assert figures.originals_lost_share <= 0.001, figures.originals_lost


def test_a_rescrape_with_new_ids_keeps_exactly_what_one_copy_keeps(bench_corpus: Path) -> None:
    lines, _, _ = _slice(bench_corpus, 400)
    figures = rescrape(lines, copies=4, config=_config())
    assert sum(figures.kept_once.values()) > 5_000
    assert figures.kept_later == 0
    assert figures.kept_first == figures.kept_once
