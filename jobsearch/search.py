"""Searching postings over a saved index: the fine-tuned model, BM25, or both fused.

A query is ranked by :func:`jobsearch.retrieval.rankers.rank`, as evaluation ranks, so
search serves what evaluation measured; each hit shows the query terms it holds
(typo-corrected where the ranker's BM25 reads them so) and a snippet around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobsearch.errors import JobsearchError
from jobsearch.index import SearchIndex
from jobsearch.models import ModelParams
from jobsearch.retrieval.rankers import QueryScores, RankerParams, rank
from jobsearch.retrieval.text import matched_terms, snippet

MAX_K = 100  # the most hits a search returns


@dataclass
class SearchHit:
    rank: int
    score: float
    posting_id: str
    title: str
    company: str
    location: str
    snippet: str
    matched: list[str]


class Searcher:
    """An index and the model that encodes queries for it, loaded once, searched many times."""

    def __init__(self, index: SearchIndex, encoder: Any = None, model: ModelParams | None = None) -> None:
        self.index = index
        self._encoder = encoder
        self.model_params = model or ModelParams()

    @property
    def encoder(self):
        # loaded on first use: BM25 search needs no model
        if self._encoder is None:
            self._encoder = self.model_params.load(self.index.model)
        return self._encoder

    def search(self, query: str, top_k: int = 5, ranker: RankerParams | None = None) -> list[SearchHit]:
        """The ``top_k`` best postings for ``query`` under ``ranker`` (default: the index's served one)."""
        from jobsearch.embed import encode

        if not query.strip():
            raise JobsearchError("the query is empty")
        if top_k < 1:
            raise JobsearchError(f"top_k must be at least 1, got {top_k}")
        ranker = ranker or self.index.served
        postings = self.index.postings
        embed = lambda depth: self.index.dense.scores(encode(self.encoder, [query], precision=self.model_params.precision), depth)  # noqa: E731
        scores = QueryScores([query], self.index.bm25, embed)
        indices, ranked = rank(ranker, scores, min(top_k, len(postings)))
        words = scores.words(ranker)[0]
        hits = []
        for position, (i, score) in enumerate(zip(indices[0], ranked[0]), start=1):
            if i < 0:
                continue
            row = postings.iloc[int(i)]
            matched = matched_terms(words, str(row["text"]))
            hits.append(
                SearchHit(
                    rank=position,
                    score=float(score),
                    posting_id=str(row["posting_id"]),
                    title=_field(row["title"]),
                    company=_field(row["company"]),
                    location=_field(row["location"]),
                    snippet=snippet(str(row["description"]), matched),
                    matched=matched,
                )
            )
        return hits


def _field(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
