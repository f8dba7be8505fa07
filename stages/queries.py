"""queries: job-seeker queries for each posting (several styles offline, one from an LLM) -> data/queries.parquet."""

from pathlib import Path

from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.queries import QueryParams, generate_queries
from jobsearch.stage import run_stage

CLEAN = "data/clean.parquet"
COLUMNS = ["posting_id", "title", "company", "description"]
OPTIONAL_COLUMNS = ["skills"]  # skill tags, in clean outputs that carry them


def main() -> None:
    params = section(QueryParams, "queries")
    Path(params.cache_dir).mkdir(parents=True, exist_ok=True)  # DVC keeps it across runs (persist)
    postings = read_parquet(CLEAN, COLUMNS + [c for c in OPTIONAL_COLUMNS if c in _columns(CLEAN)])
    queries, metrics = generate_queries(postings, params)
    write_parquet(queries, "data/queries.parquet")
    write_json(metrics, "metrics/queries.json")


def _columns(path: str) -> list[str]:
    """Column names of a parquet file; [] when unreadable (read_parquet then says why)."""
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(path).names
    except Exception:  # missing or corrupt: pyarrow raises several types
        return []


if __name__ == "__main__":
    run_stage("queries", main)
