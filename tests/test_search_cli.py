import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jobsearch.embed
from jobsearch.cli import format_hits, main
from jobsearch.errors import JobsearchError
from jobsearch.index import IndexParams, SearchIndex, build_index, corpus_index, dense_index
from jobsearch.models import ModelParams, PassageParams
from jobsearch.retrieval.dense import DenseIndex
from jobsearch.retrieval.passages import later_passages
from jobsearch.retrieval.rankers import HybridParams, RankerParams
from jobsearch.search import Searcher


@pytest.fixture
def corpus(tmp_path, three_postings):
    path = tmp_path / "clean.parquet"
    frame = three_postings.assign(location=["Austin, TX", "Boston, MA", ""])
    frame["text"] = frame["title"] + "\n\n" + frame["description"]
    frame.to_parquet(path)
    return path


@pytest.fixture
def searcher(corpus, tiny_model, tiny_model_dir):
    index = build_index(pd.read_parquet(corpus), str(tiny_model_dir), RankerParams(), IndexParams(), ModelParams(), encoder=tiny_model)
    return Searcher(index, tiny_model)


def test_bm25_search_finds_exact_skill_terms_and_says_why(searcher):
    hits = searcher.search("conduit bending", top_k=2, ranker=RankerParams("bm25"))
    assert hits[0].posting_id == "p3" and hits[0].rank == 1
    assert "conduit" in hits[0].matched and "bending" in hits[0].matched
    assert "Electrician" in format_hits(hits)
    assert hits[0].location == ""  # an empty field stays empty, never "nan"


def test_a_saved_index_searches_as_the_built_one_without_encoding_postings(searcher, tmp_path, tiny_model, monkeypatch):
    searcher.index.save(tmp_path / "index")
    loaded = SearchIndex.load(tmp_path / "index")
    assert isinstance(loaded.dense.embeddings, np.memmap)  # memory-mapped, not read whole
    calls, real = [], jobsearch.embed.encode
    monkeypatch.setattr("jobsearch.embed.encode", lambda model, texts, **kw: calls.append(len(texts)) or real(model, texts, **kw))
    again = Searcher(loaded, tiny_model)
    for mode in ("dense", "bm25", "hybrid"):
        ranker = RankerParams(mode)
        assert again.search("icu nurse epic", top_k=3, ranker=ranker) == searcher.search("icu nurse epic", top_k=3, ranker=ranker)
    assert max(calls) == 1  # only queries were encoded


def test_search_reads_a_posting_past_the_tokens_the_model_reads(corpus, tiny_model_dir, tmp_path):
    postings = pd.read_parquet(corpus)
    duties = "Rebuild diesel engines, overhaul hydraulic pumps and weld chassis frames on heavy haul trucks."
    postings.loc[2, "text"] += " " + " ".join(["Schedules rotate weekly."] * 12) + " " + duties
    model = ModelParams(max_seq_length=32, passages=PassageParams(words=16, stride=12))
    encoder = model.load(str(tiny_model_dir))
    later, _ = later_passages(postings["text"].tolist(), 16, 12, postings["title"].tolist())
    query = later[-1]  # the electrician posting's last passage, far past its first 32 tokens
    hits = lambda model: Searcher(build_index(postings, str(tiny_model_dir), RankerParams("dense"), IndexParams(), model, encoder=encoder), encoder, model).search(query, top_k=3)  # noqa: E731
    whole = hits(model)
    assert whole[0].posting_id == "p3" and whole[0].score == pytest.approx(1.0, abs=1e-5)  # its best passage is the query itself
    assert max(hit.score for hit in hits(replace(model, passages=PassageParams(words=0)))) < 0.999  # its first tokens only: no passage matches
    index = build_index(postings, str(tiny_model_dir), RankerParams("dense"), IndexParams(), model, encoder=encoder)
    assert index.metrics["passages"] == 3 + len(later)
    index.save(tmp_path / "index")
    assert np.array_equal(SearchIndex.load(tmp_path / "index").dense.owner, index.dense.owner)


def test_approximate_dense_search_ranks_like_exact_search(corpus, tiny_model, tiny_model_dir, tmp_path):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    approximate = dense_index(DenseIndex(vectors), IndexParams(approximate_above=1000))
    assert approximate.approximate and not dense_index(DenseIndex(vectors), IndexParams()).approximate
    queries = vectors[:50] + 0.1 * rng.normal(size=(50, 32)).astype(np.float32)
    assert approximate.recall(queries) >= 0.95
    # scores beyond the graph's depth sit below every found posting, so rankers cut there
    scores = approximate.scores(queries[:1], 20)
    top = np.argsort(-scores[0])[:20]
    assert np.allclose(scores[0, top], np.sort(vectors[top] @ queries[0])[::-1], atol=1e-5)
    assert (np.delete(scores[0], top) < scores[0, top].min()).all()
    # a built index over more postings than approximate_above records its recall and reloads
    postings = pd.read_parquet(corpus)
    many = pd.concat([postings.assign(posting_id=postings["posting_id"] + f"-{i}") for i in range(4)], ignore_index=True)
    index = build_index(many, str(tiny_model_dir), RankerParams(), IndexParams(approximate_above=5, recall_queries=6), ModelParams(), encoder=tiny_model)
    assert index.metrics["dense_search"] == "approximate" and 0 <= index.metrics["recall@10"] <= 1
    index.save(tmp_path / "ann")
    assert SearchIndex.load(tmp_path / "ann").dense.approximate


def test_a_corpus_index_is_cached_and_rebuilt_when_the_corpus_or_params_change(corpus, tiny_model_dir, tmp_path, monkeypatch):
    cache, encoded, real = tmp_path / "cache", [], jobsearch.embed.encode
    monkeypatch.setattr("jobsearch.embed.encode", lambda model, texts, **kw: encoded.append(len(texts)) or real(model, texts, **kw))
    build = lambda served=RankerParams(), model=ModelParams(): corpus_index(corpus, str(tiny_model_dir), served, IndexParams(), model, cache)  # noqa: E731
    build()
    assert encoded == [3] and len(list(cache.iterdir())) == 1
    again = build(RankerParams("bm25"))
    assert encoded == [3] and again.served.mode == "bm25"  # loaded, not built; the served ranker is the caller's
    frame = pd.read_parquet(corpus).iloc[:2]
    frame.to_parquet(corpus)  # a new corpus in the same file: never the stale index
    rebuilt = build()
    assert encoded == [3, 2] and len(rebuilt.postings) == 2 and len(list(cache.iterdir())) == 2
    build(model=ModelParams(max_seq_length=16, passages=PassageParams(words=0)))  # the model reads postings otherwise: another index
    assert encoded == [3, 2, 2] and len(list(cache.iterdir())) == 3


def test_a_typo_tolerant_ranker_finds_mistyped_skills_and_shows_the_corrected_words(searcher):
    typo = "Condiut bendnig"
    assert searcher.search(typo, top_k=3, ranker=RankerParams("bm25")) == []
    hits = searcher.search(typo, top_k=3, ranker=RankerParams("bm25", fuzzy=True))
    assert [h.posting_id for h in hits] == ["p3"]
    assert hits[0].matched == ["conduit", "bending"]


def test_hybrid_mode_ranks_every_posting_once(searcher):
    hits = searcher.search("python sql", top_k=3, ranker=RankerParams("hybrid"))
    assert hits[0].posting_id == "p1"
    assert len({h.posting_id for h in hits}) == len(hits)


def test_cli_prints_json_hits(corpus, tiny_model_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "epic ehr acls", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--mode", "bm25", "-k", "1", "--json"]) == 0
    hit = json.loads(capsys.readouterr().out.strip())
    assert hit["posting_id"] == "p2" and hit["title"] == "Registered Nurse - ICU"


def test_cli_errors_are_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args, start in [
        (["--corpus", "missing.parquet", "--model", "m"], "missing.parquet"),
        ([], "models/index: no search index yet (run `make repro`"),
    ]:
        assert main(["search", "python", *args]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"jobsearch: error: {start}") and "\n" not in err


def test_cli_names_the_corpus_it_was_given_and_caps_top_k_in_words(tmp_path, tiny_model_dir, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "python", "--corpus", "/nonexistent.parquet", "--model", str(tiny_model_dir)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "jobsearch: error: /nonexistent.parquet: file not found"  # no "or pass --corpus": it was passed
    empty = tmp_path / "empty.parquet"
    pd.DataFrame({c: pd.Series(dtype=str) for c in ("posting_id", "title", "company", "location", "description", "text")}).to_parquet(empty)
    assert main(["search", "python", "--corpus", str(empty), "--model", str(tiny_model_dir)]) == 1
    assert f"{empty}: no postings to search (0 rows)" in capsys.readouterr().err
    for k in ("0", "101", "100000"):
        assert main(["search", "python", "--corpus", str(empty), "--model", str(tiny_model_dir), "--top-k", k]) == 1
        assert f"--top-k must be between 1 and 100, got {k}" in capsys.readouterr().err


def test_k_means_k_up_to_the_postings_there_are(tiny_model, tiny_model_dir):
    words = "python sql nurse icu epic electrician conduit welder driver accountant".split()
    postings = pd.DataFrame({"posting_id": [f"p{i}" for i in range(120)], "title": [words[i % 10] for i in range(120)]})
    postings["company"], postings["location"] = "Acme", ""
    postings["description"] = [f"{words[i % 10]} {words[(i * 3) % 10]} role number {i} with team work" for i in range(120)]
    postings["text"] = postings["title"] + "\n\n" + postings["description"]
    index = build_index(postings, str(tiny_model_dir), RankerParams(), IndexParams(), ModelParams(), encoder=tiny_model)
    searcher = Searcher(index, tiny_model)
    for query in ("team work", "zebra"):  # every posting holds a term; none does (no floor: the model finds them)
        for mode in ("dense", "hybrid"):
            for k in (10, 100):
                assert len(searcher.search(query, top_k=k, ranker=RankerParams(mode))) == k
    rrf = RankerParams("hybrid", HybridParams("rrf", depth=50))
    assert len(searcher.search("team work", top_k=100, ranker=rrf)) == 100  # lists as deep as the hits asked for


def test_cli_searches_the_index_stage_folder_by_default(searcher, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    searcher.index.served = RankerParams("bm25")
    searcher.index.save(tmp_path / "models/index")
    assert main(["search", "epic ehr", "--json"]) == 0
    assert [json.loads(line)["posting_id"] for line in capsys.readouterr().out.splitlines()] == ["p2"]  # served: bm25
    assert main(["search", "epic ehr", "--mode", "best"]) == 1
    assert "mode must be one of served, dense, bm25, hybrid" in capsys.readouterr().err


def test_empty_query_is_rejected(searcher):
    with pytest.raises(JobsearchError, match="empty"):
        searcher.search("   ")


def test_cli_without_a_trained_model_says_how_to_get_one(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "python", "--corpus", str(corpus)]) == 1
    assert "models/finetuned: no fine-tuned model yet (run `make repro`" in capsys.readouterr().err


def test_cli_serves_the_ranker_evaluation_chose_and_rejects_a_bad_record(corpus, tiny_model_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hybrid = {"fusion": "convex", "dense_weight": 0.2, "bm25_weight": 0.8, "rrf_k": 60, "depth": 100}
    args = ["search", "conduit bending", "--model", str(tiny_model_dir), "--corpus", str(corpus), "-k", "3", "--json"]
    # served: bm25. The tiny model is random, so only BM25 leaves the two postings without the terms unranked
    (tmp_path / "served.json").write_text(json.dumps({"ranker": {"mode": "bm25", "hybrid": hybrid}}))
    assert main(args + ["--served", "served.json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["posting_id"] for h in hits] == ["p3"]
    # --mode dense overrides the served mode
    assert main(args + ["--served", "served.json", "--mode", "dense"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    # a typo-tolerant served ranker, as evaluate records it, corrects "bendnig"
    (tmp_path / "served.json").write_text(json.dumps({"ranker": {"mode": "bm25", "hybrid": hybrid, "fuzzy": True}}))
    assert main(args[:1] + ["conduit bendnig"] + args[2:] + ["--served", "served.json"]) == 0
    assert [json.loads(line)["matched"] for line in capsys.readouterr().out.splitlines()] == [["conduit", "bending"]]
    (tmp_path / "served.json").write_text(json.dumps({"ranker": {"mode": "bm25", "hybrid": {**hybrid, "dense_weight": -1}}}))
    assert main(args + ["--served", "served.json"]) == 1
    err = capsys.readouterr().err
    assert "dense_weight" in err and "\n" not in err.strip()
    (tmp_path / "served.json").write_text('{"dense_weight": 0.2}')  # an old fusion file
    assert main(args + ["--served", "served.json"]) == 1
    assert "served.json: ranker: expected a ranker record" in capsys.readouterr().err


def test_the_snippet_shows_where_the_matched_terms_are():
    from jobsearch.retrieval.text import snippet

    text = "We are hiring a person to join our team. " * 6 + "You will write Python and SQL with Airflow. " + "Perks. " * 20
    around = snippet(text, ["python", "sql", "airflow"], width=120)
    assert around.startswith("…") and "Python and SQL with Airflow" in around and len(around) <= 122
    assert snippet(text, [], width=120).startswith("We are hiring")  # no terms: the start
    assert snippet(text, ["hiring"], width=120).startswith("We are hiring")  # the start already shows them
    assert snippet("short text", ["python"]) == "short text"


def test_the_same_postings_and_model_save_a_byte_identical_index(corpus, tiny_model, tiny_model_dir, tmp_path):
    saved = []
    for run in ("first", "second"):
        index = build_index(pd.read_parquet(corpus), str(tiny_model_dir), RankerParams(floor=0.5), IndexParams(), ModelParams(), encoder=tiny_model)
        assert "encode_seconds" in index.timings and "encode_seconds" not in index.metrics  # timings are measured, apart ...
        index.save(tmp_path / run)
        saved.append({p.relative_to(tmp_path / run): p.read_bytes() for p in sorted((tmp_path / run).rglob("*")) if p.is_file()})
    assert saved[0] == saved[1]
    assert not [k for k in json.loads(saved[0][Path("index.json")]) if k.endswith("_seconds")]  # ... but kept out of the folder


def test_the_index_stage_and_corpus_search_build_the_same_index(corpus, tiny_model_dir, tmp_path):
    # one way to build: the index stage's call and --corpus's cached one, from the same params, give the same hits
    served, model = RankerParams(), ModelParams(max_seq_length=32, batch_size=2, passages=PassageParams(words=16, stride=12))
    staged = Searcher(build_index(pd.read_parquet(corpus), str(tiny_model_dir), served, IndexParams(), model), model=model)
    cached = Searcher(corpus_index(corpus, str(tiny_model_dir), served, IndexParams(), model, tmp_path / "cache"), model=model)
    assert cached.encoder.max_seq_length == 32  # the model section reaches --corpus too
    for mode in ("dense", "bm25", "hybrid"):
        for query in ("icu nurse epic", "conduit bending", "python sql"):
            ranker = served.for_mode(mode)
            assert staged.search(query, top_k=3, ranker=ranker) == cached.search(query, top_k=3, ranker=ranker), (mode, query)


def test_the_cli_reads_its_paths_from_params_yaml(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text("paths:\n  index: built/elsewhere\n")
    assert main(["search", "python"]) == 1
    assert "built/elsewhere: no search index yet" in capsys.readouterr().err
    (tmp_path / "params.yaml").write_text("pathz:\n  index: x\n")  # params.yaml is read strictly, as by the stages
    assert main(["search", "python"]) == 1
    assert "unknown section 'pathz'" in capsys.readouterr().err
