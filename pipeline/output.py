"""Output files: render a run to bytes, write them atomically, compare them with a folder.

A run writes ``en.jsonl``, ``zh.jsonl``, ``other.jsonl`` (records), ``dropped.jsonl`` (removed
paragraphs) and ``manifest.json``. Rendering is pure, so ``check`` compares exactly what ``run``
would write. Nothing written holds a time or an absolute path.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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


def _render_jsonl(result: RunResult) -> dict[str, bytes]:
    texts: dict[str, list[str]] = {name: [] for name in OUTPUT_FILES if name != MANIFEST_FILE}
    for record in result.records:
        texts[file_for(record)].append(to_json_line(record))
    texts[DROPPED_FILE] = [to_json_line(dropped) for dropped in result.dropped]
    return {name: "".join(lines).encode("utf-8") for name, lines in texts.items()}


def _render_parquet(result: RunResult) -> dict[str, bytes]:
    from pipeline.parquet import render_parquet

    return render_parquet(result.records, result.dropped)


# The writers, by --format: each renders the records and dropped paragraphs to files.
WRITERS: dict[str, Callable[[RunResult], dict[str, bytes]]] = {
    "jsonl": _render_jsonl,
    "parquet": _render_parquet,
}


def render_outputs(
    result: RunResult, config: Config, output_format: str = "jsonl"
) -> dict[str, bytes]:
    """Every output file's name and exact bytes, in ``output_format`` (a key of
    :data:`WRITERS`), and the manifest."""
    files = WRITERS[output_format](result)
    manifest = build_manifest(result, config)
    if output_format != "jsonl":
        manifest["format"] = output_format
        manifest["libraries"]["pyarrow"] = _version("pyarrow")
    files[MANIFEST_FILE] = (to_json(manifest, indent=2) + "\n").encode("utf-8")
    return files


def other_format_files(output_format: str) -> list[str]:
    """The record files the other formats write (a run in ``output_format`` removes them, so
    that OUT_DIR never holds two formats of one run)."""
    mine = set(render_names(output_format))
    return sorted({n for f in WRITERS for n in render_names(f)} - mine)


def render_names(output_format: str) -> tuple[str, ...]:
    """The record and dropped files written in ``output_format``."""
    if output_format == "parquet":
        from pipeline.parquet import DROPPED_PARQUET, OTHER_PARQUET, PARQUET_FILES

        return (*PARQUET_FILES.values(), OTHER_PARQUET, DROPPED_PARQUET)
    return tuple(name for name in OUTPUT_FILES if name != MANIFEST_FILE)


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> None:
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


def compare_outputs(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Describe each way ``out_dir`` differs from ``files`` (empty when it matches exactly).
    Other files in ``out_dir`` are reported too, except hidden ones (folders are not)."""
    differences = []
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
            known = path.name in files or path.name == REPORT_FILE
            if not known and not path.name.startswith(".") and not path.is_dir():
                differences.append(f"{path.name}: not written by run")
    return differences
