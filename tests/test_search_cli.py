import json

import pytest

from jobsearch.cli import main
from jobsearch.errors import JobsearchError
from jobsearch.retrieval import RankerParams
from jobsearch.search import SearchIndex, format_hits


@pytest.fixture
def corpus(tmp_path, three_postings):
    path = tmp_path / "clean.parquet"
    frame = three_postings.assign(location=["Austin, TX", "Boston, MA", ""])
    frame["text"] = frame["title"] + "\n\n" + frame["description"]
    frame.to_parquet(path)
    return path


def test_bm25_search_finds_exact_skill_terms_and_says_why(corpus, tiny_model_dir, tmp_path):
    index = SearchIndex(corpus, str(tiny_model_dir), cache_dir=tmp_path / "cache")
    hits = index.search("conduit bending", top_k=2, ranker=RankerParams("bm25"))
    assert hits[0].posting_id == "p3" and hits[0].rank == 1
    assert "conduit" in hits[0].matched and "bending" in hits[0].matched
    assert "Electrician" in format_hits(hits)


def test_dense_search_caches_posting_embeddings(corpus, tiny_model_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    index = SearchIndex(corpus, str(tiny_model_dir), cache_dir=cache)
    first = index.search("icu nurse epic", top_k=3, ranker=RankerParams("dense"))
    assert len(first) == 3 and sorted(h.posting_id for h in first) == ["p1", "p2", "p3"]
    assert [h.score for h in first] == sorted((h.score for h in first), reverse=True)
    cached = list(cache.glob("*.npy"))
    assert len(cached) == 1
    # a new index over the same model and corpus reuses the file instead of encoding again
    again = SearchIndex(corpus, str(tiny_model_dir), cache_dir=cache)
    monkeypatch.setattr("jobsearch.search.encode", lambda *a, **k: pytest.fail("postings encoded again"))
    assert again.embeddings.shape == (3, 32)


def test_hybrid_mode_ranks_every_posting_once(corpus, tiny_model_dir, tmp_path):
    hits = SearchIndex(corpus, str(tiny_model_dir), cache_dir=tmp_path / "c").search("python sql", top_k=3, ranker=RankerParams("hybrid"))
    assert hits[0].posting_id == "p1"
    assert len({h.posting_id for h in hits}) == len(hits)


def test_cli_prints_json_hits(corpus, tiny_model_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "epic ehr acls", "--model", str(tiny_model_dir), "--corpus", str(corpus), "--mode", "bm25", "-k", "1", "--json"]) == 0
    hit = json.loads(capsys.readouterr().out.strip())
    assert hit["posting_id"] == "p2" and hit["title"] == "Registered Nurse - ICU"


def test_cli_errors_are_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "python", "--corpus", "missing.parquet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("jobsearch: error: missing.parquet") and "\n" not in err


def test_empty_query_is_rejected(corpus, tiny_model_dir, tmp_path):
    with pytest.raises(JobsearchError, match="empty"):
        SearchIndex(corpus, str(tiny_model_dir), cache_dir=tmp_path).search("   ")


def test_cli_without_a_trained_model_says_how_to_get_one(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "python", "--corpus", str(corpus)]) == 1
    assert "models/finetuned: no fine-tuned model yet (run `make repro`" in capsys.readouterr().err


def test_cli_serves_the_ranker_evaluation_chose_and_rejects_a_bad_record(corpus, tiny_model_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hybrid = {"fusion": "convex", "dense_weight": 0.2, "bm25_weight": 0.8, "rrf_k": 60, "depth": 100}
    args = ["search", "conduit bending", "--model", str(tiny_model_dir), "--corpus", str(corpus), "-k", "3", "--json"]
    # served: bm25. The tiny model is random, so only BM25 leaves the two postings without the terms unranked
    (tmp_path / "served.json").write_text(json.dumps({"served": {"mode": "bm25", "hybrid": hybrid}, "hybrid": hybrid}))
    assert main(args + ["--served", "served.json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["posting_id"] for h in hits] == ["p3"]
    # --mode dense overrides the served mode
    assert main(args + ["--served", "served.json", "--mode", "dense"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    (tmp_path / "served.json").write_text(json.dumps({"served": {"mode": "bm25", "hybrid": {**hybrid, "dense_weight": -1}}, "hybrid": hybrid}))
    assert main(args + ["--served", "served.json"]) == 1
    err = capsys.readouterr().err
    assert "dense_weight" in err and "\n" not in err.strip()
    (tmp_path / "served.json").write_text('{"dense_weight": 0.2}')  # an old fusion file
    assert main(args + ["--served", "served.json"]) == 1
    assert "expected the evaluate stage's record" in capsys.readouterr().err
