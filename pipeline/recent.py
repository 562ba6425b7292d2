"""A bounded memory of the results of a pure function, by its arguments: scraped pages repeat
paragraphs (a site's boilerplate, an article copied nearby), and a stage whose answer depends on
the text alone need not work it out again.

It belongs to the object that computes the results (a repairer, a detector, a processor), never
to a module: each process and each config has its own. Only the least recently used are
forgotten, so memory stays bounded whatever the size of the corpus.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Recent(Generic[Key, Value]):
    """Values by key, at most ``size`` of them; the least recently used go first. Values should
    be immutable (or copied by the caller): every ``get`` of a key returns the same object."""

    def __init__(self, size: int) -> None:
        self._values: OrderedDict[Key, Value] = OrderedDict()
        self._size = size

    def get(self, key: Key) -> Value | None:
        """The value kept for ``key`` (now the most recently used), or ``None``."""
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, key: Key, value: Value) -> None:
        """Keep ``value`` for ``key``, forgetting the least recently used one when full."""
        self._values[key] = value
        if len(self._values) > self._size:
            self._values.popitem(last=False)

    def get_or_make(self, key: Key, make: Callable[[Key], Value]) -> Value:
        """The value kept for ``key``, else ``make(key)``, kept from now on."""
        value = self.get(key)
        if value is None:
            value = make(key)
            self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._values)
