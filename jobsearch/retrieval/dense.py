"""Cosine search over posting embeddings: exact, or approximate through an HNSW graph (usearch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jobsearch.retrieval.topk import cosine, top_k

RECALL_CUTOFF = 10


class DenseIndex:
    """Posting embeddings, and the HNSW graph over them when search is approximate (else None)."""

    def __init__(self, embeddings: np.ndarray, graph: Any = None) -> None:
        self.embeddings = embeddings
        self.graph = graph  # a usearch Index, or None for exact search

    @classmethod
    def hnsw(cls, embeddings: np.ndarray, connectivity: int, expansion_add: int, expansion_search: int) -> "DenseIndex":
        """Approximate search over ``embeddings`` (L2-normalised) through an HNSW graph of them."""
        from usearch.index import Index

        graph = Index(
            ndim=embeddings.shape[1], metric="ip", dtype="f32", connectivity=connectivity,
            expansion_add=expansion_add, expansion_search=expansion_search,
        )
        graph.add(np.arange(len(embeddings), dtype=np.uint64), embeddings)
        return cls(embeddings, graph)

    @property
    def approximate(self) -> bool:
        return self.graph is not None

    def scores(self, query_emb: np.ndarray, depth: int) -> np.ndarray:
        """``(n_queries, n_postings)`` cosine scores, exact for at least each row's top ``depth``.

        Approximate: the graph's top ``depth`` keep their cosine, every other
        posting gets the lowest of them; rankers look no deeper than ``depth``
        (fusion normalises below its depth-th score to 0), so they rank as over exact scores.
        """
        if self.graph is None:
            return cosine(query_emb, self.embeddings)
        found = self.graph.search(np.asarray(query_emb, dtype=np.float32), min(depth, len(self.embeddings)))
        keys, distances = np.atleast_2d(found.keys), np.atleast_2d(found.distances)
        similarities = 1.0 - distances  # usearch's "ip" distance is 1 - dot product
        out = np.empty((len(keys), len(self.embeddings)), dtype=np.float32)
        for row, (k, s) in enumerate(zip(keys, similarities)):
            valid = k < len(self.embeddings)
            out[row] = s[valid].min(initial=0.0) - 1e-6
            out[row, k[valid].astype(np.int64)] = s[valid]
        return out

    def recall(self, query_emb: np.ndarray, k: int = RECALL_CUTOFF) -> float:
        """Share of the exact top ``k`` that this index's top ``k`` finds, over ``query_emb``'s rows.

        A found posting counts when it scores at least the exact k-th score: reposts
        embed identically, and which of several equal postings fills the last
        places is no miss.
        """
        exact = cosine(query_emb, self.embeddings)
        _, exact_top = top_k(exact, k)
        found, _ = top_k(self.scores(query_emb, k), k)
        kth = exact_top[:, -1:]
        hits = np.take_along_axis(exact, np.maximum(found, 0), axis=1) >= kth - 1e-6
        return float(np.mean((hits & (found >= 0)).sum(axis=1) / exact_top.shape[1]))
