"""train: the selected base model fine-tuned -> paths.finetuned, keeping the checkpoint that ranks validation best
(train.select_on); curves in metrics/train, seconds in paths.timings; train.devices > 1: torchrun."""

from functools import partial

from jobsearch.config import section
from jobsearch.evaluate import EvaluateParams
from jobsearch.io import read_json, read_parquet, write_json
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.ranking_evaluator import read_validation_evaluator
from jobsearch.stage import run_stage
from jobsearch.train import TrainParams, train_base


def main() -> None:
    params, model, paths = section(TrainParams, "train"), section(ModelParams, "model"), section(Paths, "paths")
    base = read_json(paths.base_models)["selected"]
    train = read_parquet(paths.triplets_file("train"), ["anchor", "positive", "negative", "posting_id"])
    evaluate = section(EvaluateParams, "evaluate")  # its golden file and max_tags: the sets validation ranks
    evaluator = partial(read_validation_evaluator, paths, evaluate, params.select_on, model) if params.evaluations else None
    titles = read_parquet(paths.clean, ["posting_id", "title"]) if params.positives == "matched_passage" else None
    metrics = train_base(train, base, params, model, paths.finetuned, paths.metrics_file("train", ""), evaluator=evaluator, titles=titles)
    if metrics is not None:
        write_json(metrics.pop("timings"), paths.timings_file("train"))
        write_json(metrics, paths.metrics_file("train"))


if __name__ == "__main__":
    run_stage("train", main)
