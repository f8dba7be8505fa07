"""Seconds per stage for N sample postings, through the functions the stages call.

One process runs the stages in order, as ``python -m stages.<name>`` would, minus
the parquet reads and writes and each stage's interpreter start-up: what it
measures is the work, and how it grows with N (``--pipeline 1000,10000``).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from functools import partial
from typing import Any, Callable

from benchmarks.settings import BenchSettings


def bench_pipeline(settings: BenchSettings, device: str | None) -> list[dict[str, Any]]:
    """One row per size in ``settings.pipeline_sizes``: each stage's seconds and the total."""
    return [_pipeline_run(size, settings, device) for size in settings.pipeline_sizes]


def _pipeline_run(size: int, settings: BenchSettings, device: str | None) -> dict[str, Any]:
    from jobsearch.clean import CleanParams, clean_postings
    from jobsearch.evaluate import EvaluateParams, evaluate
    from jobsearch.index import IndexParams, build_index
    from jobsearch.ingest import IngestParams, load_postings
    from jobsearch.models import ModelParams
    from jobsearch.negatives import NegativesParams, make_triplets, model_encoder
    from jobsearch.queries import QueriesParams, generate_queries
    from jobsearch.retrieval.rankers import RankerParams
    from jobsearch.select_base import SelectBaseParams, select_base
    from jobsearch.split import SplitParams, split_postings
    from jobsearch.train import TrainParams, fine_tune

    model = ModelParams(name=settings.model)
    seconds: dict[str, float] = {}

    def timed(stage: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        seconds[stage] = round(time.perf_counter() - start, 2)
        return result

    postings, _ = timed("ingest", lambda: load_postings(IngestParams(sample_size=size)))
    clean, _, _ = timed("clean", lambda: clean_postings(postings, CleanParams(examples=0), model))
    queries, _ = timed("queries", lambda: generate_queries(clean, QueriesParams()))
    splits, _ = timed("split", lambda: split_postings(clean, queries, SplitParams()))
    triplets, _ = timed("negatives", lambda: make_triplets(splits, NegativesParams(), partial(model_encoder, model)))
    timed("select_base", lambda: select_base(triplets["validation"], SelectBaseParams(candidates=[]), model, log=lambda _: None))
    train_params = dataclasses.replace(TrainParams(), max_seq_length=settings.train_max_seq_length, logging_steps=10**6)

    def train():
        encoder = model.load(device=device)
        with tempfile.TemporaryDirectory(prefix="jobsearch-bench-pipeline-") as out:
            fine_tune(encoder, triplets["train"], train_params, out)
        return encoder

    finetuned = timed("train", train)
    _, served = timed(
        "evaluate",
        lambda: evaluate(
            triplets, clean, {"base": model.load(device=device), "finetuned": finetuned}, EvaluateParams(),
            batch_size=model.batch_size, log=lambda _: None,
        ),
    )
    ranker = RankerParams.from_record(served["ranker"], "evaluate's served ranker")
    timed("index", lambda: build_index(clean, settings.model, ranker, IndexParams(), model, encoder=finetuned))
    return {"postings": size, "triplets": sum(len(t) for t in triplets.values()), "seconds": seconds, "total_seconds": round(sum(seconds.values()), 2)}
