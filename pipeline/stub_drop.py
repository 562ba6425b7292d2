"""The entry a corpus stage makes when it drops a spilled paragraph: light, as the stubs are.

A run over copies of a corpus drops hundreds of thousands of paragraphs, and a full
:class:`~pipeline.records.DroppedParagraph` holds about 640 bytes of objects: its
``duplicate_of`` dict, three lists, the hash string, the line. A :class:`StubDrop` keeps
shared objects instead (the stub's place in the spill's rows) and makes those values when they
are read. It is what the
stages hand each other and what the last pass renders; :attr:`RunResult.dropped` gives full
entries, read back from the spill.
"""

from __future__ import annotations

from typing import Any, Protocol

from pipeline.records import AppliedDecision, DroppedParagraph, Fix, Flag


class RowSource(Protocol):
    """Where an entry's line and hash are read: the spill's rows of the paragraph's record."""

    def line_and_hash(self, offset: int) -> tuple[int, int]:
        """The line and hash of paragraph ``offset`` (-1 for none)."""
        ...


class _Given:
    """A line and a hash given as they are (an entry unpickled, or one they were set on)."""

    __slots__ = ("hash", "line")

    def __init__(self, line: int, hashed: int) -> None:
        self.line, self.hash = line, hashed

    def line_and_hash(self, offset: int) -> tuple[int, int]:
        """The line and hash, whatever the offset."""
        return self.line, self.hash


class StubDrop(DroppedParagraph):
    """A dropped spilled paragraph: what a :class:`DroppedParagraph` says, with ``duplicate_of``
    kept as the kept paragraph's source and index, the hash and line read from the spill's rows
    of its record (the stub's, shared), and empty lists not kept. Reading ``duplicate_of``,
    ``evidence``, ``fixes`` or ``flags`` gives a new object each time unless one was assigned:
    assign to change them, never change them in place."""

    __slots__ = (
        "_duplicate",
        "_evidence",
        "_fixes",
        "_kept_index",
        "_kept_source",
        "_offset",
        "_rows",
    )

    def __init__(
        self,
        source: str,
        index: int,
        reason: str,
        place: tuple[RowSource, int, str],  # where its line and hash are, and its language
        duplicate_of: dict[str, Any] | None,
        similarity: float | None,
        evidence: list[str],
        fixes: list[Fix],
        decisions: list[AppliedDecision],
    ) -> None:
        self.source, self.index, self.text, self.reason = source, index, "", reason
        self._rows, self._offset, self.lang = place
        self.similarity, self.decisions = similarity, decisions
        self._duplicate: dict[str, Any] | None = None
        self._kept_source: str | None = None
        self._kept_index = 0
        self.duplicate_of = duplicate_of
        self._evidence = evidence or None
        self._fixes = fixes or None

    @property
    def duplicate_of(self) -> dict[str, Any] | None:
        """The paragraph this one repeats (``source`` and ``index``), if any."""
        if self._kept_source is not None:
            return {"source": self._kept_source, "index": self._kept_index}
        return self._duplicate

    @duplicate_of.setter
    def duplicate_of(self, value: dict[str, Any] | None) -> None:
        if value is not None and list(value) == ["source", "index"]:
            self._kept_source, self._kept_index, self._duplicate = (
                value["source"],
                value["index"],
                None,
            )
        else:
            self._kept_source, self._duplicate = None, value

    @property
    def evidence(self) -> list[str]:
        """Why it was dropped, beyond the reason."""
        return [] if self._evidence is None else self._evidence

    @evidence.setter
    def evidence(self, value: list[str]) -> None:
        self._evidence = value

    @property
    def fixes(self) -> list[Fix]:
        """The repairs kept with the entry: only for a paragraph repair left empty (the spill
        has the others')."""
        return [] if self._fixes is None else self._fixes

    @fixes.setter
    def fixes(self, value: list[Fix]) -> None:
        self._fixes = value

    @property
    def flags(self) -> list[Flag]:
        """None: the spill has them."""
        return []

    @flags.setter
    def flags(self, value: list[Flag]) -> None:
        raise AttributeError("a light entry's flags are read from the spill, never set")

    @property
    def line(self) -> int | None:
        """The input line."""
        value = self._rows.line_and_hash(self._offset)[0]
        return None if value < 0 else value

    @line.setter
    def line(self, value: int | None) -> None:
        hashed = self._rows.line_and_hash(self._offset)[1]
        self._rows, self._offset = _Given(-1 if value is None else value, hashed), 0

    @property
    def hash(self) -> str:
        """The hash of the original text."""
        value = self._rows.line_and_hash(self._offset)[1]
        return "" if value < 0 else f"{value:08x}"

    @hash.setter
    def hash(self, value: str) -> None:
        line = self._rows.line_and_hash(self._offset)[0]
        self._rows, self._offset = _Given(line, int(value, 16) if value else -1), 0

    def __reduce__(self) -> tuple[Any, ...]:
        # The dataclass' own pickling sets every field, flags too: made again from the slots,
        # with the line and hash as they are (the spill's rows stay in this process).
        place = (_Given(*self._rows.line_and_hash(self._offset)), 0, self.lang)
        evidence, fixes = self._evidence or [], self._fixes or []
        return StubDrop, (
            self.source,
            self.index,
            self.reason,
            place,
            self.duplicate_of,
            self.similarity,
            evidence,
            fixes,
            self.decisions,
        )

    def with_content(self, text: str, fixes: list[Fix], flags: list[Flag]) -> DroppedParagraph:
        """The full entry, with the paragraph's text, repairs and flags from the spill."""
        return DroppedParagraph(
            self.source,
            self.index,
            text,
            self.reason,
            self.duplicate_of,
            self.similarity,
            list(self.evidence),
            self.line,
            self.hash,
            self.lang,
            fixes,
            flags,
            self.decisions,
        )
