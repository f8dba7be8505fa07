"""Retrieval: metrics against hand-computed rankings, top-k against brute force,
BM25 on a toy corpus, score normalisation and both fusions by hand, and the
served ranker on a toy corpus."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jobsearch.errors import ConfigError, DataError
from jobsearch.models import PassageParams
from jobsearch.retrieval.bm25 import BM25Index
from jobsearch.retrieval.dense import DenseIndex
from jobsearch.retrieval.passages import later_passages, matched_passages
from jobsearch.retrieval.metrics import retrieval_metrics
from jobsearch.retrieval.rankers import (
    HybridParams,
    QueryScores,
    RankerParams,
    fuse_scores,
    normalise_scores,
    rank,
    reciprocal_rank_scores,
)
from jobsearch.retrieval.text import matched_terms, snippet, tokenize
from jobsearch.retrieval.topk import cosine, top_k

# ---------------------------------------------------------------- metrics


def test_metrics_single_query_relevant_at_rank_two():
    metrics = retrieval_metrics(np.array([[2, 0, 1]]), [0])
    assert metrics == pytest.approx(
        {"mrr@10": 0.5, "ndcg@10": 1 / math.log2(3), "recall@1": 0.0, "recall@10": 1.0}
    )


def test_metrics_relevant_beyond_top_ten_scores_zero():
    ranked = np.array([list(range(1, 12)) + [0]])  # relevant posting 0 at rank 12
    metrics = retrieval_metrics(ranked, np.array([0]))
    assert metrics == {"mrr@10": 0.0, "ndcg@10": 0.0, "recall@1": 0.0, "recall@10": 0.0}


def test_metrics_are_averaged_over_queries():
    ranked = np.array([[0, 1, 2], [2, 0, 1], [1, 2, 3]])
    metrics = retrieval_metrics(ranked, [0, 0, 5])  # rank 1, rank 2, missing
    assert metrics == pytest.approx(
        {
            "mrr@10": (1 + 0.5 + 0) / 3,
            "ndcg@10": (1 + 1 / math.log2(3) + 0) / 3,
            "recall@1": 1 / 3,
            "recall@10": 2 / 3,
        }
    )


def test_metrics_with_sets_of_relevant_postings():
    # relevant {0, 1}: hits at ranks 2 and 4
    metrics = retrieval_metrics(np.array([[3, 1, 4, 0]]), [{0, 1}], ks=(1, 2, 10))
    ideal = 1 + 1 / math.log2(3)
    assert metrics == pytest.approx(
        {
            "mrr@10": 0.5,
            "ndcg@10": (1 / math.log2(3) + 1 / math.log2(5)) / ideal,
            "recall@1": 0.0,
            "recall@2": 0.5,
            "recall@10": 1.0,
        }
    )


def test_metrics_ignore_padding_and_short_rows():
    # fewer columns than the cut-off, and -1 padding, are both just "no posting there"
    metrics = retrieval_metrics(np.array([[-1, 4], [-1, -1]]), [4, 3])
    assert metrics == pytest.approx({"mrr@10": 0.25, "ndcg@10": 0.5 / math.log2(3), "recall@1": 0.0, "recall@10": 0.5})


def test_metrics_reject_bad_input():
    with pytest.raises(DataError, match="2 ranked rows but 1"):
        retrieval_metrics(np.array([[0], [1]]), [0])
    with pytest.raises(DataError, match="no relevant posting"):
        retrieval_metrics(np.array([[0]]), [set()])
    with pytest.raises(DataError, match="no queries"):
        retrieval_metrics(np.zeros((0, 10), dtype=int), [])


# ---------------------------------------------------------------- dense


def _brute_force(queries: np.ndarray, docs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    d = docs / np.linalg.norm(docs, axis=1, keepdims=True)
    sims = q @ d.T
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(sims, order, axis=1)


def test_dense_scores_and_top_k_match_brute_force():
    rng = np.random.default_rng(0)
    queries = rng.normal(size=(301, 16)).astype(np.float32)
    docs = rng.normal(size=(1000, 16)).astype(np.float32) * rng.uniform(0.1, 10, size=(1000, 1)).astype(np.float32)
    expected_indices, expected_scores = _brute_force(queries, docs, 7)
    indices, scores = top_k(cosine(queries, docs), k=7)
    assert indices.shape == scores.shape == (301, 7)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(scores, expected_scores, atol=1e-5)


def test_top_k_beyond_the_corpus_ties_and_padding():
    docs = np.eye(3, dtype=np.float32)
    queries = np.array([[0.1, 0.2, 0.9], [1.0, 0.0, 0.5]], dtype=np.float32)
    indices, scores = top_k(cosine(queries, docs), k=10)
    np.testing.assert_array_equal(indices, [[2, 1, 0], [0, 2, 1]])
    assert scores[0, 0] == pytest.approx(0.9 / math.sqrt(0.86), abs=1e-6)
    # equal scores: the lower index first; positive_only pads what scored nothing
    indices, _ = top_k(np.array([[0.0, 2.0, 2.0, 1.0]]), k=4, positive_only=True)
    assert indices.tolist() == [[1, 2, 3, -1]]


def test_top_k_has_one_tie_rule_even_where_the_kth_place_is_tied():
    # six postings tie for the 3rd and 4th places: the lower indices take them, in order
    scores = np.array([[1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 3.0]] * 3, dtype=np.float32)
    indices, values = top_k(scores, k=4)
    assert indices.tolist() == [[7, 0, 1, 2]] * 3 and values[0].tolist() == [3.0, 1.0, 0.5, 0.5]
    # the lowest first: the same rule; the worst end (-inf, or +inf lowest first) is never ranked
    indices, values = top_k(np.array([[2.0, np.inf, 1.0, 1.0]]), k=4, largest=False)
    assert indices.tolist() == [[2, 3, 0, -1]] and values.tolist() == [[1.0, 1.0, 2.0, 0.0]]
    assert top_k(np.array([[2.0, -np.inf, 1.0]]), k=3)[0].tolist() == [[0, 2, -1]]
    with pytest.raises(DataError, match="k must be at least 1"):
        top_k(scores, k=0)
    with pytest.raises(DataError, match="NaN"):
        top_k(np.array([[np.nan, 1.0]]), k=1)
    with pytest.raises(DataError, match="2-D"):
        top_k(np.ones(3), k=1)


def test_postings_that_embed_alike_tie_exactly_wherever_they_sit_and_the_lower_index_wins():
    rng = np.random.default_rng(1)
    docs = rng.normal(size=(600, 384)).astype(np.float32)
    docs[[17, 300, 599]] = docs[5]  # reposts: the same embedding at a block's start, middle and edge
    queries = rng.normal(size=(1000, 384)).astype(np.float32)
    scores = cosine(queries, docs)
    assert all((scores[:, 5] == scores[:, i]).all() for i in (17, 300, 599))
    best = top_k(scores[:, [599, 300, 17, 5]], k=4)[0]
    assert (best == [0, 1, 2, 3]).all()  # equal scores: the lower index first, in every row


def test_dense_scores_reject_mismatched_dimensions():
    with pytest.raises(DataError, match="dimensions"):
        cosine(np.ones((2, 4)), np.ones((3, 5)))


# ---------------------------------------------------------------- passages (a posting read whole)


def test_later_passages_cover_every_word_past_the_start_each_headed_by_its_title():
    words = [f"w{i}" for i in range(11)]
    passages, owner = later_passages([" ".join(words), "short text", " ".join(words[:7])], words=4, stride=3, heads=["Nurse", "Welder", "Cook"])
    assert passages == ["Nurse\n\nw3 w4 w5 w6", "Nurse\n\nw6 w7 w8 w9", "Nurse\n\nw9 w10", "Cook\n\nw3 w4 w5 w6"]
    assert owner.tolist() == [0, 0, 0, 2]  # a text no longer than its first window has none
    assert later_passages(["a b c d e f g h"], words=4, stride=3)[0] == ["d e f g", "g h"]  # no heads: the windows alone
    assert later_passages(["a b c d e f g h"], words=0, stride=3)[0] == []  # words 0: a posting is its first passage only


def test_a_query_is_matched_to_the_passage_holding_most_of_its_words():
    text = "Mechanic\n\nRebuild engines and brakes. " + "Shifts rotate weekly. " * 10 + "Hydraulic pumps and welding of frames."
    later, _ = later_passages([text], 8, 6, ["Mechanic"])
    queries = ["welding frames", "engines brakes", "pastry chef", "engines hydraulic"]
    chosen = matched_passages(queries, [text] * 4, ["Mechanic"] * 4, 8, 6)
    assert chosen[0] == later[-1] and chosen[0].startswith("Mechanic\n\n")  # the duties past the start, under the title
    assert chosen[1:] == [text, text, text]  # held at the start; held nowhere; held as much at the start (a tie keeps the start)
    assert matched_passages(queries[:1], [text], ["Mechanic"], 0, 6) == [text]  # no passages: every query keeps its posting


def test_passage_params_are_checked():
    with pytest.raises(ValueError, match="stride"):
        PassageParams(words=100, stride=120)  # words between windows would never be read
    with pytest.raises(ValueError, match="at least"):
        PassageParams(words=-1)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_a_posting_scores_its_best_passage_exactly_and_approximately():
    rng = np.random.default_rng(3)
    first, later = _unit(rng.normal(size=(400, 16))), _unit(rng.normal(size=(900, 16)))
    owner = np.sort(rng.choice(np.arange(0, 400, 2), size=900))  # every other posting has later passages
    index = DenseIndex.of_passages(first, later, owner)
    queries = _unit(later[:30] + 0.05 * rng.normal(size=(30, 16)))
    passage_scores = cosine(queries, np.concatenate([first, later]))
    expected = passage_scores[:, :400].copy()
    for row, posting in enumerate(owner):
        expected[:, posting] = np.maximum(expected[:, posting], passage_scores[:, 400 + row])
    assert index.postings == 400 and np.array_equal(index.exact_scores(queries), expected)
    assert (index.exact_scores(queries).argmax(axis=1) == owner[:30]).all()  # found by a passage past its start
    approximate = index.hnsw(16, 64, 128)
    assert approximate.recall(queries) >= 0.95
    top = np.argsort(-approximate.scores(queries[:1], 20)[0], kind="stable")[:10]
    assert np.allclose(approximate.scores(queries[:1], 20)[0, top], expected[0, top], atol=1e-5)


def test_a_dense_index_rejects_passages_out_of_posting_order():
    with pytest.raises(ValueError, match="owner"):
        DenseIndex(np.ones((4, 2), dtype=np.float32), owner=np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match="owner"):
        DenseIndex(np.ones((4, 2), dtype=np.float32), owner=np.array([0, 1, 0, 3]))  # a passage of no posting


# ---------------------------------------------------------------- tokenizer / BM25

POSTINGS = [
    "Operations research analyst: optimization, optimization models, linear programming",
    "Data scientist building optimization pipelines in Python and SQL",
    "Supply chain optimization with Gurobi and Python",
    "Backend engineer, C++ and C# on .NET, optimization of services",
    "Medical coder: ICD-10 and CPT coding, optimization of billing",
]


def test_tokenize_keeps_programming_names_and_compounds():
    tokens = tokenize("C++, C# and .NET; ICD-10 the IT team, it works")
    assert tokens == ["c++", "c#", ".net", "icd10", "icd", "10", "it", "team", "works"]
    # a dot glued between sentences is a boundary, not a name like node.js
    assert tokenize("diversity.We use Node.js") == ["diversity", "use", "nodejs", "node", "js"]


def test_bm25_ranks_rare_exact_term_first():
    index = BM25Index(POSTINGS)
    indices, scores = top_k(index.scores(["optimization with gurobi", "c++ developer", "ICD10 coding"]), 3, positive_only=True)
    assert indices[0, 0] == 2
    assert scores[0, 0] > scores[0, 1] > 0
    assert indices[1, 0] == 3
    assert indices[2, 0] == 4


def test_bm25_pads_unmatched_queries_and_short_corpora():
    index = BM25Index(POSTINGS)
    indices, scores = top_k(index.scores(["", "the and of", "zzz unknownword", "gurobi"]), 10, positive_only=True)
    assert indices.shape == (4, 5)  # k larger than the corpus
    assert (indices[:3] == -1).all() and (scores[:3] == 0).all()
    assert indices[3].tolist() == [2, -1, -1, -1, -1]


def test_bm25_rejects_empty_corpus():
    with pytest.raises(DataError, match="empty"):
        BM25Index([])


def test_bm25_corrects_typos_to_the_closest_most_common_term(tmp_path):
    postings = [
        "python developer building pandas pipelines",
        "python and spark data engineer",
        "senior data scientist, machine learning experience",
        "typhon mythology researcher",  # "typhon" is as close to "pyhton" as "python" is, but rarer
        "sql analyst with tableau",
    ]
    index = BM25Index(postings)
    fixed = index.typos.corrections(["pyhton", "scientis", "expeirence", "experince", "tableau", "sqll", "zzzzzzz"])
    # one edit (a swap, a dropped letter), two from nine letters; known, short and hopeless terms stay
    assert fixed == {"pyhton": "python", "scientis": "scientist", "expeirence": "experience", "experince": "experience"}
    assert index.typos.corrections(["scemtist"]) == {}  # two edits from "scientist", but only eight letters
    exact, fuzzy = index.scores(["pyhton pandsa"])[0], _fuzzy_scores(index, "pyhton pandsa")
    assert (exact == 0).all()
    assert fuzzy.argmax() == 0 and fuzzy[1] > 0 and fuzzy[3] == 0
    # a term that is in the postings is never "corrected", even when a commoner term is one edit away
    assert _fuzzy_scores(index, "typhon").argmax() == 3
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    assert loaded.typos.corrections(["pyhton"]) == {"pyhton": "python"}
    assert np.array_equal(_fuzzy_scores(loaded, "pyhton pandsa"), fuzzy)


def _fuzzy_scores(index: BM25Index, query: str) -> np.ndarray:
    """BM25 scores of ``query`` as a typo-tolerant ranker reads it."""
    return QueryScores([query], index).bm25(RankerParams("bm25", fuzzy=True))[0]


def test_a_rare_typo_that_postings_contain_also_reads_as_the_far_commoner_word():
    postings = [f"project management role {i}" for i in range(25)] + ["managment consultant", "manager of stores"]
    index = BM25Index(postings)
    # "managment" is in one posting, "management" in 25 (at least TYPO_RARITY times as many)
    assert index.typos.corrections(["managment", "management", "manager"]) == {"managment": "management"}
    assert index.typos.correct("Project managment") == "Project managment management"
    fuzzy = _fuzzy_scores(index, "managment")
    assert fuzzy.argmax() == 25 and (fuzzy[:25] > 0).all() and fuzzy[26] == 0  # the typed word still ranks its posting first
    assert (index.scores(["managment"]) > 0).sum() == 1


def test_fuzzy_ranker_label_and_only_bm25_reads_it():
    assert RankerParams("bm25", fuzzy=True).label == "bm25, typo-tolerant"
    assert RankerParams("dense", fuzzy=True).label == "dense"
    assert RankerParams("hybrid", HybridParams("convex", 0.3, 0.7), fuzzy=True).label == "hybrid (convex, dense 0.3 / bm25 0.7, typo-tolerant)"


def test_matched_terms_reports_query_terms_found_in_the_text():
    text = "We need an ICD-10 certified engineer who knows Gurobi."
    query = "Senior Gurobi and ICD10 engineering role"
    assert matched_terms(query, text) == ["gurobi", "icd10", "engineering"]
    assert matched_terms(query, text, prefix_min_len=0) == ["gurobi", "icd10"]
    assert matched_terms("icd-9 coder", "ICD coding") == ["icd"]
    assert matched_terms("", text) == []


def test_matched_terms_and_snippets_cost_the_texts_length_not_its_product_with_the_query():
    import random
    import time

    rng = random.Random(0)
    word = lambda: "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(5, 10)))  # noqa: E731
    posting = " ".join(word() for _ in range(40_000))  # 40,000 distinct-ish words: a posting nobody writes, the worst case
    query = " ".join(word() for _ in range(70)) + " " + posting.split()[123]  # a 500-character query
    start = time.perf_counter()
    terms = matched_terms(query, posting)
    shown = snippet(posting, terms)
    seconds = time.perf_counter() - start
    # query words x posting words was 2.8 million prefix comparisons (seconds); one pass is a fraction of one
    assert terms == [posting.split()[123]] and posting.split()[123] in shown
    assert seconds < 1.0, f"{seconds:.2f} s"


# ---------------------------------------------------------------- fusion


def test_normalise_scores_between_depth_cut_and_best():
    scores = np.array([[0.2, 0.8, 0.5, 0.4], [3.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]], dtype=np.float32)
    normalised = normalise_scores(scores, depth=3)
    # row 0: cut at the 3rd best (0.4), best 0.8
    np.testing.assert_allclose(normalised[0], [0, 1, 0.25, 0], atol=1e-6)
    # row 1: one BM25 match; row 2: no match at all normalises to zeros
    np.testing.assert_allclose(normalised[1], [1, 0, 0, 0])
    np.testing.assert_allclose(normalised[2], [0, 0, 0, 0])
    # scale-free: BM25 scores ten times larger normalise the same
    np.testing.assert_allclose(normalise_scores(scores * 10, depth=3), normalised, atol=1e-6)


def test_reciprocal_rank_scores_by_hand():
    scores = np.array([[0.9, 0.1, 0.5, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(reciprocal_rank_scores(scores, depth=2, k=1), [[1 / 2, 0, 1 / 3, 0]])
    # positive_only: a posting BM25 did not match gets no rank
    np.testing.assert_allclose(reciprocal_rank_scores(scores, depth=4, k=1, positive_only=True), [[1 / 2, 1 / 4, 1 / 3, 0]])


def test_convex_and_rrf_fusion_by_hand():
    dense = np.array([[0.9, 0.8, 0.1, 0.0]], dtype=np.float32)
    bm25 = np.array([[0.0, 2.0, 6.0, 0.0]], dtype=np.float32)
    convex = fuse_scores(dense, bm25, HybridParams(fusion="convex", dense_weight=0.5, bm25_weight=0.5, depth=3))
    # dense normalised [1, 7/8, 0, 0], bm25 normalised [0, 1/3, 1, 0]
    np.testing.assert_allclose(convex, [[0.5, (7 / 8 + 1 / 3) / 2, 0.5, 0]], atol=1e-6)
    rrf = fuse_scores(dense, bm25, HybridParams(fusion="rrf", dense_weight=1, bm25_weight=2, rrf_k=1, depth=2))
    # dense ranks docs 0, 1; bm25 ranks docs 2, 1
    np.testing.assert_allclose(rrf, [[1 / 2, 1 / 3 + 2 / 3, 2 / 2, 0]], atol=1e-6)
    with pytest.raises(DataError, match="shape"):
        fuse_scores(dense, bm25[:, :2], HybridParams())


def test_served_ranker_follows_the_heavier_ranker_on_a_toy_corpus():
    # dense embeddings put posting 1 first for the query; BM25 finds "gurobi" only in posting 2
    docs = np.eye(5, dtype=np.float32)
    query_emb = np.array([[0.1, 1.0, 0.5, 0.0, 0.0]], dtype=np.float32)
    scores = QueryScores(["gurobi"], BM25Index(POSTINGS), lambda depth: cosine(query_emb, docs))
    for fusion in ("convex", "rrf"):
        lexical_heavy = RankerParams("hybrid", HybridParams(fusion=fusion, dense_weight=1, bm25_weight=3, rrf_k=1))
        dense_heavy = RankerParams("hybrid", HybridParams(fusion=fusion, dense_weight=3, bm25_weight=1, rrf_k=1))
        assert rank(lexical_heavy, scores, 2)[0].tolist() == [[2, 1]], fusion
        assert rank(dense_heavy, scores, 2)[0].tolist() == [[1, 2]], fusion
    assert rank(RankerParams("bm25"), scores, 3)[0].tolist() == [[2, -1, -1]]
    assert rank(RankerParams("dense"), scores, 2)[0].tolist() == [[1, 2]]
    with pytest.raises(ConfigError, match="needs a BM25 index"):
        rank(RankerParams("hybrid"), QueryScores(["gurobi"], dense=lambda depth: cosine(query_emb, docs)), 2)
    with pytest.raises(ConfigError, match="needs a model"):
        rank(RankerParams("dense"), QueryScores(["gurobi"], BM25Index(POSTINGS)), 2)


def test_a_batch_computes_each_score_matrix_once_for_every_ranker_that_needs_it():
    index, calls = BM25Index(POSTINGS), {"dense": [], "bm25": 0}
    docs = np.eye(5, dtype=np.float32)

    def dense(depth):
        calls["dense"].append(depth)
        return cosine(np.array([[0.1, 1.0, 0.5, 0.0, 0.0]], dtype=np.float32), docs)

    scores = QueryScores(["gurobi pyhton"], index, dense)
    original = index.scores

    def counted(queries):
        calls["bm25"] += 1
        return original(queries)

    index.scores = counted
    rank(RankerParams("bm25"), scores, 3)
    assert calls == {"dense": [], "bm25": 1}  # BM25 alone: no query encoding
    rank(RankerParams("hybrid"), scores, 3)
    rank(RankerParams("dense"), scores, 3)
    assert calls == {"dense": [100], "bm25": 1}  # fusion reuses BM25's matrix; the dense one is shared
    # a typo-tolerant ranker reads the corrected words (the hits show those), scored once more
    assert scores.words(RankerParams("bm25", fuzzy=True)) == ["gurobi python"]
    assert scores.words(RankerParams("dense", fuzzy=True)) == ["gurobi pyhton"]  # the model reads the query as typed
    rank(RankerParams("hybrid", fuzzy=True), scores, 3)
    rank(RankerParams("bm25", fuzzy=True), scores, 3)
    assert calls == {"dense": [100], "bm25": 2}
    # a shallower ranker reads the matrix already exact 100 deep; fusion looks at least as deep as the hits asked for
    rank(RankerParams("hybrid", HybridParams(depth=2)), scores, 4)
    assert calls["dense"] == [100]
    rank(RankerParams("hybrid", HybridParams(depth=2)), scores, 150)
    assert calls["dense"] == [100, 150]
    # the same BM25 matrix under another model's cosines
    other = scores.with_dense(dense)
    rank(RankerParams("hybrid"), other, 3)
    assert calls == {"dense": [100, 150, 100], "bm25": 2}


def test_the_served_ranker_has_one_record_format_and_one_mode_check():
    served = RankerParams("dense", HybridParams("rrf", 1.0, 2.0, 10, 50), fuzzy=True, floor=0.25)
    assert RankerParams.from_record(served.to_record(), "served") == served
    with pytest.raises(ConfigError, match="served: mode must be one of"):
        RankerParams.from_record({**served.to_record(), "mode": "semantic"}, "served")
    with pytest.raises(DataError, match="expected a ranker record"):
        RankerParams.from_record(None, "metrics/served.json: ranker")
    # a search mode keeps the served fusion and floor
    assert served.for_mode("served") is served
    assert served.for_mode("hybrid") == RankerParams("hybrid", served.hybrid, True, 0.25)
    with pytest.raises(ConfigError, match="mode must be one of served, dense, bm25, hybrid"):
        served.for_mode("semantic")


def test_hybrid_and_ranker_params_are_validated():
    with pytest.raises(ValueError, match="fusion"):
        HybridParams(fusion="max")
    with pytest.raises(ValueError, match="mode"):
        RankerParams(mode="semantic")
    with pytest.raises(ValueError, match="both be 0"):
        HybridParams(dense_weight=0, bm25_weight=0)
    with pytest.raises(ValueError, match="depth"):
        HybridParams(depth=0)
