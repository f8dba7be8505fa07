"""evaluate: base vs fine-tuned (plus BM25 and hybrid) on validation and test -> metrics/eval.json."""

from jobsearch.config import section
from jobsearch.evaluation import EvalParams, evaluate_rankers, retrieval_task
from jobsearch.io import read_json, read_parquet, write_json
from jobsearch.models import load_model
from jobsearch.stage import run_stage


def main() -> None:
    params = section(EvalParams, "evaluate")
    base = read_json("metrics/base_models.json")["selected"]
    # dict order matters: the last dense model is the one fused with BM25
    models = {"base": load_model(base), "finetuned": load_model("models/finetuned")}
    corpus = read_parquet("data/clean.parquet", ["posting_id", "text"]) if params.corpus == "all" else None
    report = {}
    hybrid = None  # tuned on validation (evaluate.tune_hybrid), then applied unchanged to test
    for split in ("validation", "test"):
        triplets = read_parquet(f"data/splits/{split}.parquet", ["anchor", "positive", "posting_id", "negative", "negative_id"])
        report[split], hybrid = evaluate_rankers(retrieval_task(triplets, corpus), models, params, hybrid)
        summary = ", ".join(f"{name} mrr@10 {m['mrr@10']:.3f}" for name, m in report[split].items())
        print(f"{split}: {summary}")
    write_json(report, "metrics/eval.json")
    # `jobsearch search --mode hybrid` fuses with these
    write_json({"dense_weight": hybrid.dense_weight, "bm25_weight": hybrid.bm25_weight, "rrf_k": hybrid.rrf_k}, "metrics/hybrid.json")
    for split, rankers in report.items():
        # one row per ranker: what `dvc plots show` draws as bars
        write_json([{"ranker": name, **metrics} for name, metrics in rankers.items()], f"metrics/plots/eval_{split}.json")


if __name__ == "__main__":
    run_stage("evaluate", main)
