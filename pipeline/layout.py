"""Names of the files a run writes (a leaf module: the CLI, the writers and the index read them
without importing each other)."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

RECORD_FILES = {"en": "en.jsonl", "zh": "zh.jsonl"}
OTHER_FILE = "other.jsonl"
DROPPED_FILE = "dropped.jsonl"
MANIFEST_FILE = "manifest.json"
OUTPUT_FILES = (*RECORD_FILES.values(), OTHER_FILE, DROPPED_FILE, MANIFEST_FILE)
REPORT_FILE = "report.html"  # a view of the outputs (`pipeline report`), not compared by check
INDEX_FILE = ".pipeline-index.sqlite"
LOCK_FILE = ".pipeline.lock"  # held by a run (exclusive) or a check (shared) on OUT_DIR
# What a run leaves in OUT_DIR only while it runs: the work folder, the hidden folder the outputs
# are made in, and the temporary copies of files written atomically. Each name ends in the 8
# random characters of Python's tempfile, so that a file of the user's (".work-notes",
# ".x.jsonl.bak.tmp") is never taken for one.
_RANDOM = "?" * 8
LEFTOVER_PATTERNS = (
    f".work-{_RANDOM}",
    f".write-{_RANDOM}",
    *(f".?*.{kind}.{_RANDOM}.tmp" for kind in ("jsonl", "json", "parquet", "sqlite", "html")),
)
# What the tool's work and write folders hold: its spill, its outputs, temporary copies.
_TOOL_SUFFIXES = (".bin", ".jsonl", ".json", ".parquet", ".sqlite", ".html", ".tmp")


def is_leftover(path: Path) -> bool:
    """Whether ``path`` is something a run leaves only while it runs: named as in
    :data:`LEFTOVER_PATTERNS` and, for a folder, holding nothing but the tool's kind of files
    (a folder of the user's named ``.work-projects`` holds other things, and is not)."""
    if not any(fnmatch(path.name, pattern) for pattern in LEFTOVER_PATTERNS):
        return False
    if path.is_symlink() or not path.is_dir():
        return path.is_symlink() or path.is_file()
    return all(
        entry.is_file() and not entry.is_symlink() and entry.name.endswith(_TOOL_SUFFIXES)
        for entry in path.iterdir()
    )
