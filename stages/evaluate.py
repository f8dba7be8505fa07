"""evaluate: base vs fine-tuned vs BM25 vs fused rankers on several query sets -> metrics/eval.json (the whole report),
metrics/headline/ (what `dvc metrics` shows), paths.served."""

from jobsearch.config import section
from jobsearch.evaluate import HEADLINE, EvaluateParams, evaluate, headline, plot_rows
from jobsearch.golden import read_golden
from jobsearch.io import read_json, read_parquet, write_json, write_json_folder
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.stage import run_stage


def main() -> None:
    params, model, paths = section(EvaluateParams, "evaluate"), section(ModelParams, "model"), section(Paths, "paths")
    clean = read_parquet(paths.clean, ["posting_id", "title", "description", "text"], optional=["skills"])
    splits = {name: read_parquet(paths.triplets_file(name)) for name in ("validation", "test")}
    golden = read_golden(params.golden, known_ids=set(clean["posting_id"])) if params.golden else None
    models = {"base": model.load(read_json(paths.base_models)["selected"]), "finetuned": model.load(paths.finetuned)}
    report, served = evaluate(splits, clean, models, params, batch_size=model.batch_size, precision=model.precision, passages=model.passages, golden=golden)
    write_json(report, paths.metrics_file("eval"))
    write_json_folder(headline(report), paths.metrics_file(HEADLINE, ""))
    write_json(served, paths.served)
    for split, rows in plot_rows(report).items():
        write_json(rows, paths.metrics_file(f"plots/eval_{split}"))


if __name__ == "__main__":
    run_stage("evaluate", main)
