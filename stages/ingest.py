"""ingest: postings from the configured source -> data/postings.parquet."""

from jobsearch.config import section
from jobsearch.errors import DataError
from jobsearch.ingest import IngestParams, load_postings
from jobsearch.io import write_json, write_parquet
from jobsearch.stage import run_stage


def main() -> None:
    params = section(IngestParams, "data")
    postings, metrics = load_postings(params)
    if postings.empty:
        reasons = ", ".join(f"{k}: {v}" for k, v in metrics["dropped"].items() if v) or "the source is empty"
        raise DataError(f"{params.source}: no postings left after validation ({reasons})")
    write_parquet(postings, "data/postings.parquet")
    write_json(metrics, "metrics/ingest.json")
    print(f"ingest: {len(postings)} postings from {params.source}")


if __name__ == "__main__":
    run_stage("ingest", main)
