"""Choosing a negative posting for each (query, posting) pair.

Negatives are drawn from the anchor's own split only (no posting leaks across
splits), and similarities are computed a chunk of queries at a time, so memory
grows with chunk_size x split size, never with N x N.

Strategies:

* ``least_similar`` (the reference recipe): the posting least similar to the
  query, each posting used as a negative at most once while others remain;
* ``random``: a seeded random other posting;
* ``hard``: from the top ranks, skipping the first ``skip_top`` and anything
  scoring above ``max_score_ratio`` x the positive's score (those are likely
  just as relevant), ``per_query`` negatives per anchor (one row each here;
  training gathers an anchor's rows into one n-tuple, see
  jobsearch.train.training_columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from jobsearch.models import DEFAULT_MODEL

STRATEGIES = ("least_similar", "random", "hard")


@dataclass
class NegativeParams:
    strategy: str = "least_similar"
    model: str = DEFAULT_MODEL
    seed: int = 42
    batch_size: int = 64
    chunk_size: int = 1024
    max_seq_length: int = 256
    # hard negatives
    per_query: int = 1
    skip_top: int = 0
    max_score_ratio: float = 0.95
    depth: int = 50

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        if self.per_query < 1:
            raise ValueError("per_query must be at least 1")
        if self.chunk_size < 1 or self.batch_size < 1:
            raise ValueError("chunk_size and batch_size must be positive")


Encoder = Callable[[list[str]], np.ndarray]


def build_triplets(
    pairs: pd.DataFrame,
    split: pd.Series,
    params: NegativeParams,
    encode: Encoder | None = None,
) -> pd.DataFrame:
    """Triplets ``anchor, positive, negative`` (+ ids and split) from (query, posting) pairs.

    ``pairs`` has one row per posting: ``posting_id``, ``query``, ``text``.
    ``split`` gives each row's split name. ``encode`` maps texts to normalised
    embeddings; it is only needed by the similarity-based strategies.
    """
    if params.strategy != "random" and encode is None:
        raise ValueError(f"strategy {params.strategy!r} needs an encoder")
    pairs = pairs.reset_index(drop=True).assign(split=pd.Series(split).reset_index(drop=True).to_numpy())
    rng = np.random.default_rng(params.seed)
    frames = []
    for split_name, group in pairs.groupby("split", sort=False):
        if len(group) < 2:
            raise ValueError(
                f"split '{split_name}' has {len(group)} posting(s); a negative needs at least 2 "
                "(use more postings or change the split fractions)"
            )
        if params.strategy == "random":
            neg = [[i] for i in random_negatives(len(group), rng)]
        else:
            query_emb = encode(group["query"].tolist())
            doc_emb = encode(group["text"].tolist())
            if params.strategy == "least_similar":
                neg = [[i] for i in least_similar_negatives(query_emb, doc_emb, params.chunk_size)]
            else:
                neg = hard_negatives(query_emb, doc_emb, params)
        frames.append(_triplet_frame(group, neg, str(split_name)))
    return pd.concat(frames, ignore_index=True)


def _triplet_frame(group: pd.DataFrame, negatives: list[list[int]], split_name: str) -> pd.DataFrame:
    rows = [(i, j) for i, js in enumerate(negatives) for j in js]
    anchor_idx = np.array([i for i, _ in rows], dtype=int)
    neg_idx = np.array([j for _, j in rows], dtype=int)
    return pd.DataFrame(
        {
            "anchor": group["query"].to_numpy()[anchor_idx],
            "positive": group["text"].to_numpy()[anchor_idx],
            "negative": group["text"].to_numpy()[neg_idx],
            "posting_id": group["posting_id"].to_numpy()[anchor_idx],
            "negative_id": group["posting_id"].to_numpy()[neg_idx],
            "split": split_name,
        }
    )


def random_negatives(n: int, rng: np.random.Generator) -> np.ndarray:
    """For each of n items a random other item."""
    offsets = rng.integers(1, n, size=n)  # never 0: never the positive itself
    return (np.arange(n) + offsets) % n


def _score_chunks(query_emb: np.ndarray, doc_emb: np.ndarray, chunk_size: int):
    for start in range(0, len(query_emb), chunk_size):
        yield start, query_emb[start:start + chunk_size] @ doc_emb.T


def _top_k_indices(scores: np.ndarray, k: int, largest: bool) -> np.ndarray:
    """Each row's k highest (or lowest) scores' indices, best first.

    torch.topk runs on all cores and is several times faster than
    np.argpartition + argsort over a chunk of 1024 x 40k scores.
    """
    if k <= 0:
        return np.zeros((len(scores), 0), dtype=np.int64)
    return torch.topk(torch.from_numpy(scores), k, dim=1, largest=largest, sorted=True).indices.numpy()


def least_similar_negatives(query_emb: np.ndarray, doc_emb: np.ndarray, chunk_size: int = 1024, pool: int = 32) -> np.ndarray:
    """Index of the least similar document for each query, spreading negatives.

    Each query takes the lowest-scoring document (never its own, which has the
    same index) that no earlier query has taken among its ``pool`` lowest;
    when all of those are taken, the lowest one is reused.
    """
    n = len(query_emb)
    pool = min(pool, n - 1)
    used = np.zeros(n, dtype=bool)
    chosen = np.empty(n, dtype=int)
    for start, scores in _score_chunks(query_emb, doc_emb, chunk_size):
        rows = np.arange(len(scores))
        scores[rows, start + rows] = np.inf  # never the positive
        lowest = _top_k_indices(scores, pool, largest=False)
        for r, candidates in enumerate(lowest):
            free = candidates[~used[candidates]]
            pick = free[0] if len(free) else candidates[0]
            used[pick] = True
            chosen[start + r] = pick
    return chosen


def hard_negatives(query_emb: np.ndarray, doc_emb: np.ndarray, params: NegativeParams) -> list[list[int]]:
    """Up to ``per_query`` hard negatives per query (index lists; at least one each).

    Candidates are the query's top ``depth`` documents in rank order, without
    its own positive, the first ``skip_top`` of them, and any scoring above
    ``max_score_ratio`` x the positive's score. A query left with none falls
    back to the highest-ranked document below that ceiling.
    """
    n = len(query_emb)
    depth = min(params.depth + params.skip_top + 1, n)
    result: list[list[int]] = []
    for start, scores in _score_chunks(query_emb, doc_emb, params.chunk_size):
        rows = np.arange(len(scores))
        positive_scores = scores[rows, start + rows].copy()
        scores[rows, start + rows] = -np.inf
        top = _top_k_indices(scores, depth - 1, largest=True)
        for r in rows:
            ceiling = params.max_score_ratio * positive_scores[r]
            ranked = top[r][params.skip_top:]
            ok = [int(j) for j in ranked if scores[r, j] <= ceiling][: params.per_query]
            if not ok:
                others = np.isfinite(scores[r])
                below = np.where(others & (scores[r] <= ceiling))[0]
                if len(below):
                    ok = [int(below[np.argmax(scores[r, below])])]
                else:  # every other posting scores like the positive: take the least similar
                    ok = [int(np.where(others)[0][np.argmin(scores[r, others])])]
            result.append(ok)
    return result
