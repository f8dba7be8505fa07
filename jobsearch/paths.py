"""Where the stages read and write: the ``paths`` section of params.yaml.

dvc.yaml names the same files as ``${paths.<name>}``, so each path has one
home and moving a file is one edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Paths:
    postings: str = "data/postings.parquet"
    clean: str = "data/clean.parquet"
    queries: str = "data/queries.parquet"
    splits: str = "data/splits"  # <split>.parquet: each split's queries with their postings' text and group
    triplets: str = "data/triplets"  # <split>.parquet: each split's (query, posting, negative) rows
    base_models: str = "metrics/base_models.json"  # select_base's scores and choice
    finetuned: str = "models/finetuned"
    served: str = "metrics/served.json"  # the ranker evaluate chose on validation: jobsearch search serves it
    published: str = "models/published"  # the fine-tuned model with its model card: the DVC artifact
    index: str = "models/index"  # what search and serve load: postings, embeddings, BM25, the served ranker
    metrics: str = "metrics"  # <stage>.json, plots and reports; headline/: what `dvc metrics` shows
    timings: str = "logs/timings"  # <stage>.json: how long a stage took; neither Git nor DVC tracks it
    corpus_indexes: str = ".cache/index"  # jobsearch search --corpus: each corpus's index, built on first use

    def split_file(self, split: str) -> Path:
        return Path(self.splits) / f"{split}.parquet"

    def triplets_file(self, split: str) -> Path:
        return Path(self.triplets) / f"{split}.parquet"

    def metrics_file(self, name: str, suffix: str = ".json") -> Path:
        return Path(self.metrics) / f"{name}{suffix}"

    def timings_file(self, stage: str) -> Path:
        return Path(self.timings) / f"{stage}.json"
