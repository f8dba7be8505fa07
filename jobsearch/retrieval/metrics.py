"""Ranking metrics of ranked lists against binary relevance: mrr, ndcg and recall at cut-offs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jobsearch.errors import DataError


def retrieval_metrics(
    ranked: np.ndarray,
    relevant: np.ndarray | Sequence[int] | Sequence[set[int]],
    ks: Sequence[int] = (1, 10),
) -> dict[str, float]:
    """Mean ranking metrics over queries, binary relevance.

    ``ranked`` is ``(n_queries, depth)`` posting indices best first (-1 padding);
    ``relevant`` is, per query, the index of its one relevant posting or a set of
    them.  Returns ``recall@k`` for every k in ``ks`` and ``mrr@K``, ``ndcg@K``
    at the largest cut-off K (so the default gives mrr@10, ndcg@10, recall@1,
    recall@10).  recall@k is the share of a query's relevant postings in its top k.
    """
    ranked = np.asarray(ranked, dtype=np.int64)
    if ranked.ndim != 2:
        raise DataError(f"ranked: expected a 2-D array (queries x ranks), got shape {ranked.shape}")
    if len(ranked) == 0:
        raise DataError("ranked: no queries to evaluate")
    if len(relevant) != len(ranked):
        raise DataError(f"{len(ranked)} ranked rows but {len(relevant)} relevance entries")
    if not ks or min(ks) < 1:
        raise DataError(f"ks must be cut-offs >= 1 (got {ks})")
    cutoff = max(ks)
    relevant_sets = [
        {int(r)} if np.isscalar(r) or isinstance(r, (int, np.integer)) else {int(x) for x in r}
        for r in relevant
    ]
    if any(not rel for rel in relevant_sets):
        raise DataError("a query has no relevant posting; every query needs at least one")

    # hits[q, i]: the posting at rank i+1 of query q is relevant.
    hits = np.zeros((len(ranked), cutoff), dtype=bool)
    top = ranked[:, :cutoff]
    for row, rel in enumerate(relevant_sets):
        hits[row, : top.shape[1]] = np.isin(top[row], list(rel)) & (top[row] >= 0)
    n_relevant = np.array([len(rel) for rel in relevant_sets], dtype=np.float64)

    metrics: dict[str, float] = {}
    first_hit = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
    metrics[f"mrr@{cutoff}"] = float(np.mean(np.where(first_hit > 0, 1.0 / np.maximum(first_hit, 1), 0.0)))
    discounts = 1.0 / np.log2(np.arange(2, cutoff + 2))
    dcg = hits @ discounts
    ideal = np.array([discounts[: min(int(n), cutoff)].sum() for n in n_relevant])
    metrics[f"ndcg@{cutoff}"] = float(np.mean(dcg / ideal))
    for k_cut in sorted(set(ks)):
        metrics[f"recall@{k_cut}"] = float(np.mean(hits[:, :k_cut].sum(axis=1) / n_relevant))
    return metrics
