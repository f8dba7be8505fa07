"""negatives: (query, posting, negative) triplets, negatives from the same split -> data/triplets.parquet."""

from functools import partial

from jobsearch.config import load_params_file, section
from jobsearch.embed import encode
from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.models import load_model
from jobsearch.negatives import NegativeParams, build_triplets
from jobsearch.split import SplitParams, assign_splits
from jobsearch.stage import run_stage


def main() -> None:
    all_params = load_params_file()
    params = section(NegativeParams, "negatives", all_params)
    split_params = section(SplitParams, "split", all_params)
    postings = read_parquet("data/clean.parquet", ["posting_id", "text"])
    queries = read_parquet("data/queries.parquet", ["posting_id", "query"])
    pairs = postings.merge(queries, on="posting_id", how="inner", validate="one_to_one")
    split = assign_splits(pairs["posting_id"], split_params)
    encoder = None
    if params.strategy != "random":
        model = load_model(params.model, max_seq_length=params.max_seq_length)
        encoder = partial(_encode, model, params.batch_size)
    triplets = build_triplets(pairs, split, params, encoder)
    write_parquet(triplets, "data/triplets.parquet")
    write_json(
        {"strategy": params.strategy, "triplets": len(triplets), "per_split": triplets["split"].value_counts().to_dict()},
        "metrics/negatives.json",
    )


def _encode(model, batch_size, texts):
    return encode(model, texts, batch_size=batch_size, progress=len(texts) > 1000)


if __name__ == "__main__":
    run_stage("negatives", main)
