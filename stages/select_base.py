"""select_base: validation mrr@10 (and triplet accuracy) of each candidate base model -> paths.base_models."""

from jobsearch.config import section
from jobsearch.io import read_parquet, write_json
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.select_base import SelectBaseParams, select_base
from jobsearch.stage import run_stage


def main() -> None:
    params, model, paths = section(SelectBaseParams, "select_base"), section(ModelParams, "model"), section(Paths, "paths")
    validation = read_parquet(paths.triplets_file("validation"), ["anchor", "positive", "negative", "posting_id", "negative_id", "group_id"])
    report = select_base(validation, params, model)
    write_json(report, paths.base_models)
    print(f"select_base: {report['selected']}")


if __name__ == "__main__":
    run_stage("select_base", main)
