"""Assigning postings to train/validation/test.

A posting's split depends only on (seed, posting_id) through a hash rank, so a
posting never lands in two splits and adding postings moves few others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

SPLITS = ("train", "validation", "test")


@dataclass
class SplitParams:
    seed: int = 42
    validation: float = 0.1
    test: float = 0.1

    def __post_init__(self) -> None:
        for name in ("validation", "test"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be a fraction in [0, 1), got {value}")
        if self.validation + self.test >= 1:
            raise ValueError("validation + test must leave postings for train")


def assign_splits(posting_ids: pd.Series | list[str], params: SplitParams) -> pd.Series:
    """Split name for each posting id (same order), in the requested proportions."""
    ids = pd.Series(posting_ids, dtype=str).reset_index(drop=True)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise ValueError(f"posting_id {dup!r} appears more than once")
    n = len(ids)
    n_val = _count(n, params.validation)
    n_test = _count(n, params.test)
    rank = ids.map(lambda pid: hashlib.sha256(f"{params.seed}:{pid}".encode()).hexdigest()).rank(method="first").astype(int) - 1
    split = pd.Series("train", index=ids.index)
    split[rank < n_val] = "validation"
    split[(rank >= n_val) & (rank < n_val + n_test)] = "test"
    return split


def _count(n: int, fraction: float) -> int:
    # at least one posting in a requested split once there are enough to go round
    if fraction <= 0:
        return 0
    return max(1, round(n * fraction)) if n >= 3 else 0


def check_disjoint(splits: dict[str, pd.DataFrame]) -> None:
    """Raise if a posting appears in two splits, as positive or as negative."""
    seen: dict[str, str] = {}
    for name, frame in splits.items():
        ids = set(frame["posting_id"]) | set(frame["negative_id"])
        for pid in ids:
            if pid in seen and seen[pid] != name:
                raise ValueError(f"posting {pid!r} is in both {seen[pid]} and {name}")
            seen[pid] = name
