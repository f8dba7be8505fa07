"""Does the model miss what a posting says past its first 256 tokens? The golden (seeker)
queries ranked by the first 256 tokens of each posting, and by its best chunk (MaxP).

    python -m benchmarks.chunks --clean data/clean.parquet --golden ../shared/data/golden_real.tsv [--model NAME]

A posting's chunks are windows of ``--words`` words every ``--stride`` words; every chunk but
the first starts with the title, which the posting's later text no longer carries. A
posting's score is its best chunk's cosine (``maxp``) or the better of that and the first
256 tokens' (``max``). Each is ranked alone and fused with BM25 (convex, as evaluate fuses),
against every posting of ``--clean``. A query's relevant postings are its labelled ones
(reposts not counted), the same for every ranker.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd


def chunks(titles: list[str], texts: list[str], words: int, stride: int) -> tuple[list[str], np.ndarray]:
    """Each text's windows of ``words`` words every ``stride``, the later ones titled; and each chunk's text index."""
    pieces, owner = [], []
    for i, (title, text) in enumerate(zip(titles, texts)):
        tokens = text.split()
        for j, start in enumerate(range(0, max(len(tokens) - words + stride, 1), stride)):
            piece = " ".join(tokens[start : start + words])
            pieces.append(piece if j == 0 else f"{title}\n\n{piece}")
            owner.append(i)
    return pieces, np.asarray(owner)


def best_chunk(scores: np.ndarray, owner: np.ndarray, n_texts: int) -> np.ndarray:
    """``(n_queries, n_texts)``: each text's best chunk score (chunk scores ``(n_queries, n_chunks)``)."""
    out = np.full((len(scores), n_texts), -np.inf, dtype=np.float32)
    np.maximum.at(out.T, owner, scores.T)
    return out


def main(argv: list[str] | None = None) -> int:
    from jobsearch.embed import encode
    from jobsearch.golden import read_golden
    from jobsearch.models import ModelParams
    from jobsearch.retrieval.bm25 import BM25Index
    from jobsearch.retrieval.metrics import retrieval_metrics
    from jobsearch.retrieval.rankers import HybridParams, QueryScores, RankerParams, rank
    from jobsearch.retrieval.topk import cosine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", default="data/clean.parquet")
    parser.add_argument("--golden", default="../shared/data/golden_real.tsv")
    parser.add_argument("--model", default=None, help="default: the model section's")
    parser.add_argument("--words", type=int, default=150)
    parser.add_argument("--stride", type=int, default=120)
    args = parser.parse_args(argv)

    clean = pd.read_parquet(args.clean, columns=["posting_id", "title", "text"])
    golden = read_golden(args.golden, known_ids=set(clean["posting_id"]))
    position = {p: i for i, p in enumerate(clean["posting_id"])}
    relevant = [{position[p] for p in ids} for ids in golden.relevant]
    params = ModelParams()
    model = params.load(args.model)
    embed = lambda texts: encode(model, texts, batch_size=params.batch_size, progress=True, precision=params.precision)  # noqa: E731
    texts, titles = clean["text"].astype(str).tolist(), clean["title"].astype(str).tolist()
    queries = embed(golden.queries)
    first = cosine(queries, embed(texts))
    pieces, owner = chunks(titles, texts, args.words, args.stride)
    maxp = best_chunk(cosine(queries, embed(pieces)), owner, len(texts))
    bm25 = BM25Index(texts).scores(golden.queries)
    mrr = lambda ranker, dense: round(retrieval_metrics(rank(ranker, QueryScores.of(len(queries), dense, bm25), 10)[0], relevant)["mrr@10"], 4)  # noqa: E731
    report = {"postings": len(texts), "chunks": len(pieces), "queries": len(queries), "bm25": mrr(RankerParams("bm25"), None)}
    for name, dense in {"first256": first, "maxp": maxp, "max": np.maximum(first, maxp)}.items():
        report[name] = mrr(RankerParams("dense"), dense)
        for weight in (0.2, 0.3, 0.5):
            report[f"{name} + bm25, convex {weight:g}"] = mrr(RankerParams("hybrid", HybridParams("convex", weight, round(1 - weight, 6))), dense)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
