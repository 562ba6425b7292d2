"""Names of the files a run writes (a leaf module: the CLI, the writers and the index read them
without importing each other)."""

from __future__ import annotations

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
