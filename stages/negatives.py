"""negatives: each split's (query, posting) rows -> triplets with a negative from the same split (paths.triplets)."""

from functools import partial

from jobsearch.config import load_params_file, param_value, section
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.models import ModelParams
from jobsearch.negatives import NegativesParams, make_triplets, model_encoder
from jobsearch.paths import Paths
from jobsearch.split import SPLITS
from jobsearch.stage import run_stage


def main() -> None:
    params, model, paths = section(NegativesParams, "negatives"), section(ModelParams, "model"), section(Paths, "paths")
    splits = {name: read_parquet(paths.split_file(name), ["posting_id", "query", "text", "group_id"], optional=["style", "untitled"]) for name in SPLITS}
    # training reads its split's negatives only with train.mined_negatives: else they are not mined
    mined = SPLITS if param_value(load_params_file(), "train.mined_negatives", bool) else ("validation", "test")
    triplets, metrics = make_triplets(splits, params, partial(model_encoder, model), mined)
    for name, frame in triplets.items():
        write_parquet(frame, paths.triplets_file(name))
    write_json(metrics, paths.metrics_file("negatives"))


if __name__ == "__main__":
    run_stage("negatives", main)
