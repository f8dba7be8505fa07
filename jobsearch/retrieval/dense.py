"""Cosine search over posting embeddings: exact, or approximate through an HNSW graph (usearch).

A posting may have several passages (:mod:`jobsearch.retrieval.passages`): its score is its
best passage's cosine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jobsearch.retrieval.passages import later_passages

from jobsearch.retrieval.topk import cosine, top_k

RECALL_CUTOFF = 10


class DenseIndex:
    """Passage embeddings, the posting each belongs to, and the HNSW graph over them when search is approximate (else None).

    Row ``i < postings`` is posting ``i``'s first passage; the later rows are later
    passages, grouped by posting in posting order (``owner``: each row's posting).
    """

    def __init__(self, embeddings: np.ndarray, owner: np.ndarray | None = None, graph: Any = None) -> None:
        self.embeddings = embeddings
        self.owner = np.arange(len(embeddings)) if owner is None else np.asarray(owner, dtype=np.int64)
        self.graph = graph  # a usearch Index, or None for exact search
        restarts = np.flatnonzero(np.diff(self.owner) <= 0)  # the first later passage's owner is no more than the last posting
        self.postings = int(restarts[0]) + 1 if len(restarts) else len(self.owner)
        later = self.owner[self.postings :]
        if len(self.owner) != len(embeddings) or np.any(self.owner[: self.postings] != np.arange(self.postings)) or np.any(np.diff(later) < 0) or np.any(later >= self.postings):
            raise ValueError("owner must number the first passages 0..n-1 in order, then the later ones by posting")
        # the later passages' runs: where each posting's begin, and whose they are
        self._runs = np.flatnonzero(np.r_[True, later[1:] != later[:-1]]) if len(later) else np.zeros(0, dtype=np.int64)
        self._run_owner = later[self._runs]
        self._most_passages = 1 + int(np.bincount(later).max(initial=0))

    @classmethod
    def of_passages(cls, first: np.ndarray, later: np.ndarray, later_owner: np.ndarray, graph: Any = None) -> "DenseIndex":
        """The index of postings' first passages (a row each) and their later ones (``later_owner``: whose)."""
        embeddings = np.concatenate([first, later]) if len(later) else first
        return cls(embeddings, np.concatenate([np.arange(len(first)), later_owner]), graph)

    @classmethod
    def encoded(
        cls, embed: Callable[[list[str]], np.ndarray], texts: Sequence[str], words: int, stride: int, heads: Sequence[str] | None = None
    ) -> "DenseIndex":
        """The index of ``texts`` and their later passages (:func:`~jobsearch.retrieval.passages.later_passages`), encoded by ``embed``."""
        later, owner = later_passages(texts, words, stride, heads)
        first = embed(list(texts))
        return cls.of_passages(first, embed(later) if later else first[:0], owner)

    def hnsw(self, connectivity: int, expansion_add: int, expansion_search: int) -> "DenseIndex":
        """This index, searched approximately through an HNSW graph of its (L2-normalised) passages."""
        from usearch.index import Index

        graph = Index(
            ndim=self.embeddings.shape[1], metric="ip", dtype="f32", connectivity=connectivity,
            expansion_add=expansion_add, expansion_search=expansion_search,
        )
        graph.add(np.arange(len(self.embeddings), dtype=np.uint64), np.asarray(self.embeddings, dtype=np.float32))
        return DenseIndex(self.embeddings, self.owner, graph)

    @property
    def approximate(self) -> bool:
        return self.graph is not None

    def best_passage(self, passage_scores: np.ndarray) -> np.ndarray:
        """``(n_queries, n_postings)``: each posting's best score among its passages' (``(n_queries, n_rows)``)."""
        n = self.postings
        best = np.array(passage_scores[:, :n], dtype=np.float32)
        if len(self._runs):
            later = np.maximum.reduceat(passage_scores[:, n:], self._runs, axis=1)
            best[:, self._run_owner] = np.maximum(best[:, self._run_owner], later)
        return best

    def exact_scores(self, query_emb: np.ndarray) -> np.ndarray:
        """``(n_queries, n_postings)``: each posting's best passage cosine."""
        return self.best_passage(cosine(query_emb, self.embeddings))

    def scores(self, query_emb: np.ndarray, depth: int) -> np.ndarray:
        """``(n_queries, n_postings)`` best-passage cosine scores, exact for at least each row's top ``depth``.

        Approximate: the postings of the graph's top passages keep their best
        found cosine, every other posting gets the lowest of them; rankers look
        no deeper than ``depth`` (fusion normalises below its depth-th score to
        0), so they rank as over exact scores.
        """
        if self.graph is None:
            return self.exact_scores(query_emb)
        rows, n = len(self.embeddings), self.postings
        # enough passages to hold ``depth`` postings even when each has its most passages
        found = self.graph.search(np.asarray(query_emb, dtype=np.float32), min(depth * self._most_passages, rows))
        keys, distances = np.atleast_2d(found.keys), np.atleast_2d(found.distances)
        similarities = (1.0 - distances).astype(np.float32)  # usearch's "ip" distance is 1 - dot product
        out = np.full((len(keys), n), -np.inf, dtype=np.float32)
        for row, (k, s) in enumerate(zip(keys, similarities)):
            valid = k < rows
            np.maximum.at(out[row], self.owner[k[valid].astype(np.int64)], s[valid])
            out[row][np.isneginf(out[row])] = s[valid].min(initial=0.0) - 1e-6
        return out

    def recall(self, query_emb: np.ndarray, k: int = RECALL_CUTOFF) -> float:
        """Share of the exact top ``k`` postings that this index's top ``k`` finds, over ``query_emb``'s rows.

        A found posting counts when it scores at least the exact k-th score: reposts
        embed identically, and which of several equal postings fills the last
        places is no miss.
        """
        exact = self.exact_scores(query_emb)
        _, exact_top = top_k(exact, k)
        found, _ = top_k(self.scores(query_emb, k), k)
        kth = exact_top[:, -1:]
        hits = np.take_along_axis(exact, np.maximum(found, 0), axis=1) >= kth - 1e-6
        return float(np.mean((hits & (found >= 0)).sum(axis=1) / exact_top.shape[1]))
