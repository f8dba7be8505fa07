"""split: postings and their queries -> each split's (query, posting) rows, near-duplicate groups whole (paths.splits)."""

from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.paths import Paths
from jobsearch.split import SplitParams, split_postings
from jobsearch.stage import run_stage


def main() -> None:
    params, paths = section(SplitParams, "split"), section(Paths, "paths")
    postings = read_parquet(paths.clean, ["posting_id", "text", "description"])
    queries = read_parquet(paths.queries, ["posting_id", "query"], optional=["style"])
    splits, metrics = split_postings(postings, queries, params)
    for name, rows in splits.items():
        write_parquet(rows, paths.split_file(name))
    write_json(metrics, paths.metrics_file("split"))


if __name__ == "__main__":
    run_stage("split", main)
