"""select_base: validation mrr@10 (and triplet accuracy) of each candidate -> metrics/base_models.json."""

from jobsearch.config import section
from jobsearch.selection import ModelParams, select_base_model
from jobsearch.io import read_parquet, require_columns, write_json
from jobsearch.stage import run_stage

VALIDATION = "data/splits/validation.parquet"


def main() -> None:
    params = section(ModelParams, "model")
    validation = read_parquet(VALIDATION)  # with group_id, when near-duplicates were grouped
    require_columns(validation.columns, ["anchor", "positive", "negative", "posting_id", "negative_id"], VALIDATION)
    report = select_base_model(validation, params)
    write_json(report, "metrics/base_models.json")
    print(f"select_base: {report['selected']}")


if __name__ == "__main__":
    run_stage("select_base", main)
