"""train: fine-tune the selected base model -> models/finetuned (+ curves in metrics/train).

With ``train.devices`` > 1 (``dvc exp run -S train.devices=4``) the stage
launches itself as that many processes, one per GPU, through torchrun; see
jobsearch/distributed.py.
"""

from jobsearch import distributed
from jobsearch.config import section
from jobsearch.io import atomic_path, read_json, read_parquet, write_json
from jobsearch.models import load_model
from jobsearch.stage import run_stage
from jobsearch.train import TrainParams, dvclive_callback, fine_tune

BASE_MODELS = "metrics/base_models.json"
TRAIN_SPLIT = "data/splits/train.parquet"
COLUMNS = ["anchor", "positive", "negative", "posting_id"]  # posting_id: which rows are one anchor


def main() -> None:
    params = section(TrainParams, "train")
    base = read_json(BASE_MODELS)["selected"]
    train = read_parquet(TRAIN_SPLIT, COLUMNS)
    if params.devices > 1 and not distributed.in_launch():
        # inputs and devices are checked above, once, before starting N processes
        distributed.check_devices(params.devices)
        distributed.launch(params.devices, "stages.train")
        return
    model = load_model(base, device=distributed.process_device())  # fine_tune applies train.max_seq_length
    if distributed.is_main_process():
        with atomic_path("models/finetuned", is_dir=True) as out:
            metrics = fine_tune(model, train, params, out, callbacks=[dvclive_callback("metrics/train")])
        write_json({"base_model": base, **metrics}, "metrics/train.json")
    else:
        # the other ranks train alongside rank 0 and write nothing
        fine_tune(model, train, params, None)
    distributed.finish()


if __name__ == "__main__":
    run_stage("train", main)
