"""The spill's paragraph table and the stubs that read it.

The table holds, for every spilled paragraph, its text and comparison key (UTF-8, in a file of
the work folder, read a piece at a time), a row of numbers (byte lengths, key length, line,
hash, key and shape digests, text length, band-key row, whether it is prose) and the MinHash
band keys computed where it was processed (in another file). A :class:`StubParagraph` is a
paragraph as the corpus stages see it: what they change in memory, the rest read from the
table.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.fingerprint import BANDS
from pipeline.records import AppliedDecision, DroppedParagraph, Fix, Flag, Paragraph, Role
from pipeline.stub_drop import StubDrop

_DIGITS = re.compile("[0-9]+")
# The columns of a paragraph's row.
(
    TEXT_BYTES,
    KEY_BYTES,
    KEY_CHARS,
    LINE,
    HASH,
    KEY_HIGH,
    KEY_LOW,
    SHAPE,
    TEXT_CHARS,
    BAND_ROW,  # the paragraph's row of band keys, -1 when it has none
    PROSE,  # 1 when the text reads as running prose (site furniture's zones), else 0
) = range(11)
COLUMNS = 11
# Digests and hashes need 64 bits; lengths, lines and band rows are kept at 32 once spilled,
# yes-or-no columns at 8.
_WIDE = frozenset({HASH, KEY_HIGH, KEY_LOW, SHAPE})
_NARROW = frozenset({PROSE})


def _column_type(column: int) -> type[np.signedinteger[Any]]:
    if column in _NARROW:
        return np.int8
    return np.int64 if column in _WIDE else np.int32


def digest(text: str) -> int:
    """A 128-bit digest of a key (0 for the empty key, so that it stays false)."""
    if not text:
        return 0
    data = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return int.from_bytes(data, "big") or 1


def shape_key(key: str) -> str:
    """The comparison key with its numbers blanked, so that counters group together."""
    return _DIGITS.sub("0", key)


def shape_digest(key: str) -> int:
    """The 63-bit digest of :func:`shape_key` (0 for the empty key): what the spill keeps, and
    what site furniture counts lines by."""
    return digest(shape_key(key)) & (2**63 - 1)


class ParagraphTable:
    """The spilled texts and keys, and each paragraph's row of numbers, for the stubs to read;
    and the band keys, a file per band beside them, for dedup to read a band at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stream: Any = path.open("wb")
        self._band_paths = [path.with_name(f"{path.stem}-band-{n}.bin") for n in range(BANDS)]
        self._bands: list[Any] = [band.open("wb") for band in self._band_paths]
        self.band_count = 0
        # The rows as columns, each at its width (a block per chunk until sealed).
        self._blocks: list[list[npt.NDArray[np.signedinteger[Any]]]] = [[] for _ in range(COLUMNS)]
        self._columns = [np.zeros(0, dtype=_column_type(n)) for n in range(COLUMNS)]
        self._text_starts: npt.NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        # Where each chunk's texts are: its first serial number, its file (by number in
        # _files, this table's own first) and where they start there (a chunk's texts and keys
        # are one stretch of bytes, in serial order).
        self._files: list[Path] = [path]
        self._segments: list[tuple[int, int, int]] = []
        self._segment_firsts: list[int] = []
        self._own_end = 0
        self._readers: list[int] = []  # the files, open for reading once sealed
        self.count = 0

    def append(
        self,
        texts: bytes,
        rows: npt.NDArray[np.int64],
        bands: npt.NDArray[np.uint64],
        texts_at: tuple[Path, int] | None = None,
    ) -> int:
        """Add a chunk's texts, rows and band keys (its rows' BAND_ROW numbers them from 0: the
        table's copy numbers them in the table); the serial number of its first paragraph.
        ``texts_at``: the file and place where a worker process wrote the texts already
        (``texts`` is then empty)."""
        first = self.count
        if texts_at is None:
            self._segments.append((first, 0, self._own_end))
            self._stream.write(texts)
            self._own_end += len(texts)
        else:
            path, offset = texts_at
            if path not in self._files:
                self._files.append(path)
            self._segments.append((first, self._files.index(path), offset))
        rows = rows.copy()  # a chunk from Ray may hold a read-only view
        banded = rows[:, BAND_ROW] >= 0
        rows[banded, BAND_ROW] += self.band_count
        for band, stream in enumerate(self._bands):
            stream.write(np.ascontiguousarray(bands[:, band], dtype=np.uint64).tobytes())
        self.band_count += len(bands)
        for column, blocks in enumerate(self._blocks):
            blocks.append(rows[:, column].astype(_column_type(column)))
        self.count += len(rows)
        return first

    def seal(self) -> None:
        """Finish writing: from now on the texts are read."""
        self._stream.close()
        for stream in self._bands:
            stream.close()
        for column, blocks in enumerate(self._blocks):
            if blocks:
                self._columns[column] = np.concatenate(blocks)
            blocks.clear()
        # Each paragraph's text, then its key: where each text starts (a key starts where its
        # text ends, and ends where the next text starts).
        sizes = self._columns[TEXT_BYTES].astype(np.int64) + self._columns[KEY_BYTES]
        self._text_starts = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        self._segment_firsts = [first for first, _, _ in self._segments]
        # Read a piece at a time (not mapped: mapped pages would count as the run's memory).
        self._readers = [os.open(path, os.O_RDONLY) for path in self._files]

    def close(self) -> None:
        """Let go of the files."""
        for reader in self._readers:
            os.close(reader)
        self._readers = []
        if not self._stream.closed:
            self._stream.close()
        for stream in self._bands:
            stream.close()

    def band_column(self, band: int, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
        """The keys in one band of the given band rows (that band's file is read whole)."""
        picked: npt.NDArray[np.uint64] = np.fromfile(self._band_paths[band], dtype=np.uint64)[rows]
        return picked

    def _piece(self, serial: int, which: int) -> str:
        assert self._readers, "texts are read once the spill is sealed"
        starts = self._text_starts
        first, file, offset = self._segments[bisect.bisect_right(self._segment_firsts, serial) - 1]
        start = offset + int(starts[serial]) - int(starts[first])  # in the chunk's file
        text_end = start + int(self._columns[TEXT_BYTES][serial])
        start, end = (
            (start, text_end)
            if which == 0
            else (text_end, start + int(starts[serial + 1]) - int(starts[serial]))
        )
        return os.pread(self._readers[file], end - start, start).decode("utf-8", "surrogatepass")

    def text(self, serial: int) -> str:
        """A paragraph's text."""
        return self._piece(serial, 0)

    def key_text(self, serial: int) -> str:
        """A paragraph's comparison key."""
        return self._piece(serial, 1)

    def column(self, column: int) -> npt.NDArray[np.signedinteger[Any]]:
        """One column of every row, at its width (the table's own array: not to be changed)."""
        values = self._columns[column].view()
        values.flags.writeable = False
        return values

    def number(self, serial: int, column: int) -> int:
        """One number of a paragraph's row."""
        return int(self._columns[column][serial])

    def key_numbers(
        self, serials: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For many paragraphs at once: a number for each one's comparison key (equal numbers
        for equal keys, 0 for the empty key, the others from 1), its key length and its text
        length."""
        chosen = np.asarray(serials, dtype=np.int64)
        columns = self._columns
        if not len(chosen):
            return chosen, chosen, chosen
        numbers = pair_numbers(columns[KEY_HIGH][chosen], columns[KEY_LOW][chosen])
        key_chars = columns[KEY_CHARS][chosen].astype(np.int64)
        return numbers, key_chars, columns[TEXT_CHARS][chosen].astype(np.int64)

    def key(self, serial: int) -> int:
        """A paragraph's key digest."""
        high, low = int(self._columns[KEY_HIGH][serial]), int(self._columns[KEY_LOW][serial])
        return (high & (2**64 - 1)) << 64 | (low & (2**64 - 1))


def pair_numbers(high: npt.NDArray[np.int64], low: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """A number for each (high, low) pair: equal for equal pairs, from 1 in the pairs' sorted
    order, and 0 for (0, 0) (the empty key's digest); what ``np.unique(axis=0)``'s inverse
    over the rows gives, plus one, with a sort of two columns instead of copies of the rows."""
    order = np.lexsort((low, high))
    starts = np.ones(len(high), dtype=bool)
    sorted_high, sorted_low = high[order], low[order]
    starts[1:] = (sorted_high[1:] != sorted_high[:-1]) | (sorted_low[1:] != sorted_low[:-1])
    del sorted_high, sorted_low
    numbers = np.empty(len(high), dtype=np.int64)
    numbers[order] = np.cumsum(starts)
    numbers[(high == 0) & (low == 0)] = 0
    return numbers


class StubRows:
    """Where one record's stubs are in the table: the table (once the chunk is spilled) and the
    serial number of the record's first paragraph. A stub keeps this and its place in the
    record, a small number: no number object of its own for each of a run's paragraphs."""

    __slots__ = ("first", "table")

    def __init__(self, first: int) -> None:
        self.first = first
        self.table: ParagraphTable | None = None

    def number(self, offset: int, column: int) -> int:
        """One number of the row of the record's paragraph ``offset``."""
        assert self.table is not None, "a stub is read only once its chunk is spilled"
        return self.table.number(self.first + offset, column)

    def line_and_hash(self, offset: int) -> tuple[int, int]:
        """The input line and hash of the record's paragraph ``offset`` (-1 for none)."""
        return self.number(offset, LINE), self.number(offset, HASH)


class StubParagraph(Paragraph):
    """A paragraph as the corpus stages see it: its place, role, language, evidence and
    decisions in memory, its text and key read from the spill when asked for. Its attributes
    are slots: a run holds one stub per paragraph, and no per-stub dict."""

    __slots__ = ("_empty", "decisions", "evidence", "index", "lang", "offset", "role", "rows")

    def __init__(
        self,
        index: int,
        role: Role,
        lang: str,
        evidence: list[str],
        decisions: list[AppliedDecision],
        rows: StubRows,
        offset: int,
        empty_fixes: list[Fix] | None = None,
    ) -> None:
        self.index = index
        self.role = role
        self.lang = lang
        self.evidence = evidence
        self.decisions = decisions
        self.rows = rows
        self.offset = offset  # the paragraph's place among its record's rows
        self._empty = empty_fixes

    @property
    def serial(self) -> int:
        """The paragraph's number in the table."""
        return self.rows.first + self.offset

    @property
    def table(self) -> ParagraphTable | None:
        """The table its text and numbers are read from (None until its chunk is spilled)."""
        return self.rows.table

    def _table(self) -> ParagraphTable:
        table = self.rows.table
        assert table is not None, "a stub is read only once its chunk is spilled"
        return table

    @property
    def text(self) -> str:
        """The paragraph's text, from the spill."""
        if self._empty is not None:
            return ""
        return self._table().text(self.serial)

    @text.setter
    def text(self, value: str) -> None:
        raise AttributeError("a stub's text is read from the spill, never set")

    def dropped_entry(
        self,
        source: str,
        reason: str,
        duplicate_of: dict[str, Any] | None,
        similarity: float | None,
        evidence: list[str],
    ) -> DroppedParagraph:
        """A light entry (:class:`~pipeline.stub_drop.StubDrop`): its text, repairs and flags
        are filled in from the spill when it is written."""
        assert self.rows.table is not None, "a stub is dropped only once its chunk is spilled"
        return StubDrop(
            source,
            self.index,
            reason,
            (self.rows, self.offset, self.lang),
            duplicate_of,
            similarity,
            evidence,
            self._empty or [],
            self.decisions,
        )

    @property
    def empty_fixes(self) -> list[Fix] | None:
        """The repairs of a paragraph that repair left empty; ``None`` for one with text."""
        return self._empty

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
    def band_row(self) -> int:
        """The row of its band keys in the table, -1 when none were computed."""
        return self._table().number(self.serial, BAND_ROW)

    @property
    def shape(self) -> int:
        """The digest of the key with numbers blanked (site furniture counts by it)."""
        return self._table().number(self.serial, SHAPE)

    @property
    def prose(self) -> bool:
        """Whether the text reads as running prose (:func:`~pipeline.text_width.is_prose`,
        found where the paragraph was processed)."""
        return self._empty is None and self._table().number(self.serial, PROSE) == 1
