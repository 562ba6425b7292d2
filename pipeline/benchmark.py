"""``pipeline bench``: time the whole pipeline on a corpus, against two references measured in the
same run, and say how fast, how lean and how accurate it is.

Each pipeline run happens in a fresh process (so its peak memory is its own): one job, and with
``jobs`` above 1 also ``jobs`` processes. Reference (a) reads every input, NFKC-normalises and
hashes every paragraph; reference (b) segments the Chinese paragraphs (those the run segmented)
with jieba alone, in a fresh process, dictionary load included, in the same mode. Dedup accuracy
is measured against ``labels.jsonl`` when the corpus has one. Timings are printed, never asserted.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

SMALL_DOCS = 500  # documents in the small corpus (the first of docs.jsonl)
# The shared corpus builder, beside the repository (a source checkout).
DEFAULT_BUILDER = Path(__file__).resolve().parents[2] / "shared/bench/build_corpus.py"
_JIEBA_ALONE = """
import json, sys, time
start = time.perf_counter()
import jieba
jieba.setLogLevel(60)
jieba.initialize()
with open(sys.argv[1], encoding="utf-8") as source:
    texts = json.load(source)
hmm = sys.argv[2] == "1"
tokens = [list(jieba.cut(text, HMM=hmm)) for text in texts]
print(time.perf_counter() - start, sum(map(len, tokens)))
with open(sys.argv[3], "w", encoding="utf-8") as out:  # after the clock: for the comparison
    json.dump([[t for t in words if t] for words in tokens], out)
"""


def build_corpus(target: Path, builder: Path, seed: int | None = None) -> None:
    """Write the benchmark corpus into ``target`` with the shared builder (``seed``: another
    corpus of the same shape, with distinct ids)."""
    target.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    if seed is not None:
        environment["CORPUS_SEED"] = str(seed)
    subprocess.run([sys.executable, str(builder), str(target)], check=True, env=environment)


SCALE_SEEDS = (1, 2, 3)  # with the corpus itself: the 4x corpus


def prepare_4x(corpus: Path, folder: Path, builder: Path) -> Path:
    """A raw folder of the corpus and the three corpora of seeds 1-3 (built into
    ``corpus/seeds/sN`` when missing): four times the corpus, each file a link."""
    raw = folder / "raw-4x"
    raw.mkdir()
    sources = [corpus / "docs.jsonl"]
    for seed in SCALE_SEEDS:
        target = corpus / "seeds" / f"s{seed}"
        if not (target / "docs.jsonl").is_file():
            build_corpus(target, builder, seed)
        sources.append(target / "docs.jsonl")
    for number, source in enumerate(sources):
        (raw / f"docs{number}.jsonl").symlink_to(source.resolve())
    return raw


def prepare_raw(corpus: Path, size: str, folder: Path) -> tuple[Path, list[dict[str, Any]] | None]:
    """A raw folder for the run (``docs.jsonl`` of the corpus, cut to the small size when asked,
    or the corpus folder itself when it has none), and the labels aligned with it (if any)."""
    docs = corpus / "docs.jsonl"
    if not docs.is_file():
        return corpus, None
    raw = folder / "raw"
    raw.mkdir()
    lines = docs.read_text("utf-8").splitlines(keepends=True)
    if size == "small":
        lines = lines[:SMALL_DOCS]
    (raw / "docs.jsonl").write_text("".join(lines), "utf-8")
    labels_path = corpus / "labels.jsonl"
    if not labels_path.is_file():
        return raw, None
    wanted = sum(len(json.loads(line)["paragraphs"]) for line in lines if line.strip())
    with labels_path.open(encoding="utf-8") as stream:
        labels = [json.loads(line) for _, line in zip(range(wanted), stream, strict=False)]
    return raw, labels


def child_run(raw: Path, out: Path, jobs: int, segmenter: str = "jieba") -> dict[str, Any]:
    """One pipeline run (in this process): its time, its stages and its peak memory."""
    from pipeline.config import Config
    from pipeline.output import save_run
    from pipeline.outset import OutputSet
    from pipeline.runner import run_pipeline

    config = Config().with_jobs(jobs).with_segmenter(segmenter)
    start = time.perf_counter()
    # The spill in the new output set's folder, as `run`; the bench's folder of links to its
    # corpora is followed.
    output = OutputSet(out)
    result = run_pipeline(raw, config, work_dir=output.folder, follow_links=True)
    ran = time.perf_counter()
    save_run(out, result, config, "jsonl", output=output)
    stages = {**result.seconds, "render and write": time.perf_counter() - ran}
    return {
        "seconds": time.perf_counter() - start,
        "stages": {name: round(value, 3) for name, value in stages.items()},
        "paragraphs": sum(result.paragraphs_in.values()),
        "peak_self_mb": own_peak_mb(),
        "peak_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def own_peak_mb() -> float:
    """This process's peak resident memory in MB. Linux's ``VmHWM`` when there is one: the
    ``ru_maxrss`` of a process started by fork and exec also counts what its parent held at the
    fork (here the bench process, which holds the corpus' labels: it made a run's peak read as
    the bench's own)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_in_child(raw: Path, out: Path, jobs: int, segmenter: str) -> dict[str, Any]:
    child = ["--child", str(raw), str(out), str(jobs), segmenter]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.benchmark", *child],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _side_by_side(raw: Path, folder: Path, copies: int, segmenter: str) -> float:
    """The seconds of the slowest of ``copies`` one-job runs started together, each in its own
    process: what the machine gives each process when all its cores are busy."""
    start = [sys.executable, "-m", "pipeline.benchmark", "--child", str(raw)]
    commands = [[*start, str(folder / f"side-{n}"), "1", segmenter] for n in range(copies)]
    children = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for command in commands
    ]
    seconds = []
    try:
        for child, command in zip(children, commands, strict=True):
            out, err = child.communicate()
            if child.returncode:
                raise subprocess.CalledProcessError(child.returncode, command, out, err)
            seconds.append(float(json.loads(out.strip().splitlines()[-1])["seconds"]))
    finally:
        for child in children:  # none left writing into the bench's folder as it goes
            if child.poll() is None:
                child.kill()
                child.wait()
    return max(seconds)


def reference_a(raw: Path) -> float:
    """Seconds to read every input and NFKC-normalise and hash every paragraph."""
    from pipeline.config import Config
    from pipeline.decoding import Decoder
    from pipeline.reading import discover, read_file

    start = time.perf_counter()
    config, decoder = Config(), Decoder()
    paths, _, _ = discover(raw, config.input.extensions, None, follow_links=True)
    for path in paths:
        for article in read_file(raw, path, config, decoder).articles:
            for paragraph in article.paragraphs:
                key = unicodedata.normalize("NFKC", paragraph.text)
                hashlib.sha1(key.encode("utf-8", "surrogatepass")).digest()
    return time.perf_counter() - start


def reference_b(out: Path, folder: Path, hmm: bool) -> tuple[float, int, int]:
    """Seconds for jieba alone, in a fresh process, on the paragraphs the run segmented; how
    many of the run's kept paragraphs have tokens, and how many of them have tokens other
    than jieba's (the run's segmenter may be another: this is its proof on the corpus)."""
    texts: list[str] = []
    kept_tokens: list[list[str]] = []
    for name in ("zh.jsonl", "en.jsonl", "other.jsonl"):
        for line in (out / name).read_text("utf-8").splitlines():
            for paragraph in json.loads(line)["paragraphs"]:
                if paragraph["tokens"] is not None:
                    texts.append(paragraph["text"])
                    kept_tokens.append(paragraph["tokens"])
    with (out / "dropped.jsonl").open(encoding="utf-8") as stream:
        texts += [d["text"] for d in map(json.loads, stream) if d["lang"] in ("zh", "mixed")]
    source, tokens = folder / "chinese.json", folder / "chinese-tokens.json"
    source.write_text(json.dumps(texts), "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _JIEBA_ALONE, str(source), "1" if hmm else "0", str(tokens)],
        check=True,
        capture_output=True,
        text=True,
    )
    jieba_tokens = json.loads(tokens.read_text("utf-8"))
    differing = sum(a != b for a, b in zip(kept_tokens, jieba_tokens, strict=False))
    return float(done.stdout.split()[0]), len(kept_tokens), differing


def help_seconds() -> float:
    """The quickest of three ``pipeline --help`` in a fresh process."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline", "--help"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return min(times)


def run_bench(
    corpus: Path, size: str, jobs: int, repeat: int = 1, segmenter: str = "jieba"
) -> dict[str, Any]:
    """Every figure of the benchmark, as one dict. ``size`` "4x" runs the corpus with seeds
    1-3 added, and the corpus alone (one job) for the ratio of their peaks. The runs segment
    with ``segmenter``; reference (b) is always jieba."""
    from pipeline.config import Config

    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as name:
        folder = Path(name)
        scale: dict[str, Any] = {}
        if size == "4x":
            raw, labels = prepare_raw(corpus, "full", folder)
            full = _run_in_child(raw, folder / "out-full", 1, segmenter)
            scale["peak_rss_mb_full"] = round(_peak(full))
            scale["seconds_1_job_full"] = round(full["seconds"], 2)
            raw, labels = prepare_4x(corpus, folder, DEFAULT_BUILDER), None
        else:
            raw, labels = prepare_raw(corpus, size, folder)
        megabytes = sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 1e6
        hmm = Config().segmentation.hmm
        # One job, jieba alone and N jobs, in turn, ``repeat`` times: each ratio is taken
        # within a round, so that the machine's drift between minutes moves none of them.
        rounds = []
        token_checks = []  # (paragraphs compared, with other tokens than jieba's), by round
        ceilings = []  # by round: N one-job runs side by side, N x one alone over the slowest
        for _ in range(repeat):
            one = _run_in_child(raw, folder / "out-1", 1, segmenter)
            ref_b, compared, differing = reference_b(folder / "out-1", folder, hmm)
            many = _run_in_child(raw, folder / f"out-{jobs}", jobs, segmenter) if jobs > 1 else None
            if jobs > 1:
                ceilings.append(jobs * one["seconds"] / _side_by_side(raw, folder, jobs, segmenter))
            rounds.append((one, ref_b, many))
            token_checks.append((compared, differing))
        middle = sorted(rounds, key=lambda r: r[0]["seconds"])[len(rounds) // 2]
        one = middle[0]
        seconds_1 = statistics.median(r[0]["seconds"] for r in rounds)
        figures: dict[str, Any] = {
            "corpus": str(corpus),
            "size": size,
            "input_mb": _significant(megabytes),
            "paragraphs": one["paragraphs"],
            "repeat": repeat,
            "seconds_1_job": round(seconds_1, 2),
            "mb_per_s": _significant(megabytes / seconds_1),
            "paragraphs_per_s": round(one["paragraphs"] / seconds_1, 1),
            "peak_rss_mb": round(
                max(max(r[0]["peak_self_mb"], r[0]["peak_children_mb"]) for r in rounds)
            ),
            "stages": one["stages"],  # the round with the median one-job time
        }
        ref_a = reference_a(raw)
        figures |= {
            "reference_a_s": round(ref_a, 2),
            "reference_b_s": round(statistics.median(r[1] for r in rounds), 2),
            "ratio_a": round(seconds_1 / ref_a, 2),
            "ratio_b": round(statistics.median(r[0]["seconds"] / r[1] for r in rounds), 2),
            "jobs": jobs,
            "jobs_speedup": 1.0,
            "segmenter": segmenter,
            "tokens_compared_with_jieba": token_checks[0][0],
            "tokens_differing_from_jieba": max(differing for _, differing in token_checks),
        }
        if jobs > 1:
            one_dir, many_dir = folder / "out-1", folder / f"out-{jobs}"
            names = sorted(p.name for p in one_dir.iterdir())
            same = names == sorted(p.name for p in many_dir.iterdir()) and all(
                (one_dir / name).read_bytes() == (many_dir / name).read_bytes() for name in names
            )
            runs = [r[2] for r in rounds if r[2] is not None]
            speedups = [r[0]["seconds"] / r[2]["seconds"] for r in rounds if r[2] is not None]
            figures |= {
                f"seconds_{jobs}_jobs": round(statistics.median(r["seconds"] for r in runs), 2),
                "jobs_speedup": round(statistics.median(speedups), 2),
                "jobs_speedup_rounds": [round(value, 2) for value in speedups],
                "jobs_ceiling": round(statistics.median(ceilings), 2),
                "jobs_ceiling_rounds": [round(value, 2) for value in ceilings],
                f"stages_{jobs}_jobs": sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2][
                    "stages"
                ],
                f"peak_rss_mb_{jobs}_jobs": round(max(r["peak_self_mb"] for r in runs)),
                f"peak_rss_worker_mb_{jobs}_jobs": round(max(r["peak_children_mb"] for r in runs)),
                "outputs_identical_across_jobs": same,
            }
        if repeat > 1:
            figures["ratio_b_rounds"] = [round(r[0]["seconds"] / r[1], 2) for r in rounds]
        if scale:
            scale["peak_ratio_to_full"] = round(
                figures["peak_rss_mb"] / scale["peak_rss_mb_full"], 2
            )
            figures |= scale
        if labels is not None:
            figures["dedup"] = _dedup_accuracy(folder / "out-1", raw, labels)
        figures["help_s"] = round(help_seconds(), 3)
    return figures


def _significant(value: float) -> float:
    """``value`` to four significant figures: a small input's MB/s does not round to 0."""
    return float(f"{value:.4g}")


def _peak(run: dict[str, Any]) -> float:
    """A run's peak memory: its own process's or its largest worker's."""
    return float(max(run["peak_self_mb"], run["peak_children_mb"]))


def _dedup_accuracy(out: Path, raw: Path, labels: list[dict[str, Any]]) -> dict[str, Any]:
    from pipeline.bench_dedup import accuracy
    from pipeline.records import DroppedParagraph

    with (out / "dropped.jsonl").open(encoding="utf-8") as stream:
        dropped = [DroppedParagraph(**json.loads(line)) for line in stream]
    with (raw / "docs.jsonl").open(encoding="utf-8") as stream:
        paragraphs = [
            text for line in stream if line.strip() for text in json.loads(line)["paragraphs"]
        ]
    figures = accuracy(dropped, paragraphs, labels)
    return {
        "exact_recall": round(figures.exact_recall, 4),
        "exact": figures.exact,
        "exact_short_kept_by_design": figures.exact_short,
        "near_recall": round(figures.near_recall, 4),
        "near": figures.near,
        "originals_lost_share": round(figures.originals_lost_share, 5),
        "originals_lost": sum(figures.originals_lost.values()),
        "originals": figures.originals,
        "title_repeats": figures.title_repeats,
    }


def main(argv: list[str] | None = None) -> int:
    """The child mode of the benchmark (one run, JSON on stdout)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 5 and args[0] == "--child":
        print(json.dumps(child_run(Path(args[1]), Path(args[2]), int(args[3]), args[4])))
        return 0
    print("usage: pipeline bench (this module's main is for its child processes)")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
