"""The two primitives every ranking is made of: cosine scores, and each row's top k of a score matrix.

Negatives, evaluation, the index and search all rank through these, so they
agree on one tie rule: equal scores rank the lower posting index first.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from jobsearch.errors import DataError

PAD = -1  # a ranking's place that holds no posting


def cosine(query_emb: np.ndarray | torch.Tensor, doc_emb: np.ndarray | torch.Tensor) -> np.ndarray:
    """Cosine similarity of every query to every posting, ``(n_queries, n_docs)`` float32."""
    queries = _as_matrix(query_emb, "query embeddings")
    docs = _as_matrix(doc_emb, "posting embeddings")
    if queries.shape[1] != docs.shape[1]:
        raise DataError(f"query embeddings have {queries.shape[1]} dimensions but posting embeddings {docs.shape[1]}")
    # in float64, rounded to float32: a product's rounding then does not depend on where a posting sits in
    # the matrix (float32 GEMM kernels sum edge rows in another order), so reposts that embed alike tie
    # exactly and the tie rule decides, not the position
    with torch.inference_mode():
        sims = torch.nn.functional.normalize(queries.double(), dim=1) @ torch.nn.functional.normalize(docs.double(), dim=1).T
    return sims.float().numpy()


def _as_matrix(array: np.ndarray | torch.Tensor, name: str) -> torch.Tensor:
    with warnings.catch_warnings():
        # a memory-mapped index is read-only; the tensor is only read (normalize makes a new one)
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        tensor = torch.as_tensor(np.asarray(array) if not isinstance(array, torch.Tensor) else array)
    if tensor.ndim != 2:
        raise DataError(f"{name}: expected a 2-D array of embeddings, got shape {tuple(tensor.shape)}")
    return tensor


def kth_best(scores: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k``-th best score (k capped at the row's length), shape ``(n_queries, 1)``."""
    k = min(k, scores.shape[1])
    # torch.topk runs on every core: several times faster than np.partition on a 1024 x 40k chunk
    return torch.topk(torch.from_numpy(np.ascontiguousarray(scores)), k, dim=1, sorted=False).values.min(dim=1, keepdim=True).values.numpy()


def top_k(scores: np.ndarray, k: int, *, largest: bool = True, positive_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` best postings of a ``(n_queries, n_docs)`` score matrix, best first.

    Returns ``(indices, scores)`` of shape ``(n_queries, min(k, n_docs))``.
    ``largest=False``: the lowest scores first. A posting scoring -inf (+inf
    with ``largest=False``) is not ranked (its place is padding: index -1,
    score 0), nor, with ``positive_only``, one scoring 0 or less, as for BM25,
    where 0 means no query term matched. Equal scores: the lower index first.
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.ndim != 2:
        raise DataError(f"scores: expected a 2-D array (queries x postings), got shape {scores.shape}")
    if k < 1:
        raise DataError(f"top_k: k must be at least 1 (got {k})")
    if np.isnan(scores).any():
        raise DataError("scores: NaN is not a score")
    best = scores if largest else -scores
    n_queries, n_docs = best.shape
    width = min(k, n_docs)
    indices = np.full((n_queries, width), PAD, dtype=np.int64)
    out = np.zeros((n_queries, width), dtype=np.float32)
    if n_queries == 0 or width == 0:
        return indices, out
    # every posting at least as good as its row's k-th best (more than k where the k-th is tied), ranked
    wanted = (best >= kth_best(best, width)) & ~np.isneginf(best)
    if positive_only:
        wanted &= best > 0
    rows, cols = np.nonzero(wanted)
    values = best[rows, cols]
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    place = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left")
    kept = place < width
    indices[rows[kept], place[kept]] = cols[kept]
    out[rows[kept], place[kept]] = values[kept] if largest else -values[kept]
    return indices, out
