import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jobsearch.errors import JobsearchError, ModelLoadError
from jobsearch.evaluate import triplet_accuracy
from jobsearch.models import ModelParams
from jobsearch.precision import resolve_precision
from jobsearch.select_base import SelectBaseParams, candidate_names, select_base, triplet_evaluator_accuracy
from jobsearch.embed import encode

TRIPLETS = pd.DataFrame(
    {
        "anchor": ["python sql spark", "icu nurse epic", "conduit bending nec", "cdl truck driver"],
        "positive": ["data engineer python sql spark airflow", "registered nurse icu epic ehr", "electrician conduit bending nec code", "truck driver cdl route delivery"],
        "negative": ["registered nurse icu", "electrician wiring", "accountant cpa gaap", "teacher"],
        "posting_id": ["p1", "p2", "p3", "p4"],
        "negative_id": ["n1", "n2", "n3", "n4"],
    }
)


def test_triplet_accuracy_by_hand():
    a = np.array([[1.0, 0.0], [1.0, 0.0]])
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    n = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert triplet_accuracy(a, p, n) == 0.5


def test_triplet_accuracy_matches_sentence_transformers_evaluator(tiny_model, monkeypatch):
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator

    # each posting the positive of three triplets, as a posting with several queries gives;
    # a negative equal to the positive scores a tie, which the evaluator counts as a miss
    triplets = pd.concat([TRIPLETS.assign(negative=TRIPLETS["positive"])] + [TRIPLETS] * 2, ignore_index=True)
    ours = triplet_accuracy(*(encode(tiny_model, list(triplets[c])) for c in ("anchor", "positive", "negative")))
    plain = TripletEvaluator(list(triplets["anchor"]), list(triplets["positive"]), list(triplets["negative"]), name="v", write_csv=False)
    assert ours == pytest.approx(plain(tiny_model)["v_cosine_accuracy"]) and ours < 1
    encoded = []
    real_encode = type(tiny_model).encode

    def counting_encode(self, *args, **kwargs):
        encoded.extend(args[0] if args else kwargs["inputs"])
        return real_encode(self, *args, **kwargs)

    monkeypatch.setattr(type(tiny_model), "encode", counting_encode)
    assert triplet_evaluator_accuracy(tiny_model, triplets) == pytest.approx(ours)
    # each column's distinct texts once: 4 anchors, 4 positives, 8 negatives
    assert len(encoded) == 16


def test_select_base_skips_unloadable_and_picks_best(tiny_model):
    def loader(name):
        if name == "hub/missing":
            raise ModelLoadError("model 'hub/missing': offline")
        return tiny_model

    logs = []
    report = select_base(TRIPLETS, SelectBaseParams(candidates=["tiny"]), ModelParams(name="hub/missing"), loader=loader, log=logs.append)
    assert report["selected"] == "tiny"
    assert "offline" in report["candidates"]["hub/missing"]["skipped"]
    assert 0 <= report["candidates"]["tiny"]["triplet_accuracy"] <= 1
    assert 0 < report["candidates"]["tiny"]["mrr@10"] <= 1
    json.dumps(report)


def test_select_base_ranks_by_mrr_not_saturated_triplet_accuracy(tiny_model, monkeypatch):
    # both candidates have the same triplet accuracy; the one ranking postings better wins
    monkeypatch.setattr("jobsearch.select_base.triplet_evaluator_accuracy", lambda *a, **k: 1.0)
    scores = {"first": 0.5, "second": 0.9}
    monkeypatch.setattr("jobsearch.select_base.validation_mrr", lambda model, *a, **k: scores[model])
    report = select_base(TRIPLETS, SelectBaseParams(candidates=["second"]), ModelParams(name="first"), loader=lambda n: n, log=lambda _: None)
    assert report["selected"] == "second"


def test_the_model_sections_encoder_is_the_first_candidate_and_listed_once():
    assert candidate_names(SelectBaseParams(candidates=["b", "a", "b"]), ModelParams(name="a")) == ["a", "b"]


def test_validation_mrr_by_hand(tiny_model):
    from jobsearch.select_base import validation_mrr

    # every query is its posting's own text: a perfect ranking
    same = TRIPLETS.assign(anchor=TRIPLETS["positive"])
    assert validation_mrr(tiny_model, same, batch_size=2) == pytest.approx(1.0)


def test_select_base_with_nothing_loadable_is_a_clear_error():
    def loader(name):
        raise ModelLoadError(f"model '{name}': offline")

    with pytest.raises(JobsearchError, match="no candidate model could be loaded: model 'a': offline"):
        select_base(TRIPLETS, SelectBaseParams(candidates=[]), ModelParams(name="a"), loader=loader, log=lambda _: None)


def test_fine_tune_moves_anchors_towards_positives(tiny_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dvclive looks for a git repo from the working directory
    from jobsearch.models import load_model
    from jobsearch.train import TrainParams, dvclive_callback, fine_tune

    train = pd.concat([TRIPLETS] * 4, ignore_index=True)
    before = triplet_accuracy(*(encode(tiny_model, list(TRIPLETS[c])) for c in ("anchor", "positive", "negative")))
    params = TrainParams(epochs=3, batch_size=4, learning_rate=1e-3, max_seq_length=32, warmup_ratio=0.1)
    metrics = fine_tune(tiny_model, train, params, tmp_path / "out", callbacks=[dvclive_callback(tmp_path / "live")])
    assert metrics["steps"] > 0 and metrics["precision"] == resolve_precision("auto") and metrics["triplets"] == 16  # bf16 where the CPU has bf16 units
    tuned = load_model(str(tmp_path / "out"))
    # trained on 32 tokens, saved with the model's own limit for search and evaluation
    assert metrics["max_seq_length"] == 32 and tuned.max_seq_length == tiny_model.max_seq_length == 128
    after = triplet_accuracy(*(encode(tuned, list(TRIPLETS[c])) for c in ("anchor", "positive", "negative")))
    assert after >= before and after == 1.0
    loss_curve = tmp_path / "live" / "plots" / "metrics" / "train" / "loss.tsv"
    assert loss_curve.is_file() and len(loss_curve.read_text().splitlines()) > 2


@pytest.mark.parametrize(
    "field, value",
    [("loss", "triplet"), ("batch_size", 1), ("warmup_ratio", 1.5), ("precision", "int8"), ("mined_negatives", "no"),
     ("directions", ["doc_to_query"]), ("directions", ["query_to_doc", "doc_to_posting"]), ("positives", "best_chunk")],
)
def test_bad_train_params_are_rejected(field, value):
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.train import TrainParams

    with pytest.raises(ConfigError, match=field):
        from_dict(TrainParams, {field: value}, "train")


def test_matched_positives_train_a_query_against_the_passage_it_asks_about():
    from jobsearch.errors import DataError
    from jobsearch.models import PassageParams
    from jobsearch.train import with_matched_positives

    long = "Mechanic\n\nRebuild engines. " + "Shifts rotate weekly. " * 10 + "Hydraulic pumps and welding of frames."
    train = pd.DataFrame({"anchor": ["hydraulic welding", "rebuild engines"], "positive": [long, long], "posting_id": ["m", "m"]})
    titles = pd.DataFrame({"posting_id": ["m"], "title": ["Mechanic"]})
    matched = with_matched_positives(train, titles, PassageParams(words=8, stride=6))
    assert matched["positive"].tolist() == ["Mechanic\n\nShifts rotate weekly. Hydraulic pumps and welding of", long]
    with pytest.raises(DataError, match="'m' has no title"):
        with_matched_positives(train, titles.iloc[:0], PassageParams(words=8, stride=6))


CLEAN = pd.DataFrame(
    {
        "posting_id": ["a", "a2", "b", "c", "d"],
        "title": ["Data Engineer", "Data  engineer", "Registered Nurse", "Electrician", "Truck Driver"],
        "description": [
            "python sql spark airflow pipelines",
            "python sql spark airflow pipelines dbt",  # a repost of a
            "icu epic ehr patient care",
            "conduit bending nec code wiring",
            "cdl route delivery truck",
        ],
        "skills": ["Python, SQL, Spark, Airflow", "", "a sentence about the skills we want.", "", "CDL, Route delivery"],
    }
)
CLEAN["text"] = CLEAN["title"] + "\n\n" + CLEAN["description"]


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",")] if "," in text and "." not in text else []


def _split_triplets(ids: list[str]) -> pd.DataFrame:
    """Two queries per posting, the next posting's text as negative; a and a2 are one group."""
    text = CLEAN.set_index("posting_id")["text"]
    words = CLEAN.set_index("posting_id")["description"].str.split()
    rows = []
    for i, pid in enumerate(ids):
        neg = ids[(i + 1) % len(ids)] if ids[(i + 1) % len(ids)][0] != pid[0] else ids[(i + 2) % len(ids)]
        for query in (" ".join(words[pid][:2]), " ".join(words[pid][2:4])):
            rows.append({"anchor": query, "positive": text[pid], "posting_id": pid, "negative": text[neg], "negative_id": neg, "group_id": pid[0]})
    return pd.DataFrame(rows)


def test_split_task_query_sets_with_groups_titles_and_tags():
    from jobsearch.evaluate import EvaluateParams, split_task

    task = split_task(_split_triplets(["a", "a2", "b", "c"]), CLEAN, EvaluateParams(), _tags)
    sets = {s.name: s for s in task.query_sets}
    assert list(sets) == ["generated", "title", "skills"]
    ids = task.postings["posting_id"].tolist()
    assert ids == ["a", "a2", "b", "c"]  # the split's postings only (corpus: split)
    # a query of a repost: both postings of the group are relevant
    generated = sets["generated"]
    assert len(generated.queries) == 8 and generated.relevant[0] == {0, 1} and generated.relevant[4] == {2}
    # one title query per distinct title (whitespace and case aside), matched without the title
    title = sets["title"]
    assert title.queries == ["Data Engineer", "Registered Nurse", "Electrician"] and title.view == "description"
    assert title.relevant[0] == {0, 1}
    # tags only where the source has a list: not the prose of b
    assert sets["skills"].queries == ["Python, SQL, Spark"] and sets["skills"].relevant == [{0, 1}]
    assert task.triplet_positive.tolist()[:2] == [0, 0] and task.triplet_negative.tolist()[:2] == [2, 2]
    everything = split_task(_split_triplets(["a", "a2", "b", "c"]), CLEAN, EvaluateParams(corpus="all"), _tags)
    assert len(everything.postings) == 5
    with pytest.raises(JobsearchError, match="not among the cleaned postings"):
        split_task(_split_triplets(["a", "b"]), CLEAN[CLEAN.posting_id != "b"], EvaluateParams(), _tags)


def test_title_style_queries_are_left_to_the_title_set():
    from jobsearch.evaluate import EvaluateParams, split_task

    triplets = _split_triplets(["a", "b", "c"]).assign(style="skills")
    titled = triplets.iloc[[0]].assign(anchor="data engineer", style="title", positive=CLEAN["description"][0])
    task = split_task(pd.concat([titled, triplets], ignore_index=True), CLEAN, EvaluateParams(), _tags)
    generated = task.query_sets[0]
    assert "data engineer" not in generated.queries and len(generated.queries) == 6
    assert len(task.triplet_query) == 6  # nor in triplet accuracy: its positive is not the posting's text


def test_choose_takes_the_largest_worst_case_margin_over_bm25():
    from jobsearch.evaluate import choose

    def m(x):
        return {"mrr@10": x}

    metrics = {
        "generated": {"bm25": m(0.80), "dense": m(0.60), "even": m(0.84), "skewed": m(0.95)},
        "title": {"bm25": m(0.30), "dense": m(0.60), "even": m(0.40), "skewed": m(0.31)},
    }
    # skewed has the best mean but only +0.01 on titles; even gains +0.04 on both
    assert choose(metrics, ["dense", "bm25", "even", "skewed"]) == "even"
    # nothing beats BM25 everywhere: BM25 itself (margin 0) is served
    assert choose(metrics, ["dense", "bm25"]) == "bm25"


def test_candidates_try_each_typo_tolerance_and_keep_plain_bm25_as_the_baseline():
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.evaluate import EvaluateParams, candidate_rankers

    only_fuzzy = candidate_rankers(EvaluateParams(convex_weights=[0.5], rrf_weights=[], fuzzy=[True]))
    assert list(only_fuzzy) == ["dense", "bm25", "bm25 fuzzy", "convex 0.5 fuzzy"]
    assert not only_fuzzy["bm25"].fuzzy and only_fuzzy["bm25 fuzzy"].fuzzy and only_fuzzy["convex 0.5 fuzzy"].fuzzy
    assert list(candidate_rankers(EvaluateParams(convex_weights=[0.5], rrf_weights=[], fuzzy=[False]))) == ["dense", "bm25", "convex 0.5"]
    with pytest.raises(ConfigError, match="fuzzy"):
        from_dict(EvaluateParams, {"fuzzy": []}, "evaluate")


def test_evaluate_reports_every_query_set_and_serves_what_validation_chose(tiny_model):
    from jobsearch.evaluate import EvaluateParams, evaluate, plot_rows
    from jobsearch.golden import GoldenQueries

    splits = {"validation": _split_triplets(["a", "a2", "b", "c"]), "test": _split_triplets(["b", "c", "d"])}
    golden = GoldenQueries(queries=["nurse icu"], relevant=[{"b"}], rows_read=2, dropped={"bad_row": 1})
    logs = []
    params = EvaluateParams(convex_weights=[0.5], rrf_weights=[1.0], rrf_ks=[60])
    models = {"base": tiny_model, "finetuned": tiny_model}
    report, served = evaluate(splits, CLEAN, models, params, batch_size=4, golden=golden, skill_tags=_tags, log=logs.append)
    assert set(report) == {"validation", "test"}
    # "b" lies in both of these splits, so its golden query is in both; a split stage never does that
    assert set(report["validation"]) == set(report["test"]) == {"generated", "title", "skills", "golden"}
    for split in ("validation", "test"):
        for by_ranker in report[split].values():
            assert set(by_ranker) == {"base", "finetuned", "bm25", "hybrid", "served"}
        assert 0 <= report[split]["generated"]["finetuned"]["triplet_accuracy"] <= 1
    # chosen on validation as the best worst-case margin over BM25, which it never loses to there
    for by_ranker in report["validation"].values():
        assert by_ranker["served"]["mrr@10"] >= by_ranker["bm25"]["mrr@10"]
    assert served["ranker"]["mode"] in ("dense", "bm25", "hybrid")
    plain = {"bm25", "convex 0.5", "rrf 1 k60"}
    assert set(served["validation_mrr@10"]) == {"dense"} | plain | {f"{name} fuzzy" for name in plain}
    assert report["test"]["golden"]["bm25"]["mrr@10"] == 1.0
    assert "validation golden: 1 of 1 queries" in logs
    assert any(line.startswith("test title:") for line in logs)
    rows = plot_rows(report)
    assert {r["ranker"] for r in rows["test"]} >= {"title/served", "generated/bm25"}
    # without tuning, the served ranker is the one given
    from jobsearch.retrieval.rankers import RankerParams

    report, served = evaluate(splits, CLEAN, models, EvaluateParams(tune=False, served=RankerParams("bm25")), skill_tags=_tags)
    assert served["ranker"]["mode"] == "bm25" and "validation_mrr@10" not in served
    assert report["test"]["title"]["served"] == report["test"]["title"]["bm25"]


def test_evaluation_reads_postings_in_passages_titled_only_where_the_view_has_the_title(tiny_model, monkeypatch):
    from jobsearch.evaluate import Embeddings
    from jobsearch.models import PassageParams

    encoded, real = [], encode
    monkeypatch.setattr("jobsearch.embed.encode", lambda model, texts, **kw: encoded.extend(texts) or real(model, texts, **kw))
    postings = pd.DataFrame({"title": ["Welder"], "text": ["Welder\n\n" + " ".join(f"w{i}" for i in range(8))]})
    postings["description"] = postings["text"].str.removeprefix("Welder\n\n")
    embeddings = Embeddings({"m": tiny_model}, 4, passages=PassageParams(words=4, stride=3))
    assert embeddings.postings("m", postings).postings == 1 and "Welder\n\nw2 w3 w4 w5" in encoded  # each window after the title
    encoded.clear()
    embeddings.postings("m", postings, "description")
    assert encoded[1:] == ["w3 w4 w5 w6", "w6 w7"]  # the title set's view: its windows carry no title to look up
    assert len(Embeddings({"m": tiny_model}, 4).postings("m", postings).embeddings) == 1  # no passages: the first tokens only


def test_batch_size_auto_is_bigger_only_for_half_precision():
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.train import TrainParams, resolve_batch_size

    assert resolve_batch_size("auto", "fp32") == 16
    assert resolve_batch_size("auto", "bf16") == 64
    assert resolve_batch_size(8, "bf16") == 8
    assert from_dict(TrainParams, {"batch_size": "auto"}, "train").batch_size == "auto"
    with pytest.raises(ConfigError, match="batch_size"):
        from_dict(TrainParams, {"batch_size": "big"}, "train")


def test_training_texts_are_cut_after_the_words_that_hold_their_first_tokens(tiny_model):
    from jobsearch.train import cut_for_tokens

    words = "python engineer builds data pipelines with sql and spark".split()
    long = "\n".join(" ".join(words[i % 9 :] + words[: i % 9]) for i in range(40))  # 360 words over 40 lines
    for text in (long, "\u200b " * 5 + long):  # zero-width "words" give no token
        for max_tokens in (8, 16, 64):
            cut = cut_for_tokens(text, max_tokens)
            assert len(cut) < len(text) and text.startswith(cut)
            ids = lambda t: tiny_model.tokenizer(t, truncation=True, max_length=max_tokens)["input_ids"]
            assert ids(cut) == ids(text) and len(ids(text)) == max_tokens
    assert cut_for_tokens("data engineer", 1) == "data engineer"
    assert cut_for_tokens("data  engineer,\tsql and", 1) == "data  engineer,"


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
    # with posting ids, an anchor is a query of its posting: two postings sharing a text and a query stay apart
    assert training_columns(rows.assign(posting_id=["a", "a", "b"])) == expected
    assert training_columns(rows.assign(posting_id=["a", "b", "c"])) == {c: rows[c].tolist() for c in ("anchor", "positive", "negative")}
    # a posting's other queries are anchors of their own, not merged into one tuple
    two_queries = rows.assign(anchor=["python sql", "spark etl", "icu nurse"], posting_id=["a", "a", "b"])
    assert training_columns(two_queries) == {c: two_queries[c].tolist() for c in ("anchor", "positive", "negative")}
    # the same query twice for a posting, with the same negative: still triplets, every row kept
    repeated = rows.assign(negative=["data analyst", "data analyst", "lpn"], posting_id=["a", "a", "b"])
    assert training_columns(repeated) == {c: repeated[c].tolist() for c in ("anchor", "positive", "negative")}
    # beside an anchor with two distinct negatives, the repeated one is one negative, not two
    mixed = pd.concat([repeated, rows.iloc[:2].assign(posting_id="c", anchor="ml ops")], ignore_index=True)
    assert training_columns(mixed) == {
        "anchor": ["python sql", "icu nurse", "ml ops"],
        "positive": ["data engineer", "registered nurse", "data engineer"],
        "negative_1": ["data analyst", "lpn", "data analyst"],
        "negative_2": ["data analyst", "lpn", "ml engineer"],
    }


def test_training_columns_without_mined_negatives_keep_each_anchor_once():
    from jobsearch.train import training_columns

    rows = pd.DataFrame(
        {
            "anchor": ["python sql", "python sql", "icu nurse", "python sql"],
            "positive": ["data engineer", "data engineer", "registered nurse", "ml engineer"],
            "negative": ["data analyst", "ml engineer", "lpn", "lpn"],
            "posting_id": ["a", "a", "b", "c"],
        }
    )
    # a's two hard negatives give one pair; c shares a's query and is its own anchor
    assert training_columns(rows, mined_negatives=False) == {
        "anchor": ["python sql", "icu nurse", "python sql"],
        "positive": ["data engineer", "registered nurse", "ml engineer"],
    }


@pytest.mark.parametrize("directions", [["query_to_doc"], ["query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc"]])
def test_fine_tune_on_pairs_learns_from_in_batch_negatives(tiny_model, tmp_path, directions):
    from jobsearch.models import load_model
    from jobsearch.train import TrainParams, fine_tune

    # each query is paired with the next posting, so no shared word gives the pairing away
    anchors, positives = list(TRIPLETS["anchor"]), list(np.roll(TRIPLETS["positive"], -1))
    ranks_own_first = lambda model: ((encode(model, anchors) @ encode(model, positives).T).argmax(axis=1) == range(4)).all()
    assert not ranks_own_first(tiny_model)
    pairs = pd.DataFrame({"anchor": anchors * 4, "positive": positives * 4, "negative": "teacher", "posting_id": [str(i) for i in range(16)]})
    params = TrainParams(epochs=5, batch_size=4, learning_rate=3e-3, max_seq_length=32, mined_negatives=False, directions=directions)
    metrics = fine_tune(tiny_model, pairs, params, tmp_path / "out")
    assert metrics["negatives_per_anchor"] == 0 and metrics["triplets"] == 16
    assert ranks_own_first(load_model(str(tmp_path / "out")))


def test_gist_has_no_doc_to_query_term_and_takes_one_negative_per_anchor(tiny_model):
    from jobsearch.config import ConfigError, from_dict
    from jobsearch.train import TrainParams, fine_tune

    with pytest.raises(ConfigError, match="train: directions: loss gist has no doc_to_query"):
        from_dict(TrainParams, {"loss": "gist"}, "train")  # the default directions are GTE's four
    second = TRIPLETS.assign(negative=TRIPLETS["negative"].iloc[[1, 2, 3, 0]].to_numpy())
    params = TrainParams(batch_size=2, max_seq_length=32, mined_negatives=True, loss="gist", directions=["query_to_doc"])
    with pytest.raises(ValueError, match="one mined negative per anchor, got 2"):
        fine_tune(tiny_model, pd.concat([TRIPLETS, second], ignore_index=True), params, None)


@pytest.mark.parametrize("loss", ["gist", "cached_gist"])
def test_gist_drops_the_in_batch_negatives_the_base_model_scores_above_the_positive(tiny_model, loss):
    import copy

    from jobsearch.train import TrainParams, fine_tune

    # each query's in-batch negative shares its words: a repost the base model scores above the query's own posting
    pairs = pd.DataFrame({"anchor": ["icu nurse", "python sql"], "positive": ["python sql developer", "icu nurse ward"],
                          "negative": "-", "posting_id": ["0", "1"]})
    anchors, positives = encode(tiny_model, list(pairs["anchor"])), encode(tiny_model, list(pairs["positive"]))
    similarity = anchors @ positives.T
    assert (similarity[[0, 1], [1, 0]] > similarity.diagonal()).all()
    # MNRL trains a copy: GIST must see the base model whose scores were checked above
    for name, model in (("mnrl", copy.deepcopy(tiny_model)), (loss, tiny_model)):
        params = TrainParams(batch_size=2, max_seq_length=32, loss=name, directions=["query_to_doc"], mini_batch_size=1)
        metrics = fine_tune(model, pairs, params, None)
        assert metrics["steps"] == 1
        # MNRL pushes each query away from the repost; GIST leaves only the positive in the softmax: no loss
        assert (metrics["train_loss"] > 0.1) if name == "mnrl" else metrics["train_loss"] == 0.0


def test_the_guide_is_the_model_before_training_and_stays_so(tiny_model):
    import torch

    from jobsearch.train import frozen_copy

    guide = frozen_copy(tiny_model)
    texts = list(TRIPLETS["positive"])
    np.testing.assert_allclose(encode(guide, texts), encode(tiny_model, texts), atol=1e-6)
    assert not any(p.requires_grad for p in guide.parameters()) and not guide.training
    before = encode(guide, texts)
    torch.manual_seed(0)
    with torch.no_grad():  # changing the model (as training does) leaves its guide as it was
        for weights in tiny_model.parameters():
            weights.add_(0.1 * torch.randn_like(weights))
    assert not np.allclose(encode(tiny_model, texts), before, atol=1e-3)
    np.testing.assert_array_equal(encode(guide, texts), before)


def test_fine_tune_on_several_hard_negatives_per_anchor(tiny_model, tmp_path):
    from jobsearch.train import TrainParams, fine_tune

    second = TRIPLETS.assign(negative=TRIPLETS["negative"].iloc[[1, 2, 3, 0]].to_numpy())
    train = pd.concat([TRIPLETS, second], ignore_index=True)
    params = TrainParams(batch_size=2, learning_rate=1e-3, max_seq_length=32, mined_negatives=True)
    metrics = fine_tune(tiny_model, train, params, None)
    # one step per two anchors: the 8 rows are 4 anchors with 2 negatives each
    assert metrics["negatives_per_anchor"] == 2 and metrics["steps"] == 2 and metrics["triplets"] == 8
    assert metrics["rows"] == 4 and metrics["timings"]["rows_per_second"] > 0  # rows trained, not rows of the file


def test_evaluate_encodes_each_corpus_once_per_model(tiny_model, monkeypatch):
    # corpus all: validation, test and the golden set rank the same postings; each model encodes them once
    import jobsearch.embed
    from jobsearch.evaluate import EvaluateParams, evaluate
    from jobsearch.golden import GoldenQueries

    encoded = []
    real_encode = jobsearch.embed.encode
    monkeypatch.setattr(jobsearch.embed, "encode", lambda model, texts, **kw: encoded.append((id(model), tuple(texts))) or real_encode(model, texts, **kw))
    splits = {"validation": _split_triplets(["a", "a2", "b", "c"]), "test": _split_triplets(["b", "c", "d"])}
    golden = GoldenQueries(queries=["nurse icu"], relevant=[{"b"}], rows_read=1, dropped={})
    base = tiny_model
    from copy import deepcopy

    finetuned = deepcopy(tiny_model)
    params = EvaluateParams(corpus="all", convex_weights=[0.5], rrf_weights=[1.0], rrf_ks=[60])
    evaluate(splits, CLEAN, {"base": base, "finetuned": finetuned}, params, golden=golden, skill_tags=_tags, log=lambda _: None)
    whole_postings = tuple(CLEAN["text"])
    for model in (base, finetuned):
        assert encoded.count((id(model), whole_postings)) == 1
    assert len(encoded) == len(set(encoded))  # nothing encoded twice


def test_golden_query_set_keeps_its_splits_queries_and_their_reposts():
    from jobsearch.evaluate import golden_query_set, with_groups
    from jobsearch.golden import GoldenQueries

    golden = GoldenQueries(queries=["spark pipelines", "icu nurse", "cdl"], relevant=[{"a"}, {"b"}, {"d"}], rows_read=3, dropped={})
    every_posting = with_groups(CLEAN, _split_triplets(["a", "a2", "b"]))
    query_set = golden_query_set(golden, every_posting, {"a", "a2", "b"})
    # d is another split's: its query reports there; a's repost a2 is relevant too
    assert query_set.queries == ["spark pipelines", "icu nurse"]
    assert query_set.relevant == [{0, 1}, {2}]


def test_the_served_choice_never_loses_to_bm25_on_the_golden_half():
    from jobsearch.evaluate import choose

    def scores(**by_ranker):
        return {name: {"mrr@10": value} for name, value in by_ranker.items()}

    # "convex 0.5" is best on the generated set, but loses to BM25 on the golden queries
    metrics = {
        "generated": scores(bm25=0.80, dense=0.70, **{"convex 0.5": 0.95, "convex 0.2": 0.85}),
        "golden": scores(bm25=0.60, dense=0.40, **{"convex 0.5": 0.58, "convex 0.2": 0.64}),
    }
    assert choose(metrics, ["dense", "bm25", "convex 0.5", "convex 0.2"]) == "convex 0.2"
    assert choose({"generated": metrics["generated"]}, ["dense", "bm25", "convex 0.5", "convex 0.2"]) == "convex 0.5"


def _scripted_evaluator(scores, seen):
    """Scores each evaluation as scripted, and notes the weights it saw: which checkpoint is best is known."""
    from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

    class Scripted(BaseEvaluator):
        def __init__(self):
            super().__init__()
            self.primary_metric = "validation_mrr@10"

        def __call__(self, model, output_path=None, epoch=-1, steps=-1):
            seen.append(_fingerprint(model))
            score = scores[len(seen) - 1]  # the mean of a golden set scripted 0.1 below it and a title set 0.1 above
            return {"validation_golden_mrr@10": round(score - 0.1, 4), "validation_title_mrr@10": round(score + 0.1, 4), "validation_mrr@10": score}

    return Scripted()


def _fingerprint(model) -> float:
    return float(sum(p.detach().double().sum() for p in model.parameters()))


def test_training_keeps_the_checkpoint_validation_ranks_best(tiny_model, tmp_path):
    from jobsearch.models import load_model
    from jobsearch.train import TrainParams, fine_tune

    # 24 distinct pairs: 6 steps of 4
    train = pd.concat([TRIPLETS.assign(anchor=TRIPLETS["anchor"] + f" {i}", posting_id=TRIPLETS["posting_id"] + f"-{i}") for i in range(6)], ignore_index=True)
    seen = []
    evaluator = _scripted_evaluator([0.2, 0.9, 0.5, 0.4], seen)  # after steps 2 and 4, and at the end (6)
    params = TrainParams(batch_size=4, learning_rate=1e-3, max_seq_length=32, evaluations=2)
    metrics = fine_tune(tiny_model, train, params, tmp_path / "out", evaluator=evaluator)
    assert len(seen) == 3 and len(set(seen)) == 3  # three different models were scored
    assert metrics["steps"] == 6
    assert metrics["checkpoint"] == {
        "step": 4, "validation_mrr@10": 0.9, "evaluated": {2: 0.2, 4: 0.9, 6: 0.5},
        "by_query_set": {"golden": {2: 0.1, 4: 0.8, 6: 0.4}, "title": {2: 0.3, 4: 1.0, 6: 0.6}},
    }
    kept = _fingerprint(load_model(str(tmp_path / "out")))
    assert kept == pytest.approx(seen[1], rel=1e-9) and kept != pytest.approx(seen[2], rel=1e-9)


def test_the_validation_evaluator_ranks_the_unbiased_sets_and_the_golden_half(tiny_model):
    from jobsearch.golden import GoldenQueries
    from jobsearch.ranking_evaluator import validation_evaluator

    golden = GoldenQueries(queries=["nurse icu", "cdl truck"], relevant=[{"b"}, {"d"}], rows_read=2, dropped={})
    evaluator = validation_evaluator(_split_triplets(["a", "a2", "b", "c"]), CLEAN, ["golden", "title"], golden=golden, max_tags=3, batch_size=4)
    metrics = evaluator(tiny_model)
    # d is not a validation posting: its query reports in test; the skills set is not asked for
    assert set(metrics) == {"validation_golden_mrr@10", "validation_title_mrr@10", "validation_mrr@10"}
    assert metrics["validation_mrr@10"] == pytest.approx((metrics["validation_golden_mrr@10"] + metrics["validation_title_mrr@10"]) / 2)
    assert evaluator.primary_metric == "validation_mrr@10"


def test_training_chooses_by_the_validation_evaluator_it_is_given(tiny_model, tmp_path):
    from jobsearch.ranking_evaluator import validation_evaluator
    from jobsearch.train import TrainParams, fine_tune

    evaluator = validation_evaluator(_split_triplets(["a", "a2", "b", "c"]), CLEAN, ["title"], batch_size=4)
    train = pd.concat([TRIPLETS.assign(anchor=TRIPLETS["anchor"] + f" {i}", posting_id=TRIPLETS["posting_id"] + f"-{i}") for i in range(2)], ignore_index=True)
    metrics = fine_tune(tiny_model, train, TrainParams(batch_size=4, max_seq_length=32, evaluations=1), tmp_path / "out", evaluator=evaluator)
    checkpoint = metrics["checkpoint"]
    assert set(checkpoint["evaluated"]) == {1, 2} and checkpoint["step"] in (1, 2)
    assert checkpoint["validation_mrr@10"] == max(checkpoint["evaluated"].values())
    assert checkpoint["by_query_set"] == {"title": checkpoint["evaluated"]}  # one set: its scores are the mean


def test_two_trainings_with_the_same_seed_save_byte_identical_model_folders(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dvclive looks for a git repo from the working directory
    from jobsearch.models import ModelParams
    from jobsearch.train import TrainParams, train_base

    params = TrainParams(epochs=1, batch_size=4, learning_rate=1e-3, max_seq_length=32)
    folders = []
    for run in ("first", "second"):
        train_base(pd.concat([TRIPLETS] * 2, ignore_index=True), str(tiny_model_dir), params, ModelParams(), tmp_path / run, tmp_path / f"live-{run}")
        folders.append({p.relative_to(tmp_path / run): p.read_bytes() for p in sorted((tmp_path / run).rglob("*")) if p.is_file()})
    assert folders[0].keys() == folders[1].keys() and len(folders[0]) > 3
    differ = [str(name) for name, data in folders[0].items() if folders[1][name] != data]
    assert not differ, f"files that differ between two trainings: {differ}"
    assert "Training Time" not in folders[0][Path("README.md")].decode()  # the card's wall-clock time, which differed
