"""Per-sample work that runs without Python's interpreter lock (codecs in C), spread over threads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["map_threads"]

T = TypeVar("T")


def map_threads(fn: Callable[[int], T], count: int, workers: int) -> list[T]:
    """``[fn(0), ..., fn(count - 1)]``, in up to ``workers`` threads (in order; inline when one is enough).

    Worth it only when ``fn`` spends its time in code that releases the GIL (libsndfile, Pillow's codecs).

    Example:
        >>> map_threads(lambda i: i * i, 4, workers=2)
        [0, 1, 4, 9]
    """
    workers = min(count, workers)
    if workers <= 1:
        return [fn(i) for i in range(count)]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, range(count)))
