"""The relevance floor: a query that matches nothing finds nothing, in every mode."""

import numpy as np
import pandas as pd

from jobsearch.floor import PROBES, nonsense_queries
from jobsearch.index import IndexParams, SearchIndex, build_index, read_served
from jobsearch.io import write_json
from jobsearch.models import ModelParams
from jobsearch.retrieval.rankers import SEARCH_MODES, HybridParams, QueryScores, RankerParams, rank
from jobsearch.search import Searcher
from tests.test_evaluation_train import CLEAN, _split_triplets, _tags


def test_rank_keeps_below_the_floor_only_what_holds_a_query_term():
    dense = np.array([[0.9, 0.5, 0.2, 0.1]], dtype=np.float32)
    bm25 = np.array([[0.0, 0.0, 3.0, 0.0]], dtype=np.float32)
    scores = QueryScores.of(1, dense, bm25)
    floored = RankerParams("dense", floor=0.4)
    assert rank(floored, scores, 4)[0].tolist() == [[0, 1, -1, -1]]  # ranked first, padding after
    assert rank(RankerParams("hybrid", HybridParams(depth=4), floor=0.6), scores, 4)[0].tolist() == [[2, 0, -1, -1]]
    assert rank(RankerParams("hybrid", HybridParams(depth=4)), scores, 4)[0].tolist() == [[2, 0, 1, 3]]  # no floor: all
    assert rank(RankerParams("dense", floor=0.95), scores, 4)[0].tolist() == [[-1, -1, -1, -1]]


def test_a_query_that_matches_nothing_finds_nothing_in_every_mode(tiny_model, tiny_model_dir, tmp_path):
    from jobsearch.evaluate import EvaluateParams, evaluate

    splits = {"validation": _split_triplets(["a", "a2", "b", "c"]), "test": _split_triplets(["b", "c", "d"])}
    params = EvaluateParams(corpus="all", convex_weights=[0.5], rrf_weights=[1.0], rrf_ks=[60])
    models = {"base": tiny_model, "finetuned": tiny_model}
    _, record = evaluate(splits, CLEAN, models, params, batch_size=4, skill_tags=_tags, log=lambda _: None)
    floor = record["ranker"]["floor"]
    assert floor == record["floor"]["floor"] and record["floor"]["probes"] == len(nonsense_queries()) > len(PROBES)
    assert set(record["floor"]["validation_kept"]) == {"generated", "title", "skills"}
    write_json(record, tmp_path / "served.json")
    served = read_served(tmp_path / "served.json")  # recorded with the served ranker, read back by search
    assert served.floor == floor
    postings = CLEAN.assign(company="Acme", location="")
    build_index(postings, str(tiny_model_dir), served, IndexParams(), ModelParams(), encoder=tiny_model).save(tmp_path / "index")
    searcher = Searcher(SearchIndex.load(tmp_path / "index"), tiny_model)
    assert searcher.index.served.floor == floor
    for query in ("?!?!", "🙂🙂🙂", "🔥💯👍", "asdfghjkl", "qwerty uiop", "#$%&*"):
        for mode in SEARCH_MODES:
            assert searcher.search(query, top_k=10, ranker=served.for_mode(mode)) == [], (query, mode)
    assert searcher.search("conduit bending", top_k=5, ranker=served.for_mode("hybrid"))[0].posting_id == "c"
    # without a floor, the model finds something for anything
    assert len(searcher.search("asdfghjkl", top_k=5, ranker=RankerParams("dense"))) == 5
    assert isinstance(pd.read_json(tmp_path / "served.json", typ="series")["floor"], dict)
