"""Per-posting work across processes gives exactly what one process gives."""

from __future__ import annotations

import pandas as pd

from jobsearch.clean import CleanParams, clean_postings
from jobsearch.models import ModelParams
from jobsearch.parallel import map_indices
from jobsearch.queries import QueriesParams, offline_queries
from jobsearch.sample import generate_postings


def test_map_indices_keeps_order_across_processes():
    squares = map_indices(lambda i: i * i, 23, processes=2)
    assert squares == [i * i for i in range(23)]
    assert map_indices(lambda i: i, 0, processes=2) == []


def _postings() -> pd.DataFrame:
    return generate_postings(30, seed=5).rename(columns={"job_id": "posting_id"})


def test_clean_is_the_same_in_one_process_and_in_several(tiny_model_dir):
    from jobsearch.models import load_tokenizer

    tiny_tokenizer = load_tokenizer(str(tiny_model_dir))
    postings = _postings()
    one = clean_postings(postings, CleanParams(), ModelParams(), tokenizer=tiny_tokenizer, processes=1)
    several = clean_postings(postings, CleanParams(), ModelParams(), tokenizer=tiny_tokenizer, processes=2)
    pd.testing.assert_frame_equal(one[0], several[0])
    assert one[1:] == several[1:]  # metrics and the examples report


def test_offline_queries_are_the_same_in_one_process_and_in_several():
    postings = _postings()
    one = offline_queries(postings, QueriesParams(), processes=1)
    several = offline_queries(postings, QueriesParams(), processes=3)
    pd.testing.assert_frame_equal(one, several)
    assert len(one) == 30 * QueriesParams().per_posting
