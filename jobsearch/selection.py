"""Choosing the base model: each candidate's validation triplet accuracy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from jobsearch.errors import JobsearchError, ModelLoadError
from jobsearch.models import DEFAULT_MODEL, load_model


@dataclass
class ModelParams:
    candidates: list[str] = field(default_factory=lambda: [DEFAULT_MODEL])
    base: str = "auto"  # "auto" takes the candidate with the best validation accuracy
    batch_size: int = 64
    max_seq_length: int = 256

    def __post_init__(self) -> None:
        if not self.candidates and self.base == "auto":
            raise ValueError("candidates is empty and base is auto: name at least one model")


def triplet_evaluator_accuracy(model, triplets: pd.DataFrame, *, batch_size: int = 64, name: str = "validation") -> float:
    """Cosine accuracy from sentence-transformers' own ``TripletEvaluator``."""
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator

    evaluator = TripletEvaluator(
        anchors=list(triplets["anchor"]),
        positives=list(triplets["positive"]),
        negatives=list(triplets["negative"]),
        name=name,
        batch_size=batch_size,
        write_csv=False,
    )
    scores = evaluator(model)
    return float(scores[f"{name}_cosine_accuracy"])


def select_base_model(
    validation: pd.DataFrame,
    params: ModelParams,
    loader: Callable[..., object] = load_model,
    log: Callable[[str], None] = print,
) -> dict:
    """Score every candidate on validation triplets; pick the best (or ``params.base``).

    A candidate that cannot be loaded is reported with the reason and skipped.
    """
    report: dict = {"candidates": {}, "selected": None}
    for name in params.candidates:
        try:
            model = loader(name, max_seq_length=params.max_seq_length)
        except ModelLoadError as exc:
            log(f"skipping {name}: {exc}")
            report["candidates"][name] = {"skipped": str(exc)}
            continue
        accuracy = triplet_evaluator_accuracy(model, validation, batch_size=params.batch_size)
        log(f"{name}: validation triplet accuracy {accuracy:.4f}")
        report["candidates"][name] = {"triplet_accuracy": accuracy}
    scored = {n: r["triplet_accuracy"] for n, r in report["candidates"].items() if "triplet_accuracy" in r}
    if params.base != "auto":
        report["selected"] = params.base
    elif scored:
        # ties go to the earlier candidate (params order states preference)
        report["selected"] = max(scored, key=lambda n: (scored[n], -params.candidates.index(n)))
    else:
        reasons = "; ".join(r["skipped"] for r in report["candidates"].values())
        raise JobsearchError(f"no candidate model could be loaded: {reasons}")
    return report
