"""clean: postings -> cleaned whole postings, token counts and examples (paths.clean)."""

from jobsearch.clean import CleanParams, clean_postings
from jobsearch.config import section
from jobsearch.io import read_parquet, write_json, write_parquet, write_text
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.stage import run_stage


def main() -> None:
    params, model, paths = section(CleanParams, "clean"), section(ModelParams, "model"), section(Paths, "paths")
    cleaned, metrics, examples = clean_postings(read_parquet(paths.postings), params, model)
    write_parquet(cleaned, paths.clean)
    write_json(metrics, paths.metrics_file("clean"))
    write_text(examples, paths.metrics_file("clean_examples", ".md"))


if __name__ == "__main__":
    run_stage("clean", main)
