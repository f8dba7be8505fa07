"""evaluate: base vs fine-tuned vs BM25 vs hybrid on several query sets -> metrics/eval.json, metrics/hybrid.json."""

from jobsearch.config import section
from jobsearch.evaluation import EvalParams, evaluate, plot_rows
from jobsearch.io import read_json, read_parquet, write_json
from jobsearch.models import load_model
from jobsearch.queries import skill_tags
from jobsearch.stage import run_stage


def main() -> None:
    params = section(EvalParams, "evaluate")
    clean = read_parquet("data/clean.parquet", ["posting_id", "title", "description", "text", "skills"])
    splits = {split: read_parquet(f"data/splits/{split}.parquet") for split in ("validation", "test")}
    golden = None
    if params.golden:
        from jobsearch.golden import read_golden

        golden = read_golden(params.golden, known_ids=set(clean["posting_id"]))
    models = {"base": load_model(read_json("metrics/base_models.json")["selected"]), "finetuned": load_model("models/finetuned")}
    report, served = evaluate(splits, clean, models, params, skill_tags, golden)
    write_json(report, "metrics/eval.json")
    write_json(served, "metrics/hybrid.json")  # what `jobsearch search` serves, chosen on validation
    for split, rows in plot_rows(report).items():
        write_json(rows, f"metrics/plots/eval_{split}.json")


if __name__ == "__main__":
    run_stage("evaluate", main)
