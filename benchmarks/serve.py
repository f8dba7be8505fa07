"""`jobsearch serve` as a user meets it: /search latency, and the approximate index's recall.

* latency: p50 and p95 of ``GET /search`` (served ranker) over real HTTP to a
  uvicorn on 127.0.0.1, against one bare ``model.encode`` of each query in the
  same run: the service should cost little more than encoding the query;
* recall@10 of the usearch HNSW index against exact search on many postings,
  queries from the offline generator. On a CPU the postings are encoded at a
  short token limit (``serve_recall_max_seq_length``) to keep the run to
  minutes; the graph's recall depends on how the vectors spread, not on why.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.settings import BenchSettings


def bench_serve(settings: BenchSettings, device: str | None) -> dict[str, Any]:
    return {"latency": _latency(settings, device), "recall": _recall(settings, device)}


def _sample(postings: int, queries: int):
    """Cleaned sample postings, and one offline query each for ``queries`` of them."""
    from jobsearch.clean import CleanParams, clean_postings
    from jobsearch.ingest import IngestParams, load_postings
    from jobsearch.models import ModelParams
    from jobsearch.queries import QueriesParams, generate_queries

    raw, _ = load_postings(IngestParams(sample_size=postings))
    clean, _, _ = clean_postings(raw, CleanParams(examples=0), ModelParams())
    asked = clean.sample(min(queries, len(clean)), random_state=0)
    generated, _ = generate_queries(asked, QueriesParams(per_posting=1))
    return clean, generated["query"].tolist()


def _latency(settings: BenchSettings, device: str | None) -> dict[str, Any]:
    import httpx

    from jobsearch.embed import encode
    from jobsearch.index import IndexParams, build_index
    from jobsearch.models import ModelParams
    from jobsearch.retrieval.rankers import RankerParams
    from jobsearch.search import Searcher
    from jobsearch.serve import create_app, running

    clean, queries = _sample(settings.serve_postings, settings.serve_queries)
    queries = (queries * (1 + settings.serve_queries // len(queries)))[: settings.serve_queries]
    params = ModelParams(name=settings.model)
    model = params.load(device=device)
    index = build_index(clean, settings.model, RankerParams(), IndexParams(), params, encoder=model)
    with running(create_app(Searcher(index, model, params))) as url, httpx.Client(base_url=url, timeout=60) as client:
        for query in queries[:5]:  # warm-up: first-call allocations are not what a user waits for
            client.get("/search", params={"q": query}).raise_for_status()
        search_ms = []
        for query in queries:
            start = time.perf_counter()
            client.get("/search", params={"q": query, "k": 10}).raise_for_status()
            search_ms.append((time.perf_counter() - start) * 1000)
    encode_ms = []
    for query in queries:
        start = time.perf_counter()
        encode(model, [query])
        encode_ms.append((time.perf_counter() - start) * 1000)
    p50, p95, encode_p50 = np.percentile(search_ms, 50), np.percentile(search_ms, 95), np.percentile(encode_ms, 50)
    return {
        "postings": len(clean),
        "queries": len(queries),
        "served": index.served.label,
        "search_p50_ms": round(float(p50), 2),
        "search_p95_ms": round(float(p95), 2),
        "encode_p50_ms": round(float(encode_p50), 2),
        "encode_p95_ms": round(float(np.percentile(encode_ms, 95)), 2),
        "p50_over_encode": round(float(p50 / encode_p50), 2),
    }


def _recall(settings: BenchSettings, device: str | None) -> dict[str, Any]:
    from jobsearch.embed import encode
    from jobsearch.index import IndexParams, dense_index
    from jobsearch.retrieval.dense import RECALL_CUTOFF, DenseIndex
    from jobsearch.models import load_model

    clean, queries = _sample(settings.serve_recall_postings, settings.serve_recall_queries)
    model = load_model(settings.model, device=device, max_seq_length=settings.serve_recall_max_seq_length)
    start = time.perf_counter()
    embeddings = encode(model, clean["text"].tolist(), batch_size=256, progress=True)
    encoded = time.perf_counter()
    params = IndexParams(approximate_above=0)
    dense = dense_index(DenseIndex(embeddings), params)
    built = time.perf_counter()
    query_emb = encode(model, queries)
    search_start = time.perf_counter()
    dense.scores(query_emb, RECALL_CUTOFF)
    search_seconds = time.perf_counter() - search_start
    return {
        "postings": len(clean),
        "queries": len(queries),
        "max_seq_length": settings.serve_recall_max_seq_length,
        "connectivity": params.connectivity,
        "expansion_search": params.expansion_search,
        f"recall@{RECALL_CUTOFF}": round(dense.recall(query_emb), 4),
        "encode_seconds": round(encoded - start, 1),
        "build_seconds": round(built - encoded, 1),
        "search_ms_per_query": round(search_seconds * 1000 / len(queries), 3),
    }
