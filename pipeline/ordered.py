"""Results in input order from a pool that finishes them in any order, a few in flight."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any


def in_order(
    submit: Callable[..., Future[Any]],
    function: Callable[[Any], Any],
    items: Iterable[Any],
    window: int,
    is_ready: Callable[[Any], bool] = lambda item: False,
) -> Iterator[Any]:
    """``function`` of each item, run through ``submit``, results in the order of ``items``,
    with at most ``window`` items in flight (an item ``is_ready`` says is done already is its
    own result)."""
    pending: deque[Future[Any]] = deque()
    for item in items:
        if is_ready(item):
            ready: Future[Any] = Future()
            ready.set_result(item)
            pending.append(ready)
        else:
            pending.append(submit(function, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
