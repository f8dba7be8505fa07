"""Assigning postings to train/validation/test, near-duplicate groups whole.

A posting's split depends only on (seed, its group id) through a hash rank, so
a posting (or a group of near-duplicate postings) never lands in two splits and
adding postings moves few others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd

from jobsearch.errors import DataError
from jobsearch.near_duplicates import NearDuplicateParams, group_stats, near_duplicate_groups
from jobsearch.query_styles import TITLE_STYLES

SPLITS = ("train", "validation", "test")


@dataclass
class SplitParams:
    seed: int = 42
    validation: float = 0.1
    test: float = 0.1
    near_duplicates: NearDuplicateParams = field(default_factory=NearDuplicateParams)

    def __post_init__(self) -> None:
        for name in ("validation", "test"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ValueError(f"{name} must be a fraction in [0, 1), got {value}")
        if self.validation + self.test >= 1:
            raise ValueError("validation + test must leave postings for train")


def split_postings(
    postings: pd.DataFrame, queries: pd.DataFrame, params: SplitParams, held_out: Collection[str] = ()
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Each split's (query, posting) rows, and the split metrics.

    ``postings`` has ``posting_id, text`` (and ``description``, the posting
    without its title); ``queries`` has ``posting_id, query`` (and ``style``),
    several rows per posting. Postings are assigned to splits with their
    near-duplicate group (found over all postings) whole, so no test posting
    has a twin in training; a split's rows are its postings' queries
    (``posting_id, query, [style,] text, group_id, untitled``), in query order.
    ``untitled`` is what a title-style query is matched against (the posting's
    description), null for the other rows, which are matched against ``text``.
    ``held_out`` postings (those of the golden queries) never reach training:
    see :func:`assign_splits`.
    """
    postings = postings[["posting_id", "text", *(["description"] if "description" in postings else [])]].reset_index(drop=True)
    check_unique_ids(postings["posting_id"].astype(str))  # before the slow grouping
    groups = near_duplicate_groups(postings["posting_id"].tolist(), postings["text"].tolist(), params.near_duplicates)
    postings = postings.assign(group_id=groups, split=assign_splits(postings["posting_id"], params, groups, held_out).to_numpy())
    rows = queries.merge(postings, on="posting_id", how="inner", validate="many_to_one")
    if rows.empty:
        raise DataError("no query belongs to a known posting (do queries and postings come from the same run?)")
    rows = _with_untitled(rows)
    splits = {name: rows[rows["split"] == name].drop(columns="split").reset_index(drop=True) for name in SPLITS}
    metrics = {
        "postings": {name: int(frame["posting_id"].nunique()) for name, frame in splits.items()},
        "queries": {name: len(frame) for name, frame in splits.items()},
        "near_duplicates": {"threshold": params.near_duplicates.threshold, **group_stats(groups)},
    }
    if held_out:
        held = postings[postings["posting_id"].isin(set(held_out))]
        metrics["held_out"] = {name: int((held["split"] == name).sum()) for name in SPLITS}
    return splits, metrics


def _with_untitled(rows: pd.DataFrame) -> pd.DataFrame:
    titled = rows["style"].isin(TITLE_STYLES) if "style" in rows else pd.Series(False, index=rows.index)
    if titled.any() and "description" not in rows:
        raise DataError("title-style queries need the postings' description column (the posting without its title)")
    untitled = rows["description"].where(titled) if "description" in rows else pd.Series(None, index=rows.index, dtype=object)
    return rows.drop(columns="description", errors="ignore").assign(untitled=untitled)


def assign_splits(
    posting_ids: pd.Series | Sequence[str],
    params: SplitParams,
    groups: pd.Series | Sequence[str] | None = None,
    held_out: Collection[str] = (),
) -> pd.Series:
    """Split name for each posting id (same order), in the requested proportions.

    With ``groups`` (a group id per posting, e.g. near-duplicate reposts), whole
    groups are assigned, so a group never straddles two splits; validation and
    test are filled to their target numbers of postings, possibly overshooting
    by part of their last group. Without, each posting is its own group.

    The groups of ``held_out`` postings (a golden set's) go to validation and
    test, alternately in hash order, so one half of the golden queries tunes
    and the other reports; the other groups fill what is left of each target.
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
    held_groups = pd.Index(pd.unique(group_ids[ids.isin({str(i) for i in held_out})]))
    held = sizes[sizes.index.isin(held_groups)]
    held_split = pd.Series(["validation", "test"] * (len(held) // 2 + 1), dtype=object).iloc[: len(held)].set_axis(held.index)
    sizes = sizes.drop(held.index)
    n_val = max(0, n_val - int(held[held_split == "validation"].sum()))
    n_test = max(0, n_test - int(held[held_split == "test"].sum()))
    before = sizes.cumsum() - sizes  # postings in the groups ranked ahead of each group
    in_validation = before < n_val
    n_val = int(sizes[in_validation].sum())  # test starts after validation's last group, overshoot included
    group_split = pd.Series("train", index=sizes.index, dtype=object)
    group_split[(before >= n_val) & (before < n_val + n_test)] = "test"
    group_split[in_validation] = "validation"
    return group_ids.map(pd.concat([group_split, held_split])).rename(None)


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
