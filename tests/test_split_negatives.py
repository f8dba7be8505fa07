import numpy as np
import pandas as pd
import pytest

from jobsearch.negatives import NegativeParams, build_triplets, hard_negatives, least_similar_negatives, random_negatives
from jobsearch.split import SplitParams, assign_splits, check_disjoint


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_assign_splits_proportions_and_determinism():
    ids = [f"p{i}" for i in range(100)]
    split = assign_splits(ids, SplitParams(seed=1))
    assert split.value_counts().to_dict() == {"train": 80, "validation": 10, "test": 10}
    assert split.equals(assign_splits(ids, SplitParams(seed=1)))
    assert not split.equals(assign_splits(ids, SplitParams(seed=2)))


def test_adding_postings_moves_few_assignments():
    ids = [f"p{i}" for i in range(200)]
    before = assign_splits(ids, SplitParams())
    after = assign_splits(ids + ["new1", "new2"], SplitParams())[:200]
    assert (before != after).sum() <= 4


def test_duplicate_posting_ids_are_rejected():
    with pytest.raises(ValueError, match="p1"):
        assign_splits(["p1", "p1", "p2"], SplitParams())


def test_least_similar_never_picks_the_positive_and_spreads_negatives():
    emb = _unit([[1, 0], [0.9, 0.1], [0, 1], [-1, 0.1]])
    chosen = least_similar_negatives(emb, emb, chunk_size=2)
    assert all(chosen[i] != i for i in range(4))
    assert chosen[0] == 3  # the opposite direction
    assert len(set(chosen.tolist())) >= 3


def test_random_negatives_never_the_positive():
    picks = random_negatives(5, np.random.default_rng(0))
    assert all(picks[i] != i for i in range(5))


def test_hard_negatives_skip_near_duplicates_of_the_positive():
    # doc 1 is a near-duplicate of the positive (score ~ positive's), doc 2 is hard but distinct
    query = _unit([[1, 0, 0]])
    docs = _unit([[1, 0, 0], [0.99, 0.01, 0], [0.7, 0.7, 0], [0, 0, 1]])
    params = NegativeParams(strategy="hard", max_score_ratio=0.95, per_query=2, chunk_size=1)
    picks = hard_negatives(np.vstack([query, docs[1:]]), docs, params)[0]
    assert picks[0] == 2 and 1 not in picks and 0 not in picks


def test_hard_negatives_skip_top_ranks():
    query = _unit([[1, 0, 0]])
    docs = _unit([[1, 0, 0], [0.8, 0.6, 0], [0.6, 0.8, 0], [0, 0, 1]])
    params = NegativeParams(strategy="hard", max_score_ratio=1.0, skip_top=1)
    assert hard_negatives(np.vstack([query, docs[1:]]), docs, params)[0] == [2]


def test_build_triplets_draws_negatives_within_each_split():
    pairs = pd.DataFrame({"posting_id": [f"p{i}" for i in range(12)], "query": [f"q{i}" for i in range(12)], "text": [f"t{i}" for i in range(12)]})
    split = assign_splits(pairs["posting_id"], SplitParams(validation=0.25, test=0.25))
    triplets = build_triplets(pairs, split, NegativeParams(strategy="random"))
    assert len(triplets) == 12
    assert (triplets["negative_id"] != triplets["posting_id"]).all()
    by_split = {name: frame for name, frame in triplets.groupby("split")}
    check_disjoint(by_split)
    lookup = dict(zip(pairs["posting_id"], split))
    assert all(lookup[n] == s for n, s in zip(triplets["negative_id"], triplets["split"]))


def test_build_triplets_with_an_encoder(tiny_model):
    from jobsearch.embed import encode

    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["python sql", "icu nurse", "conduit nec"], "text": ["data scientist python sql", "registered nurse icu", "electrician conduit bending"]})
    triplets = build_triplets(pairs, pd.Series(["train"] * 3), NegativeParams(), lambda texts: encode(tiny_model, texts))
    assert triplets["positive"].tolist() == pairs["text"].tolist()
    assert (triplets["negative_id"] != triplets["posting_id"]).all()


def test_a_split_with_one_posting_is_a_clear_error():
    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["x", "y", "z"], "text": ["1", "2", "3"]})
    with pytest.raises(ValueError, match="split 'test' has 1 posting"):
        build_triplets(pairs, pd.Series(["train", "train", "test"]), NegativeParams(strategy="random"))


def test_check_disjoint_catches_a_leaked_negative():
    a = pd.DataFrame({"posting_id": ["p1"], "negative_id": ["p2"]})
    b = pd.DataFrame({"posting_id": ["p2"], "negative_id": ["p3"]})
    with pytest.raises(ValueError, match="p2"):
        check_disjoint({"train": a, "test": b})
