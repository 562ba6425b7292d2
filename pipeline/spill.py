"""The run's spill: processed records on disk, and in memory only what the corpus stages read.

A processed chunk of articles becomes a :class:`SpilledChunk` where it was processed (a worker
process, a Ray actor, or this process): its full records pickled into one blob, the text and the
comparison key of each paragraph as UTF-8, a row of numbers per paragraph (byte lengths, key
length, key and shape digests, line, hash, text length), and light copies of its records whose
paragraphs are :class:`StubParagraph` objects. The run appends the blob and the texts to files
in a work folder (:class:`Spill`) and keeps only the light records. A stub reads its text from
the spill when a stage asks for it; the corpus stages change only roles, evidence, decisions,
titles and which paragraphs stay, and :meth:`Spill.final_articles` puts those changes on the
full records as it streams them back, article by article, to the writers.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.fingerprint import comparison_key
from pipeline.records import (
    AppliedDecision,
    DroppedParagraph,
    Fix,
    Flag,
    Paragraph,
    Record,
    Role,
)

_DIGITS = re.compile("[0-9]+")
# The columns of a paragraph's row.
TEXT_BYTES, KEY_BYTES, KEY_CHARS, LINE, HASH, KEY_HIGH, KEY_LOW, SHAPE, TEXT_CHARS = range(9)
_COLUMNS = 9


def digest(text: str) -> int:
    """A 128-bit digest of a key (0 for the empty key, so that it stays false)."""
    if not text:
        return 0
    data = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return int.from_bytes(data, "big") or 1


def shape_key(key: str) -> str:
    """The comparison key with its numbers blanked, so that counters group together."""
    return _DIGITS.sub("0", key)


class ParagraphTable:
    """The spilled texts and keys, and each paragraph's row of numbers, for the stubs to read."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stream: Any = path.open("wb")
        self._blocks: list[npt.NDArray[np.int64]] = []
        self._rows: npt.NDArray[np.int64] = np.zeros((0, _COLUMNS), dtype=np.int64)
        self._starts: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._reader: int | None = None  # the file, open for reading once sealed
        self.count = 0

    def append(self, texts: bytes, rows: npt.NDArray[np.int64]) -> int:
        """Add a chunk's texts and rows; the serial number of its first paragraph."""
        first = self.count
        self._stream.write(texts)
        self._blocks.append(rows)
        self.count += len(rows)
        return first

    def seal(self) -> None:
        """Finish writing: from now on the texts are read."""
        self._stream.close()
        if self._blocks:
            self._rows = np.concatenate(self._blocks)
        self._blocks = []
        sizes = self._rows[:, [TEXT_BYTES, KEY_BYTES]].reshape(-1)
        self._starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        # Read a piece at a time (not mapped: mapped pages would count as the run's memory).
        self._reader = os.open(self._path, os.O_RDONLY)

    def close(self) -> None:
        """Let go of the file."""
        if self._reader is not None:
            os.close(self._reader)
            self._reader = None
        if not self._stream.closed:
            self._stream.close()

    def _piece(self, serial: int, which: int) -> str:
        start = int(self._starts[2 * serial + which])
        end = int(self._starts[2 * serial + which + 1])
        assert self._reader is not None, "texts are read once the spill is sealed"
        return os.pread(self._reader, end - start, start).decode("utf-8", "surrogatepass")

    def text(self, serial: int) -> str:
        """A paragraph's text."""
        return self._piece(serial, 0)

    def key_text(self, serial: int) -> str:
        """A paragraph's comparison key."""
        return self._piece(serial, 1)

    def number(self, serial: int, column: int) -> int:
        """One number of a paragraph's row."""
        return int(self._rows[serial, column])

    def key(self, serial: int) -> int:
        """A paragraph's key digest."""
        row = self._rows[serial]
        return (int(row[KEY_HIGH]) & (2**64 - 1)) << 64 | (int(row[KEY_LOW]) & (2**64 - 1))


class StubParagraph(Paragraph):
    """A paragraph as the corpus stages see it: its place, role, language, evidence and
    decisions in memory, its text and key read from the spill when asked for. Its attributes
    are slots: a run holds one stub per paragraph, and no per-stub dict."""

    __slots__ = ("_empty", "decisions", "evidence", "index", "lang", "role", "serial", "table")

    def __init__(
        self,
        index: int,
        role: Role,
        lang: str,
        evidence: list[str],
        decisions: list[AppliedDecision],
        serial: int,
        empty_fixes: list[Fix] | None = None,
    ) -> None:
        self.index = index
        self.role = role
        self.lang = lang
        self.evidence = evidence
        self.decisions = decisions
        self.serial = serial
        self.table: ParagraphTable | None = None
        self._empty = empty_fixes

    def _table(self) -> ParagraphTable:
        assert self.table is not None, "a stub is read only once its chunk is spilled"
        return self.table

    @property
    def text(self) -> str:
        """The paragraph's text, from the spill."""
        if self._empty is not None:
            return ""
        return self._table().text(self.serial)

    @text.setter
    def text(self, value: str) -> None:
        raise AttributeError("a stub's text is read from the spill, never set")

    def dropped_text(self) -> str:
        """Nothing: the entry's text is filled in from the spill when it is written."""
        return ""

    @property
    def fixes(self) -> list[Fix]:
        """The repairs, kept only for a paragraph that repair left empty (the furniture stage
        names them when it drops it)."""
        return self._empty or []

    @fixes.setter
    def fixes(self, value: list[Fix]) -> None:
        raise AttributeError("a stub's fixes is read from the spill, never set")

    @property
    def flags(self) -> list[Flag]:
        """None kept here: the full paragraph in the spill has them."""
        return []

    @flags.setter
    def flags(self, value: list[Flag]) -> None:
        raise AttributeError("a stub's flags are read from the spill, never set")

    @property
    def line(self) -> int | None:
        """The input line."""
        value = self._table().number(self.serial, LINE)
        return None if value < 0 else value

    @line.setter
    def line(self, value: int | None) -> None:
        raise AttributeError("a stub's line is read from the spill, never set")

    @property
    def hash(self) -> str:
        """The hash of the original text."""
        value = self._table().number(self.serial, HASH)
        return "" if value < 0 else f"{value:08x}"

    @hash.setter
    def hash(self, value: str) -> None:
        raise AttributeError("a stub's hash is read from the spill, never set")

    @property
    def text_length(self) -> int:
        """The text's length in characters."""
        return 0 if self._empty is not None else self._table().number(self.serial, TEXT_CHARS)

    @property
    def key(self) -> int:
        """The digest of the comparison key (0 when it is empty)."""
        return self._table().key(self.serial)

    @property
    def key_text(self) -> str:
        """The comparison key."""
        return self._table().key_text(self.serial)

    @property
    def key_length(self) -> int:
        """The comparison key's length in characters."""
        return self._table().number(self.serial, KEY_CHARS)

    @property
    def shape(self) -> int:
        """The digest of the key with numbers blanked (site furniture counts by it)."""
        return self._table().number(self.serial, SHAPE)


@dataclass
class SpilledChunk:
    """A processed chunk of articles, ready to spill: see the module's docstring."""

    blob: bytes
    texts: bytes
    rows: npt.NDArray[np.int64]
    light: list[list[Record]]
    seconds: dict[str, float] = field(default_factory=dict)
    known: dict[tuple[str, int], Any] | None = None  # signatures by place, from the index


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def spill_chunk(articles: Sequence[list[Record]], seconds: dict[str, float]) -> SpilledChunk:
    """A chunk's records (each article's list) as a :class:`SpilledChunk`."""
    pieces: list[bytes] = []
    rows: list[tuple[int, ...]] = []
    light: list[list[Record]] = []
    # Most paragraphs have no evidence and no decision: their stubs share one empty list of
    # each (shared in the pickle too). The corpus stages replace a stub's list, never add to it.
    no_evidence: list[str] = []
    no_decisions: list[AppliedDecision] = []
    for records in articles:
        light_records = []
        for record in records:
            stubs: list[Paragraph] = []
            for paragraph in record.paragraphs:
                text = paragraph.text.encode("utf-8", "surrogatepass")
                key = comparison_key(paragraph.text)
                key_bytes = key.encode("utf-8", "surrogatepass")
                pieces += (text, key_bytes)
                key_digest = digest(key)
                shape = digest(shape_key(key)) & (2**63 - 1)
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
                    )
                )
                empty = list(paragraph.fixes) if not paragraph.text else None
                stub = StubParagraph(
                    paragraph.index,
                    paragraph.role,
                    paragraph.lang,
                    paragraph.evidence or no_evidence,
                    paragraph.decisions or no_decisions,
                    len(rows) - 1,
                    empty,
                )
                stubs.append(stub)
            light_records.append(replace(record, paragraphs=stubs))
        light.append(light_records)
    table = np.array(rows, dtype=np.int64).reshape(len(rows), _COLUMNS)
    blob = pickle.dumps(list(articles), protocol=pickle.HIGHEST_PROTOCOL)
    return SpilledChunk(blob, b"".join(pieces), table, light, seconds)


class Spill:
    """The work folder of a run: the record blobs and the paragraph table."""

    def __init__(self, parent: Path | None = None) -> None:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        self._folder = tempfile.TemporaryDirectory(prefix=".work-", dir=parent)
        folder = Path(self._folder.name)
        self.table = ParagraphTable(folder / "texts.bin")
        self._blob_path = folder / "records.bin"
        self._blobs: Any = self._blob_path.open("wb")
        self._blob_sizes: list[int] = []

    def add(self, chunk: SpilledChunk) -> list[list[Record]]:
        """Spill a chunk; its light records, each article's, with their stubs attached."""
        first = self.table.append(chunk.texts, chunk.rows)
        self._blobs.write(chunk.blob)
        self._blob_sizes.append(len(chunk.blob))
        for records in chunk.light:
            for record in records:
                for paragraph in record.paragraphs:
                    assert isinstance(paragraph, StubParagraph)
                    paragraph.serial += first
                    paragraph.table = self.table
        return chunk.light

    def seal(self) -> None:
        """Every chunk is in: the stages read from now on."""
        self._blobs.close()
        self.table.seal()

    def articles(self) -> Iterator[list[Record]]:
        """The full records of each article, in spill order."""
        with self._blob_path.open("rb") as stream:
            for size in self._blob_sizes:
                yield from pickle.loads(stream.read(size))

    def final_articles(
        self, kept: Sequence[Record], dropped: Sequence[DroppedParagraph]
    ) -> Iterator[tuple[list[Record], list[DroppedParagraph]]]:
        """Each article's records and dropped paragraphs as the corpus stages left them (``kept``
        are the light records left, ``dropped`` what the stages dropped, in corpus order),
        with the full data from the spill: its texts, tokens, repairs and flags."""
        light = {record.id: record for record in kept}
        drops: dict[str, list[DroppedParagraph]] = {}
        for item in dropped:
            drops.setdefault(item.source, []).append(item)
        for records in self.articles():
            if not records:
                continue
            full = {p.index: p for record in records for p in record.paragraphs}
            out = []
            for record in records:
                left = light.get(record.id)
                if left is None:
                    continue
                paragraphs = []
                for stub in left.paragraphs:
                    paragraph = full[stub.index]
                    paragraph.role = stub.role
                    paragraph.evidence = list(stub.evidence)
                    paragraph.decisions = list(stub.decisions)
                    paragraphs.append(paragraph)
                record.paragraphs = paragraphs
                record.title = left.title
                out.append(record)
            gone = [
                replace(
                    item,
                    text=full[item.index].text,
                    fixes=full[item.index].fixes,
                    flags=full[item.index].flags,
                )
                for item in drops.get(records[0].source, ())
            ]
            yield out, gone

    def close(self) -> None:
        """Remove the work folder."""
        self.table.close()
        if not self._blobs.closed:
            self._blobs.close()
        self._folder.cleanup()
