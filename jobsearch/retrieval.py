"""Ranking postings for queries: dense, BM25, their fusion, and ranking metrics.

Conventions shared by every function here:

* a ranking is an integer array of shape ``(n_queries, depth)`` holding posting
  indices best first; ``-1`` pads a row that has fewer results than columns;
* scores come in a float32 array of the same shape (higher is better);
* ties are broken by the lower posting index, so results are reproducible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import torch
from bm25s.stopwords import STOPWORDS_EN

from jobsearch.errors import DataError

PAD = -1
TYPO_MIN_LENGTH = 5  # shorter query terms are never corrected as typos
TYPO_TWO_EDITS_LENGTH = 9  # from this length a term may be two edits from its correction
TYPO_RARITY = 20  # a term some postings contain is still a typo of a word in this many times as many postings

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
    # one pass over the text's tokens: each token and, for prefix matches, each of its prefixes of
    # at least prefix_min_len characters go into sets, so a query term costs its own length to look up
    text_tokens = set(tokenize(text))
    prefixes = {t[:n] for t in text_tokens if prefix_min_len for n in range(prefix_min_len, len(t))}

    def found(term: str) -> bool:
        if term in text_tokens:
            return True
        if not prefix_min_len or len(term) < prefix_min_len:
            return False
        # a text token starting with the term, or a text token the term starts with
        return term in prefixes or any(term[:n] in text_tokens for n in range(prefix_min_len, len(term)))

    matched: dict[str, None] = {}  # in query order, each term once
    for group in _token_groups(query):
        hits = [group[0]] if found(group[0]) else [t for t in group[1:] if found(t)]
        matched.update(dict.fromkeys(hits))
    return list(matched)


# ---------------------------------------------------------------------------
# Scores and top-k
# ---------------------------------------------------------------------------


def top_k(scores: np.ndarray, k: int, positive_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` best postings of a ``(n_queries, n_docs)`` score matrix, best first.

    Returns ``(indices, scores)`` of shape ``(n_queries, min(k, n_docs))``;
    with ``positive_only`` a posting scoring 0 or less is not ranked (its
    place is padding), as for BM25, where 0 means no query term matched.
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.ndim != 2:
        raise DataError(f"scores: expected a 2-D array (queries x postings), got shape {scores.shape}")
    if k < 1:
        raise ValueError(f"k must be >= 1 (got {k})")
    n_queries, n_docs = scores.shape
    width = min(k, n_docs)
    out_indices = np.full((n_queries, width), PAD, dtype=np.int64)
    out_scores = np.zeros((n_queries, width), dtype=np.float32)
    if n_queries == 0 or width == 0:
        return out_indices, out_scores
    chosen = np.argpartition(-scores, width - 1, axis=1)[:, :width] if width < n_docs else np.tile(np.arange(n_docs), (n_queries, 1))
    chosen_scores = np.take_along_axis(scores, chosen, axis=1)
    # best first; equal scores by the lower posting index, so results are reproducible
    order = np.lexsort((chosen, -chosen_scores), axis=1)
    out_indices[:] = np.take_along_axis(chosen, order, axis=1)
    out_scores[:] = np.take_along_axis(chosen_scores, order, axis=1)
    # -inf: not ranked at all (below a relevance floor, outside fusion's lists); with positive_only, 0 or less
    gone = (out_scores <= 0) if positive_only else np.isneginf(out_scores)
    out_indices[gone] = PAD
    out_scores[gone] = 0
    return out_indices, out_scores


def dense_scores(query_emb: np.ndarray, doc_emb: np.ndarray) -> np.ndarray:
    """Cosine similarity of every query to every posting, ``(n_queries, n_docs)``."""
    queries = _as_float_tensor(query_emb, "query embeddings")
    docs = _as_float_tensor(doc_emb, "posting embeddings")
    if queries.shape[1] != docs.shape[1]:
        raise DataError(
            f"query embeddings have {queries.shape[1]} dimensions but posting embeddings {docs.shape[1]}"
        )
    with torch.inference_mode():
        sims = torch.nn.functional.normalize(queries, dim=1) @ torch.nn.functional.normalize(docs, dim=1).T
    return sims.numpy()


def _as_float_tensor(array: np.ndarray | torch.Tensor, name: str) -> torch.Tensor:
    tensor = torch.as_tensor(array)
    if tensor.ndim != 2:
        raise DataError(f"{name}: expected a 2-D array of embeddings, got shape {tuple(tensor.shape)}")
    return tensor.float()


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
        self._typo_terms: tuple[list[str], np.ndarray, dict[str, int]] | None = None

    _VOCAB_FILE = "jobsearch_vocab.json"  # our token ids, beside bm25s's own files

    def save(self, directory: str | Path) -> None:
        """Write the index to ``directory`` (bm25s's arrays, which :meth:`load` memory-maps)."""
        directory = Path(directory)
        self._bm25.save(str(directory), show_progress=False)
        record = {"n_docs": self.n_docs, "params": asdict(self.params), "vocab": self._vocab}
        (directory / self._VOCAB_FILE).write_text(json.dumps(record))

    @classmethod
    def load(cls, directory: str | Path) -> "BM25Index":
        """The index :meth:`save` wrote, its arrays memory-mapped rather than rebuilt."""
        directory = Path(directory)
        try:
            record = json.loads((directory / cls._VOCAB_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise DataError(f"{directory}: not a saved BM25 index ({exc})") from None
        index = cls.__new__(cls)
        index.params, index.n_docs, index._vocab = BM25Params(**record["params"]), int(record["n_docs"]), record["vocab"]
        index._bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False, load_vocab=False)
        index._typo_terms = None
        return index

    def scores(self, query: str, fuzzy: bool = False) -> np.ndarray:
        """BM25 score of every posting for ``query`` (0 where no term matches).

        ``fuzzy``: the query as :meth:`correct` reads it, so "pyhton" scores
        like "python".
        """
        if fuzzy:
            query = self.correct(query)
        ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def score_matrix(self, queries: Sequence[str], fuzzy: bool = False) -> np.ndarray:
        """``scores`` of each query, ``(n_queries, n_docs)``."""
        out = np.zeros((len(queries), self.n_docs), dtype=np.float32)
        for row, query in enumerate(queries):
            out[row] = self.scores(query, fuzzy)
        return out

    def top_k(self, queries: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` postings per query, shape ``(n_queries, min(k, n_docs))``.

        Only postings sharing a term with the query are ranked; the rest of a
        row is padded with index -1 and score 0.
        """
        return top_k(self.score_matrix(queries), k, positive_only=True)

    def corrections(self, terms: Sequence[str]) -> dict[str, str]:
        """Each of ``terms`` that looks mistyped, mapped to the indexed term it most likely stands for.

        Only terms of at least ``TYPO_MIN_LENGTH`` letters are looked at (short
        ones are acronyms and skills: "sql" is not a typo of "sas"). The
        candidates are indexed terms within one edit (two from
        ``TYPO_TWO_EDITS_LENGTH`` letters), an edit being an inserted, deleted,
        replaced or swapped letter, that are in at least ``TYPO_RARITY`` times
        as many postings as the term: postings have typos too ("scientis" is in
        one of the real postings, "scientist" in 1,322), so a term no posting
        contains takes any candidate and a common word is never corrected.
        Among the candidates, the closest, then the one most postings contain.
        """
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        suspects = {t for t in terms if len(t) >= TYPO_MIN_LENGTH and t.isalpha()}
        if not suspects:
            return {}
        vocabulary, frequency, postings_with = self._typo_vocabulary()
        fixed: dict[str, str] = {}
        for term in suspects:
            # the vocabulary is sorted by frequency: the candidates are a prefix of it
            enough = np.searchsorted(-frequency, -max(1, TYPO_RARITY * postings_with.get(term, 0)), side="right")
            max_edits = 2 if len(term) >= TYPO_TWO_EDITS_LENGTH else 1
            found = process.extract(term, vocabulary[:enough], scorer=OSA.distance, score_cutoff=max_edits, limit=None)
            if found:
                best = min(found, key=lambda match: (match[1], -frequency[match[2]], match[0]))
                fixed[term] = best[0]
        return fixed

    def correct(self, query: str) -> str:
        """``query`` as a fuzzy search reads it: a mistyped word is replaced by its correction,
        or followed by it where some postings contain the word as typed."""
        fixed = self.corrections(tokenize(query))
        if not fixed:
            return query

        def read(word: re.Match) -> str:
            typed = word.group()
            fix = fixed.get(typed.lower())
            if fix is None:
                return typed
            return f"{typed} {fix}" if typed.lower() in self._vocab else fix

        return _RAW_TOKEN.sub(read, query)

    def _typo_vocabulary(self) -> tuple[list[str], np.ndarray, dict[str, int]]:
        """The indexed terms a typo can be corrected to, commonest first, with how many postings
        contain each, and that count by term."""
        if self._typo_terms is None:
            # bm25s keeps each term's postings as one column of a sparse matrix: its length is the term's frequency
            per_term = np.diff(np.asarray(self._bm25.scores["indptr"]))
            counts = {t: int(per_term[i]) for t, i in self._vocab.items() if len(t) >= TYPO_MIN_LENGTH - 1 and t.isalpha()}
            terms = sorted(counts, key=lambda t: (-counts[t], t))
            self._typo_terms = (terms, np.array([counts[t] for t in terms], dtype=np.int64), counts)
        return self._typo_terms


# ---------------------------------------------------------------------------
# Fusion and the served ranker
# ---------------------------------------------------------------------------

FUSIONS = ("convex", "rrf")
MODES = ("dense", "bm25", "hybrid")


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
    depth: int = 100  # how deep each ranker's list is before fusion

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
    """A ranker search can serve: dense, BM25, or their fusion (``hybrid``)."""

    mode: str = "hybrid"
    hybrid: HybridParams = field(default_factory=HybridParams)
    fuzzy: bool = False  # BM25 also reads a mistyped query term as its likely correction (BM25Index.corrections)
    # the least cosine a posting needs to be found by the model alone (no query term in it); None: no floor.
    # evaluate chooses it on validation (jobsearch/floor.py): a query that matches nothing finds nothing
    floor: float | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.floor is not None and not -1 <= self.floor <= 1:
            raise ValueError(f"floor must be a cosine between -1 and 1 (or null), got {self.floor}")

    @property
    def label(self) -> str:
        typos = ", typo-tolerant" if self.fuzzy and self.mode != "dense" else ""
        if self.mode != "hybrid":
            return f"{self.mode}{typos}"
        h = self.hybrid
        extra = f", rrf_k {h.rrf_k}" if h.fusion == "rrf" else ""
        return f"hybrid ({h.fusion}, dense {h.dense_weight:g} / bm25 {h.bm25_weight:g}{extra}{typos})"


def _depth_cut(scores: np.ndarray, depth: int) -> np.ndarray:
    """Each row's ``depth``-th best score, shape ``(n_queries, 1)``."""
    depth = min(depth, scores.shape[1])
    return -np.partition(-scores, depth - 1, axis=1)[:, depth - 1 : depth]


def normalise_scores(scores: np.ndarray, depth: int) -> np.ndarray:
    """Per row, ``(s - cut) / (best - cut)`` clipped to [0, 1], ``cut`` the ``depth``-th best score.

    A row whose best equals its cut (nothing stands out, e.g. BM25 with no
    matching term) normalises to zeros.
    """
    scores = np.asarray(scores, dtype=np.float32)
    if scores.shape[1] == 0:
        return scores
    best = scores.max(axis=1, keepdims=True)
    cut = np.minimum(_depth_cut(scores, depth), best)
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


def rank(
    ranker: RankerParams,
    k: int,
    dense: np.ndarray | None = None,
    bm25: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` postings of ``ranker`` from the score matrices it needs.

    Search and evaluation both rank through here, so what evaluation measures
    is what search serves.
    """
    if ranker.mode in ("dense", "hybrid") and dense is None:
        raise ValueError(f"mode {ranker.mode} needs dense scores")
    if ranker.mode in ("bm25", "hybrid") and bm25 is None:
        raise ValueError(f"mode {ranker.mode} needs BM25 scores")
    if ranker.mode == "bm25":  # BM25's floor: a posting holds a query term
        return top_k(bm25, k, positive_only=True)
    close = None if ranker.floor is None else dense >= ranker.floor
    if ranker.mode == "dense":
        return top_k(dense if close is None else np.where(close, dense, -np.inf), k)
    # fusion ranks the postings on either ranker's list (the top depth; BM25's hold a query term)
    depth, matched = ranker.hybrid.depth, bm25 > 0
    listed = (dense >= _depth_cut(dense, depth)) | (matched & (bm25 >= _depth_cut(bm25, depth)))
    if close is not None:
        listed &= close | matched
    return top_k(np.where(listed, fuse_scores(dense, bm25, ranker.hybrid), -np.inf), k)


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
    "FUSIONS",
    "MODES",
    "PAD",
    "STOPWORDS",
    "BM25Index",
    "BM25Params",
    "HybridParams",
    "RankerParams",
    "dense_scores",
    "fuse_scores",
    "matched_terms",
    "normalise_scores",
    "rank",
    "reciprocal_rank_scores",
    "retrieval_metrics",
    "tokenize",
    "top_k",
]
