"""split: postings and their queries -> each split's (query, posting) rows, near-duplicate groups whole (paths.splits)."""

from jobsearch.config import load_params_file, param_value, section
from jobsearch.golden import held_out_postings
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.paths import Paths
from jobsearch.split import SplitParams, split_postings
from jobsearch.stage import run_stage


def main() -> None:
    params, paths = section(SplitParams, "split"), section(Paths, "paths")
    postings = read_parquet(paths.clean, ["posting_id", "text", "description"])
    queries = read_parquet(paths.queries, ["posting_id", "query"], optional=["style"])
    # the golden queries' postings tune (validation) and report (test), and never train
    held_out = held_out_postings(param_value(load_params_file(), "evaluate.golden", str | None), known_ids=set(postings["posting_id"]))
    splits, metrics = split_postings(postings, queries, params, held_out)
    for name, rows in splits.items():
        write_parquet(rows, paths.split_file(name))
    write_json(metrics, paths.metrics_file("split"))


if __name__ == "__main__":
    run_stage("split", main)
