import json

import numpy as np
import pandas as pd
import pytest

from jobsearch.errors import JobsearchError, ModelLoadError
from jobsearch.evaluation import triplet_accuracy
from jobsearch.selection import ModelParams, select_base_model, triplet_evaluator_accuracy
from jobsearch.embed import encode

TRIPLETS = pd.DataFrame(
    {
        "anchor": ["python sql spark", "icu nurse epic", "conduit bending nec", "cdl truck driver"],
        "positive": ["data engineer python sql spark airflow", "registered nurse icu epic ehr", "electrician conduit bending nec code", "truck driver cdl route delivery"],
        "negative": ["registered nurse icu", "electrician wiring", "accountant cpa gaap", "teacher"],
    }
)


def test_triplet_accuracy_by_hand():
    a = np.array([[1.0, 0.0], [1.0, 0.0]])
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    n = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert triplet_accuracy(a, p, n) == 0.5


def test_triplet_accuracy_matches_sentence_transformers_evaluator(tiny_model):
    ours = triplet_accuracy(*(encode(tiny_model, list(TRIPLETS[c])) for c in ("anchor", "positive", "negative")))
    assert ours == pytest.approx(triplet_evaluator_accuracy(tiny_model, TRIPLETS))


def test_select_base_skips_unloadable_and_picks_best(tiny_model):
    def loader(name, **_):
        if name == "hub/missing":
            raise ModelLoadError("model 'hub/missing': offline")
        return tiny_model

    logs = []
    report = select_base_model(TRIPLETS, ModelParams(candidates=["hub/missing", "tiny"]), loader=loader, log=logs.append)
    assert report["selected"] == "tiny"
    assert "offline" in report["candidates"]["hub/missing"]["skipped"]
    assert 0 <= report["candidates"]["tiny"]["triplet_accuracy"] <= 1
    json.dumps(report)


def test_select_base_with_nothing_loadable_is_a_clear_error():
    def loader(name, **_):
        raise ModelLoadError(f"model '{name}': offline")

    with pytest.raises(JobsearchError, match="no candidate model could be loaded: model 'a': offline"):
        select_base_model(TRIPLETS, ModelParams(candidates=["a"]), loader=loader, log=lambda _: None)


def test_fine_tune_moves_anchors_towards_positives(tiny_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dvclive looks for a git repo from the working directory
    from jobsearch.models import load_model
    from jobsearch.train import TrainParams, dvclive_callback, fine_tune

    train = pd.concat([TRIPLETS] * 4, ignore_index=True)
    before = triplet_accuracy(*(encode(tiny_model, list(TRIPLETS[c])) for c in ("anchor", "positive", "negative")))
    params = TrainParams(epochs=3, batch_size=4, learning_rate=1e-3, max_seq_length=32, warmup_ratio=0.1)
    metrics = fine_tune(tiny_model, train, params, tmp_path / "out", callbacks=[dvclive_callback(tmp_path / "live")])
    assert metrics["steps"] > 0 and metrics["precision"] == "fp32" and metrics["triplets"] == 16
    tuned = load_model(str(tmp_path / "out"))
    # trained on 32 tokens, saved with the model's own limit for search and evaluation
    assert metrics["max_seq_length"] == 32 and tuned.max_seq_length == tiny_model.max_seq_length == 128
    after = triplet_accuracy(*(encode(tuned, list(TRIPLETS[c])) for c in ("anchor", "positive", "negative")))
    assert after >= before and after == 1.0
    loss_curve = tmp_path / "live" / "plots" / "metrics" / "train" / "loss.tsv"
    assert loss_curve.is_file() and len(loss_curve.read_text().splitlines()) > 2


@pytest.mark.parametrize("field, value", [("loss", "triplet"), ("batch_size", 1), ("warmup_ratio", 1.5), ("precision", "int8")])
def test_bad_train_params_are_rejected(field, value):
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.train import TrainParams

    with pytest.raises(ConfigError, match=field):
        from_dict(TrainParams, {field: value}, "train")


def test_retrieval_task_and_rankers_on_a_toy_split(tiny_model):
    from jobsearch.evaluation import EvalParams, evaluate_rankers, retrieval_task

    triplets = TRIPLETS.assign(
        posting_id=["a", "b", "c", "d"],
        negative_id=["b", "c", "d", "a"],
    )
    triplets["negative"] = triplets["positive"].iloc[[1, 2, 3, 0]].to_numpy()
    task = retrieval_task(triplets)
    assert task.docs == TRIPLETS["positive"].tolist()
    assert task.relevant.tolist() == [0, 1, 2, 3]
    assert task.triplet_negative.tolist() == [1, 2, 3, 0]
    assert all(h != r for h, r in zip(task.hard_negatives, task.relevant))
    report, hybrid = evaluate_rankers(task, {"base": tiny_model}, EvalParams(max_seq_length=32, depth=10))
    assert set(report) == {"base", "bm25", "hybrid"}
    # each query shares rare words with its own posting only: BM25 gets them all first
    assert report["bm25"]["mrr@10"] == 1.0 and report["bm25"]["recall@1"] == 1.0
    assert 0 <= report["base"]["triplet_accuracy_hard"] <= 1


def test_retrieval_task_against_a_bigger_corpus():
    from jobsearch.evaluation import retrieval_task

    triplets = TRIPLETS.iloc[:2].assign(posting_id=["a", "b"], negative_id=["b", "a"])
    corpus = pd.DataFrame({"posting_id": ["z", "b", "a"], "text": ["teacher", TRIPLETS.positive[1], TRIPLETS.positive[0]]})
    task = retrieval_task(triplets, corpus)
    assert task.relevant.tolist() == [2, 1] and len(task.docs) == 3
    with pytest.raises(JobsearchError, match="not in the corpus"):
        retrieval_task(triplets, corpus.iloc[:2])


def test_fusion_tuning_picks_the_best_grid_point():
    from jobsearch.evaluation import HYBRID_GRID, _fuse, tune_fusion
    from jobsearch.retrieval import HybridParams, retrieval_metrics

    rng = np.random.default_rng(0)
    relevant = np.arange(20)
    dense = np.array([rng.permutation(20) for _ in range(20)])
    bm25 = np.array([np.roll(np.arange(20), -i) if i % 3 else rng.permutation(20) for i in range(20)])  # mostly right
    tuned = tune_fusion(dense, bm25, relevant, HybridParams(depth=20))
    assert tuned.rrf_k in HYBRID_GRID["rrf_k"] and tuned.dense_weight in HYBRID_GRID["dense_weight"]
    best = retrieval_metrics(_fuse(dense, bm25, tuned), relevant)["mrr@10"]
    for k in HYBRID_GRID["rrf_k"]:
        for w in HYBRID_GRID["dense_weight"]:
            other = retrieval_metrics(_fuse(dense, bm25, HybridParams(dense_weight=w, rrf_k=k, depth=20)), relevant)["mrr@10"]
            assert best >= other
    # a random dense ranker should get the smallest weight
    assert tuned.dense_weight == min(HYBRID_GRID["dense_weight"])


def test_batch_size_auto_is_bigger_only_for_half_precision():
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.train import TrainParams, resolve_batch_size

    assert resolve_batch_size("auto", "fp32") == 16
    assert resolve_batch_size("auto", "bf16") == 64
    assert resolve_batch_size(8, "bf16") == 8
    assert from_dict(TrainParams, {"batch_size": "auto"}, "train").batch_size == "auto"
    with pytest.raises(ConfigError, match="batch_size"):
        from_dict(TrainParams, {"batch_size": "big"}, "train")


def test_training_columns_keep_triplets_and_gather_several_negatives_per_anchor():
    from jobsearch.train import training_columns

    assert training_columns(TRIPLETS) == {c: TRIPLETS[c].tolist() for c in ("anchor", "positive", "negative")}
    # hard negatives with per_query 2: two rows for the first anchor, one for the second
    rows = pd.DataFrame(
        {
            "anchor": ["python sql", "python sql", "icu nurse"],
            "positive": ["data engineer", "data engineer", "registered nurse"],
            "negative": ["data analyst", "ml engineer", "lpn"],
        }
    )
    expected = {
        "anchor": ["python sql", "icu nurse"],
        "positive": ["data engineer", "registered nurse"],
        "negative_1": ["data analyst", "lpn"],
        "negative_2": ["ml engineer", "lpn"],
    }
    assert training_columns(rows) == expected
    # with posting ids, an anchor is its posting: two postings sharing a text and a query stay apart
    assert training_columns(rows.assign(posting_id=["a", "a", "b"])) == expected
    assert training_columns(rows.assign(posting_id=["a", "b", "c"])) == {c: rows[c].tolist() for c in ("anchor", "positive", "negative")}


def test_fine_tune_on_several_hard_negatives_per_anchor(tiny_model, tmp_path):
    from jobsearch.train import TrainParams, fine_tune

    second = TRIPLETS.assign(negative=TRIPLETS["negative"].iloc[[1, 2, 3, 0]].to_numpy())
    train = pd.concat([TRIPLETS, second], ignore_index=True)
    metrics = fine_tune(tiny_model, train, TrainParams(batch_size=2, learning_rate=1e-3, max_seq_length=32), None)
    # one step per two anchors: the 8 rows are 4 anchors with 2 negatives each
    assert metrics["negatives_per_anchor"] == 2 and metrics["steps"] == 2 and metrics["triplets"] == 8
