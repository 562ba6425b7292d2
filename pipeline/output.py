"""Output files: render a run to bytes, write them atomically, compare them with a folder.

A run writes ``en.jsonl``, ``zh.jsonl``, ``other.jsonl`` (records), ``dropped.jsonl`` (removed
paragraphs) and ``manifest.json``. Rendering is pure, so ``check`` compares exactly what ``run``
would write. Nothing written holds a time or an absolute path.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import Config
from pipeline.layout import (
    DROPPED_FILE,
    MANIFEST_FILE,
    OTHER_FILE,
    OUTPUT_FILES,
    RECORD_FILES,
    REPORT_FILE,
)
from pipeline.records import Record, to_json, to_json_line
from pipeline.result import RunResult
from pipeline.version import SCHEMA_VERSION, TOOL_NAME, __version__, library_versions

DUPLICATE_REASONS = ("exact_duplicate", "near_duplicate")
FURNITURE_REASONS = ("breadcrumb", "navigation", "advert", "meta", "boilerplate")
DROP_REASONS = (*DUPLICATE_REASONS, *FURNITURE_REASONS, "empty", "editor")


def file_for(record: Record) -> str:
    """The output file a record goes to."""
    return RECORD_FILES.get(record.lang, OTHER_FILE)


@dataclass(frozen=True)
class Tally:
    """Counts over a run's output, shared by the manifest and the printed summary."""

    records_per_file: Counter[str]
    paragraphs_out: Counter[str]
    paragraph_langs: Counter[str]
    fixes: Counter[str]
    fix_confidence: Counter[str]
    flags: Counter[str]
    errors: int
    warnings: int


def tally(result: RunResult) -> Tally:
    """Count records per output file, paragraphs out per language, paragraph labels, fixes by
    rule and by confidence, flags by rule, and problems by severity."""
    records_per_file: Counter[str] = Counter(file_for(record) for record in result.records)
    paragraphs_out: Counter[str] = Counter()
    paragraph_langs: Counter[str] = Counter()
    fixes: Counter[str] = Counter()
    fix_confidence: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for record in result.records:
        paragraphs_out[record.lang] += len(record.paragraphs)
        for paragraph in record.paragraphs:
            paragraph_langs[paragraph.lang] += 1
            fixes.update(fix.rule for fix in paragraph.fixes)
            fix_confidence.update(fix.confidence for fix in paragraph.fixes)
            flags.update(flag.rule for flag in paragraph.flags)
    errors = sum(1 for problem in result.problems if problem.severity == "error")
    warnings = len(result.problems) - errors
    return Tally(
        records_per_file,
        paragraphs_out,
        paragraph_langs,
        fixes,
        fix_confidence,
        flags,
        errors,
        warnings,
    )


def build_manifest(result: RunResult, config: Config) -> dict[str, Any]:
    """The manifest: versions, config, inputs with sha256 and encoding, counts, problems."""
    counts = tally(result)
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
            "dropped": {
                reason: sum(1 for item in result.dropped if item.reason == reason)
                for reason in DROP_REASONS
            },
            "furniture": {kind: result.furniture.get(kind, 0) for kind in FURNITURE_REASONS},
            "problems": {
                "error": counts.errors,
                "warning": counts.warnings,
            },
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
    """A record format: the files it writes and how each is rendered."""

    names: tuple[str, ...]

    def render(self, name: str, result: RunResult) -> bytes:
        """The bytes of one of its files."""
        ...


class JsonlWriter:
    """JSON lines (the default): en.jsonl, zh.jsonl, other.jsonl and dropped.jsonl."""

    names: tuple[str, ...] = tuple(name for name in OUTPUT_FILES if name != MANIFEST_FILE)

    def render(self, name: str, result: RunResult) -> bytes:
        """One file's lines, in record order."""
        if name == DROPPED_FILE:
            lines = [to_json_line(dropped) for dropped in result.dropped]
        else:
            lines = [to_json_line(r) for r in result.records if file_for(r) == name]
        return "".join(lines).encode("utf-8")


class ParquetWriter:
    """Parquet (pyarrow): en.parquet, zh.parquet, other.parquet and dropped.parquet."""

    names: tuple[str, ...] = ("en.parquet", "zh.parquet", "other.parquet", "dropped.parquet")

    def render(self, name: str, result: RunResult) -> bytes:
        """One file's table."""
        from pipeline.parquet import render_parquet_file

        return render_parquet_file(name, result.records, result.dropped)


# The writers, by --format.
WRITERS: dict[str, Writer] = {"jsonl": JsonlWriter(), "parquet": ParquetWriter()}


class RenderedOutputs(Mapping[str, bytes]):
    """Every output file's name and exact bytes, each rendered when asked for: writing or
    comparing them one by one never holds the whole output in memory."""

    def __init__(self, result: RunResult, config: Config, output_format: str) -> None:
        self._result, self._config, self._format = result, config, output_format
        self._writer = WRITERS[output_format]
        self._names = (*self._writer.names, MANIFEST_FILE)

    def __getitem__(self, name: str) -> bytes:
        if name == MANIFEST_FILE:
            manifest = build_manifest(self._result, self._config)
            if self._format != "jsonl":
                manifest["format"] = self._format
                manifest["libraries"]["pyarrow"] = _version("pyarrow")
            return (to_json(manifest, indent=2) + "\n").encode("utf-8")
        if name not in self._names:
            raise KeyError(name)
        return self._writer.render(name, self._result)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def render_outputs(
    result: RunResult, config: Config, output_format: str = "jsonl"
) -> RenderedOutputs:
    """Every output file's name and exact bytes, in ``output_format`` (a key of
    :data:`WRITERS`), and the manifest; each file is rendered when it is read."""
    return RenderedOutputs(result, config, output_format)


def other_format_files(output_format: str) -> list[str]:
    """The record files the other formats write (a run in ``output_format`` removes them, so
    that OUT_DIR never holds two formats of one run)."""
    mine = set(WRITERS[output_format].names)
    return sorted({n for writer in WRITERS.values() for n in writer.names} - mine)


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


def compare_outputs(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Describe each way ``out_dir`` differs from ``files`` (empty when it matches exactly).
    Other files in ``out_dir`` are reported too, except hidden ones (folders are not)."""
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
    if out_dir.is_dir():
        for path in sorted(out_dir.iterdir()):
            known = path.name in names or path.name == REPORT_FILE
            if not known and not path.name.startswith(".") and not path.is_dir():
                differences.append(f"{path.name}: not written by run")
    return differences
