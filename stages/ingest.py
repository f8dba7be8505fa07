"""ingest: postings from the configured source -> paths.postings."""

from jobsearch.config import section
from jobsearch.ingest import IngestParams, load_postings
from jobsearch.io import write_json, write_parquet
from jobsearch.paths import Paths
from jobsearch.stage import run_stage


def main() -> None:
    params, paths = section(IngestParams, "ingest"), section(Paths, "paths")
    postings, metrics = load_postings(params)
    write_parquet(postings, paths.postings)
    write_json(metrics, paths.metrics_file("ingest"))
    print(f"ingest: {len(postings)} postings from {params.source}")


if __name__ == "__main__":
    run_stage("ingest", main)
