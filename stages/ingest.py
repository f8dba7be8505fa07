"""ingest: postings from the configured source -> data/postings.parquet."""

from jobsearch.config import section
from jobsearch.ingest import IngestParams, load_postings
from jobsearch.io import write_json, write_parquet
from jobsearch.stage import run_stage


def main() -> None:
    params = section(IngestParams, "data")
    postings, metrics = load_postings(params)
    write_parquet(postings, "data/postings.parquet")
    write_json(metrics, "metrics/ingest.json")
    print(f"ingest: {len(postings)} postings from {params.source}")


if __name__ == "__main__":
    run_stage("ingest", main)
