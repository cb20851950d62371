"""Worker processes of a CPU folder job: each one decodes, augments, encodes and writes whole chunks of files.

On CPU most of a folder job is Python-level work between short kernels (decoder and encoder calls, per-batch op
overhead, replay records), so threads mostly wait for each other's GIL: measured on 2 cores, 2 threads were
slower than 1. Processes scale instead. They are forked once the pipelines are loaded, so they inherit the
imported torch, the pipelines and the plan; only chunk numbers go to them and only the small per-output results
(replay parameters, errors) come back. A child dies with its parent (``PR_SET_PDEATHSIG``), ignores Ctrl-C (the
parent stops handing out chunks and lets the running ones finish), and runs torch kernels on one thread.

Forking is used on Linux only (elsewhere, or where ``fork`` is missing, the job runs in threads).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

__all__ = ["ForkPool", "can_fork", "keep_freed_memory"]

_PR_SET_PDEATHSIG = 1
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4  # mallopt parameters (glibc malloc.h)

# What a forked child works on: (function, items). Set before the children are forked, read only in them.
_STATE: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def can_fork() -> bool:
    """Whether folder jobs may use forked worker processes here (Linux with the ``fork`` start method)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def keep_freed_memory() -> bool:
    """Make glibc keep freed memory for reuse (no ``mmap`` for big blocks, no trimming) in this process.

    A folder job allocates the same batch-sized buffers over and over; with glibc's defaults each big one is
    fresh ``mmap`` memory, page-faulted in on first touch (measured: a third of a worker's system time). Only
    for processes the job owns (its workers, the CLI): the setting is process-wide. Returns whether it took.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, 2**30))
    except (OSError, AttributeError):  # not glibc
        return False


def _init_child(parent: int) -> None:
    try:
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the child still exits once its parent's queue closes
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
    keep_freed_memory()


def _run(i: int) -> Any:
    assert _STATE is not None
    fn, items = _STATE
    return fn(items[i])


class ForkPool:
    """Run ``fn(item)`` for every item on ``workers`` forked processes; results come back in item order.

    The children are forked and every item handed out on construction (the children take them in order as they
    get free). ``fn`` and ``items`` are inherited by the children (never pickled); each result is pickled back.

    Example:
        >>> with ForkPool(abs, [-3, 1, -2], workers=2) as pool:
        ...     list(pool.results())
        [3, 1, 2]
    """

    def __init__(self, fn: Callable[[Any], Any], items: Sequence[Any], workers: int) -> None:
        global _STATE
        _STATE = (fn, items)
        self._n = len(items)
        self._pool = ProcessPoolExecutor(
            max_workers=max(1, min(workers, self._n)),
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_child,
            initargs=(os.getpid(),),
        )
        # the children never walk (so never copy) the parent's objects in a collection; a caller that froze
        # its objects already (the CLI) keeps them frozen
        froze = gc.get_freeze_count() == 0
        if froze:
            gc.freeze()
        try:
            self._futures: list[Future] = [self._pool.submit(_run, i) for i in range(self._n)]
        finally:
            if froze:
                gc.unfreeze()

    def results(self) -> Iterator[Any]:
        """The results, in item order (waits for each)."""
        for f in self._futures:
            yield f.result()

    def close(self, cancel: bool = False) -> None:
        """Wait for the children to finish; with ``cancel``, drop the items no child has started."""
        global _STATE
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        _STATE = None

    def __enter__(self) -> ForkPool:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close(cancel=exc_type is not None)
