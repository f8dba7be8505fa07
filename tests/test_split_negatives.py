import zlib

import numpy as np
import pandas as pd
import pytest

from jobsearch.errors import DataError
from jobsearch.io import read_parquet
from jobsearch.negatives import (
    HardNegativesParams,
    NegativesParams,
    build_triplets,
    hard_negatives,
    least_similar_negatives,
    make_triplets,
    random_negatives,
)
from jobsearch.split import SPLITS, SplitParams, assign_splits, split_postings


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
    with pytest.raises(DataError, match="p1"):
        assign_splits(["p1", "p1", "p2"], SplitParams())


def test_least_similar_never_picks_the_positive_and_spreads_negatives():
    emb = _unit([[1, 0], [0.9, 0.1], [0, 1], [-1, 0.1]])
    chosen = least_similar_negatives(emb, emb, np.arange(4), np.arange(4), chunk_size=2)
    assert all(chosen[i] != i for i in range(4))
    assert chosen[0] == 3  # the opposite direction
    assert len(set(chosen.tolist())) >= 3


def test_random_negatives_never_the_positive():
    picks = random_negatives(np.arange(5), np.arange(5), np.random.default_rng(0))
    assert all(picks[i] != i for i in range(5))


def test_hard_negatives_skip_near_duplicates_of_the_positive():
    # doc 1 is a near-duplicate of the positive (score ~ positive's), doc 2 is hard but distinct
    query = _unit([[1, 0, 0]])
    docs = _unit([[1, 0, 0], [0.99, 0.01, 0], [0.7, 0.7, 0], [0, 0, 1]])
    params = NegativesParams(strategy="hard", chunk_size=1, hard=HardNegativesParams(max_score_ratio=0.95, per_query=2))
    picks = hard_negatives(np.vstack([query, docs[1:]]), docs, np.arange(4), np.arange(4), params)[0]
    assert picks[0] == 2 and 1 not in picks and 0 not in picks


def test_hard_negatives_skip_top_ranks():
    query = _unit([[1, 0, 0]])
    docs = _unit([[1, 0, 0], [0.8, 0.6, 0], [0.6, 0.8, 0], [0, 0, 1]])
    params = NegativesParams(strategy="hard", hard=HardNegativesParams(max_score_ratio=1.0, skip_top=1, per_query=1))
    assert hard_negatives(np.vstack([query, docs[1:]]), docs, np.arange(4), np.arange(4), params)[0] == [2]


def test_hard_negatives_that_bm25_ranks_high_share_the_querys_words():
    pairs = pd.DataFrame(
        {
            "posting_id": ["icu", "er", "cook", "driver"],
            "query": ["icu nurse epic", "emergency nurse triage", "line cook", "cdl driver"],
            "text": ["ICU nurse, Epic charting", "Emergency room nurse, triage and Epic", "Line cook, grill", "CDL truck driver"],
        }
    )
    params = NegativesParams(strategy="hard", hard=HardNegativesParams(scorer="bm25", per_query=1, max_score_ratio=1.0))
    built = []
    triplets, _ = make_triplets({"train": pairs}, params, encoder=lambda: built.append(1))
    assert built == []  # BM25 needs no encoder
    negative_of = dict(zip(triplets["train"]["posting_id"], triplets["train"]["negative_id"]))
    assert negative_of["icu"] == "er" and negative_of["er"] == "icu"  # the other nurse posting, by shared words


def test_negatives_come_from_the_anchors_own_split():
    postings = pd.DataFrame({"posting_id": [f"p{i}" for i in range(12)], "text": [f"t{i} " * 3 for i in range(12)]})
    queries = pd.DataFrame({"posting_id": postings["posting_id"], "query": [f"q{i}" for i in range(12)]})
    splits, _ = split_postings(postings, queries, SplitParams(validation=0.25, test=0.25))
    triplets, metrics = make_triplets(splits, NegativesParams(strategy="random"), encoder=lambda: None)
    assert metrics["triplets"] == 12
    for name, rows in splits.items():
        assert (triplets[name]["negative_id"] != triplets[name]["posting_id"]).all()
        assert set(triplets[name]["negative_id"]) <= set(rows["posting_id"])


def test_build_triplets_with_an_encoder(tiny_model):
    from jobsearch.embed import encode

    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["python sql", "icu nurse", "conduit nec"], "text": ["data scientist python sql", "registered nurse icu", "electrician conduit bending"]})
    triplets = build_triplets(pairs, NegativesParams(), lambda texts: encode(tiny_model, texts))
    assert triplets["positive"].tolist() == pairs["text"].tolist()
    assert (triplets["negative_id"] != triplets["posting_id"]).all()


def test_a_split_with_one_posting_is_a_clear_error():
    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["x", "y", "z"], "text": ["1", "2", "3"]})
    with pytest.raises(DataError, match="split 'test': 1 posting"):
        make_triplets({"train": pairs.iloc[:2], "test": pairs.iloc[2:]}, NegativesParams(strategy="random"), encoder=lambda: None)


def test_the_encoder_is_built_only_for_strategies_that_compare_embeddings():
    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["x", "y", "z"], "text": ["1", "2", "3"]})
    built = []
    make_triplets({"train": pairs}, NegativesParams(strategy="random"), encoder=lambda: built.append(1))
    assert built == []
    make_triplets({"train": pairs}, NegativesParams(), encoder=lambda: built.append(1) or _fake_encode)
    assert built == [1]


def test_a_split_nothing_reads_the_negatives_of_is_not_mined():
    pairs = pd.DataFrame({"posting_id": ["a", "b", "c"], "query": ["x", "y", "z"], "text": ["1", "2", "3"]})
    encoded = []

    def encoder():
        return lambda texts: encoded.extend(texts) or _fake_encode(texts)

    triplets, metrics = make_triplets({"train": pairs, "validation": pairs.assign(text=["4", "5", "6"])}, NegativesParams(), encoder, mined=["validation"])
    assert set(encoded) == {"x", "y", "z", "4", "5", "6"}  # validation's queries and postings only
    assert metrics["mined"] == ["validation"]
    train = triplets["train"]
    assert len(train) == 3 and (train["negative_id"] != train["posting_id"]).all()  # random, still never the positive
    make_triplets({"train": pairs}, NegativesParams(), lambda: encoded.append("built"), mined=[])
    assert "built" not in encoded  # nothing mined: no encoder at all


# --- near-duplicate groups and several queries per posting ---


def _fake_encode(texts):
    """Deterministic normalised vectors, one per text (unrelated texts: near-orthogonal)."""
    return _unit([np.random.default_rng(zlib.crc32(t.encode())).normal(size=16) for t in texts])


def _table_encoder(table):
    return lambda texts: _unit([table[t] for t in texts])


def _grouped_ids(n, seed):
    """n posting ids in groups of 1-3 (reposts), and each one's group id."""
    rng = np.random.default_rng(seed)
    ids, groups = [], []
    while len(ids) < n:
        size = min(int(rng.choice([1, 2, 3])), n - len(ids))
        groups += [f"g{len(ids):02d}"] * size
        ids += [f"p{len(ids) + i:02d}" for i in range(size)]
    return ids, groups


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_a_group_never_straddles_splits(seed):
    ids, groups = _grouped_ids(60, seed)
    split = assign_splits(ids, SplitParams(seed=seed, validation=0.2, test=0.2), groups)
    assert (split.groupby(pd.Series(groups)).nunique() == 1).all()
    counts = split.value_counts()
    for name in ("validation", "test"):
        assert 12 <= counts[name] <= 14  # the target of 12 postings, overshooting by less than a group


def test_singleton_groups_split_exactly_as_postings_do():
    ids = [f"p{i}" for i in range(100)]
    assert assign_splits(ids, SplitParams(seed=3), groups=ids).equals(assign_splits(ids, SplitParams(seed=3)))


def test_adding_groups_moves_few_assignments():
    ids, groups = _grouped_ids(200, 0)
    before = assign_splits(ids, SplitParams(), groups)
    after = assign_splits(ids + ["n1", "n2", "n3"], SplitParams(), groups + ["new", "new", "other"])[:200]
    assert (before != after).sum() <= 12


def test_groups_must_match_the_postings():
    with pytest.raises(ValueError, match="2 group ids for 3 postings"):
        assign_splits(["a", "b", "c"], SplitParams(), ["g", "g"])


def _twin_pairs():
    # A2 is a repost of A (one group); every query's own posting is a one-hot direction
    ids = ["A", "A2", "B", "C", "D", "E"]
    return pd.DataFrame(
        {
            "posting_id": ids,
            "query": [f"q{i}" for i in ids],
            "text": [f"t{i}" for i in ids],
            "group_id": ["A", "A", "B", "C", "D", "E"],
        }
    )


def _twin_table(twin):
    vectors = {
        "A": [1, 0, 0, 0],
        "A2": twin,
        "B": [0.6, 0.8, 0, 0],  # the hardest distinct posting for qA
        "C": [0, 0, 1, 0],
        "D": [0, 0, 0, 1],
        "E": [-0.5, 0, 0.86, 0],  # the least similar distinct posting for qA
    }
    return {f"{kind}{pid}": v for pid, v in vectors.items() for kind in ("q", "t")}


@pytest.mark.parametrize(
    ("twin", "strategy", "expected_for_a"),
    [
        ([0.97, 0.2, 0, 0], "hard", "B"),  # the twin is the most similar: hard mining would take it
        ([-1, 0, 0, 0], "hard", "B"),
        ([-1, 0, 0, 0], "least_similar", "E"),  # the twin is the least similar
        ([0.97, 0.2, 0, 0], "least_similar", "E"),
    ],
)
def test_a_near_duplicate_is_never_its_twins_negative(twin, strategy, expected_for_a):
    pairs = _twin_pairs()
    params = NegativesParams(strategy=strategy, chunk_size=2, hard=HardNegativesParams(per_query=2, max_score_ratio=1.0))
    triplets = build_triplets(pairs, params, _table_encoder(_twin_table(twin)))
    group_of = dict(zip(pairs["posting_id"], pairs["group_id"]))
    assert (triplets["negative_id"].map(group_of) != triplets["group_id"]).all()
    assert triplets.loc[triplets["posting_id"] == "A", "negative_id"].iloc[0] == expected_for_a
    assert set(triplets["posting_id"]) == set(pairs["posting_id"])


def test_random_negatives_never_pick_a_twin():
    pairs = _twin_pairs().iloc[:3]  # A, A2 (one group) and B: A's and A2's only allowed negative is B
    seen_for_b = set()
    for seed in range(20):
        triplets = build_triplets(pairs, NegativesParams(strategy="random", seed=seed))
        negatives = dict(zip(triplets["posting_id"], triplets["negative_id"]))
        assert negatives["A"] == negatives["A2"] == "B"
        seen_for_b.add(negatives["B"])
    assert seen_for_b == {"A", "A2"}  # both members of the other group are drawn


def _postings_with_reposts():
    descriptions = {f"p{k:02d}": " ".join(f"w{k}x{i}" for i in range(40)) for k in range(30)}
    for k in range(0, 30, 6):  # 5 reposts with one word changed (Jaccard 40/42 with the title)
        descriptions[f"r{k:02d}"] = descriptions[f"p{k:02d}"].replace(f"w{k}x3 ", "changed ")
    texts = [f"role{pid[1:]}\n\n{d}" for pid, d in descriptions.items()]
    return pd.DataFrame({"posting_id": list(descriptions), "text": texts, "description": list(descriptions.values())})


@pytest.mark.parametrize("strategy", ["least_similar", "random", "hard"])
def test_split_then_negatives_with_several_queries_per_posting_and_reposts(strategy):
    postings = _postings_with_reposts()
    styles = ["keywords", "question", "title"]
    queries = pd.DataFrame(
        [(pid, f"{style} query for {pid}", style) for pid in postings["posting_id"] for style in styles],
        columns=["posting_id", "query", "style"],
    )
    splits, split_metrics = split_postings(postings, queries, SplitParams(seed=1, validation=0.2, test=0.2))
    params = NegativesParams(strategy=strategy, chunk_size=7, hard=HardNegativesParams(per_query=3, max_score_ratio=1.0))
    by_split, metrics = make_triplets(splits, params, encoder=lambda: _fake_encode)
    triplets = pd.concat([t.assign(split=name) for name, t in by_split.items()], ignore_index=True)
    # every query has its triplet(s), with its posting, style and split
    anchors = triplets.drop_duplicates(["posting_id", "anchor"])
    assert len(anchors) == len(queries) == 105
    got = sorted(zip(anchors["posting_id"], anchors["anchor"], anchors["style"]))
    assert got == sorted(queries.itertuples(index=False, name=None))
    per_anchor = triplets.groupby("anchor").size()
    assert per_anchor.between(1, 3 if strategy == "hard" else 1).all()
    assert (triplets.groupby("posting_id")["split"].nunique() == 1).all()
    # reposts share a group and a split, and are never each other's negative
    group_of = dict(zip(triplets["posting_id"], triplets["group_id"]))
    assert all(group_of[f"r{k:02d}"] == f"p{k:02d}" for k in range(0, 30, 6))
    assert (triplets.groupby("group_id")["split"].nunique() == 1).all()
    assert (triplets["negative_id"].map(group_of) != triplets["group_id"]).all()
    split_of = dict(zip(triplets["posting_id"], triplets["split"]))
    assert (triplets["negative_id"].map(split_of) == triplets["split"]).all()
    # a title query's positive is its posting without the title; every other positive and every negative is whole
    posting = postings.set_index("posting_id")
    titled = triplets["style"] == "title"
    assert (triplets.loc[titled, "positive"] == posting.loc[triplets.loc[titled, "posting_id"], "description"].to_numpy()).all()
    assert (triplets.loc[~titled, "positive"] == posting.loc[triplets.loc[~titled, "posting_id"], "text"].to_numpy()).all()
    assert (triplets["negative"] == posting.loc[triplets["negative_id"], "text"].to_numpy()).all()
    assert split_metrics["near_duplicates"] == {
        "threshold": 0.9,
        "groups_with_duplicates": 5,
        "postings_in_duplicate_groups": 10,
        "largest_group": 2,
    }
    assert sum(split_metrics["queries"].values()) == 105
    assert sum(split_metrics["postings"].values()) == 35
    assert list(split_metrics["postings"]) == list(SPLITS)
    assert metrics["per_split"] == {name: len(t) for name, t in by_split.items()}


def test_title_queries_without_descriptions_are_a_data_error():
    postings = _postings_with_reposts().drop(columns="description")
    queries = pd.DataFrame({"posting_id": ["p00", "p01"], "query": ["role00", "x"], "style": ["title", "skills"]})
    with pytest.raises(DataError, match="description"):
        split_postings(postings, queries, SplitParams())
    rows, _ = split_postings(postings, queries.assign(style="skills"), SplitParams())
    assert pd.concat(rows.values())["untitled"].isna().all()


def test_queries_of_unknown_postings_are_dropped_and_none_left_is_an_error():
    postings = _postings_with_reposts()
    queries = pd.DataFrame({"posting_id": ["p00", "p01", "ghost"], "query": ["a", "b", "c"]})
    splits, _ = split_postings(postings, queries, SplitParams(validation=0, test=0))
    assert sorted(splits["train"]["posting_id"]) == ["p00", "p01"]
    assert "style" not in splits["train"].columns
    with pytest.raises(DataError, match="no query"):
        split_postings(postings, queries.iloc[2:], SplitParams())


def test_duplicate_postings_are_a_data_error():
    postings = pd.DataFrame({"posting_id": ["a", "a", "b"], "text": ["x", "y", "z"]})
    queries = pd.DataFrame({"posting_id": ["a", "b"], "query": ["q", "r"]})
    with pytest.raises(DataError, match="'a' appears more than once"):
        split_postings(postings, queries, SplitParams())


def test_a_split_with_a_single_group_is_a_clear_error():
    pairs = pd.DataFrame(
        {
            "posting_id": ["a", "b", "c", "d"],
            "query": ["w", "x", "y", "z"],
            "text": ["1", "2", "3", "4"],
            "group_id": ["a", "b", "c", "c"],  # test holds c and its repost d: no negative for either
        }
    )
    splits = {"train": pairs.iloc[:2], "test": pairs.iloc[2:]}
    with pytest.raises(DataError, match="split 'test': 2 posting.* in 1 near-duplicate group"):
        make_triplets(splits, NegativesParams(strategy="random"), encoder=lambda: None)


def test_rows_of_one_posting_must_share_a_group():
    pairs = pd.DataFrame({"posting_id": ["a", "a", "b", "c"], "query": ["w", "x", "y", "z"], "text": ["1", "1", "2", "3"], "group_id": ["a", "b", "b", "c"]})
    with pytest.raises(DataError, match="posting 'a' has rows with different group_id"):
        build_triplets(pairs, NegativesParams(strategy="random"))


def test_style_is_read_only_where_the_queries_have_it(tmp_path):
    pd.DataFrame({"posting_id": ["a"], "query": ["q"]}).to_parquet(tmp_path / "old.parquet")
    pd.DataFrame({"posting_id": ["a"], "query": ["q"], "style": ["s"]}).to_parquet(tmp_path / "new.parquet")
    assert list(read_parquet(tmp_path / "old.parquet", ["posting_id", "query"], optional=["style"]).columns) == ["posting_id", "query"]
    assert list(read_parquet(tmp_path / "new.parquet", ["posting_id", "query"], optional=["style"]).columns) == ["posting_id", "query", "style"]


def test_golden_postings_never_reach_training_and_split_in_halves():
    ids, groups = _grouped_ids(200, 0)
    held_out = ids[::25]  # 8 golden postings, some in groups with reposts
    split = assign_splits(ids, SplitParams(seed=1), groups, held_out)
    in_group = pd.Series(groups).map(pd.Series(split.to_numpy(), index=groups).groupby(level=0).first())
    assert (split == in_group).all()  # groups stay whole
    golden_split = split[pd.Series(ids).isin(held_out)]
    assert "train" not in set(golden_split)
    assert abs((golden_split == "validation").sum() - (golden_split == "test").sum()) <= 3  # halves, by group
    reposts_of_golden = pd.Series(groups).isin(set(pd.Series(groups)[pd.Series(ids).isin(held_out)]))
    assert (split[reposts_of_golden] != "train").all()
    # the targets (20 postings each) still hold, overshooting by less than a group
    counts = split.value_counts()
    for name in ("validation", "test"):
        assert 20 <= counts[name] <= 22
    # without a golden set the assignment is what it was
    assert assign_splits(ids, SplitParams(seed=1), groups, ()).equals(assign_splits(ids, SplitParams(seed=1), groups))


def test_split_postings_counts_the_held_out_postings(three_postings):
    postings = pd.concat([three_postings] * 4, ignore_index=True)
    postings["posting_id"] = [f"p{i}" for i in range(len(postings))]
    postings["description"] = [f"{d} variant {i} {'x ' * i}" for i, d in enumerate(postings["description"])]
    postings["text"] = postings["title"] + "\n\n" + postings["description"]
    queries = pd.DataFrame({"posting_id": postings["posting_id"], "query": "python sql"})
    splits, metrics = split_postings(postings, queries, SplitParams(validation=0.2, test=0.2), held_out={"p0", "p5"})
    assert not splits["train"]["posting_id"].isin({"p0", "p5"}).any()
    assert metrics["held_out"] == {"train": 0, "validation": 1, "test": 1}
