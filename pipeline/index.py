"""The fingerprint index: what earlier runs made of each input file, kept in SQLite.

For every file processed, the index keeps its sha256, what reading it gave (encoding, problems,
article count), its records as they left the per-article stages (before deduplication) and the
MinHash band keys of their paragraphs that dedup compares across articles. A later run takes an
unchanged file from the index instead of reading and processing it again, and a file no longer
in RAW_DIR is remembered: its records still take part, so a new batch is deduplicated against
everything processed before.
Deduplication itself is always run over the whole corpus, so a run with the index gives exactly
the output of a full run over the same files.

Entries carry a fingerprint of everything that shapes per-file processing (tool and schema
version, library versions, the config without its dedup options); an entry with another
fingerprint is not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.config import Config
from pipeline.fingerprint import BANDS
from pipeline.reading import InputFile
from pipeline.records import Problem, Record, record_from_dict, to_json
from pipeline.version import SCHEMA_VERSION, __version__, library_versions

# 3: entries are compressed JSON lines, read when looked up; 4: band keys, not signatures, and
# the file's facts in a column of their own.
_INDEX_SCHEMA = "5"
_COLUMNS = ["path", "sha256", "fingerprint", "facts", "entry", "band_rows", "bands", "checksum"]


_SQLITE_MAGIC = b"SQLite format 3\x00"


def not_an_index(path: Path) -> str | None:
    """Why the file at ``path`` is not a fingerprint index this tool made (``None`` when it is
    one, of any version, or when there is no file there yet): a run never writes over it."""
    if not path.exists():
        return None
    if path.is_dir():
        return "is a folder"
    try:
        with path.open("rb") as stream:
            head = stream.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if head != _SQLITE_MAGIC:
        return "is not a fingerprint index (not an SQLite file)"
    connection = None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        columns = [row[1] for row in connection.execute("PRAGMA table_info(files)")]
    except sqlite3.DatabaseError as exc:
        return f"is not a readable SQLite file ({exc})"
    finally:
        if connection is not None:
            connection.close()
    if columns[:3] != _COLUMNS[:3]:
        return "is an SQLite file but not a fingerprint index"
    return None


def _checksum(facts: str, packed: bytes, band_rows: bytes, bands: bytes) -> str:
    """The sha256 of an entry's parts (a part of another type, NULL included, raises
    TypeError)."""
    if not isinstance(facts, str):
        raise TypeError("facts")
    digest = hashlib.sha256()
    for part in (facts.encode("utf-8", "surrogatepass"), packed, band_rows, bands):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


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
    """One input file as the index keeps it (its records parsed as they are read)."""

    item: InputFile
    records: Iterator[Record]
    # For each paragraph, in record then paragraph order, its row in ``bands`` (-1: none).
    band_rows: npt.NDArray[np.int64]
    bands: npt.NDArray[np.uint64]  # MinHash band keys, BANDS a row


class EntryWriter:
    """A file's entry made as its records come back: each line compressed as it is added, so
    that a large file's records are never all in memory as text."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(1)
        self._pieces: list[bytes] = []
        self._band_rows: list[int] = []
        self._bands: list[npt.NDArray[np.uint64]] = []

    def add_line(self, line: str) -> None:
        """Add a record's JSON line."""
        self._pieces.append(self._compressor.compress(line.encode("utf-8", "surrogatepass")))

    def add_paragraph(self, bands: npt.NDArray[np.uint64] | None) -> None:
        """Add the next paragraph's band keys (``None``: it has none)."""
        if bands is None:
            self._band_rows.append(-1)
        else:
            self._band_rows.append(len(self._bands))
            self._bands.append(bands)

    def finish(self) -> tuple[bytes, bytes, bytes]:
        """The compressed lines, the band rows and the band keys, as stored."""
        self._pieces.append(self._compressor.flush())
        rows = np.array(self._band_rows, dtype=np.int64)
        bands = np.array(self._bands, dtype=np.uint64).reshape(-1, BANDS)
        return b"".join(self._pieces), rows.tobytes(), bands.tobytes()


def _unpacked_lines(packed: bytes, size: int = 1 << 20) -> Iterator[str]:
    """The lines of a compressed entry, decompressed a piece at a time."""
    decompressor = zlib.decompressobj()
    rest = b""
    for start in range(0, len(packed), size):
        rest += decompressor.decompress(packed[start : start + size])
        *lines, rest = rest.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", "surrogatepass")
    rest += decompressor.flush()
    for line in rest.split(b"\n"):
        if line:
            yield line.decode("utf-8", "surrogatepass")


class FingerprintIndex:
    """The SQLite file of indexed inputs. Only each file's path, hash and fingerprint are read
    at start; an entry (its records, zlib-compressed JSON, and its band keys) is read when
    looked up. Nothing is written until :meth:`save`, which copies the entries kept from the
    old file and adds the new ones."""

    def __init__(self, path: Path, config: Config) -> None:
        self.path = path
        self._fingerprint = processing_fingerprint(config)
        self._known: dict[str, tuple[str, str]] = {}  # path: (sha256, fingerprint) on disk
        self._new: dict[str, tuple[str, str, str, bytes, bytes, bytes, str]] = {}  # to write
        self.damaged: set[str] = set()  # files whose entry failed its checksum or did not parse
        self._forgotten = False
        self._reader: sqlite3.Connection | None = None  # opened on the first lookup
        if path.is_file():
            self._load()

    def _load(self) -> None:
        connection = None
        try:
            connection = sqlite3.connect(self.path)
            columns = [row[1] for row in connection.execute("PRAGMA table_info(files)")]
            if columns != _COLUMNS:
                return  # an index of an older version: nothing in it can be used
            rows = connection.execute("SELECT path, sha256, fingerprint FROM files").fetchall()
        except sqlite3.DatabaseError:
            return  # not an index we can read: processed again from RAW_DIR, then rewritten
        finally:
            if connection is not None:
                connection.close()
        # Paths are stored as JSON strings: a file name may hold undecodable bytes (surrogates).
        self._known = {json.loads(path): (sha, mark) for path, sha, mark in rows}

    def paths(self) -> list[str]:
        """Every file the index knows, sorted."""
        return sorted({*self._known, *self._new})

    def is_current(self, path: str) -> bool:
        """Whether the entry for ``path`` was made with this run's processing settings."""
        row = self._new.get(path) or self._known.get(path)
        return row is not None and row[1] == self._fingerprint

    def _entry(self, path: str) -> tuple[Any, ...] | None:
        if path in self._new:
            return self._new[path][2:]
        try:
            if self._reader is None:
                self._reader = sqlite3.connect(self.path)
            row = self._reader.execute(
                "SELECT facts, entry, band_rows, bands, checksum FROM files WHERE path = ?",
                (to_json(path),),
            ).fetchone()
        except sqlite3.DatabaseError:
            return None
        return None if row is None else tuple(row)

    def lookup(
        self, path: str, sha256: str | None = None, decisions: str | None = ""
    ) -> IndexedFile | None:
        """The entry for ``path`` when it is current (and, if given, has this sha256) and was
        made with the same review decisions about it (their digest; ``None``: whatever they
        were, for a file no longer in RAW_DIR, which cannot be processed again)."""
        meta = self._known.get(path) if path not in self._new else self._new[path][:2]
        if self._forgotten and path not in self._new:
            return None
        if meta is None or meta[1] != self._fingerprint or (sha256 and meta[0] != sha256):
            return None
        stored = self._entry(path)
        if stored is None:
            return None
        try:
            return self._parsed(path, meta[0], stored, decisions)
        except (TypeError, ValueError, KeyError):  # a row damaged or tampered with
            self.damaged.add(path)
            return None

    def _parsed(
        self, path: str, sha256: str, stored: tuple[Any, ...], decisions: str | None
    ) -> IndexedFile | None:
        facts, packed, rows_blob, bands_blob, checksum = stored
        if checksum != _checksum(facts, packed, rows_blob, bands_blob):
            raise ValueError("checksum")
        entry = json.loads(facts)
        if decisions is not None and entry.get("decisions", "") != decisions:
            return None
        item = InputFile(
            path,
            sha256=sha256,
            encoding=entry["encoding"],
            encoding_confidence=entry["encoding_confidence"],
            problems=[Problem(**problem) for problem in entry["problems"]],
            articles_read=entry["articles"],
        )
        records = (record_from_dict(json.loads(line)) for line in _unpacked_lines(packed))
        band_rows = np.frombuffer(rows_blob, dtype=np.int64)
        bands = np.frombuffer(bands_blob, dtype=np.uint64).reshape(-1, BANDS)
        return IndexedFile(item, records, band_rows, bands)

    def put(self, item: InputFile, entry: EntryWriter, decisions: str = "") -> None:
        """Remember a file processed in this run (``entry``: its records as the per-article
        stages left them, and their band keys), with the digest of the review decisions
        applied to it."""
        facts = {
            "decisions": decisions,
            "encoding": item.encoding,
            "encoding_confidence": item.encoding_confidence,
            "problems": [asdict(problem) for problem in item.problems],
            "articles": item.article_count,
        }
        text = to_json(facts)
        packed, rows_blob, bands_blob = entry.finish()
        checksum = _checksum(text, packed, rows_blob, bands_blob)
        row = (item.sha256 or "", self._fingerprint, text, packed, rows_blob, bands_blob, checksum)
        self._new[item.path] = row

    def forget_all(self) -> None:
        """Drop every entry (``--rebuild``)."""
        self._known = {}
        self._new = {}
        self._forgotten = True

    def close(self) -> None:
        """Close the file (``check`` reads the index and never saves it)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def save(self, into: Path | None = None) -> None:
        """Write the index atomically: a new SQLite file (the kept entries copied from the old
        one, then this run's), then a rename over the old one, or to ``into`` (the index's
        place in a new output set, put in place with it)."""
        self.close()
        target = into or self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)  # mkstemp makes 0600; the index is an ordinary file
        os.close(handle)
        temporary = Path(name)
        kept = sorted(set(self._known) - set(self._new))
        with sqlite3.connect(temporary) as connection:
            connection.execute(
                "CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, fingerprint TEXT,"
                " facts TEXT, entry BLOB, band_rows BLOB, bands BLOB, checksum TEXT)"
            )
            if kept and self.path.is_file():
                connection.execute("ATTACH DATABASE ? AS old", (str(self.path),))
                connection.executemany(
                    "INSERT INTO files SELECT * FROM old.files WHERE path = ?",
                    [(to_json(path),) for path in kept],
                )
                connection.commit()
                connection.execute("DETACH DATABASE old")
            connection.executemany(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(to_json(path), *row) for path, row in sorted(self._new.items())],
            )
        connection.close()
        try:
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
