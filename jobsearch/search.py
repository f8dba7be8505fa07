"""Searching postings with a fine-tuned model, BM25, or both fused.

Ranking goes through :func:`jobsearch.retrieval.rank`, as in evaluation, so
search serves what evaluation measured. Posting embeddings are computed once
per (model, corpus) and kept in a cache file, so each query costs one query
encoding and a dot product.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jobsearch.embed import encode
from jobsearch.errors import JobsearchError
from jobsearch.io import read_parquet
from jobsearch.models import load_model, resolve_model
from jobsearch.retrieval import RankerParams

CORPUS_COLUMNS = ["posting_id", "title", "company", "location", "description", "text"]


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


def fingerprint_path(path: str | Path) -> str:
    """Content hash of a file or of every file in a folder."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


class SearchIndex:
    """Postings plus their embeddings under one model."""

    def __init__(self, corpus_path: str | Path, model_name: str, cache_dir: str | Path = ".cache/search", batch_size: int = 64):
        self.corpus_path = Path(corpus_path)
        if not self.corpus_path.exists():
            raise JobsearchError(f"{corpus_path}: no postings to search (run `dvc repro` first, or pass --corpus)")
        self.postings = read_parquet(self.corpus_path, CORPUS_COLUMNS)
        self.model_name = model_name
        self._model = None
        self.cache_dir = Path(cache_dir)
        self.batch_size = batch_size
        self._embeddings: np.ndarray | None = None
        self._bm25 = None

    @property
    def model(self):
        # loaded on first use: BM25 search needs no model
        if self._model is None:
            self._model = load_model(self.model_name)
        return self._model

    @property
    def embeddings(self) -> np.ndarray:
        if self._embeddings is None:
            self._embeddings = self._load_or_encode()
        return self._embeddings

    def _load_or_encode(self) -> np.ndarray:
        key = hashlib.sha256(
            "|".join(
                [fingerprint_path(resolve_model(self.model_name)), fingerprint_path(self.corpus_path), str(self.model.max_seq_length)]
            ).encode()
        ).hexdigest()[:24]
        cache = self.cache_dir / f"{key}.npy"
        if cache.exists():
            emb = np.load(cache)
            if emb.shape[0] == len(self.postings):
                return emb
        emb = encode(self.model, self.postings["text"].tolist(), batch_size=self.batch_size, progress=len(self.postings) > 500)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npy")
        np.save(tmp, emb)
        tmp.replace(cache)
        return emb

    @property
    def bm25(self):
        if self._bm25 is None:
            from jobsearch.retrieval import BM25Index

            self._bm25 = BM25Index(self.postings["text"].tolist())
        return self._bm25

    def search(self, query: str, top_k: int = 5, ranker: RankerParams | None = None) -> list[SearchHit]:
        """The ``top_k`` best postings for ``query`` under ``ranker`` (default: hybrid)."""
        from jobsearch.retrieval import matched_terms

        if not query.strip():
            raise JobsearchError("the query is empty")
        top_k = max(1, min(top_k, len(self.postings)))
        indices, scores = self._rank(query, top_k, ranker or RankerParams())
        hits = []
        for rank, (i, score) in enumerate(zip(indices, scores), start=1):
            if i < 0:
                continue
            row = self.postings.iloc[int(i)]
            hits.append(
                SearchHit(
                    rank=rank,
                    score=float(score),
                    posting_id=str(row["posting_id"]),
                    title=str(row["title"]),
                    company=str(row["company"]),
                    location=str(row["location"]),
                    snippet=_snippet(str(row["description"])),
                    matched=matched_terms(query, str(row["text"])),
                )
            )
        return hits

    def _rank(self, query: str, top_k: int, ranker: RankerParams) -> tuple[np.ndarray, np.ndarray]:
        from jobsearch.retrieval import dense_scores, rank

        dense = dense_scores(encode(self.model, [query]), self.embeddings) if ranker.mode != "bm25" else None
        bm25 = self.bm25.score_matrix([query]) if ranker.mode != "dense" else None
        indices, scores = rank(ranker, top_k, dense, bm25)
        return indices[0], scores[0]


def _snippet(text: str, width: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + "…"


def format_hits(hits: list[SearchHit]) -> str:
    lines = []
    for hit in hits:
        where = ", ".join(p for p in (hit.company, hit.location) if p and p != "nan")
        lines.append(f"{hit.rank:>2}. [{hit.score:.3f}] {hit.title}" + (f" — {where}" if where else ""))
        if hit.matched:
            lines.append(f"    matched: {', '.join(hit.matched)}")
        lines.append(f"    {hit.snippet}")
    return "\n".join(lines)
