"""select_base: validation triplet accuracy of each candidate -> metrics/base_models.json."""

from jobsearch.config import section
from jobsearch.selection import ModelParams, select_base_model
from jobsearch.io import read_parquet, write_json
from jobsearch.stage import run_stage


def main() -> None:
    params = section(ModelParams, "model")
    validation = read_parquet("data/splits/validation.parquet", ["anchor", "positive", "negative"])
    report = select_base_model(validation, params)
    write_json(report, "metrics/base_models.json")
    print(f"select_base: {report['selected']}")


if __name__ == "__main__":
    run_stage("select_base", main)
