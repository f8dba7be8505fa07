"""Choosing the base model: each candidate's validation mrr@10 (and triplet accuracy).

Candidates are ranked by how well they rank each validation query's posting
among the split's postings (mrr@10): triplet accuracy, the reference recipe's
metric, saturates near 1.00 and is reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from jobsearch.errors import JobsearchError, ModelLoadError
from jobsearch.models import ModelParams, PassageParams


@dataclass
class SelectBaseParams:
    candidates: list[str] = field(default_factory=lambda: ["sentence-transformers/all-distilroberta-v1"])  # besides model.name
    base: str = "auto"  # "auto" takes the candidate with the best validation mrr@10


def candidate_names(params: SelectBaseParams, model: ModelParams) -> list[str]:
    """``model.name`` first (ties go to it), then the other candidates, each once."""
    return list(dict.fromkeys([model.name, *params.candidates]))


def triplet_evaluator_accuracy(model, triplets: pd.DataFrame, *, batch_size: int = 64, name: str = "validation") -> float:
    """Cosine accuracy from sentence-transformers' own ``TripletEvaluator``, each distinct text encoded once."""
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator

    class DistinctTextsTripletEvaluator(TripletEvaluator):
        # a posting is the positive of each of its queries (6 by default): encoding it once per
        # triplet made this the slowest part of select_base on a CPU
        def embed_inputs(self, model, sentences, encode_fn_name=None, **kwargs):
            distinct = list(dict.fromkeys(sentences))
            row = {text: i for i, text in enumerate(distinct)}
            embeddings = super().embed_inputs(model, distinct, encode_fn_name, **kwargs)
            return embeddings[[row[text] for text in sentences]]

    evaluator = DistinctTextsTripletEvaluator(
        anchors=list(triplets["anchor"]),
        positives=list(triplets["positive"]),
        negatives=list(triplets["negative"]),
        name=name,
        batch_size=batch_size,
        write_csv=False,
    )
    scores = evaluator(model)
    return float(scores[f"{name}_cosine_accuracy"])


def validation_mrr(model, triplets: pd.DataFrame, *, batch_size: int = 64, precision: str = "auto", passages: PassageParams | None = None) -> float:
    """mrr@10 of ``model`` ranking each triplet query's posting among the triplets' postings (read as ``passages`` says)."""
    from jobsearch.evaluate import Embeddings, evaluate_query_set, generated_query_set, whole_posting_triplets, with_groups
    from jobsearch.retrieval.rankers import RankerParams

    triplets = whole_posting_triplets(triplets)
    positives = triplets[["posting_id", "positive"]].set_axis(["posting_id", "text"], axis=1)
    negatives = triplets[["negative_id", "negative"]].set_axis(["posting_id", "text"], axis=1)
    postings = with_groups(pd.concat([positives, negatives]).drop_duplicates("posting_id").reset_index(drop=True), triplets)
    query_set = generated_query_set(triplets, postings)
    metrics = evaluate_query_set(
        query_set, postings, Embeddings({"model": model}, batch_size, precision, passages), {}, {"model": ("model", RankerParams("dense"))}, chunk_size=1024
    )
    return metrics["model"]["mrr@10"]


def select_base(
    validation: pd.DataFrame,
    params: SelectBaseParams,
    model: ModelParams,
    loader: Callable[[str], object] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Score every candidate on validation triplets; pick the best mrr@10 (or ``params.base``).

    ``validation`` has ``anchor, positive, negative, posting_id, negative_id``;
    ``loader`` (default ``model.load``) opens a candidate by name. A candidate
    that cannot be loaded is reported with the reason and skipped.
    """
    loader = loader or model.load
    candidates = candidate_names(params, model)
    report: dict = {"candidates": {}, "selected": None}
    for name in candidates:
        try:
            encoder = loader(name)
        except ModelLoadError as exc:
            log(f"skipping {name}: {exc}")
            report["candidates"][name] = {"skipped": str(exc)}
            continue
        mrr = validation_mrr(encoder, validation, batch_size=model.batch_size, precision=model.precision, passages=model.passages)
        accuracy = triplet_evaluator_accuracy(encoder, validation, batch_size=model.batch_size)
        log(f"{name}: validation mrr@10 {mrr:.4f}, triplet accuracy {accuracy:.4f}")
        report["candidates"][name] = {"mrr@10": mrr, "triplet_accuracy": accuracy}
    scored = {n: (r["mrr@10"], r["triplet_accuracy"]) for n, r in report["candidates"].items() if "mrr@10" in r}
    if params.base != "auto":
        report["selected"] = params.base
    elif scored:
        # ties go to the earlier candidate (params order states preference)
        report["selected"] = max(scored, key=lambda n: (scored[n], -candidates.index(n)))
    else:
        reasons = "; ".join(r["skipped"] for r in report["candidates"].values())
        raise JobsearchError(f"no candidate model could be loaded: {reasons}")
    return report
