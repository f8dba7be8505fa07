import pytest

from jobsearch.config import from_dict
from jobsearch.errors import ConfigError
from jobsearch.near_duplicates import NearDuplicateParams, group_stats, jaccard, near_duplicate_groups, word_set

BASE = " ".join(f"skill{i}" for i in range(40))  # 40 distinct words


def _repost(text: str, position: int, word: str = "changed") -> str:
    words = text.split()
    words[position] = word
    return " ".join(words)


def _distinct(k: int) -> str:
    return " ".join(f"post{k}word{i}" for i in range(40))


def test_a_repost_with_one_word_changed_is_grouped():
    repost = _repost(BASE, 5)
    assert jaccard(word_set(BASE), word_set(repost)) >= 0.9  # 39 / 41
    groups = near_duplicate_groups(["b", "a", "c"], [BASE, repost.upper(), _distinct(1)], NearDuplicateParams())
    assert groups == ["a", "a", "c"]  # case-insensitive; the group id is the smallest id


def test_distinct_and_merely_similar_postings_are_not_grouped():
    half = " ".join(BASE.split()[:20] + [f"other{i}" for i in range(20)])  # Jaccard 1/3
    texts = [BASE, half] + [_distinct(k) for k in range(20)]
    ids = [f"p{i:02d}" for i in range(len(texts))]
    assert near_duplicate_groups(ids, texts, NearDuplicateParams()) == ids


def test_below_the_threshold_is_not_grouped_even_when_minhash_proposes_it():
    # 5 of 40 words changed: Jaccard 35/45 = 0.78, under 0.9 but over a 0.7 threshold
    changed = BASE
    for position in range(5):
        changed = _repost(changed, position, f"new{position}")
    assert near_duplicate_groups(["a", "b"], [BASE, changed], NearDuplicateParams()) == ["a", "b"]
    assert near_duplicate_groups(["a", "b"], [BASE, changed], NearDuplicateParams(threshold=0.7)) == ["a", "a"]


def test_groups_are_transitive():
    b = _repost(BASE, 0, "x")
    c = _repost(_repost(b, 39, "y"), 20, "z")  # a~b (39/41), b~c (38/42 = 0.905), a vs c 37/43 < 0.9
    assert jaccard(word_set(BASE), word_set(c)) < 0.9
    groups = near_duplicate_groups(["p3", "p2", "p1", "p9"], [c, BASE, b, _distinct(0)], NearDuplicateParams())
    assert groups == ["p1", "p1", "p1", "p9"]


def test_grouping_is_deterministic_and_stats_count_the_groups():
    texts = []
    for k in range(30):
        texts.append(_distinct(k))
        if k % 10 == 0:
            texts += [_repost(_distinct(k), 1), _repost(_distinct(k), 2)]
    ids = [f"id{i:03d}" for i in range(len(texts))]
    first = near_duplicate_groups(ids, texts, NearDuplicateParams(seed=7))
    assert first == near_duplicate_groups(ids, texts, NearDuplicateParams(seed=7))
    assert group_stats(first) == {"groups_with_duplicates": 3, "postings_in_duplicate_groups": 9, "largest_group": 3}
    assert group_stats(["a", "b"]) == {"groups_with_duplicates": 0, "postings_in_duplicate_groups": 0, "largest_group": 1}


@pytest.mark.parametrize(
    ("raw", "field"),
    [({"threshold": 0}, "threshold"), ({"threshold": 1.5}, "threshold"), ({"num_perm": 8}, "num_perm")],
)
def test_params_are_validated(raw, field):
    with pytest.raises(ValueError, match=field):
        NearDuplicateParams(**raw)
    with pytest.raises(ConfigError, match=f"near_duplicates: {field}"):
        from_dict(NearDuplicateParams, raw, prefix="near_duplicates")


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="2 posting ids but 1 texts"):
        near_duplicate_groups(["a", "b"], ["x"], NearDuplicateParams())


def test_reposts_just_above_the_threshold_are_all_found():
    # LSH tuned only to the threshold misses many pairs near it; every one of these must be grouped
    texts, ids = [], []
    for k in range(60):
        texts += [_distinct(k), _repost(_distinct(k), k % 40)]  # Jaccard 39/41 = 0.95
        ids += [f"a{k:02d}", f"b{k:02d}"]
    groups = near_duplicate_groups(ids, texts, NearDuplicateParams())
    assert groups == [f"a{k:02d}" for k in range(60) for _ in range(2)]
