"""Searching postings with a fine-tuned model (and BM25 / hybrid ranking).

Posting embeddings are computed once per (model, corpus) and kept in a cache
file, so each query costs one query encoding and a dot product.
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

MODES = ("dense", "bm25", "hybrid")
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

    def search(self, query: str, top_k: int = 5, mode: str = "dense", hybrid=None) -> list[SearchHit]:
        if mode not in MODES:
            raise JobsearchError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not query.strip():
            raise JobsearchError("the query is empty")
        top_k = max(1, min(top_k, len(self.postings)))
        indices, scores = self._rank(query, top_k, mode, hybrid)
        from jobsearch.retrieval import matched_terms

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

    def _rank(self, query: str, top_k: int, mode: str, hybrid=None) -> tuple[np.ndarray, np.ndarray]:
        from jobsearch.retrieval import HybridParams, dense_top_k, hybrid_top_k

        if mode == "bm25":
            idx, scores = self.bm25.top_k([query], top_k)
            return idx[0], scores[0]
        query_emb = encode(self.model, [query])
        if mode == "dense":
            idx, scores = dense_top_k(query_emb, self.embeddings, top_k)
        else:
            idx, scores = hybrid_top_k(query_emb, self.embeddings, self.bm25, [query], top_k, hybrid or HybridParams())
        return idx[0], scores[0]


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
