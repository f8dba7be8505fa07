"""index: the fine-tuned model's embeddings of the cleaned postings, their BM25 index and the served ranker -> paths.index (its seconds -> paths.timings)."""

from jobsearch.config import section
from jobsearch.index import CORPUS_COLUMNS, IndexParams, build_index, read_served
from jobsearch.io import read_parquet, write_json
from jobsearch.models import ModelParams
from jobsearch.paths import Paths
from jobsearch.stage import run_stage


def main() -> None:
    params, model, paths = section(IndexParams, "index"), section(ModelParams, "model"), section(Paths, "paths")
    postings = read_parquet(paths.clean, CORPUS_COLUMNS)
    index = build_index(postings, paths.finetuned, read_served(paths.served), params, model)
    index.save(paths.index)
    write_json(index.metrics, paths.metrics_file("index"))
    write_json(index.timings, paths.timings_file("index"))


if __name__ == "__main__":
    run_stage("index", main)
