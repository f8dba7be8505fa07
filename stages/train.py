"""train: fine-tune the selected base model -> models/finetuned (+ curves in metrics/train)."""

from jobsearch.config import section
from jobsearch.io import atomic_path, read_json, read_parquet, write_json
from jobsearch.models import load_model
from jobsearch.stage import run_stage
from jobsearch.train import TrainParams, dvclive_callback, fine_tune


def main() -> None:
    params = section(TrainParams, "train")
    base = read_json("metrics/base_models.json")["selected"]
    train = read_parquet("data/splits/train.parquet", ["anchor", "positive", "negative"])
    model = load_model(base, max_seq_length=params.max_seq_length)
    with atomic_path("models/finetuned", is_dir=True) as out:
        metrics = fine_tune(model, train, params, out, callbacks=[dvclive_callback("metrics/train")])
    write_json({"base_model": base, **metrics}, "metrics/train.json")


if __name__ == "__main__":
    run_stage("train", main)
