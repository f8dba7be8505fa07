"""train: fine-tune the selected base model -> paths.finetuned (+ curves in metrics/train; its seconds in paths.timings).

With ``train.devices`` > 1 (``dvc exp run -S train.devices=4``) the stage runs
as that many processes, one per GPU, through torchrun (jobsearch/distributed.py).
"""

from jobsearch.config import section
from jobsearch.io import read_json, read_parquet, write_json
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.stage import run_stage
from jobsearch.train import TrainParams, train_base


def main() -> None:
    params, model, paths = section(TrainParams, "train"), section(ModelParams, "model"), section(Paths, "paths")
    base = read_json(paths.base_models)["selected"]
    train = read_parquet(paths.triplets_file("train"), ["anchor", "positive", "negative", "posting_id"])
    metrics = train_base(train, base, params, model, paths.finetuned, paths.metrics_file("train", ""))
    if metrics is not None:
        write_json(metrics.pop("timings"), paths.timings_file("train"))
        write_json(metrics, paths.metrics_file("train"))


if __name__ == "__main__":
    run_stage("train", main)
