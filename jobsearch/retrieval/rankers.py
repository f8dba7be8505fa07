"""The rankers search serves (dense, BM25, or both fused), and ranking a batch of queries by one.

Search and evaluation both rank through :func:`rank` over a :class:`QueryScores`,
so what evaluation measures is what search serves: which scores a ranker needs,
how its BM25 reads typos, and how deep fusion looks are decided here alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from jobsearch.config import from_dict
from jobsearch.errors import ConfigError, DataError
from jobsearch.retrieval.bm25 import BM25Index
from jobsearch.retrieval.topk import kth_best, top_k

FUSIONS = ("convex", "rrf")
MODES = ("dense", "bm25", "hybrid")
SEARCH_MODES = ("served", *MODES)  # served: the ranker evaluate chose on validation


@dataclass
class HybridParams:
    """How dense and BM25 scores are fused.

    ``convex``: ``dense_weight * norm(cosine) + bm25_weight * norm(bm25)``, each
    ranker's scores min-max normalised per query between its ``depth``-th best
    score and its best (the depth-th and below count 0), so the scale of
    BM25 scores, which grows with query length, does not decide the blend.
    ``rrf``: weighted reciprocal rank fusion, ``sum_r w_r / (rrf_k + rank_r)``
    over each ranker's top ``depth``.
    """

    fusion: str = "convex"
    dense_weight: float = 0.5
    bm25_weight: float = 0.5
    rrf_k: int = 60  # rrf only: larger flattens the advantage of the very top ranks
    depth: int = 100  # how deep each ranker's list is before fusion (at least as deep as the hits asked for)

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, got {self.fusion!r}")
        if self.dense_weight < 0 or self.bm25_weight < 0:
            raise ValueError("dense_weight and bm25_weight must be >= 0")
        if self.dense_weight == 0 and self.bm25_weight == 0:
            raise ValueError("dense_weight and bm25_weight cannot both be 0")
        if self.rrf_k < 0:
            raise ValueError(f"rrf_k must be >= 0 (got {self.rrf_k})")
        if self.depth < 1:
            raise ValueError(f"depth must be >= 1 (got {self.depth})")


@dataclass
class RankerParams:
    """A ranker search can serve: dense, BM25, or their fusion (``hybrid``).

    ``hybrid`` rides along whatever the mode: evaluate records its tuned fusion
    there, so ``--mode hybrid`` fuses with it even where it served dense or BM25.
    """

    mode: str = "hybrid"
    hybrid: HybridParams = field(default_factory=HybridParams)
    fuzzy: bool = False  # BM25 also reads a mistyped query term as its likely correction (jobsearch.retrieval.typos)
    # the least cosine a posting needs to be found by the model alone (no query term in it); None: no floor.
    # evaluate chooses it on validation (jobsearch/floor.py): a query that matches nothing finds nothing
    floor: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.floor is not None and not -1 <= self.floor <= 1:
            raise ValueError(f"floor must be a cosine between -1 and 1 (or null), got {self.floor}")

    @property
    def needs_dense(self) -> bool:
        return self.mode != "bm25"

    @property
    def needs_bm25(self) -> bool:
        return self.mode != "dense"

    @property
    def label(self) -> str:
        typos = ", typo-tolerant" if self.fuzzy and self.needs_bm25 else ""
        if self.mode != "hybrid":
            return f"{self.mode}{typos}"
        h = self.hybrid
        extra = f", rrf_k {h.rrf_k}" if h.fusion == "rrf" else ""
        return f"hybrid ({h.fusion}, dense {h.dense_weight:g} / bm25 {h.bm25_weight:g}{extra}{typos})"

    def for_mode(self, mode: str) -> "RankerParams":
        """The ranker of a search mode: this one (``served``), or that mode with this one's fusion and floor."""
        if mode not in SEARCH_MODES:
            raise ConfigError(f"mode must be one of {', '.join(SEARCH_MODES)}, got {mode!r}")
        return self if mode == "served" else replace(self, mode=mode)

    def to_record(self) -> dict[str, Any]:
        """The ranker as JSON-ready values: what evaluate writes at ``paths.served`` and the index keeps."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: object, where: str) -> "RankerParams":
        """The ranker :meth:`to_record` wrote; anything else is a one-line error naming ``where``."""
        if not isinstance(record, dict):
            raise DataError(f"{where}: expected a ranker record (mode, hybrid, fuzzy, floor); rerun `dvc repro`")
        return from_dict(cls, record, prefix=where)


def normalise_scores(scores: np.ndarray, depth: int) -> np.ndarray:
    """Per row, ``(s - cut) / (best - cut)`` clipped to [0, 1], ``cut`` the ``depth``-th best score.

    A row whose best equals its cut (nothing stands out, e.g. BM25 with no
    matching term) normalises to zeros.
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.shape[1] == 0:
        return scores
    best = scores.max(axis=1, keepdims=True)
    cut = np.minimum(kth_best(scores, depth), best)
    span = best - cut
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = np.where(span > 0, (scores - cut) / np.where(span > 0, span, 1), 0.0)
    return np.clip(normalised, 0.0, 1.0).astype(np.float32)


def reciprocal_rank_scores(scores: np.ndarray, depth: int, k: int, positive_only: bool = False) -> np.ndarray:
    """``1 / (k + rank)`` for each row's top ``depth`` postings (rank 1 = best), 0 elsewhere."""
    indices, _ = top_k(scores, depth, positive_only=positive_only)
    out = np.zeros_like(scores, dtype=np.float32)
    rows, ranks0 = np.nonzero(indices >= 0)
    out[rows, indices[rows, ranks0]] = 1.0 / (k + ranks0 + 1.0)
    return out


def fuse_scores(dense: np.ndarray, bm25: np.ndarray, params: HybridParams) -> np.ndarray:
    """Dense (cosine) and BM25 score matrices of the same shape fused by ``params``."""
    if dense.shape != bm25.shape:
        raise DataError(f"dense scores have shape {dense.shape} but BM25 scores {bm25.shape}")
    if params.fusion == "rrf":
        return params.dense_weight * reciprocal_rank_scores(dense, params.depth, params.rrf_k) + params.bm25_weight * (
            reciprocal_rank_scores(bm25, params.depth, params.rrf_k, positive_only=True)
        )
    return params.dense_weight * normalise_scores(dense, params.depth) + params.bm25_weight * normalise_scores(bm25, params.depth)


DenseScorer = Callable[[int], np.ndarray]  # depth -> cosine of each query to each posting, exact at least that deep


class QueryScores:
    """A batch of queries and the score matrices rankers draw on, each computed on first use, then shared."""

    def __init__(self, queries: Sequence[str], bm25: BM25Index | None = None, dense: DenseScorer | None = None) -> None:
        self.queries = list(queries)
        self._bm25 = bm25
        self._dense = dense
        self._read: dict[bool, list[str]] = {}  # fuzzy -> the queries as BM25 reads them
        self._bm25_scores: dict[bool, np.ndarray] = {}
        self._dense_scores: dict[int, np.ndarray] = {}

    @classmethod
    def of(cls, n_queries: int, dense: np.ndarray | None = None, bm25: np.ndarray | None = None) -> "QueryScores":
        """Score matrices computed elsewhere, as every ranker reads them (BM25's: typos as typed)."""
        scores = cls([""] * n_queries, dense=None if dense is None else lambda depth: dense)
        if bm25 is not None:
            scores._bm25_scores = {False: bm25, True: bm25}
        return scores

    def with_dense(self, dense: DenseScorer) -> "QueryScores":
        """The same queries and BM25 scores, with another model's cosines."""
        other = QueryScores(self.queries, self._bm25, dense)
        other._read, other._bm25_scores = self._read, self._bm25_scores
        return other

    def words(self, ranker: RankerParams) -> list[str]:
        """The queries as ``ranker`` reads their words: typo-corrected where its BM25 tolerates typos."""
        if not (ranker.needs_bm25 and ranker.fuzzy):
            return self.queries
        if True not in self._read:
            self._read[True] = [self._bm25_index().typos.correct(q) for q in self.queries]
        return self._read[True]

    def bm25(self, ranker: RankerParams) -> np.ndarray:
        if ranker.fuzzy not in self._bm25_scores:
            self._bm25_scores[ranker.fuzzy] = self._bm25_index().scores(self.words(ranker))
        return self._bm25_scores[ranker.fuzzy]

    def dense(self, depth: int) -> np.ndarray:
        """Cosine scores exact at least ``depth`` deep: a matrix already computed as deep or deeper serves."""
        if self._dense is None:
            raise ConfigError("a dense or hybrid ranker needs a model's embeddings")
        deep_enough = [d for d in self._dense_scores if d >= depth]
        if not deep_enough:
            self._dense_scores[depth] = self._dense(depth)
            return self._dense_scores[depth]
        return self._dense_scores[min(deep_enough)]

    def _bm25_index(self) -> BM25Index:
        if self._bm25 is None:
            raise ConfigError("a bm25 or hybrid ranker needs a BM25 index")
        return self._bm25


def rank(ranker: RankerParams, scores: QueryScores, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each query's top ``k`` postings under ``ranker``, from the scores it needs."""
    # fusion's lists are at least as deep as the hits asked for
    hybrid = ranker.hybrid if ranker.hybrid.depth >= k else replace(ranker.hybrid, depth=k)
    dense = scores.dense(hybrid.depth) if ranker.needs_dense else None
    bm25 = scores.bm25(ranker) if ranker.needs_bm25 else None
    if dense is None:  # BM25's floor: a posting holds a query term
        return top_k(bm25, k, positive_only=True)
    close = None if ranker.floor is None else dense >= ranker.floor
    if bm25 is None:
        return top_k(dense if close is None else np.where(close, dense, -np.inf), k)
    # fusion ranks the postings on either ranker's list (the top depth; BM25's hold a query term)
    matched = bm25 > 0
    listed = (dense >= kth_best(dense, hybrid.depth)) | (matched & (bm25 >= kth_best(bm25, hybrid.depth)))
    if close is not None:
        listed &= close | matched
    return top_k(np.where(listed, fuse_scores(dense, bm25, hybrid), -np.inf), k)
