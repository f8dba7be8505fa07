"""The search index: a corpus's postings, their embeddings under one model, their BM25 index
and the ranker to serve, saved in one folder.

The ``index`` stage builds it for the cleaned corpus after ``evaluate`` (which chose the
ranker), and ``jobsearch search --corpus`` for a corpus of your own (cached under a key
that changes with the corpus, the model and the params), both through :func:`build_index`
from the ``index`` and ``model`` sections. ``jobsearch search`` and ``jobsearch serve``
load it, memory-mapping the arrays, so a query costs one query encoding. Above
``approximate_above`` postings, dense search goes through an HNSW graph (usearch); the
build measures its recall@10 against exact search and records it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jobsearch.errors import DataError
from jobsearch.io import atomic_path, read_json, read_parquet, require_columns
from jobsearch.models import ModelParams, resolve_model
from jobsearch.retrieval.bm25 import BM25Index
from jobsearch.retrieval.dense import RECALL_CUTOFF, DenseIndex
from jobsearch.retrieval.rankers import RankerParams

CORPUS_COLUMNS = ["posting_id", "title", "company", "location", "description", "text"]

# the index folder's files
MANIFEST = "index.json"
POSTINGS = "postings.parquet"
EMBEDDINGS = "embeddings.npy"  # each posting's first passage, then the later passages (jobsearch/retrieval/passages.py)
OWNERS = "passage_postings.npy"  # the posting each row of EMBEDDINGS belongs to
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
            np.save(staged / OWNERS, self.dense.owner.astype(np.int32))
            if self.dense.graph is not None:
                self.dense.graph.save(str(staged / VECTORS))
            (staged / BM25_DIR).mkdir()
            self.bm25.save(staged / BM25_DIR)
            manifest = {"model": self.model, "served": self.served.to_record(), **self.metrics}
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
        owner = np.load(directory / OWNERS) if (directory / OWNERS).exists() else None  # none: a passage each (an index before passages)
        if (directory / VECTORS).exists():
            from usearch.index import Index

            graph = Index.restore(str(directory / VECTORS), view=True)
        return cls(
            postings=read_parquet(directory / POSTINGS, CORPUS_COLUMNS),
            dense=DenseIndex(np.load(directory / EMBEDDINGS, mmap_mode="r"), owner, graph),
            bm25=BM25Index.load(directory / BM25_DIR),
            served=RankerParams.from_record(manifest.get("served"), f"{directory / MANIFEST}: served"),
            model=manifest["model"],
            metrics={k: v for k, v in manifest.items() if k not in ("model", "served")},
        )


def build_index(
    postings: pd.DataFrame, model_path: str, served: RankerParams, params: IndexParams, model: ModelParams, *, encoder: Any = None
) -> SearchIndex:
    """Encode ``postings`` (CORPUS_COLUMNS) with the model at ``model_path`` and index them for search.

    The model reads and encodes as the ``model`` section says (token limit,
    passages, batch, precision); ``encoder``: that model already loaded. The metrics (kept
    in the manifest) say how the dense index searches and, when approximate, its
    recall@10 against exact search on a sample of postings' titles as queries;
    the timings (seconds encoding and indexing) are kept apart, so a rebuild of
    the same postings saves the same folder.
    """
    from jobsearch.embed import encode
    from jobsearch.precision import resolve_precision

    require_columns(postings.columns, CORPUS_COLUMNS, "postings")
    if postings.empty:
        raise DataError("no postings to index")
    encoder = encoder if encoder is not None else model.load(model_path)
    embed = lambda texts: encode(encoder, texts, batch_size=model.batch_size, progress=len(texts) > 1000, precision=model.precision)  # noqa: E731
    postings = postings[CORPUS_COLUMNS].reset_index(drop=True).astype({"posting_id": str})
    started = time.perf_counter()
    embeddings = DenseIndex.encoded(embed, postings["text"].tolist(), model.passages.words, model.passages.stride, postings["title"].astype(str).tolist())
    encoded = time.perf_counter()
    dense = dense_index(embeddings, params)
    bm25 = BM25Index(postings["text"].tolist())
    metrics: dict[str, Any] = {
        "postings": len(postings),
        "passages": len(dense.embeddings),
        "dimensions": int(dense.embeddings.shape[1]),
        "dense_search": "approximate" if dense.approximate else "exact",
        "precision": resolve_precision(model.precision, str(getattr(encoder, "device", "cpu")).split(":")[0]),
    }
    timings = {"encode_seconds": round(encoded - started, 2), "index_seconds": round(time.perf_counter() - encoded, 2)}
    if dense.approximate:
        sample = postings["title"].sample(min(params.recall_queries, len(postings)), random_state=params.seed)
        metrics[f"recall@{RECALL_CUTOFF}"] = dense.recall(embed(sample.astype(str).tolist()))
    return SearchIndex(postings, dense, bm25, served, model_path, metrics, timings)


def dense_index(passages: DenseIndex, params: IndexParams) -> DenseIndex:
    """Exact cosine search over the ``passages``, or above ``params.approximate_above`` postings an HNSW graph of them."""
    if passages.postings <= params.approximate_above:
        return passages
    return passages.hnsw(params.connectivity, params.expansion_add, params.expansion_search)


def corpus_index(
    corpus: str | Path, model_path: str, served: RankerParams, params: IndexParams, model: ModelParams, cache_dir: str | Path
) -> SearchIndex:
    """The index of a cleaned corpus file, built by :func:`build_index` on first use, then loaded from ``cache_dir``."""
    corpus = Path(corpus)
    if not corpus.is_file():
        raise DataError(f"{corpus}: file not found")
    folder = Path(cache_dir) / _cache_key(corpus, model_path, params, model)
    if not (folder / MANIFEST).is_file():
        postings = read_parquet(corpus, CORPUS_COLUMNS)
        if postings.empty:
            raise DataError(f"{corpus}: no postings to search (0 rows)")
        build_index(postings, model_path, served, params, model).save(folder)
    index = SearchIndex.load(folder)
    index.served = served
    return index


def _cache_key(corpus: Path, model_path: str, params: IndexParams, model: ModelParams) -> str:
    """Changes whenever the corpus file, any file of the model folder, or the index or model params change.

    File sizes and modification times, not contents: a search must not read
    the whole corpus and model to find its index, and any rewrite changes both.
    """
    resolved = Path(resolve_model(model_path))
    model_files = sorted(p for p in resolved.rglob("*") if p.is_file()) if resolved.is_dir() else []
    stamp = [_stat(corpus)] + [[str(p.relative_to(resolved)), *_stat(p)[1:]] for p in model_files]
    payload = {"corpus": stamp, "model": model_path, "params": asdict(params), "encoding": asdict(model)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def _stat(path: Path) -> list:
    stat = path.stat()
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def read_served(path: str | Path) -> RankerParams:
    """The ranker evaluate chose and recorded at ``paths.served``, with the fusion it tuned."""
    record = read_json(path)
    return RankerParams.from_record(record.get("ranker") if isinstance(record, dict) else None, f"{path}: ranker")
