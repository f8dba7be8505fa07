"""Assigning postings to train/validation/test.

A posting's split depends only on (seed, its group id) through a hash rank, so
a posting (or a group of near-duplicate postings) never lands in two splits and
adding postings moves few others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from jobsearch.errors import DataError

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


def assign_splits(
    posting_ids: pd.Series | Sequence[str],
    params: SplitParams,
    groups: pd.Series | Sequence[str] | None = None,
) -> pd.Series:
    """Split name for each posting id (same order), in the requested proportions.

    With ``groups`` (a group id per posting, e.g. near-duplicate reposts), whole
    groups are assigned, so a group never straddles two splits; validation and
    test are filled to their target numbers of postings, possibly overshooting
    by part of their last group. Without, each posting is its own group.
    """
    ids = pd.Series(posting_ids, dtype=str).reset_index(drop=True)
    check_unique_ids(ids)
    group_ids = ids if groups is None else pd.Series(groups, dtype=str).reset_index(drop=True)
    if len(group_ids) != len(ids):
        raise ValueError(f"{len(group_ids)} group ids for {len(ids)} postings")
    n = len(ids)
    n_val = _count(n, params.validation)
    n_test = _count(n, params.test)
    # groups in the order of a seeded hash of their id: a group's place depends
    # only on (seed, group id), so adding postings moves few assignments
    sizes = group_ids.value_counts(sort=False)
    order = sizes.index.to_series().map(lambda gid: hashlib.sha256(f"{params.seed}:{gid}".encode()).hexdigest())
    sizes = sizes[order.sort_values(kind="stable").index]
    before = sizes.cumsum() - sizes  # postings in the groups ranked ahead of each group
    in_validation = before < n_val
    n_val = int(sizes[in_validation].sum())  # test starts after validation's last group, overshoot included
    group_split = pd.Series("train", index=sizes.index)
    group_split[(before >= n_val) & (before < n_val + n_test)] = "test"
    group_split[in_validation] = "validation"
    return group_ids.map(group_split).rename(None)


def check_unique_ids(posting_ids: pd.Series) -> None:
    """Raise DataError naming the first posting id that appears twice."""
    duplicated = posting_ids[posting_ids.duplicated()]
    if len(duplicated):
        raise DataError(f"posting_id {duplicated.iloc[0]!r} appears more than once")


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
