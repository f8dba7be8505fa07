"""negatives: (query, posting, negative) triplets, negatives from the same split -> data/triplets.parquet."""

from functools import partial

import pyarrow.parquet as pq

from jobsearch.config import load_params_file, section
from jobsearch.embed import encode
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.models import load_model
from jobsearch.near_duplicates import NearDuplicateParams
from jobsearch.negatives import NegativeParams, make_triplets
from jobsearch.split import SplitParams
from jobsearch.stage import run_stage

QUERIES = "data/queries.parquet"


def main() -> None:
    all_params = load_params_file()
    params = section(NegativeParams, "negatives", all_params)
    split_params = section(SplitParams, "split", all_params)
    dup_params = section(NearDuplicateParams, "near_duplicates", all_params)
    postings = read_parquet("data/clean.parquet", ["posting_id", "text"])
    queries = read_parquet(QUERIES, ["posting_id", "query"] + (["style"] if _has_column(QUERIES, "style") else []))
    encoder = None
    if params.strategy != "random":
        model = load_model(params.model, max_seq_length=params.max_seq_length)
        encoder = partial(_encode, model, params.batch_size)
    triplets, metrics = make_triplets(postings, queries, params, split_params, dup_params, encoder)
    write_parquet(triplets, "data/triplets.parquet")
    write_json(metrics, "metrics/negatives.json")


def _has_column(path: str, column: str) -> bool:
    # files from before queries had a style still work
    try:
        return column in pq.read_schema(path).names
    except Exception:  # missing or unreadable: read_parquet reports it in one line
        return False


def _encode(model, batch_size, texts):
    return encode(model, texts, batch_size=batch_size, progress=len(texts) > 1000)


if __name__ == "__main__":
    run_stage("negatives", main)
