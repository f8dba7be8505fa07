"""Does reading a posting whole help? The golden (seeker) queries ranked by each posting's first
``max_seq_length`` tokens, and by its best passage (MaxP, as evaluate and search read postings).

    python -m benchmarks.chunks --clean data/clean.parquet --golden ../shared/data/golden_real.tsv [--model NAME] [--words 150 --stride 120]

A posting's passages are its text (read to the model's token limit), then windows of
``--words`` words every ``--stride`` words, each headed by its title
(:mod:`jobsearch.retrieval.passages`). Each reading is ranked alone and fused with BM25
(convex, as evaluate fuses), against every posting of ``--clean``. A query's relevant
postings are its labelled ones (reposts not counted), the same for every ranker.
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from jobsearch.embed import encode
    from jobsearch.golden import read_golden
    from jobsearch.models import ModelParams, PassageParams
    from jobsearch.retrieval.bm25 import BM25Index
    from jobsearch.retrieval.dense import DenseIndex
    from jobsearch.retrieval.metrics import retrieval_metrics
    from jobsearch.retrieval.rankers import HybridParams, QueryScores, RankerParams, rank

    defaults = PassageParams()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", default="data/clean.parquet")
    parser.add_argument("--golden", default="../shared/data/golden_real.tsv")
    parser.add_argument("--model", default=None, help="default: the model section's")
    parser.add_argument("--words", type=int, default=defaults.words)
    parser.add_argument("--stride", type=int, default=defaults.stride)
    args = parser.parse_args(argv)

    clean = pd.read_parquet(args.clean, columns=["posting_id", "title", "text"])
    golden = read_golden(args.golden, known_ids=set(clean["posting_id"]))
    position = {p: i for i, p in enumerate(clean["posting_id"])}
    relevant = [{position[p] for p in ids} for ids in golden.relevant]
    params = ModelParams()
    model = params.load(args.model)
    embed = lambda texts: encode(model, texts, batch_size=params.batch_size, progress=True, precision=params.precision)  # noqa: E731
    texts, titles = clean["text"].astype(str).tolist(), clean["title"].astype(str).tolist()
    queries, whole = embed(golden.queries), DenseIndex.encoded(embed, texts, args.words, args.stride, titles)
    readings = {"first tokens": DenseIndex(whole.embeddings[: whole.postings]), "best passage": whole}
    bm25 = BM25Index(texts).scores(golden.queries)
    mrr = lambda ranker, dense: round(retrieval_metrics(rank(ranker, QueryScores.of(len(queries), dense, bm25), 10)[0], relevant)["mrr@10"], 4)  # noqa: E731
    report = {"postings": len(texts), "passages": len(whole.embeddings), "queries": len(queries), "bm25": mrr(RankerParams("bm25"), None)}
    for name, index in readings.items():
        dense = index.exact_scores(queries)
        report[name] = mrr(RankerParams("dense"), dense)
        for weight in (0.2, 0.3, 0.5):
            report[f"{name} + bm25, convex {weight:g}"] = mrr(RankerParams("hybrid", HybridParams("convex", weight, round(1 - weight, 6))), dense)
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
