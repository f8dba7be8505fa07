"""Choosing negative postings for each (query, posting) pair.

A posting has several queries (one row each). Negatives are drawn from the
anchor's own split only (no posting leaks across splits) and never from the
anchor's near-duplicate group (a repost is as good an answer as the positive,
so it must not be pushed away). Similarities are computed a chunk of queries
at a time against the split's distinct postings, so memory grows with
chunk_size x split postings, never with N x N.

Strategies:

* ``least_similar`` (the reference recipe): the posting least similar to the
  query, each posting used as a negative at most once while others remain;
* ``random``: a seeded random posting of another group;
* ``hard``: from the top ranks, skipping the first ``hard.skip_top`` and anything
  scoring above ``hard.max_score_ratio`` x the positive's score (those are likely
  just as relevant), ``hard.per_query`` negatives per anchor (one row each here;
  training gathers an anchor's rows into one n-tuple, see
  jobsearch.train.training_columns).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from jobsearch.errors import ConfigError, DataError
from jobsearch.models import ModelParams
from jobsearch.retrieval.topk import cosine, top_k

STRATEGIES = ("least_similar", "random", "hard")


SCORERS = ("model", "bm25")


@dataclass
class HardNegativesParams:
    """How the ``hard`` strategy picks (the ``negatives.hard`` section)."""

    per_query: int = 3  # negatives per anchor, trained as one n-tuple
    skip_top: int = 0  # top ranks never taken
    max_score_ratio: float = 0.95  # nothing scoring above this x the positive's score
    depth: int = 50  # ranks looked at
    scorer: str = "model"  # what ranks the candidates: the model section's encoder, or bm25 (postings sharing the query's words)

    def __post_init__(self) -> None:
        if self.per_query < 1 or self.depth < 1:
            raise ValueError("per_query and depth must be at least 1")
        if self.scorer not in SCORERS:
            raise ValueError(f"scorer must be one of {', '.join(SCORERS)}, got {self.scorer!r}")


@dataclass
class NegativesParams:
    strategy: str = "least_similar"
    seed: int = 42
    chunk_size: int = 1024  # queries scored at a time
    hard: HardNegativesParams = field(default_factory=HardNegativesParams)

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        if self.chunk_size < 1:
            raise ValueError("chunk_size must be positive")

    @property
    def needs_encoder(self) -> bool:
        """Whether the strategy compares embeddings."""
        return self.strategy == "least_similar" or (self.strategy == "hard" and self.hard.scorer == "model")


Encoder = Callable[[list[str]], np.ndarray]


def model_encoder(model: ModelParams) -> Encoder:
    """Texts -> normalised embeddings under the ``model`` section's encoder."""
    from jobsearch.embed import encode

    loaded = model.load()
    return lambda texts: encode(loaded, texts, batch_size=model.batch_size, progress=len(texts) > 1000, precision=model.precision)


def make_triplets(
    splits: dict[str, pd.DataFrame], params: NegativesParams, encoder: Callable[[], Encoder], mined: Collection[str] | None = None
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Each split's triplets, and their metrics, from its (query, posting) rows.

    ``splits`` maps a split name to the split stage's rows (``posting_id,
    query, text, group_id``, and ``style``, ``untitled``); negatives come from the same
    split. Splits outside ``mined`` (default: all) get random negatives, which cost
    nothing: the training split when training does not read its negatives.
    ``encoder`` is called once, only when a mined split's strategy compares embeddings.
    """
    mined = set(splits) if mined is None else set(mined)
    unread = replace(params, strategy="random")
    encode = encoder() if params.needs_encoder and mined & set(splits) else None
    triplets = {}
    for name, pairs in splits.items():
        try:
            triplets[name] = build_triplets(pairs, params if name in mined else unread, encode)
        except DataError as exc:
            raise DataError(f"split '{name}': {exc}") from None
    metrics = {
        "strategy": params.strategy,
        "mined": [name for name in splits if name in mined],
        "triplets": sum(len(t) for t in triplets.values()),
        "per_split": {name: len(t) for name, t in triplets.items()},
    }
    return triplets, metrics


def build_triplets(pairs: pd.DataFrame, params: NegativesParams, encode: Encoder | None = None) -> pd.DataFrame:
    """Triplets ``anchor, positive, negative`` (+ ids, group, style) from one split's (query, posting) rows.

    ``pairs`` has one row per query: ``posting_id``, ``query``, ``text``, and
    optionally ``group_id`` (near-duplicate group; default: each posting its
    own), ``style`` (carried through) and ``untitled`` (where set, the row's
    positive instead of ``text``: a title query's posting without its title).
    Negatives are the split's other postings, whole. ``encode`` maps texts to normalised embeddings; only the
    similarity-based strategies need it.
    """
    if params.needs_encoder and encode is None:
        raise ConfigError(f"negatives.strategy {params.strategy!r} needs an encoder")
    pairs = pairs.reset_index(drop=True)
    if "group_id" not in pairs.columns:
        pairs = pairs.assign(group_id=pairs["posting_id"])
    _check_one_group_per_posting(pairs)
    return _split_triplets(pairs, params, encode, np.random.default_rng(params.seed))


def _check_one_group_per_posting(pairs: pd.DataFrame) -> None:
    groups = pairs.groupby("posting_id")["group_id"].nunique()
    mixed = groups.index[groups > 1]
    if len(mixed):
        raise DataError(f"posting {mixed[0]!r} has rows with different group_id values")


def _split_triplets(rows: pd.DataFrame, params: NegativesParams, encode: Encoder | None, rng: np.random.Generator) -> pd.DataFrame:
    # documents are the split's distinct postings; ``positive`` is each query row's document
    positive, _ = pd.factorize(rows["posting_id"])
    docs = rows.drop_duplicates("posting_id")  # factorize numbers postings in this same order
    doc_group, group_names = pd.factorize(docs["group_id"])
    if len(group_names) < 2:
        raise DataError(
            f"{len(docs)} posting(s) with queries in {len(group_names)} near-duplicate group(s); "
            "a negative needs at least 2 groups (use more postings or change the split fractions)"
        )
    if params.strategy == "random":
        anchors, negatives = np.arange(len(rows)), random_negatives(positive, doc_group, rng)
    elif not params.needs_encoder:  # hard negatives that BM25 ranks high
        chunks = _bm25_chunks(rows["query"].astype(str).tolist(), docs["text"].astype(str).tolist(), params.chunk_size)
        anchors, negatives = _flatten(hard_negatives_from_scores(chunks, len(docs), positive, doc_group, params))
    else:
        query_emb = encode(rows["query"].tolist())
        doc_emb = encode(docs["text"].tolist())
        if params.strategy == "least_similar":
            anchors = np.arange(len(rows))
            negatives = least_similar_negatives(query_emb, doc_emb, positive, doc_group, params.chunk_size)
        else:
            anchors, negatives = _flatten(hard_negatives(query_emb, doc_emb, positive, doc_group, params))
    return _triplet_frame(rows, docs, anchors, negatives)


def _flatten(per_query: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(anchor row, negative document) index arrays from each query's negatives."""
    anchors = np.repeat(np.arange(len(per_query)), [len(js) for js in per_query])
    return anchors, np.fromiter((j for js in per_query for j in js), dtype=np.int64, count=len(anchors))


def _triplet_frame(rows: pd.DataFrame, docs: pd.DataFrame, anchors: np.ndarray, negatives: np.ndarray) -> pd.DataFrame:
    """One triplet per (query row index, negative document index)."""
    positive = rows["untitled"].fillna(rows["text"]) if "untitled" in rows else rows["text"]
    frame = pd.DataFrame(
        {
            "anchor": rows["query"].to_numpy()[anchors],
            "positive": positive.to_numpy()[anchors],
            "negative": docs["text"].to_numpy()[negatives],
            "posting_id": rows["posting_id"].to_numpy()[anchors],
            "negative_id": docs["posting_id"].to_numpy()[negatives],
            "group_id": rows["group_id"].to_numpy()[anchors],
        }
    )
    if "style" in rows.columns:
        frame["style"] = rows["style"].to_numpy()[anchors]
    return frame


class _GroupMembers:
    """Each document's near-duplicate group as a slice of the documents sorted by group.

    Excluding a positive's group then costs its size, not a comparison
    against every document.
    """

    def __init__(self, doc_group: np.ndarray) -> None:
        doc_group = np.asarray(doc_group)
        self.order = np.argsort(doc_group, kind="stable")
        by_group = doc_group[self.order]
        self.start = np.searchsorted(by_group, doc_group, side="left")
        self.end = np.searchsorted(by_group, doc_group, side="right")

    def cells(self, positive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, document) index arrays: for row r, every document in ``positive[r]``'s group."""
        start, sizes = self.start[positive], self.end[positive] - self.start[positive]
        rows = np.repeat(np.arange(len(positive)), sizes)
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return rows, self.order[np.repeat(start, sizes) + offsets]

    def largest(self, positive: np.ndarray) -> int:
        return int((self.end[positive] - self.start[positive]).max(initial=0))


def random_negatives(positive: np.ndarray, doc_group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each query (its positive document index) a random document of another group.

    Uniform over the allowed documents in one draw: draw a rank among the
    documents sorted by group, leaving out the positive's group's slice.
    """
    members = _GroupMembers(doc_group)
    start, end = members.start[positive], members.end[positive]
    ranks = rng.integers(0, len(doc_group) - (end - start))
    ranks = np.where(ranks >= start, ranks + (end - start), ranks)
    return members.order[ranks]


def _score_chunks(query_emb: np.ndarray, doc_emb: np.ndarray, chunk_size: int):
    for start in range(0, len(query_emb), chunk_size):
        yield start, cosine(query_emb[start:start + chunk_size], doc_emb)


def _bm25_chunks(queries: list[str], docs: list[str], chunk_size: int):
    from jobsearch.retrieval.bm25 import BM25Index

    index = BM25Index(docs)
    for start in range(0, len(queries), chunk_size):
        yield start, index.scores(queries[start:start + chunk_size])


def least_similar_negatives(
    query_emb: np.ndarray,
    doc_emb: np.ndarray,
    positive: np.ndarray,
    doc_group: np.ndarray,
    chunk_size: int = 1024,
    pool: int = 32,
) -> np.ndarray:
    """Index of the least similar allowed document for each query, spreading negatives.

    ``positive[i]`` is query i's own document; no document of its group
    (``doc_group``, at least two groups) is allowed. Each query takes the
    lowest-scoring allowed document that no earlier query has taken among its
    ``pool`` lowest; when all of those are taken, the lowest one is reused.
    """
    members = _GroupMembers(doc_group)
    pool = min(pool, len(doc_emb) - 1)
    used = np.zeros(len(doc_emb), dtype=bool)
    chosen = np.empty(len(query_emb), dtype=np.int64)
    for start, scores in _score_chunks(query_emb, doc_emb, chunk_size):
        scores[members.cells(positive[start:start + len(scores)])] = np.inf  # never the positive's group
        lowest, _ = top_k(scores, pool, largest=False)
        for r, candidates in enumerate(lowest):
            candidates = candidates[candidates >= 0]  # the pool may reach the group, which is not ranked
            free = candidates[~used[candidates]]
            pick = free[0] if len(free) else candidates[0]
            used[pick] = True
            chosen[start + r] = pick
    return chosen


def hard_negatives(
    query_emb: np.ndarray,
    doc_emb: np.ndarray,
    positive: np.ndarray,
    doc_group: np.ndarray,
    params: NegativesParams,
) -> list[list[int]]:
    """Up to ``per_query`` hard negatives per query (document index lists; at least one each).

    Candidates are the query's top ``depth`` allowed documents in rank order
    (never its positive ``positive[i]`` nor another of its group), without
    the first ``skip_top`` of them and any scoring above ``max_score_ratio`` x
    the positive's score. A query left with none falls back to the
    highest-ranked allowed document below that ceiling.
    """
    return hard_negatives_from_scores(_score_chunks(query_emb, doc_emb, params.chunk_size), len(doc_emb), positive, doc_group, params)


def hard_negatives_from_scores(chunks, n_docs: int, positive: np.ndarray, doc_group: np.ndarray, params: NegativesParams) -> list[list[int]]:
    """:func:`hard_negatives` from ``(first query, scores)`` chunks of any scorer (cosine, BM25)."""
    members, hard = _GroupMembers(doc_group), params.hard
    result: list[list[int]] = []
    for start, scores in chunks:
        rows = np.arange(len(scores))
        chunk_positive = positive[start:start + len(scores)]
        positive_scores = scores[rows, chunk_positive].copy()
        scores[members.cells(chunk_positive)] = -np.inf  # never the positive's group
        # enough ranks that skip_top + depth allowed ones remain after dropping the group
        k = min(hard.skip_top + hard.depth + members.largest(chunk_positive), n_docs)
        top, _ = top_k(scores, k)
        for r in rows:
            ceiling = hard.max_score_ratio * positive_scores[r]
            allowed = top[r][top[r] >= 0]  # the group is not ranked
            ranked = allowed[hard.skip_top:hard.skip_top + hard.depth]
            ok = ranked[scores[r, ranked] <= ceiling][: hard.per_query].tolist()
            if not ok:
                others = np.isfinite(scores[r])
                below = np.where(others & (scores[r] <= ceiling))[0]
                if len(below):
                    ok = [int(below[np.argmax(scores[r, below])])]
                else:  # every allowed posting scores like the positive: take the least similar
                    ok = [int(np.where(others)[0][np.argmin(scores[r, others])])]
            result.append(ok)
    return result
