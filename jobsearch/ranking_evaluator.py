"""The validation ranking that picks the checkpoint training keeps.

A sentence-transformers evaluator (a callable returning a metrics dict) that
ranks validation postings with the model being trained, on the query sets that
predict what job seekers type: the golden queries' tuning half and the sets the
query generator cannot bias (titles, skill tags). Not the generated queries:
training learns from their style, so they reward fitting the generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

from jobsearch.errors import DataError
from jobsearch.evaluate import CUTOFF, EvaluateParams, Embeddings, QuerySet, evaluate_query_set, golden_query_set, split_task
from jobsearch.retrieval.rankers import RankerParams

if TYPE_CHECKING:
    from jobsearch.golden import GoldenQueries
    from jobsearch.models import ModelParams, PassageParams
    from jobsearch.paths import Paths

# what the checkpoint is chosen by
PRIMARY_METRIC = f"mrr@{CUTOFF}"


class RankingEvaluator(BaseEvaluator):
    """Mean mrr@10 of the dense model over ``query_sets``, each against its postings."""

    def __init__(
        self,
        query_sets: Sequence[tuple[QuerySet, pd.DataFrame]],
        batch_size: int = 64,
        precision: str = "auto",
        passages: "PassageParams | None" = None,
        name: str = "validation",
    ) -> None:
        super().__init__()
        if not query_sets:
            raise DataError("no validation query set to choose a checkpoint by")
        self.query_sets = list(query_sets)
        self.batch_size = batch_size
        self.precision = precision
        self.passages = passages
        self.name = name
        self.primary_metric = f"{name}_{PRIMARY_METRIC}"  # as the metrics are named: the trainer is told it before any call

    def __call__(self, model, output_path: str | None = None, epoch: float = -1, steps: int = -1) -> dict[str, float]:
        embeddings = Embeddings({"model": model}, self.batch_size, self.precision, self.passages)  # fresh: the weights changed since the last call
        rankers = {"dense": ("model", RankerParams("dense"))}
        metrics = {
            f"{query_set.name}_{PRIMARY_METRIC}": evaluate_query_set(query_set, postings, embeddings, {}, rankers, chunk_size=1024)["dense"][PRIMARY_METRIC]
            for query_set, postings in self.query_sets
        }
        metrics[PRIMARY_METRIC] = float(np.mean(list(metrics.values())))
        metrics = self.prefix_name_to_metrics(metrics, self.name)
        self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
        return metrics


def validation_evaluator(
    triplets: pd.DataFrame,
    clean: pd.DataFrame,
    select_on: Sequence[str],
    *,
    golden: "GoldenQueries | None" = None,
    max_tags: int = 3,
    batch_size: int = 64,
    precision: str = "auto",
    passages: "PassageParams | None" = None,
) -> RankingEvaluator:
    """The evaluator of the ``select_on`` query sets of the validation split that it has.

    ``triplets`` and ``clean`` are what the evaluate stage reads; the golden
    queries of validation's postings are ranked against validation's postings
    here (evaluate ranks them against every posting: too slow to repeat during
    training, and the same ordering of checkpoints is what matters).
    """
    task = split_task(triplets, clean, EvaluateParams(max_tags=max_tags))
    sets = [(s, task.postings) for s in task.query_sets if s.name in select_on]
    if golden is not None and "golden" in select_on:
        golden_set = golden_query_set(golden, task.postings, set(triplets["posting_id"]))  # task.postings carry their groups
        sets += [(golden_set, task.postings)] if golden_set.queries else []
    return RankingEvaluator(sets, batch_size, precision, passages)


def read_validation_evaluator(paths: "Paths", evaluate: EvaluateParams, select_on: Sequence[str], model: "ModelParams") -> RankingEvaluator:
    """:func:`validation_evaluator` of the files the evaluate stage reads (``evaluate``: its golden file and max_tags),
    encoding as the ``model`` section says."""
    from jobsearch.golden import read_golden
    from jobsearch.io import read_parquet

    clean = read_parquet(paths.clean, ["posting_id", "title", "description", "text"], optional=["skills"])
    golden = read_golden(evaluate.golden, known_ids=set(clean["posting_id"])) if evaluate.golden else None
    triplets = read_parquet(paths.triplets_file("validation"))
    return validation_evaluator(
        triplets, clean, select_on, golden=golden, max_tags=evaluate.max_tags,
        batch_size=model.batch_size, precision=model.precision, passages=model.passages,
    )
