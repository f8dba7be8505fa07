"""The search index: a corpus's postings, their embeddings under one model, their BM25 index
and the ranker to serve, saved in one folder.

The ``index`` stage builds it for the cleaned corpus after ``evaluate`` (which chose the
ranker); ``jobsearch search`` and ``jobsearch serve`` load it, memory-mapping the arrays, so
a query costs one query encoding: no hashing, re-encoding or BM25 rebuild. Above
``approximate_above`` postings, dense search goes through an HNSW graph (usearch) instead
of an exact dot product with every posting; the build measures its recall@10 against exact
search and records it.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobsearch.config import from_dict
from jobsearch.errors import DataError
from jobsearch.io import atomic_path, read_json, read_parquet, require_columns
from jobsearch.retrieval import BM25Index, HybridParams, RankerParams, top_k

CORPUS_COLUMNS = ["posting_id", "title", "company", "location", "description", "text"]
RECALL_CUTOFF = 10

# the index folder's files
MANIFEST = "index.json"
POSTINGS = "postings.parquet"
EMBEDDINGS = "embeddings.npy"
VECTORS = "vectors.usearch"
BM25_DIR = "bm25"


@dataclass
class IndexParams:
    """How the dense index is built (the ``index`` section)."""

    approximate_above: int = 20000  # more postings than this: approximate dense search (usearch HNSW)
    # 32/200/500: recall@10 0.99 against exact search at 50,000 postings (16/128/200: 0.96; benchmarks/RESULTS.md)
    connectivity: int = 32  # HNSW edges per node: more is better recall, a larger index
    expansion_add: int = 200  # candidates kept while building the graph
    expansion_search: int = 500  # candidates kept while searching it: more is better recall, slower
    recall_queries: int = 500  # postings' titles searched to measure recall@10 against exact search
    seed: int = 42

    def __post_init__(self) -> None:
        if self.approximate_above < 0:
            raise ValueError(f"approximate_above must be at least 0 (0: always approximate), got {self.approximate_above}")
        for name in ("connectivity", "expansion_add", "expansion_search", "recall_queries"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


class DenseIndex:
    """Cosine search over normalised posting embeddings: exact, or approximate with an HNSW graph."""

    def __init__(self, embeddings: np.ndarray, graph: Any = None) -> None:
        self.embeddings = embeddings
        self.graph = graph  # a usearch Index, or None for exact search

    @classmethod
    def build(cls, embeddings: np.ndarray, params: IndexParams) -> "DenseIndex":
        if len(embeddings) <= params.approximate_above:
            return cls(embeddings)
        from usearch.index import Index

        graph = Index(
            ndim=embeddings.shape[1], metric="ip", dtype="f32", connectivity=params.connectivity,
            expansion_add=params.expansion_add, expansion_search=params.expansion_search,
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
            return self._exact_scores(query_emb)
        found = self.graph.search(np.asarray(query_emb, dtype=np.float32), min(depth, len(self.embeddings)))
        keys, distances = np.atleast_2d(found.keys), np.atleast_2d(found.distances)
        similarities = 1.0 - distances  # usearch's "ip" distance is 1 - dot product
        out = np.empty((len(keys), len(self.embeddings)), dtype=np.float32)
        for row, (k, s) in enumerate(zip(keys, similarities)):
            valid = k < len(self.embeddings)
            out[row] = s[valid].min(initial=0.0) - 1e-6
            out[row, k[valid].astype(np.int64)] = s[valid]
        return out

    def _exact_scores(self, query_emb: np.ndarray) -> np.ndarray:
        # both sides are L2-normalised: the dot product is the cosine
        return np.asarray(query_emb, dtype=np.float32) @ np.asarray(self.embeddings).T

    def recall(self, query_emb: np.ndarray, k: int = RECALL_CUTOFF) -> float:
        """Share of the exact top ``k`` that this index's top ``k`` finds, over ``query_emb``'s rows.

        A found posting counts when it scores at least the exact k-th score: reposts
        embed identically, and which of several equal postings fills the last
        places is no miss.
        """
        exact = self._exact_scores(query_emb)
        _, exact_top = top_k(exact, k)
        found, _ = top_k(self.scores(query_emb, k), k)
        kth = exact_top[:, -1:]
        hits = np.take_along_axis(exact, np.maximum(found, 0), axis=1) >= kth - 1e-6
        return float(np.mean((hits & (found >= 0)).sum(axis=1) / exact_top.shape[1]))


@dataclass
class SearchIndex:
    """What a search needs besides the model: postings, dense and BM25 indexes, the ranker to serve."""

    postings: pd.DataFrame  # CORPUS_COLUMNS
    dense: DenseIndex
    bm25: BM25Index
    served: RankerParams = field(default_factory=RankerParams)
    model: str = ""  # the model the embeddings come from (a folder, pkg: or Hub name)
    metrics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds building it took: not saved in the folder

    def save(self, directory: str | Path) -> None:
        """Write the index folder atomically: a reader never sees half an index."""
        with atomic_path(directory, is_dir=True) as staged:
            self.postings.to_parquet(staged / POSTINGS, index=False)
            np.save(staged / EMBEDDINGS, np.asarray(self.dense.embeddings, dtype=np.float32))
            if self.dense.graph is not None:
                self.dense.graph.save(str(staged / VECTORS))
            (staged / BM25_DIR).mkdir()
            self.bm25.save(staged / BM25_DIR)
            # no wall-clock timings (they stay in the metrics): the same inputs give the same bytes
            measured = {key: value for key, value in self.metrics.items() if not key.endswith("_seconds")}
            manifest = {"model": self.model, "served": asdict(self.served), **measured}
            (staged / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")

    @classmethod
    def load(cls, directory: str | Path) -> "SearchIndex":
        """The index :meth:`save` wrote; embeddings, graph and BM25 arrays are memory-mapped."""
        directory = Path(directory)
        try:
            manifest = json.loads((directory / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise DataError(f"{directory}: not a search index ({exc}; build it with `dvc repro`)") from None
        graph = None
        if (directory / VECTORS).exists():
            from usearch.index import Index

            graph = Index.restore(str(directory / VECTORS), view=True)
        return cls(
            postings=read_parquet(directory / POSTINGS, CORPUS_COLUMNS),
            dense=DenseIndex(np.load(directory / EMBEDDINGS, mmap_mode="r"), graph),
            bm25=BM25Index.load(directory / BM25_DIR),
            served=from_dict(RankerParams, manifest["served"], prefix=f"{directory / MANIFEST}: served"),
            model=manifest["model"],
            metrics={k: v for k, v in manifest.items() if k not in ("model", "served")},
        )


def build_index(
    postings: pd.DataFrame, model: Any, model_name: str, served: RankerParams, params: IndexParams, *, batch_size: int = 64, precision: str = "auto"
) -> SearchIndex:
    """Encode ``postings`` (CORPUS_COLUMNS) with ``model`` and index them for search.

    The metrics (kept in the manifest) say how the dense index searches and,
    when approximate, its recall@10 against exact search on a sample of
    postings' titles as queries; the timings (seconds encoding and indexing)
    are kept apart, so a rebuild of the same postings saves the same folder.
    """
    from jobsearch.embed import encode
    from jobsearch.precision import resolve_precision

    require_columns(postings.columns, CORPUS_COLUMNS, "postings")
    if postings.empty:
        raise DataError("no postings to index")
    postings = postings[CORPUS_COLUMNS].reset_index(drop=True).astype({"posting_id": str})
    started = time.perf_counter()
    embeddings = encode(model, postings["text"].tolist(), batch_size=batch_size, progress=len(postings) > 1000, precision=precision)
    encoded = time.perf_counter()
    dense = DenseIndex.build(embeddings, params)
    bm25 = BM25Index(postings["text"].tolist())
    metrics: dict[str, Any] = {
        "postings": len(postings),
        "dimensions": int(embeddings.shape[1]),
        "dense_search": "approximate" if dense.approximate else "exact",
        "precision": resolve_precision(precision, str(getattr(model, "device", "cpu")).split(":")[0]),
    }
    timings = {"encode_seconds": round(encoded - started, 2), "index_seconds": round(time.perf_counter() - encoded, 2)}
    if dense.approximate:
        sample = postings["title"].sample(min(params.recall_queries, len(postings)), random_state=params.seed)
        metrics[f"recall@{RECALL_CUTOFF}"] = dense.recall(encode(model, sample.astype(str).tolist(), batch_size=batch_size, precision=precision))
    return SearchIndex(postings, dense, bm25, served, model_name, metrics, timings)


def read_served(path: str | Path) -> RankerParams:
    """The ranker evaluate chose (its record at ``paths.served``), with the fusion it tuned.

    The fusion and the relevance floor ride along whatever the mode, so ``--mode hybrid``
    fuses with the tuned weights even when evaluate chose dense or BM25.
    """
    record = read_json(path)
    if not isinstance(record, dict) or not isinstance(record.get("served"), dict) or not isinstance(record.get("hybrid"), dict):
        raise DataError(f"{path}: expected the evaluate stage's record with 'served' and 'hybrid' (rerun `dvc repro`)")
    served = from_dict(RankerParams, record["served"], prefix=f"{path}: served")
    return replace(served, hybrid=from_dict(HybridParams, record["hybrid"], prefix=f"{path}: hybrid"))
