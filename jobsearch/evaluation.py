"""Evaluating models the way a job seeker meets them: ranking a split's postings.

Per ranker (base model, fine-tuned model, BM25, and their hybrid): triplet
accuracy on the split's triplets, on BM25-mined hard negatives, and ranking
metrics (MRR, nDCG, recall) of each query's own posting among all postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from jobsearch.errors import JobsearchError

if TYPE_CHECKING:
    from jobsearch.retrieval import BM25Index, HybridParams


def triplet_accuracy(anchor_emb: np.ndarray, positive_emb: np.ndarray, negative_emb: np.ndarray) -> float:
    """Share of triplets whose anchor is more similar (cosine) to the positive."""
    if len(anchor_emb) == 0:
        return float("nan")
    pos = np.einsum("ij,ij->i", anchor_emb, positive_emb)
    neg = np.einsum("ij,ij->i", anchor_emb, negative_emb)
    return float(np.mean(pos > neg))


@dataclass
class EvalParams:
    corpus: str = "split"  # rank each query against its split's postings, or "all" postings
    batch_size: int = 64
    max_seq_length: int = 256
    depth: int = 100  # ranks kept per query (metrics need 10; fusion needs more)
    # hybrid = weighted reciprocal rank fusion of the fine-tuned model and BM25
    tune_hybrid: bool = True  # pick dense_weight and rrf_k on validation, then apply them to test
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    rrf_k: int = 60

    def __post_init__(self) -> None:
        if self.corpus not in ("split", "all"):
            raise ValueError(f"corpus must be 'split' or 'all', got {self.corpus!r}")
        if self.depth < 10:
            raise ValueError("depth must be at least 10 (the metrics look at the top 10)")


# what tune_hybrid tries (bm25_weight stays fixed: only the ratio matters)
HYBRID_GRID = {"dense_weight": (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5), "rrf_k": (1, 5, 10, 30, 60)}


@dataclass
class RetrievalTask:
    """Queries of one split, the postings they are ranked against, and the answers.

    Triplets are kept as indices into ``queries`` and ``docs``, so each text is
    encoded once per model.
    """

    queries: list[str]
    relevant: np.ndarray  # index into docs of each query's own posting
    docs: list[str]
    triplet_query: np.ndarray  # per triplet: index into queries
    triplet_negative: np.ndarray  # per triplet: index into docs
    hard_negatives: np.ndarray  # per query: index into docs of BM25's best wrong posting
    bm25: "BM25Index"  # over docs: built once, for the hard negatives and the bm25 ranker


def retrieval_task(triplets: pd.DataFrame, corpus: pd.DataFrame | None = None) -> RetrievalTask:
    """Build a split's ranking task: one query per posting, ranked against the corpus.

    ``triplets`` has ``anchor, positive, posting_id, negative, negative_id``;
    ``corpus`` (``posting_id, text``) defaults to the split's own postings.
    """
    from jobsearch.retrieval import BM25Index

    pairs = triplets.drop_duplicates("posting_id").reset_index(drop=True)
    if corpus is None:
        negatives = triplets[["negative_id", "negative"]].set_axis(["posting_id", "text"], axis=1)
        corpus = pd.concat([pairs[["posting_id", "positive"]].set_axis(["posting_id", "text"], axis=1), negatives])
    corpus = corpus.drop_duplicates("posting_id").reset_index(drop=True)
    position = pd.Series(np.arange(len(corpus)), index=corpus["posting_id"])
    missing = (set(pairs["posting_id"]) | set(triplets["negative_id"])) - set(position.index)
    if missing:
        raise JobsearchError(f"{len(missing)} evaluation postings are not in the corpus (e.g. {sorted(missing)[0]})")
    relevant = position.loc[pairs["posting_id"]].to_numpy()
    query_of = pd.Series(np.arange(len(pairs)), index=pairs["posting_id"])
    docs = corpus["text"].astype(str).tolist()
    queries = pairs["anchor"].astype(str).tolist()
    bm25 = BM25Index(docs)
    bm25_idx, _ = bm25.top_k(queries, min(2, len(docs)))
    # BM25's best posting that is not the answer: lexically close, so hard for a dense model
    hard = np.where(bm25_idx[:, 0] == relevant, bm25_idx[:, -1], bm25_idx[:, 0])
    hard = np.where(hard < 0, (relevant + 1) % len(docs), hard)
    return RetrievalTask(
        queries=queries,
        relevant=relevant,
        docs=docs,
        triplet_query=query_of.loc[triplets["posting_id"]].to_numpy(),
        triplet_negative=position.loc[triplets["negative_id"]].to_numpy(),
        hard_negatives=hard,
        bm25=bm25,
    )


def evaluate_rankers(
    task: RetrievalTask,
    models: dict[str, object],
    params: EvalParams,
    hybrid: "HybridParams | None" = None,
) -> tuple[dict, "HybridParams"]:
    """Metrics per ranker: each dense model, ``bm25``, and ``hybrid`` (the last model + BM25).

    ``hybrid`` fixes the fusion; without it the fusion is tuned on this task
    (when ``params.tune_hybrid``; use that on validation only) or taken from
    ``params``. Returns the metrics and the fusion used.
    """
    from jobsearch.embed import encode
    from jobsearch.retrieval import HybridParams, dense_top_k, retrieval_metrics

    depth = min(params.depth, len(task.docs))
    results: dict[str, dict] = {}
    dense_ranked = None
    for name, model in models.items():
        model.max_seq_length = params.max_seq_length
        q = encode(model, task.queries, batch_size=params.batch_size)
        d = encode(model, task.docs, batch_size=params.batch_size, progress=len(task.docs) > 1000)
        dense_ranked, _ = dense_top_k(q, d, depth)
        anchors = q[task.triplet_query]
        results[name] = {
            "triplet_accuracy": triplet_accuracy(anchors, d[task.relevant[task.triplet_query]], d[task.triplet_negative]),
            "triplet_accuracy_hard": triplet_accuracy(q, d[task.relevant], d[task.hard_negatives]),
            **retrieval_metrics(dense_ranked, task.relevant),
        }
    bm25_ranked, _ = task.bm25.top_k(task.queries, depth)
    results["bm25"] = retrieval_metrics(bm25_ranked, task.relevant)
    if hybrid is None:
        hybrid = HybridParams(dense_weight=params.dense_weight, bm25_weight=params.bm25_weight, rrf_k=params.rrf_k, depth=depth)
        if params.tune_hybrid and dense_ranked is not None:
            hybrid = tune_fusion(dense_ranked, bm25_ranked, task.relevant, hybrid)
    if dense_ranked is not None:
        results["hybrid"] = retrieval_metrics(_fuse(dense_ranked, bm25_ranked, hybrid), task.relevant)
    return results, hybrid


def _fuse(dense_ranked: np.ndarray, bm25_ranked: np.ndarray, hybrid) -> np.ndarray:
    from jobsearch.retrieval import fuse_rankings

    return fuse_rankings(dense_ranked, bm25_ranked, hybrid, top_k=dense_ranked.shape[1])[0]


def tune_fusion(dense_ranked: np.ndarray, bm25_ranked: np.ndarray, relevant: np.ndarray, start):
    """The fusion of ``HYBRID_GRID`` with the best mrr@10 (ties: the first tried)."""
    from dataclasses import replace

    from jobsearch.retrieval import retrieval_metrics

    best, best_mrr = start, -1.0
    for rrf_k in HYBRID_GRID["rrf_k"]:
        for weight in HYBRID_GRID["dense_weight"]:
            candidate = replace(start, dense_weight=weight, bm25_weight=1.0, rrf_k=rrf_k)
            mrr = retrieval_metrics(_fuse(dense_ranked, bm25_ranked, candidate), relevant)["mrr@10"]
            if mrr > best_mrr + 1e-12:
                best, best_mrr = candidate, mrr
    return best
