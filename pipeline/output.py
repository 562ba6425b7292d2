"""Output files: render a run to bytes, write them atomically, compare them with a folder.

A run writes ``en.jsonl``, ``zh.jsonl``, ``other.jsonl`` (records), ``dropped.jsonl`` (removed
paragraphs) and ``manifest.json``. Rendering is pure, so ``check`` compares exactly what ``run``
would write. Nothing written holds a time or an absolute path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from pipeline.collector import collections_by_step
from pipeline.config import Config
from pipeline.layout import (
    MANIFEST_FILE,
    OUTPUT_FILES,
)
from pipeline.outset import OutputSet
from pipeline.records import to_json
from pipeline.render import Tally, rendered_chunks
from pipeline.result import RunResult
from pipeline.version import SCHEMA_VERSION, TOOL_NAME, __version__, library_versions

DUPLICATE_REASONS = ("exact_duplicate", "near_duplicate")
FURNITURE_REASONS = ("breadcrumb", "navigation", "advert", "meta", "boilerplate")
DROP_REASONS = (*DUPLICATE_REASONS, *FURNITURE_REASONS, "empty", "editor")


def tally(result: RunResult) -> Tally:
    """Count records per output file, paragraphs out per language, paragraph labels, fixes by
    rule and by confidence, and flags by rule (one pass over the spill)."""
    counts = Tally()
    for records, _ in result.articles():
        for record in records:
            counts.add(record)
    return counts


def build_manifest(
    result: RunResult, config: Config, counts: Tally | None = None
) -> dict[str, Any]:
    """The manifest: versions, config, inputs with sha256 and encoding, counts, problems
    (``counts``: the output's, when the writer counted them as it wrote)."""
    counts = counts or tally(result)
    errors = sum(1 for problem in result.problems if problem.severity == "error")
    warnings = len(result.problems) - errors
    reasons = result.drop_reasons
    return {
        "tool": TOOL_NAME,
        "tool_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "libraries": library_versions(),
        "config": config.output_dict(),
        "inputs": [item.manifest_entry() for item in result.inputs],
        "ignored_files": result.ignored,
        "counts": {
            "files": len(result.inputs),
            "articles": result.article_count,
            "records": {name: counts.records_per_file[name] for name in OUTPUT_FILES[:3]},
            "paragraphs": {
                lang: {"in": count, "out": counts.paragraphs_out[lang]}
                for lang, count in sorted(result.paragraphs_in.items())
            },
            "paragraph_langs": dict(sorted(counts.paragraph_langs.items())),
            "fixes": dict(sorted(counts.fixes.items())),
            "fix_confidence": {
                level: counts.fix_confidence[level] for level in ("certain", "probable")
            },
            "flags": dict(sorted(counts.flags.items())),
            "dropped": {reason: reasons[reason] for reason in DROP_REASONS},
            "furniture": {kind: result.furniture.get(kind, 0) for kind in FURNITURE_REASONS},
            "problems": {"error": errors, "warning": warnings},
        },
        "problems": [asdict(problem) for problem in result.problems],
        "review": review_manifest(result),
    }


def review_manifest(result: RunResult) -> dict[str, Any]:
    """The review file's part of the manifest: its name and hash, and each decision with what
    became of it."""
    decisions = result.decisions
    entries = []
    for item in result.review:
        decision = item.decision
        entries.append(
            {
                "line": decision.line,
                "source": decision.source,
                "index": decision.index,
                "hash": decision.hash,
                "action": decision.action,
                "value": decision.value,
                "rule": decision.rule,
                "outcome": item.outcome,
            }
        )
    return {
        "file": decisions.name or None,
        "sha256": decisions.sha256 or None,
        "decisions": len(entries),
        "applied": sum(1 for item in result.review if item.outcome.startswith("applied")),
        "no_effect": sum(1 for item in result.review if item.outcome.startswith("no effect")),
        "stale": sum(1 for item in result.review if item.stale),
        "entries": entries,
    }


class Writer(Protocol):
    """A record format: the files it writes, and how it writes them into a folder."""

    names: tuple[str, ...]

    def write(self, result: RunResult, folder: Path) -> Tally:
        """Write its files into ``folder``; the counts of what it wrote."""
        ...


class JsonlWriter:
    """JSON lines (the default): en.jsonl, zh.jsonl, other.jsonl and dropped.jsonl, written in
    one pass over the spill, a chunk of articles at a time."""

    names: tuple[str, ...] = tuple(name for name in OUTPUT_FILES if name != MANIFEST_FILE)

    def write(self, result: RunResult, folder: Path) -> Tally:
        """Every record and dropped paragraph, in output order."""
        counts = Tally()
        with contextlib.ExitStack() as stack:
            streams = {
                name: stack.enter_context((folder / name).open("wb", buffering=1 << 20))
                for name in self.names
            }
            for chunk in rendered_chunks(result):
                counts.merge(chunk.counts)
                for name, data in chunk.files.items():
                    streams[name].write(data)
        return counts


class ParquetWriter:
    """Parquet (pyarrow): en.parquet, zh.parquet, other.parquet and dropped.parquet."""

    names: tuple[str, ...] = ("en.parquet", "zh.parquet", "other.parquet", "dropped.parquet")

    def write(self, result: RunResult, folder: Path) -> Tally:
        """One table per file (the records are all read into memory for it)."""
        from pipeline.parquet import render_parquet_file

        records, dropped = result.records, result.dropped
        for name in self.names:
            (folder / name).write_bytes(render_parquet_file(name, records, dropped))
        counts = Tally()
        for record in records:
            counts.add(record)
        return counts


# The writers, by --format.
WRITERS: dict[str, Writer] = {"jsonl": JsonlWriter(), "parquet": ParquetWriter()}


def output_names(output_format: str) -> tuple[str, ...]:
    """The files a run in ``output_format`` writes, the manifest last."""
    return (*WRITERS[output_format].names, MANIFEST_FILE)


def write_run(result: RunResult, config: Config, folder: Path, output_format: str) -> Tally:
    """Write every output file of ``result`` into ``folder`` (which exists), the manifest
    last; the counts of what was written."""
    counts = WRITERS[output_format].write(result, folder)
    manifest = build_manifest(result, config, counts)
    if output_format != "jsonl":
        manifest["format"] = output_format
        manifest["libraries"]["pyarrow"] = _version("pyarrow")
    (folder / MANIFEST_FILE).write_bytes((to_json(manifest, indent=2) + "\n").encode("utf-8"))
    return counts


def render_outputs(
    result: RunResult, config: Config, output_format: str = "jsonl"
) -> dict[str, bytes]:
    """Every output file's name and exact bytes, in ``output_format`` (a key of
    :data:`WRITERS`), and the manifest: all in memory, for small runs and tests."""
    with tempfile.TemporaryDirectory(prefix="pipeline-render-") as name:
        folder = Path(name)
        write_run(result, config, folder, output_format)
        return {file: (folder / file).read_bytes() for file in output_names(output_format)}


class SavedIndex(Protocol):
    """An index that :func:`save_run` saves with the outputs (:class:`FingerprintIndex`)."""

    path: Path

    def save(self, into: Path | None = None) -> None:
        """Write it, at its path or ``into``."""
        ...


def save_run(
    out_dir: Path,
    result: RunResult,
    config: Config,
    output_format: str,
    index: SavedIndex | None = None,
    output: OutputSet | None = None,
) -> Tally:
    """Replace the output set in ``out_dir`` with ``result``'s, all at once (see
    :mod:`pipeline.outset`), and close ``result`` (its work folder may be in the new set's
    folder). ``index``, when it lives in ``out_dir``, is part of the set; elsewhere it is saved
    once the set is in place. ``output``: the set's folder, made before the run; a new one when
    ``None``. Files of the other formats are removed; every other file of ``out_dir`` stays.
    The counts of what was written."""
    output = output if output is not None else OutputSet(out_dir)
    try:
        with collections_by_step():  # as in the run: its records are all still held
            counts = write_run(result, config, output.folder, output_format)
        result.close()
        written = list(output_names(output_format))
        in_set = index is not None and index.path.parent.resolve() == output.target
        if index is not None and in_set:
            index.save(output.folder / index.path.name)
            written.append(index.path.name)
        output.commit(written, run_files())
    except BaseException:
        output.discard()
        raise
    if index is not None and not in_set:
        index.save()
    return counts


def run_files() -> list[str]:
    """Every file a run writes, in any format (a run removes those of the other formats, so
    that OUT_DIR never holds two formats of one run)."""
    return sorted({n for writer in WRITERS.values() for n in writer.names} | {MANIFEST_FILE})


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def write_outputs(out_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write each file atomically: a temp file in the same folder, then a rename over the old."""
    out_dir.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    for name, data in files.items():
        handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
        try:
            os.fchmod(handle, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, out_dir / name)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise


def _same_rows(old: bytes, new: bytes) -> bool:
    """Whether two Parquet files hold the same rows (their bytes may differ by writer)."""
    from pipeline.parquet import parquet_rows

    try:
        return parquet_rows(old) == parquet_rows(new)
    except (OSError, ValueError):  # not a Parquet file at all
        return False


def _first_difference(old: bytes, new: bytes) -> str:
    old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            return f"first at line {number}"
    return f"{len(old_lines) - 1} lines now, {len(new_lines) - 1} expected"


def compare_run(out_dir: Path, result: RunResult, config: Config, output_format: str) -> list[str]:
    """Describe each way ``out_dir`` differs from what a run would write there (rendered into a
    temporary folder, compared file by file)."""
    with tempfile.TemporaryDirectory(prefix="pipeline-check-") as name:
        folder = Path(name)
        write_run(result, config, folder, output_format)
        names = output_names(output_format)
        expected = _FolderFiles(folder, names)
        return compare_outputs(out_dir, expected, sorted(set(run_files()) - set(names)))


class _FolderFiles(Mapping[str, bytes]):
    """Files of a folder by name, each read when asked for."""

    def __init__(self, folder: Path, names: tuple[str, ...]) -> None:
        self._folder, self._names = folder, names

    def __getitem__(self, name: str) -> bytes:
        if name not in self._names:
            raise KeyError(name)
        return (self._folder / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def compare_outputs(
    out_dir: Path, files: Mapping[str, bytes], removed: Iterable[str] = ()
) -> list[str]:
    """Describe each way ``out_dir`` differs from ``files`` (empty when it matches exactly),
    and name each file of ``removed`` (a run's in another format, which a run removes) that
    ``out_dir`` holds. Other files (the user's) are no difference: a run keeps them."""
    differences = []
    names = set(files)  # the names alone: a file is rendered only when compared
    for name, data in files.items():
        path = out_dir / name
        if not path.is_file():
            differences.append(f"{name}: missing")
            continue
        current = path.read_bytes()
        if current != data and name.endswith(".parquet"):
            if not _same_rows(current, data):
                differences.append(f"{name}: differs (other rows)")
        elif current != data:
            differences.append(f"{name}: differs ({_first_difference(current, data)})")
    for name in removed:
        if name not in names and (out_dir / name).is_file():
            differences.append(f"{name}: left by a run in another format (a run removes it)")
    return differences
