"""clean: data/postings.parquet -> data/clean.parquet (+ token counts and examples)."""

from jobsearch.clean import CleanParams, clean_postings
from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet, write_text
from jobsearch.stage import run_stage


def main() -> None:
    params = section(CleanParams, "clean")
    postings = read_parquet("data/postings.parquet")
    cleaned, metrics, examples = clean_postings(postings, params)
    write_parquet(cleaned, "data/clean.parquet")
    write_json(metrics, "metrics/clean.json")
    write_text(examples, "metrics/clean_examples.md")


if __name__ == "__main__":
    run_stage("clean", main)
