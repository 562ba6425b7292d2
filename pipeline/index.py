"""The fingerprint index: what earlier runs made of each input file, kept in SQLite.

For every file processed, the index keeps its sha256, what reading it gave (encoding, problems,
article count), its records as they left the per-article stages (before deduplication) and the
MinHash signature of each of their paragraphs. A later run takes an unchanged file from the index
instead of reading and processing it again, and a file no longer in RAW_DIR is remembered: its
records still take part, so a new batch is deduplicated against everything processed before.
Deduplication itself is always run over the whole corpus, so a run with the index gives exactly
the output of a full run over the same files.

Entries carry a fingerprint of everything that shapes per-file processing (tool and schema
version, library versions, the config without its dedup options); an entry with another
fingerprint is not used.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pipeline.config import Config
from pipeline.fingerprint import PERMUTATIONS, Signatures
from pipeline.reading import InputFile
from pipeline.records import Problem, Record, record_data, record_from_dict, to_json
from pipeline.version import SCHEMA_VERSION, __version__, library_versions

_INDEX_SCHEMA = "1"


def processing_fingerprint(config: Config) -> str:
    """A hash of everything that shapes what a file's processing gives (not dedup options)."""
    settings = config.output_dict()
    settings.pop("dedup", None)
    settings.pop("review", None)  # decisions are checked per file
    data = {
        "tool": __version__,
        "schema": SCHEMA_VERSION,
        "index": _INDEX_SCHEMA,
        "libraries": library_versions(),
        "config": settings,
    }
    return hashlib.sha256(to_json(data).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class IndexedFile:
    """One input file as the index keeps it."""

    item: InputFile
    records: list[Record]
    signatures: Signatures  # one row per paragraph, in record then paragraph order


class FingerprintIndex:
    """The SQLite file of indexed inputs. Nothing is written until :meth:`save`."""

    def __init__(self, path: Path, config: Config) -> None:
        self.path = path
        self._fingerprint = processing_fingerprint(config)
        self._rows: dict[str, tuple[str, str, str, bytes]] = {}
        if path.is_file():
            self._load()

    def _load(self) -> None:
        try:
            with sqlite3.connect(self.path) as connection:
                rows = connection.execute(
                    "SELECT path, sha256, fingerprint, entry, signatures FROM files"
                ).fetchall()
        except sqlite3.DatabaseError:
            return  # not an index we can read: processed again from RAW_DIR, then rewritten
        # Paths are stored as JSON strings: a file name may hold undecodable bytes (surrogates).
        self._rows = {
            json.loads(path): (sha, mark, entry, blob) for path, sha, mark, entry, blob in rows
        }

    def paths(self) -> list[str]:
        """Every file the index knows, sorted."""
        return sorted(self._rows)

    def is_current(self, path: str) -> bool:
        """Whether the entry for ``path`` was made with this run's processing settings."""
        row = self._rows.get(path)
        return row is not None and row[1] == self._fingerprint

    def lookup(
        self, path: str, sha256: str | None = None, decisions: str = ""
    ) -> IndexedFile | None:
        """The entry for ``path`` when it is current (and, if given, has this sha256) and was
        made with the same review decisions about it (their digest)."""
        row = self._rows.get(path)
        if row is None or row[1] != self._fingerprint or (sha256 and row[0] != sha256):
            return None
        entry = json.loads(row[2])
        if entry.get("decisions", "") != decisions:
            return None
        item = InputFile(
            path,
            sha256=row[0],
            encoding=entry["encoding"],
            problems=[Problem(**problem) for problem in entry["problems"]],
            articles_read=entry["articles"],
        )
        records = [record_from_dict(record) for record in entry["records"]]
        rows = np.frombuffer(row[3], dtype=np.uint64).reshape(-1, PERMUTATIONS)
        return IndexedFile(item, records, rows)

    def put(self, indexed: IndexedFile, decisions: str = "") -> None:
        """Remember a file processed in this run (its records as they are now), with the digest
        of the review decisions applied to it."""
        item = indexed.item
        entry = {
            "decisions": decisions,
            "encoding": item.encoding,
            "problems": [asdict(problem) for problem in item.problems],
            "articles": item.article_count,
            "records": [record_data(record) for record in indexed.records],
        }
        blob = np.ascontiguousarray(indexed.signatures, dtype=np.uint64).tobytes()
        self._rows[item.path] = (item.sha256 or "", self._fingerprint, to_json(entry), blob)

    def forget_all(self) -> None:
        """Drop every entry (``--rebuild``)."""
        self._rows = {}

    def save(self) -> None:
        """Write the index atomically: a new SQLite file, then a rename over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.unlink(missing_ok=True)
        with sqlite3.connect(temporary) as connection:
            connection.execute(
                "CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, fingerprint TEXT,"
                " entry TEXT, signatures BLOB)"
            )
            connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?)",
                [(to_json(path), *row) for path, row in sorted(self._rows.items())],
            )
        connection.close()
        temporary.replace(self.path)
