"""Benchmark the pipeline on the bilingual benchmark corpus and print the figures.

Usage::

    python -m pipeline.bench [--corpus DIR] [--build] [--builder PATH] [--jobs N]

The corpus (default ``bench-corpus/`` in the working directory; git-ignored, never commit it) is
built by ``../shared/bench/build_corpus.py`` (next to the repository) when ``--build`` is given or
when the folder has no ``docs.jsonl``. Printed, each timed in this process with ``perf_counter``:
reading, language detection (speed, accuracy against ``labels.jsonl``), repair (speed, what it
changes), a langdetect baseline on short paragraphs, jieba segmentation, the whole run with 1
and N jobs, deduplication (accuracy against the labels, speed against NFKC, growth from half
the corpus to all of it) and a re-scrape (the corpus four times over). It prints measurements
and asserts nothing about timings.
MB = 10^6 bytes of UTF-8 text.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.bench_dedup import bench_dedup_speed, bench_rescrape, dedup_accuracy
from pipeline.config import Config
from pipeline.language import LanguageDetector
from pipeline.output import render_outputs
from pipeline.reading import read_file
from pipeline.records import DroppedParagraph
from pipeline.repair.engine import Repairer
from pipeline.runner import run_pipeline
from pipeline.segmentation import Segmenter

DEFAULT_BUILDER = Path(__file__).resolve().parents[1].parent / "shared/bench/build_corpus.py"
LANGDETECT_SPEED_SAMPLE = 2000


def show(name: str, value: object) -> None:
    """Print one figure as ``name: value``."""
    print(f"  {name}: {value}", flush=True)


def mb(texts: list[str]) -> float:
    """Size of ``texts`` in MB of UTF-8."""
    return sum(len(text.encode("utf-8")) for text in texts) / 1e6


def rate(amount: float, seconds: float) -> str:
    """``amount`` per second, rounded for display."""
    return f"{amount / seconds:,.2f}" if seconds > 0 else "inf"


def pct(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with the counts."""
    return f"{100 * part / whole:.2f}% ({part:,}/{whole:,})" if whole else "n/a (0)"


def watch_children(peaks: dict[str, float], stop: threading.Event) -> None:
    """Until ``stop`` is set, record each child process's own peak RSS (``VmHWM``) in MB."""
    while not stop.wait(0.1):
        for listing in Path("/proc/self/task").glob("*/children"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                for pid in listing.read_text().split():
                    status = Path(f"/proc/{pid}/status").read_text()
                    hwm = int(status.split("VmHWM:")[1].split()[0]) / 1024
                    peaks[pid] = max(peaks.get(pid, 0.0), hwm)


def ensure_corpus(corpus: Path, builder: Path, build: bool) -> bool:
    """Build the corpus when asked or when it has no docs.jsonl; return True if built here."""
    if not build and (corpus / "docs.jsonl").is_file():
        return False
    if not builder.is_file():
        sys.exit(f"corpus builder not found: {builder} (use --builder PATH)")
    print(f"building corpus in {corpus} with {builder} ...", flush=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(builder), str(corpus)], check=True)
    print(f"built in {time.perf_counter() - start:.1f} s", flush=True)
    return True


def load_corpus(corpus: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Every raw paragraph string of ``docs.jsonl`` in order, and the aligned labels."""
    with (corpus / "docs.jsonl").open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    paragraphs: list[str] = [text for doc in docs for text in doc["paragraphs"]]
    with (corpus / "labels.jsonl").open(encoding="utf-8") as handle:
        labels = [json.loads(line) for line in handle if line.strip()]
    if len(labels) != len(paragraphs):
        sys.exit(f"labels.jsonl: {len(labels)} lines, docs.jsonl: {len(paragraphs)} paragraphs")
    return paragraphs, labels


def bench_reading(corpus: Path) -> None:
    """Time :func:`pipeline.reading.read_file` on ``docs.jsonl``."""
    print("\n== 1. reading (read_file docs.jsonl) ==")
    size = (corpus / "docs.jsonl").stat().st_size / 1e6
    start = time.perf_counter()
    result = read_file(corpus, "docs.jsonl", Config())
    seconds = time.perf_counter() - start
    show("docs.jsonl size MB", f"{size:.2f}")
    show("time s", f"{seconds:.2f}")
    show("MB/s", rate(size, seconds))
    show("articles", f"{len(result.articles):,}")
    show("paragraphs (incl. titles)", f"{sum(len(a.paragraphs) for a in result.articles):,}")
    show("problems", len(result.problems))


def bench_language(paragraphs: list[str], labels: list[dict[str, Any]]) -> None:
    """Speed and accuracy of :class:`pipeline.language.LanguageDetector` against the labels."""
    print("\n== 2. language detection (LanguageDetector.detect, raw paragraphs) ==")
    detector = LanguageDetector(Config().language)
    start = time.perf_counter()
    predicted = [detector.detect(text).lang for text in paragraphs]
    seconds = time.perf_counter() - start
    show("paragraphs", f"{len(paragraphs):,}")
    show("time s (incl. lazy table/profile loading)", f"{seconds:.2f}")
    show("MB/s", rate(mb(paragraphs), seconds))
    show("paragraphs/s", rate(len(paragraphs), seconds))
    right = [label["lang"] == lang for label, lang in zip(labels, predicted, strict=True)]
    short = [i for i, label in enumerate(labels) if label["short"]]
    show("accuracy overall", pct(sum(right), len(right)))
    show("accuracy short (<20 chars)", pct(sum(right[i] for i in short), len(short)))
    for lang in ("en", "zh"):
        mine = [i for i, label in enumerate(labels) if label["lang"] == lang]
        show(f"accuracy label={lang}", pct(sum(right[i] for i in mine), len(mine)))
    show("predicted 'mixed'", f"{predicted.count('mixed'):,}")
    show("predicted languages", dict(Counter(predicted).most_common()))
    wrong = [i for i, ok in enumerate(right) if not ok]
    pairs = Counter((labels[i]["lang"], predicted[i]) for i in wrong)
    top = ", ".join(f"{a}->{b}: {n}" for (a, b), n in pairs.most_common(10))
    show("wrong (label, predicted) top 10", top)
    for i in wrong[:5]:
        info = f"{labels[i]['lang']}->{predicted[i]} src={labels[i]['src']}"
        show(f"  wrong #{i} {info}", repr(paragraphs[i][:80]))


def bench_repair(paragraphs: list[str]) -> None:
    """Speed of :class:`pipeline.repair.engine.Repairer` and what it changes on real text."""
    print("\n== 2b. repair (Repairer.repair, raw paragraphs, default rules) ==")
    repairer = Repairer(Config().repair)
    fixes: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    changed = 0
    start = time.perf_counter()
    for text in paragraphs:
        repaired = repairer.repair(text)
        fixes.update(fix.rule for fix in repaired.fixes)
        flags.update(flag.rule for flag in repaired.flags)
        changed += repaired.text != text
    seconds = time.perf_counter() - start
    show("time s", f"{seconds:.2f}")
    show("MB/s", rate(mb(paragraphs), seconds))
    show("paragraphs changed", f"{changed:,}")
    show("fixes by rule", dict(fixes.most_common()))
    show("flags by rule", dict(flags.most_common()))
    numbers = sum(n for rule, n in fixes.items() if rule.startswith(("marker", "split", "garbled")))
    show("garbled-number repairs (should be 0: no garbled numbers here)", numbers)
    show("lost spaces put back (glued_number: the corpus's own)", fixes["glued_number"])


def bench_langdetect(paragraphs: list[str], labels: list[dict[str, Any]]) -> None:
    """The langdetect baseline: accuracy on short paragraphs, speed on a sample of long ones."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    print("\n== 3. langdetect baseline ==")
    start = time.perf_counter()
    factory: Any = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    show("profile loading s", f"{time.perf_counter() - start:.2f}")

    def detect(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            lang = str(detector.detect())
        except LangDetectException:
            return "error"
        return "zh" if lang in ("zh-cn", "zh-tw") else lang

    short = [i for i, label in enumerate(labels) if label["short"]]
    start = time.perf_counter()
    right = sum(detect(paragraphs[i]) == labels[i]["lang"] for i in short)
    seconds = time.perf_counter() - start
    show("accuracy short (<20 chars)", pct(right, len(short)))
    show("short paragraphs/s", rate(len(short), seconds))
    long = [i for i, label in enumerate(labels) if not label["short"]]
    step = max(1, len(long) // LANGDETECT_SPEED_SAMPLE)
    sample = [paragraphs[i] for i in long[::step][:LANGDETECT_SPEED_SAMPLE]]
    start = time.perf_counter()
    _ = [detect(text) for text in sample]
    seconds = time.perf_counter() - start
    show("speed sample (non-short, evenly spaced)", f"{len(sample):,} ({mb(sample):.2f} MB)")
    show("MB/s", rate(mb(sample), seconds))
    show("paragraphs/s", rate(len(sample), seconds))


def bench_segmentation(paragraphs: list[str], labels: list[dict[str, Any]]) -> None:
    """Start-up and throughput of :class:`pipeline.segmentation.Segmenter` on the zh paragraphs."""
    print("\n== 4. segmentation (Segmenter.tokens, paragraphs labelled zh) ==")
    texts = [text for text, label in zip(paragraphs, labels, strict=True) if label["lang"] == "zh"]
    segmenter = Segmenter(Config().segmentation)
    start = time.perf_counter()
    segmenter.tokens(texts[0])
    show("first call (start-up) s", f"{time.perf_counter() - start:.2f}")
    start = time.perf_counter()
    failed = sum("".join(segmenter.tokens(text)) != text for text in texts)
    seconds = time.perf_counter() - start
    show("paragraphs", f"{len(texts):,} ({mb(texts):.2f} MB)")
    show("time s", f"{seconds:.2f}")
    show("MB/s", rate(mb(texts), seconds))
    show("join(tokens) != text", failed)


def bench_run(corpus: Path, jobs: int, built_here: bool) -> list[DroppedParagraph]:
    """Time the whole run with 1 and ``jobs`` processes and compare the rendered outputs;
    return the dropped paragraphs of the run."""
    print(f"\n== 5. whole run (run_pipeline + render_outputs, jobs=1 and jobs={jobs}) ==")
    rendered: dict[int, dict[str, bytes]] = {}
    peaks: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-docs-") as tmp:
        (Path(tmp) / "docs.jsonl").symlink_to((corpus / "docs.jsonl").resolve())
        for n in dict.fromkeys((1, jobs)):
            config = Config().with_jobs(n)
            stop = threading.Event()
            watcher = threading.Thread(target=watch_children, args=(peaks, stop), daemon=True)
            watcher.start()
            start = time.perf_counter()
            result = run_pipeline(Path(tmp), config)
            seconds = time.perf_counter() - start
            stop.set()
            watcher.join()
            start = time.perf_counter()
            rendered[n] = render_outputs(result, config)
            render = time.perf_counter() - start
            show(f"jobs={n} run_pipeline s / render_outputs s", f"{seconds:.2f} / {render:.2f}")
            show(f"jobs={n} records", f"{len(result.records):,}")
            dropped = result.dropped
            del result
    sizes = {name: f"{len(data) / 1e6:.2f} MB" for name, data in rendered[1].items()}
    show("output sizes", sizes)
    differ = [name for name, data in rendered[1].items() if rendered[jobs].get(name) != data]
    show(f"outputs jobs=1 vs jobs={jobs} byte-identical", f"no: {differ}" if differ else "yes")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    show("peak RSS self MB", f"{own:.0f}")
    # Linux copies this process's peak into a child forked (then exec'd) by spawn, so the
    # RUSAGE_CHILDREN figure is at least this process's peak when the workers started.
    note = ", corpus builder included" if built_here else ""
    show(f"peak RSS children MB (largest child, incl. inherited peak{note})", f"{children:.0f}")
    worker = max(peaks.values(), default=0.0)
    show("peak RSS per worker MB (own VmHWM, sampled every 0.1 s)", f"{worker:.0f}")
    return dropped


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the corpus if needed and print every figure."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("bench-corpus"))
    parser.add_argument("--build", action="store_true", help="(re)build the corpus first")
    parser.add_argument("--builder", type=Path, default=DEFAULT_BUILDER)
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    corpus: Path = args.corpus
    built_here = ensure_corpus(corpus, args.builder, args.build)
    total = time.perf_counter()
    print(f"pipeline benchmark: corpus {corpus.resolve()}, python {sys.version.split()[0]}")
    bench_reading(corpus)
    paragraphs, labels = load_corpus(corpus)
    bench_language(paragraphs, labels)
    bench_repair(paragraphs)
    bench_langdetect(paragraphs, labels)
    bench_segmentation(paragraphs, labels)
    dropped = bench_run(corpus, args.jobs, built_here)
    dedup_accuracy(dropped, paragraphs, labels)
    bench_dedup_speed(corpus)
    bench_rescrape(corpus, args.jobs)
    print(f"\nbench total (excluding corpus build): {time.perf_counter() - total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
