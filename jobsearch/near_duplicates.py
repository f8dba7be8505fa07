"""Grouping near-duplicate postings (reposts) by word-set Jaccard similarity.

Real corpora repost the same job with a word or two changed. Such postings must
stay in one split (else the test set holds training text) and must never be
each other's negative (else training pushes apart two equally good answers).

MinHash LSH proposes candidate pairs in about linear time; each candidate is
then verified by the exact Jaccard of the word sets, so a group never rests on
an estimate, and verified pairs are joined transitively (a~b, b~c: one group).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.minhash import sha1_hash32

_WORD = re.compile(r"\w+")


@dataclass
class NearDuplicateParams:
    threshold: float = 0.9  # word-set Jaccard at or above which two postings are one group
    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.num_perm < 16:
            raise ValueError(f"num_perm must be at least 16, got {self.num_perm}")


def word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0  # two empty texts are identical
    return len(a & b) / len(a | b)


def near_duplicate_groups(posting_ids: Sequence[str], texts: Sequence[str], params: NearDuplicateParams) -> list[str]:
    """A group id per posting (same order): the smallest posting_id of its group."""
    ids = [str(pid) for pid in posting_ids]
    if len(ids) != len(texts):
        raise ValueError(f"{len(ids)} posting ids but {len(texts)} texts")
    sets = [word_set(str(text)) for text in texts]
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees flat
            i = parent[i]
        return i

    for i, j in _candidate_pairs(sets, params):
        if jaccard(sets[i], sets[j]) >= params.threshold:
            parent[find(i)] = find(j)
    smallest: dict[int, str] = {}
    for i, pid in enumerate(ids):
        root = find(i)
        smallest[root] = min(smallest.get(root, pid), pid)
    return [smallest[find(i)] for i in range(len(ids))]


def _candidate_pairs(sets: list[frozenset[str]], params: NearDuplicateParams) -> set[tuple[int, int]]:
    """Index pairs (i < j) that MinHash LSH puts in a common band."""
    # most words recur across postings: hash each distinct word once, not once per posting
    word_hash = {word: sha1_hash32(word.encode()) for word in frozenset().union(*sets)}
    minhashes = [
        LeanMinHash(m)
        for m in MinHash.generator(sets, num_perm=params.num_perm, seed=params.seed, hashfunc=word_hash.__getitem__)
    ]
    bands = _bands(params.threshold, params.num_perm)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm, params=bands)
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(minhashes):
        pairs.update((i, j) for j in lsh.query(m) if j > i)
    return pairs


def _bands(threshold: float, num_perm: int, recall: float = 0.99) -> tuple[int, int]:
    """LSH (bands, rows per band) finding a pair at exactly ``threshold`` with probability >= ``recall``.

    MinHashLSH's own choice balances misses against false candidates and, at
    0.9, misses about two in three pairs of Jaccard 0.9. Candidates are
    verified exactly, so a false one costs a set intersection while a miss
    leaks a repost: take the most rows per band (fewest false candidates) that
    still reaches ``recall``.
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


def group_stats(groups: Sequence[str]) -> dict[str, int]:
    """How much the near-duplicate grouping merged: groups of 2+, their postings, the largest."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    multi = [s for s in sizes.values() if s >= 2]
    return {
        "groups_with_duplicates": len(multi),
        "postings_in_duplicate_groups": sum(multi),
        "largest_group": max(sizes.values(), default=0),
    }
