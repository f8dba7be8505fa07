"""Random draws from ``random.Random().random``: one C call each.

``random.Random.choice``, ``randint`` and ``sample`` are slow pure-Python paths, and
the generator makes some hundred draws a posting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def pick(r: Callable[[], float], seq: Sequence[T]) -> T:
    return seq[int(r() * len(seq))]


def randint(r: Callable[[], float], lo: int, hi: int) -> int:
    return lo + int(r() * (hi - lo + 1))


def pick_distinct(r: Callable[[], float], seq: Sequence[T], k: int) -> list[T]:
    """k distinct items in random order (partial Fisher-Yates)."""
    pool = list(seq)
    n = len(pool)
    for i in range(k):
        j = i + int(r() * (n - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]
