"""queries: one job-seeker query per posting -> data/queries.parquet."""

from pathlib import Path

from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.queries import QueryParams, offline_queries
from jobsearch.stage import run_stage


def main() -> None:
    params = section(QueryParams, "queries")
    Path(params.cache_dir).mkdir(parents=True, exist_ok=True)  # DVC keeps it across runs (persist)
    postings = read_parquet("data/clean.parquet", ["posting_id", "title", "company", "description"])
    if params.backend == "offline":
        queries = offline_queries(postings, params)
        metrics = {"backend": "offline", "queries": len(queries), "requests_sent": 0, "estimated_cost_usd": 0.0}
    else:
        from jobsearch.llm import generate_llm_queries

        queries, metrics = generate_llm_queries(postings, params)
    write_parquet(queries, "data/queries.parquet")
    write_json(metrics, "metrics/queries.json")


if __name__ == "__main__":
    run_stage("queries", main)
