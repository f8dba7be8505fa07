"""split: data/triplets.parquet -> data/splits/{train,validation,test}.parquet."""

from jobsearch.io import read_parquet, write_json, write_parquet
from jobsearch.split import SPLITS, check_disjoint
from jobsearch.stage import run_stage


def main() -> None:
    triplets = read_parquet("data/triplets.parquet")
    splits = {name: triplets[triplets["split"] == name].drop(columns="split").reset_index(drop=True) for name in SPLITS}
    check_disjoint(splits)  # negatives were drawn within each split; prove it
    for name, frame in splits.items():
        write_parquet(frame, f"data/splits/{name}.parquet")
    write_json(
        {name: {"triplets": len(f), "postings": int(f["posting_id"].nunique())} for name, f in splits.items()},
        "metrics/split.json",
    )


if __name__ == "__main__":
    run_stage("split", main)
