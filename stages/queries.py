"""queries: job-seeker queries for each posting (several styles offline, one from an LLM) -> paths.queries."""

from pathlib import Path

from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.paths import Paths
from jobsearch.queries import QueriesParams, generate_queries
from jobsearch.stage import run_stage


def main() -> None:
    params, paths = section(QueriesParams, "queries"), section(Paths, "paths")
    Path(params.cache_dir).mkdir(parents=True, exist_ok=True)  # DVC keeps it across runs (persist)
    postings = read_parquet(paths.clean, ["posting_id", "title", "company", "description"], optional=["skills"])
    queries, metrics = generate_queries(postings, params)
    write_parquet(queries, paths.queries)
    write_json(metrics, paths.metrics_file("queries"))


if __name__ == "__main__":
    run_stage("queries", main)
