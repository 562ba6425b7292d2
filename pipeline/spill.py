"""The run's spill: processed records on disk, and in memory only what the corpus stages read.

A processed chunk of articles becomes a :class:`SpilledChunk` where it was processed (a worker
process, a Ray actor, or this process): its records as pieces of JSON
(:mod:`pipeline.fragments`) pickled into one blob, the text and the comparison key of each
paragraph as UTF-8, a row of numbers per paragraph (byte lengths, key length, key and shape
digests, line, hash, text length, band row, prose or not), and light copies of its records whose
paragraphs are :class:`StubParagraph` objects. The run appends the blob and the texts to files
in a work folder (:class:`Spill`) and keeps only the light records; a local worker process
writes them into that folder itself (:class:`ChunkFiles`), and the run notes where they are.
A stub reads its text from the spill when a stage asks for it; the corpus stages change only
roles, evidence, decisions, titles and which paragraphs stay, and :mod:`pipeline.final` puts
those changes on the full records as it streams them back, chunk by chunk, to the writers.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.fingerprint import BANDS, band_keys, comparison_key, signatures
from pipeline.fragments import record_pieces
from pipeline.paragraph_table import (
    COLUMNS,
    ParagraphTable,
    StubParagraph,
    StubRows,
    digest,
    shape_digest,
)
from pipeline.records import AppliedDecision, Fix, Paragraph, Record, Role
from pipeline.text_width import is_prose

BandLengths = tuple[int, int]  # the least text lengths, English and Chinese, dedup compares


@dataclass(frozen=True)
class StoredBytes:
    """Where a worker process wrote a chunk's blob and texts (:class:`ChunkFiles`): each one's
    file and place in it."""

    blob_path: str
    blob_offset: int
    blob_size: int
    texts_path: str
    texts_offset: int


@dataclass
class SpilledChunk:
    """A processed chunk of articles, ready to spill: see the module's docstring. ``blob`` and
    ``texts`` are empty when the process that made it wrote them to the work folder
    (``stored`` says where)."""

    blob: bytes
    texts: bytes
    rows: npt.NDArray[np.int64]
    bands: npt.NDArray[np.uint64]  # a row of band keys for each paragraph given a BAND_ROW
    light: list[list[Record]]
    seconds: dict[str, float] = field(default_factory=dict)
    stub_rows: list[StubRows] = field(default_factory=list)  # each light record's, in order
    stored: StoredBytes | None = None

    def record_blob(self) -> bytes:
        """The blob of the chunk's records, read back from its file when it was written there."""
        if self.stored is None:
            return self.blob
        with open(self.stored.blob_path, "rb") as stream:
            stream.seek(self.stored.blob_offset)
            return stream.read(self.stored.blob_size)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (from a worker process to the run) with its light records as plain tuples,
        rebuilt on arrival: pickle writes a slotted stub as a dict of its slots and sets them one
        by one on loading, which took a two-job run about 0.8 s of its machine's time."""
        packed = [
            [
                (
                    (r.id, r.source, r.article_id, r.url, r.lang, r.script, r.title),
                    [_stub_fields(p) for p in r.paragraphs],
                )
                for r in records
            ]
            for records in self.light
        ]
        parts = (self.blob, self.texts, self.rows, self.bands, packed, self.seconds, self.stored)
        return (_unpacked, parts)


_StubFields = tuple[int, Role, str, list[str], list[AppliedDecision], list[Fix] | None]
_PackedRecord = tuple[
    tuple[str, str, str | None, str | None, str, str | None, str | None], list[_StubFields]
]


def _stub_fields(paragraph: Paragraph) -> _StubFields:
    assert isinstance(paragraph, StubParagraph)
    return (
        paragraph.index,
        paragraph.role,
        paragraph.lang,
        paragraph.evidence,
        paragraph.decisions,
        paragraph.empty_fixes,
    )


def _unpacked(
    blob: bytes,
    texts: bytes,
    rows: npt.NDArray[np.int64],
    bands: npt.NDArray[np.uint64],
    packed: list[list[_PackedRecord]],
    seconds: dict[str, float],
    stored: StoredBytes | None,
) -> SpilledChunk:
    """A :class:`SpilledChunk` from its pickled form (see :meth:`SpilledChunk.__reduce__`)."""
    light: list[list[Record]] = []
    stub_rows: list[StubRows] = []
    first = 0
    for records in packed:
        light_records = []
        for (rid, source, article_id, url, lang, script, title), fields in records:
            record_rows = StubRows(first)
            stub_rows.append(record_rows)
            stubs: list[Paragraph] = [
                StubParagraph(index, role, plang, evidence, decisions, record_rows, offset, empty)
                for offset, (index, role, plang, evidence, decisions, empty) in enumerate(fields)
            ]
            first += len(stubs)
            light_records.append(Record(rid, source, article_id, url, lang, script, title, stubs))
        light.append(light_records)
    return SpilledChunk(blob, texts, rows, bands, light, seconds, stub_rows, stored)


class ChunkFiles:
    """A worker process's two files in the run's work folder: it writes each chunk's blob and
    texts there (:meth:`store`), and only where they are travels to the run, not the bytes
    (about 100 MB for the benchmark corpus, which the run would receive and write again)."""

    def __init__(self, folder: Path, name: str) -> None:
        self._paths = (folder / f"records-{name}.bin", folder / f"texts-{name}.bin")
        self._streams: list[Any] = []
        self._ends = [0, 0]

    def store(self, chunk: SpilledChunk) -> SpilledChunk:
        """Write the chunk's blob and texts; the chunk without them, saying where they are."""
        if not self._streams:
            self._streams = [path.open("wb") for path in self._paths]
        places = []
        for n, data in enumerate((chunk.blob, chunk.texts)):
            self._streams[n].write(data)
            self._streams[n].flush()  # read by the run once the chunk is back
            places.append(self._ends[n])
            self._ends[n] += len(data)
        blob_path, texts_path = (str(path) for path in self._paths)
        stored = StoredBytes(blob_path, places[0], len(chunk.blob), texts_path, places[1])
        return replace(chunk, blob=b"", texts=b"", stored=stored)


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def spill_chunk(
    articles: Sequence[list[Record]],
    seconds: dict[str, float],
    band_lengths: BandLengths | None = None,
) -> SpilledChunk:
    """A chunk's records (each article's list) as a :class:`SpilledChunk`. With
    ``band_lengths``, the MinHash band keys of each paragraph dedup may compare across
    articles (a key, and a text at least that long for its language) are computed here too:
    where the chunk was processed, in parallel with the other chunks."""
    pieces: list[bytes] = []
    rows: list[tuple[int, ...]] = []
    light: list[list[Record]] = []
    # Most paragraphs have no evidence and no decision: their stubs share one empty list of
    # each (shared in the pickle too). The corpus stages replace a stub's list, never add to it.
    no_evidence: list[str] = []
    no_decisions: list[AppliedDecision] = []
    banded: list[str] = []  # the keys given band keys
    stub_rows: list[StubRows] = []
    for records in articles:
        light_records = []
        for record in records:
            stubs: list[Paragraph] = []
            record_rows = StubRows(len(rows))
            stub_rows.append(record_rows)
            for offset, paragraph in enumerate(record.paragraphs):
                text = paragraph.text.encode("utf-8", "surrogatepass")
                key = comparison_key(paragraph.text)
                key_bytes = key.encode("utf-8", "surrogatepass")
                pieces += (text, key_bytes)
                band_row = -1
                if band_lengths is not None and key:
                    least = band_lengths[paragraph.lang in ("zh", "mixed")]
                    if len(paragraph.text) >= least:
                        band_row = len(banded)
                        banded.append(key)
                key_digest = digest(key)
                shape = shape_digest(key)
                line = -1 if paragraph.line is None else paragraph.line
                hashed = int(paragraph.hash, 16) if paragraph.hash else -1
                rows.append(
                    (
                        len(text),
                        len(key_bytes),
                        len(key),
                        line,
                        hashed,
                        _signed(key_digest >> 64),
                        _signed(key_digest & (2**64 - 1)),
                        shape,
                        len(paragraph.text),
                        band_row,
                        int(is_prose(paragraph.text)),
                    )
                )
                empty = list(paragraph.fixes) if not paragraph.text else None
                stub = StubParagraph(
                    paragraph.index,
                    paragraph.role,
                    paragraph.lang,
                    paragraph.evidence or no_evidence,
                    paragraph.decisions or no_decisions,
                    record_rows,
                    offset,
                    empty,
                )
                stubs.append(stub)
            light_records.append(replace(record, paragraphs=stubs))
        light.append(light_records)
    table = np.array(rows, dtype=np.int64).reshape(len(rows), COLUMNS)
    pieces_of = [[record_pieces(record) for record in records] for records in articles]
    blob = pickle.dumps(pieces_of, protocol=pickle.HIGHEST_PROTOCOL)
    bands = band_keys(signatures(banded)) if banded else np.zeros((0, BANDS), dtype=np.uint64)
    return SpilledChunk(blob, b"".join(pieces), table, bands, light, seconds, stub_rows)


@dataclass
class SpillPiece:
    """Where one chunk's blob is in the spill, and what it holds."""

    offset: int
    size: int
    record_ids: list[str]
    sources: list[str]  # of its articles
    path: Path  # the file it is in


class Spill:
    """The work folder of a run: the record blobs and the paragraph table."""

    def __init__(self, parent: Path | None = None) -> None:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        self._folder = tempfile.TemporaryDirectory(prefix=".work-", dir=parent)
        folder = Path(self._folder.name)
        self.folder = folder  # where worker processes write their chunks' bytes too
        self.table = ParagraphTable(folder / "texts.bin")
        self.blob_path = folder / "records.bin"
        self._blobs: Any = self.blob_path.open("wb")
        self._pieces: list[SpillPiece] = []
        self._end = 0  # of the blob file

    def add(self, chunk: SpilledChunk) -> list[list[Record]]:
        """Spill a chunk; its light records, each article's, with their stubs attached."""
        stored = chunk.stored
        ids = [record.id for records in chunk.light for record in records]
        sources = [records[0].source for records in chunk.light if records]
        if stored is None:
            first = self.table.append(chunk.texts, chunk.rows, chunk.bands)
            self._blobs.write(chunk.blob)
            piece = SpillPiece(self._end, len(chunk.blob), ids, sources, self.blob_path)
            self._end += len(chunk.blob)
        else:  # written by the worker process that made it
            texts_at = (Path(stored.texts_path), stored.texts_offset)
            first = self.table.append(b"", chunk.rows, chunk.bands, texts_at)
            piece = SpillPiece(
                stored.blob_offset, stored.blob_size, ids, sources, Path(stored.blob_path)
            )
        self._pieces.append(piece)
        for record_rows in chunk.stub_rows:
            record_rows.first += first
            record_rows.table = self.table
        return chunk.light

    def seal(self) -> None:
        """Every chunk is in: the stages read from now on."""
        self._blobs.close()
        self.table.seal()

    def pieces(self) -> list[SpillPiece]:
        """Where each chunk's blob is, and its records and articles, in spill order."""
        return self._pieces

    def close(self) -> None:
        """Remove the work folder."""
        self.table.close()
        if not self._blobs.closed:
            self._blobs.close()
        self._folder.cleanup()
