"""Ranking postings for queries: dense, BM25, their fusion, and ranking metrics.

Conventions shared by every function here:

* a ranking is an integer array of shape ``(n_queries, depth)`` holding posting
  indices best first; ``-1`` pads a row that has fewer results than columns;
* scores come in a float32 array of the same shape (higher is better);
* ties are broken by the lower posting index, so results are reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import torch
from bm25s.stopwords import STOPWORDS_EN

from jobsearch.errors import DataError

PAD = -1

# ---------------------------------------------------------------------------
# Tokenisation
# ---------------------------------------------------------------------------

# A raw token starts with a letter or digit (or a dot directly before one, for
# ".net"), may continue through single inner separators (icd-10, node.js,
# scikit-learn, ci/cd) and may end in + or # (c++, c#, f#).  A dot between a
# lowercase letter and a capital ("inclusion.Who") ends a sentence, not a name.
_RAW_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])\.?[A-Za-z0-9]"
    r"(?:[A-Za-z0-9]|[-/_](?=[A-Za-z0-9])|\.(?=[a-z0-9])|(?<![a-z])\.(?=[A-Z]))*[+#]*"
)
_INNER_SEPARATOR = re.compile(r"(?<=[a-z0-9])[-./_](?=[a-z0-9])")

STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN) | frozenset(
    ("to", "we", "you", "our", "your", "i", "me", "my", "from", "has", "have", "had",
     "do", "does", "was", "were", "am", "any", "all", "its", "also")
)


def _is_compound(raw: str) -> bool:
    return "-" in raw or "/" in raw or "_" in raw or "." in raw[1:]


def _compound_group(raw: str) -> list[str]:
    """"icd-10" -> ["icd10", "icd", "10"]: the joined form, then the non-stopword parts."""
    parts = _INNER_SEPARATOR.split(raw)
    joined = "".join(parts)
    return [joined] + [p for p in dict.fromkeys(parts) if p not in STOPWORDS and p != joined]


def _keeps_stopword(surface: str) -> bool:
    # "IT", "OR" in capitals are acronyms (information technology, operations research)
    return len(surface) > 1 and surface.isupper()


def tokenize(text: str) -> list[str]:
    """Lowercased search terms of ``text``, stopwords removed.

    "ICD-10" gives "icd10", "icd", "10", so a query for "ICD10" matches a
    posting that writes "ICD-10"; "C++", "C#" and ".NET" stay whole.  Stopwords
    are dropped unless written in capitals ("IT", "OR").
    """
    # Hot loop (millions of tokens for a corpus): keep it flat.
    tokens: list[str] = []
    stopwords = STOPWORDS
    for surface in _RAW_TOKEN.findall(text):
        raw = surface.lower()
        if _is_compound(raw):
            tokens += _compound_group(raw)
        elif raw not in stopwords or _keeps_stopword(surface):
            tokens.append(raw)
    return tokens


def _token_groups(text: str) -> list[list[str]]:
    """``tokenize`` grouped by raw token: [["gurobi"], ["icd10", "icd", "10"], ...]."""
    groups: list[list[str]] = []
    for surface in _RAW_TOKEN.findall(text):
        raw = surface.lower()
        if _is_compound(raw):
            groups.append(_compound_group(raw))
        elif raw not in STOPWORDS or _keeps_stopword(surface):
            groups.append([raw])
    return groups


def matched_terms(query: str, text: str, prefix_min_len: int = 5) -> list[str]:
    """The query's terms found in ``text``, in query order, for "why it matched".

    A term matches a token of the text exactly; terms of at least
    ``prefix_min_len`` characters also match a text token that starts with them
    or that they start with (when that token is as long as ``prefix_min_len``),
    so "engineering" matches "engineer".  ``prefix_min_len=0`` turns that off.
    A compound query term ("icd-10") is reported once, by its joined form when
    it matches, else by whichever of its parts match.
    """
    text_tokens = set(tokenize(text))
    long_text_tokens = [t for t in text_tokens if prefix_min_len and len(t) >= prefix_min_len]

    def found(term: str) -> bool:
        if term in text_tokens:
            return True
        if not prefix_min_len or len(term) < prefix_min_len:
            return False
        return any(t.startswith(term) or term.startswith(t) for t in long_text_tokens)

    matched: list[str] = []
    for group in _token_groups(query):
        hits = [group[0]] if found(group[0]) else [t for t in group[1:] if found(t)]
        matched += [t for t in hits if t not in matched]
    return matched


# ---------------------------------------------------------------------------
# Dense retrieval
# ---------------------------------------------------------------------------


def _as_float_tensor(array: np.ndarray | torch.Tensor, name: str) -> torch.Tensor:
    tensor = torch.as_tensor(array)
    if tensor.ndim != 2:
        raise DataError(f"{name}: expected a 2-D array of embeddings, got shape {tuple(tensor.shape)}")
    return tensor.float()


def dense_top_k(
    query_emb: np.ndarray,
    doc_emb: np.ndarray,
    k: int,
    chunk_size: int = 4096,
    normalize: bool = True,
    device: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` postings per query by cosine similarity.

    Returns ``(indices, scores)`` of shape ``(n_queries, min(k, n_docs))``.
    Similarities are computed for ``chunk_size`` queries against ``chunk_size``
    postings at a time and merged into a running top-k, so memory stays about
    ``chunk_size**2`` floats whatever the corpus size.  ``device`` defaults to
    CUDA when available.
    """
    queries = _as_float_tensor(query_emb, "query embeddings")
    docs = _as_float_tensor(doc_emb, "posting embeddings")
    if queries.shape[1] != docs.shape[1]:
        raise DataError(
            f"query embeddings have {queries.shape[1]} dimensions but posting embeddings {docs.shape[1]}"
        )
    if k < 1 or chunk_size < 1:
        raise ValueError(f"k and chunk_size must be >= 1 (got k={k}, chunk_size={chunk_size})")
    n_queries, n_docs = queries.shape[0], docs.shape[0]
    width = min(k, n_docs)
    out_indices = np.full((n_queries, width), PAD, dtype=np.int64)
    out_scores = np.zeros((n_queries, width), dtype=np.float32)
    if n_queries == 0 or width == 0:
        return out_indices, out_scores

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    docs = docs.to(device)
    if normalize:
        docs = torch.nn.functional.normalize(docs, dim=1)
    with torch.inference_mode():
        for q_start in range(0, n_queries, chunk_size):
            q = queries[q_start : q_start + chunk_size].to(device)
            if normalize:
                q = torch.nn.functional.normalize(q, dim=1)
            best_scores: torch.Tensor | None = None
            best_indices: torch.Tensor | None = None
            for d_start in range(0, n_docs, chunk_size):
                sims = q @ docs[d_start : d_start + chunk_size].T
                chunk_scores, chunk_indices = torch.topk(sims, min(width, sims.shape[1]), dim=1)
                del sims  # free before the next chunk's product is allocated
                chunk_indices += d_start
                if best_scores is None:
                    best_scores, best_indices = chunk_scores, chunk_indices
                    continue
                merged_scores = torch.cat([best_scores, chunk_scores], dim=1)
                merged_indices = torch.cat([best_indices, chunk_indices], dim=1)
                best_scores, pick = torch.topk(merged_scores, width, dim=1)
                best_indices = torch.gather(merged_indices, 1, pick)
            assert best_scores is not None and best_indices is not None
            rows = slice(q_start, q_start + q.shape[0])
            out_scores[rows] = best_scores.cpu().numpy()
            out_indices[rows] = best_indices.cpu().numpy()
    return out_indices, out_scores


# ---------------------------------------------------------------------------
# BM25
# ---------------------------------------------------------------------------


@dataclass
class BM25Params:
    k1: float = 1.5  # term-frequency saturation
    b: float = 0.75  # length normalisation

    def __post_init__(self) -> None:
        if self.k1 < 0:
            raise ValueError(f"k1 must be >= 0 (got {self.k1})")
        if not 0 <= self.b <= 1:
            raise ValueError(f"b must be between 0 and 1 (got {self.b})")


class BM25Index:
    """A BM25 (Lucene variant, via bm25s) index over posting texts."""

    def __init__(self, texts: Sequence[str], params: BM25Params | None = None) -> None:
        if len(texts) == 0:
            raise DataError("BM25: cannot index an empty list of postings")
        self.params = params or BM25Params()
        self.n_docs = len(texts)
        # Token ids are assigned here (one dict lookup per token): bm25s indexes
        # ids about three times faster than strings.
        self._vocab: dict[str, int] = {}
        corpus_ids: list[list[int]] = []
        for text in texts:
            tokens = tokenize(text) if isinstance(text, str) else []
            corpus_ids.append([self._vocab.setdefault(t, len(self._vocab)) for t in tokens])
        self._bm25 = bm25s.BM25(k1=self.params.k1, b=self.params.b, method="lucene")
        # bm25s adds an empty token "" after our ids; it scores nothing and queries never use it.
        self._bm25.index((corpus_ids, dict(self._vocab)), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every posting for ``query`` (0 where no term matches)."""
        ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def top_k(self, queries: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` postings per query, shape ``(n_queries, min(k, n_docs))``.

        Only postings sharing a term with the query are ranked; the rest of a
        row is padded with index -1 and score 0 (a query with no known term
        gives a row of padding).
        """
        if k < 1:
            raise ValueError(f"k must be >= 1 (got {k})")
        width = min(k, self.n_docs)
        out_indices = np.full((len(queries), width), PAD, dtype=np.int64)
        out_scores = np.zeros((len(queries), width), dtype=np.float32)
        for row, query in enumerate(queries):
            scores = self.scores(query)
            candidates = np.flatnonzero(scores > 0)
            if len(candidates) > width:
                # argpartition narrows to the top `width` (plus ties at the cut), then sort exactly.
                cut = -np.partition(-scores[candidates], width - 1)[width - 1]
                candidates = candidates[scores[candidates] >= cut]
            order = np.lexsort((candidates, -scores[candidates]))[:width]
            chosen = candidates[order]
            out_indices[row, : len(chosen)] = chosen
            out_scores[row, : len(chosen)] = scores[chosen]
        return out_indices, out_scores


# ---------------------------------------------------------------------------
# Fusion
# ---------------------------------------------------------------------------


def reciprocal_rank_fusion(
    rankings: Sequence[np.ndarray],
    weights: Sequence[float] | None = None,
    k: int = 60,
    top_k: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Fuse rankings by weighted reciprocal rank: score(d) = sum_r w_r / (k + rank_r(d)).

    ``rankings`` holds one ``(n_queries, depth)`` index array per ranker (ranks
    are 1-based; -1 is padding; depths may differ).  Returns ``(indices,
    scores)`` of shape ``(n_queries, top_k)``, padded with -1 / 0 where fewer
    postings were ranked.  A posting only a zero-weight ranker found is left out.
    """
    if not rankings:
        raise ValueError("reciprocal_rank_fusion needs at least one ranking")
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"got {len(weights)} weights for {len(rankings)} rankings")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must be >= 0 (got {weights})")
    if k < 0 or top_k < 1:
        raise ValueError(f"k must be >= 0 and top_k >= 1 (got k={k}, top_k={top_k})")
    arrays = [np.asarray(r, dtype=np.int64).reshape(len(r), -1) for r in rankings]
    n_queries = arrays[0].shape[0]
    if any(a.shape[0] != n_queries for a in arrays):
        raise ValueError(f"rankings cover different numbers of queries: {[a.shape[0] for a in arrays]}")

    out_indices = np.full((n_queries, top_k), PAD, dtype=np.int64)
    out_scores = np.zeros((n_queries, top_k), dtype=np.float32)
    # One key per (query, posting) so all rows are fused at once, without a Python loop.
    stride = max((int(a.max(initial=PAD)) for a in arrays), default=PAD) + 1
    if stride <= 0:
        return out_indices, out_scores
    keys_all, contrib_all = [], []
    for ranking, weight in zip(arrays, weights):
        if weight == 0 or ranking.size == 0:
            continue
        rows, ranks0 = np.nonzero(ranking >= 0)
        keys = rows * stride + ranking[rows, ranks0]
        # A posting listed twice by one ranker counts once, at its best rank.
        keys, first = np.unique(keys, return_index=True)
        keys_all.append(keys)
        contrib_all.append(weight / (k + ranks0[first] + 1.0))
    if not keys_all:
        return out_indices, out_scores
    unique_keys, inverse = np.unique(np.concatenate(keys_all), return_inverse=True)
    fused = np.bincount(inverse, weights=np.concatenate(contrib_all))
    rows, docs = unique_keys // stride, unique_keys % stride
    order = np.lexsort((docs, -fused, rows))  # by query, then best score, then lower index
    rows, docs, fused = rows[order], docs[order], fused[order]
    row_starts = np.searchsorted(rows, np.arange(n_queries))
    position = np.arange(len(rows)) - row_starts[rows]
    keep = position < top_k
    out_indices[rows[keep], position[keep]] = docs[keep]
    out_scores[rows[keep], position[keep]] = fused[keep]
    return out_indices, out_scores


@dataclass
class HybridParams:
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    rrf_k: int = 60  # larger flattens the advantage of the very top ranks
    depth: int = 100  # how deep each ranker's list is before fusion

    def __post_init__(self) -> None:
        if self.dense_weight < 0 or self.bm25_weight < 0:
            raise ValueError("dense_weight and bm25_weight must be >= 0")
        if self.dense_weight == 0 and self.bm25_weight == 0:
            raise ValueError("dense_weight and bm25_weight cannot both be 0")
        if self.rrf_k < 0:
            raise ValueError(f"rrf_k must be >= 0 (got {self.rrf_k})")
        if self.depth < 1:
            raise ValueError(f"depth must be >= 1 (got {self.depth})")


def hybrid_top_k(
    query_emb: np.ndarray,
    doc_emb: np.ndarray,
    bm25: BM25Index,
    queries: Sequence[str],
    k: int,
    params: HybridParams,
    chunk_size: int = 4096,
) -> tuple[np.ndarray, np.ndarray]:
    """Dense and BM25 rankings fused by weighted RRF; shape ``(n_queries, min(k, n_docs))``."""
    if len(queries) != len(query_emb):
        raise DataError(f"{len(queries)} query texts but {len(query_emb)} query embeddings")
    if bm25.n_docs != len(doc_emb):
        raise DataError(f"BM25 index has {bm25.n_docs} postings but there are {len(doc_emb)} posting embeddings")
    depth = max(params.depth, k)
    dense_indices, _ = dense_top_k(query_emb, doc_emb, depth, chunk_size=chunk_size)
    bm25_indices, _ = bm25.top_k(queries, depth)
    return fuse_rankings(dense_indices, bm25_indices, params, top_k=min(k, bm25.n_docs))


def fuse_rankings(dense_indices: np.ndarray, bm25_indices: np.ndarray, params: HybridParams, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense and BM25 rankings already computed, fused by ``params``' weighted RRF."""
    return reciprocal_rank_fusion(
        [dense_indices, bm25_indices],
        weights=[params.dense_weight, params.bm25_weight],
        k=params.rrf_k,
        top_k=top_k,
    )


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


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
        raise ValueError(f"ks must be cut-offs >= 1 (got {ks})")
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


__all__ = [
    "PAD",
    "STOPWORDS",
    "BM25Index",
    "BM25Params",
    "HybridParams",
    "dense_top_k",
    "hybrid_top_k",
    "matched_terms",
    "reciprocal_rank_fusion",
    "retrieval_metrics",
    "tokenize",
]
