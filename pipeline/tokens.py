"""Packed tokens: a paragraph's jieba tokens as one string, read as a sequence of strings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload


class Tokens(Sequence[str]):
    """A paragraph's tokens, kept as one string (a token list of a long Chinese paragraph is
    hundreds of small objects: packed, it is one, a tenth of the memory, and cheap to send
    between processes). It reads as a sequence of strings and equals the list it holds."""

    __slots__ = ("_count", "_packed")
    SEPARATOR = "\x1f"  # a control character: repaired text never holds one

    def __init__(self, tokens: Iterable[str]) -> None:
        items = list(tokens)
        packed = self.SEPARATOR.join(items)
        # The joins put len - 1 separators in: any more were in a token (counted in C).
        if packed.count(self.SEPARATOR) > max(len(items) - 1, 0):
            raise ValueError("a token holds the separator")
        self._packed = packed
        self._count = len(items)

    @property
    def packed(self) -> str:
        """The tokens joined by :attr:`SEPARATOR`."""
        return self._packed

    def _items(self) -> list[str]:
        return self._packed.split(self.SEPARATOR) if self._count else []

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._items()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Tokens):
            return self._packed == other._packed and self._count == other._count
        if isinstance(other, list):
            return self._items() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._packed, self._count))

    def __repr__(self) -> str:
        return f"Tokens({self._items()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpack_tokens, (self._packed, self._count))


def _unpack_tokens(packed: str, count: int) -> Tokens:
    tokens = Tokens.__new__(Tokens)
    tokens._packed, tokens._count = packed, count
    return tokens


def pack_tokens(tokens: Iterable[str]) -> Sequence[str]:
    """``tokens`` packed (:class:`Tokens`), or as a list if one holds the separator."""
    items = list(tokens)
    try:
        return Tokens(items)
    except ValueError:
        return items
