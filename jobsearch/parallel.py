"""Per-posting Python work on every core, in input order.

Cleaning and the offline query generator spend their time in pure-Python
regex and string work, one posting at a time, so a process pool scales them
with the cores. Workers are forked: the function and the data it closes over
are inherited, not pickled; only results travel back. Where fork is not
available the work runs in this process, with the same results.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Callable, TypeVar

R = TypeVar("R")

MIN_ITEMS = 1000  # below this, starting processes costs more than it saves
_TASK: Callable[[int], object] | None = None  # set in the parent, inherited by forked workers


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_indices(fn: Callable[[int], R], n: int, processes: int | None = None) -> list[R]:
    """``[fn(0), ..., fn(n - 1)]``, computed across ``processes`` (default: every core, for n >= MIN_ITEMS)."""
    global _TASK
    if processes is None:
        processes = cores() if n >= MIN_ITEMS else 1
    processes = min(processes, n)
    if processes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(i) for i in range(n)]
    # a few chunks per process evens out postings of different lengths
    size = -(-n // (processes * 4))
    chunks = [(start, min(start + size, n)) for start in range(0, n, size)]
    _TASK = fn
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_run_chunk, chunks, chunksize=1)
    finally:
        _TASK = None
    return [result for part in parts for result in part]


def _run_chunk(bounds: tuple[int, int]) -> list:
    assert _TASK is not None  # set before the pool forked
    return [_TASK(i) for i in range(*bounds)]
