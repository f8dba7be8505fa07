"""The fast encoder gives model.encode's embeddings; the benchmark's pure helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jobsearch.embed import encode, length_sorted_batches, supports_fast_path, tokenise_once

TEXTS = [
    "Senior Data Scientist: credit risk models with Python, PyTorch and SQL.",
    "nurse",
    "Registered Nurse - ICU. Epic EHR, ACLS and BLS required. 2 years experience.",
    "Electrician: install and repair wiring, conduit bending, NEC code.",
    "truck driver cdl",
    "Accountant (CPA), GAAP reporting, Excel dashboards for the finance team.",
]


def _reference(model, texts, batch_size=4):
    return model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)


def test_tiny_model_takes_the_fast_path(tiny_model):
    assert supports_fast_path(tiny_model)


def test_fast_encode_matches_model_encode_in_the_original_order(tiny_model):
    got = encode(tiny_model, TEXTS, batch_size=2, precision="fp32")  # model.encode's arithmetic; auto is bf16 where the CPU has bf16 units
    assert got.dtype == np.float32 and got.shape == (len(TEXTS), tiny_model.get_embedding_dimension())
    np.testing.assert_allclose(got, _reference(tiny_model, TEXTS), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    # rows follow the input, not the length order: reversing the input reverses the rows
    np.testing.assert_allclose(encode(tiny_model, TEXTS[::-1], batch_size=3, precision="fp32"), got[::-1], atol=1e-5)


def test_texts_longer_than_max_seq_length_are_truncated_like_model_encode(tiny_model):
    tiny_model.max_seq_length = 16
    long_text = " ".join(["python sql spark pytorch docker kubernetes"] * 40)
    texts = [long_text, "nurse icu", long_text + " extra words at the end"]
    got = encode(tiny_model, texts, batch_size=8, precision="fp32")
    np.testing.assert_allclose(got, _reference(tiny_model, texts), atol=1e-5)
    # both long texts are cut before their endings differ
    np.testing.assert_allclose(got[0], got[2], atol=1e-6)


def test_empty_list_gives_an_empty_matrix(tiny_model):
    got = encode(tiny_model, [])
    assert got.shape == (0, tiny_model.get_embedding_dimension()) and got.dtype == np.float32


def test_model_is_left_in_its_training_mode(tiny_model):
    tiny_model.train()
    encode(tiny_model, TEXTS[:2])
    assert tiny_model.training


def test_bad_batch_size_is_rejected(tiny_model):
    with pytest.raises(ValueError, match="batch_size"):
        encode(tiny_model, TEXTS, batch_size=0)


def test_other_pipelines_fall_back_to_model_encode(tiny_model_dir):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense

    model = SentenceTransformer(str(tiny_model_dir), device="cpu")
    dim = model.get_embedding_dimension()
    model.append(Dense(dim, 8))
    assert not supports_fast_path(model)
    got = encode(model, TEXTS, batch_size=4)
    assert got.shape == (len(TEXTS), 8)
    np.testing.assert_allclose(got, _reference(model, TEXTS), atol=1e-5)


def test_tokenise_once_stores_each_text_flat(tiny_model):
    tokenizer = tiny_model[0].tokenizer
    tokens = tokenise_once(tokenizer, ["nurse", "python sql spark", "x " * 100], max_length=10)
    assert tokens.lengths.tolist() == [3, 5, 10]  # [CLS] ... [SEP], the last cut at 10
    first = tokens.fields["input_ids"][tokens.offsets[0]:tokens.offsets[1]]
    assert first.tolist() == tokenizer("nurse")["input_ids"]


def test_batches_cover_every_text_once_longest_first():
    lengths = np.array([5, 50, 7, 50, 3, 20, 20, 9])
    batches = list(length_sorted_batches(lengths, batch_size=2, max_growth=8))
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert lengths[flat].tolist() == sorted(lengths.tolist(), reverse=True)
    # the two longest fill a batch of 2; shorter ones share bigger batches within 2 x 50 tokens
    assert [len(b) for b in batches][0] == 2
    assert all(len(b) * lengths[b].max() <= 2 * 50 for b in batches)
    assert list(length_sorted_batches(np.array([], dtype=int), batch_size=4)) == []


def test_half_precision_branch_gives_close_normalised_embeddings(tiny_model, monkeypatch):
    import torch

    import jobsearch.embed as embed

    # what a CUDA GPU gets, exercised on the CPU: the model runs under bf16 autocast
    monkeypatch.setattr(embed, "autocast_dtype", lambda device, precision: torch.bfloat16)
    got = encode(tiny_model, TEXTS, batch_size=4)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (got * _reference(tiny_model, TEXTS)).sum(axis=1)
    assert cosines.min() > 0.98


def test_progress_bar_is_shown_only_when_asked(tiny_model, capsys):
    encode(tiny_model, TEXTS, progress=True)
    assert "Encoding" in capsys.readouterr().err
    encode(tiny_model, TEXTS, progress=False)
    assert "Encoding" not in capsys.readouterr().err


def test_non_string_text_is_a_clear_error(tiny_model):
    from jobsearch.errors import DataError

    with pytest.raises(DataError, match="text 1 .*float"):
        encode(tiny_model, ["nurse", float("nan"), "welder"])


# --- benchmark helpers (no timings asserted) --------------------------------


def test_parse_sizes_accepts_k_suffix_and_rejects_junk():
    from benchmarks.settings import parse_sizes

    assert parse_sizes("1000, 10k,50000") == (1000, 10000, 50000)
    with pytest.raises(ValueError, match="abc"):
        parse_sizes("1000,abc")
    with pytest.raises(ValueError, match="at least one"):
        parse_sizes(" , ")


def test_random_unit_encoder_is_seeded_and_normalised():
    from benchmarks.workloads import random_unit_encoder

    first = random_unit_encoder(dim=16, seed=3)(["a", "b", "c"])
    again = random_unit_encoder(dim=16, seed=3)(["a", "b", "c"])
    assert first.shape == (3, 16) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(first, again)


def test_table_rows_and_ratio_from_a_results_dict():
    from benchmarks.run import format_table, table_rows
    from benchmarks.workloads import ratio

    assert ratio(30.0, 10.0) == 3.0 and ratio(5.0, None) is None and ratio(5.0, 0) is None
    results = {
        "encode": {"texts": 8, "batch_size": 4, "max_seq_length": 64, "project_postings_per_s": 30.0,
                   "plain_postings_per_s": 10.0, "ratio": 3.0},
        "train": {"error": "RuntimeError: out of memory"},
        "dvc": {"noop_repro_median_seconds": 0.61},
        "mining": [{"postings": 1000, "strategy": "hard", "mining_seconds": 0.5, "peak_rss_mib": 200.0},
                   {"postings": 50000, "strategy": "hard", "error": "MemoryError"}],
        "total_seconds": 12,
    }
    table = format_table(table_rows(results))
    assert "3.00x" in table and "out of memory" in table
    assert "1,000 postings, hard" in table and "error: MemoryError" in table
    assert "0.61 s" in table
    del results["dvc"], results["encode"]
    assert "dvc" not in format_table(table_rows(results))  # parts not run are left out


def test_training_triplets_repeat_no_text():
    from benchmarks.workloads import training_triplets

    triplets = training_triplets(6)
    assert list(triplets.columns) == ["anchor", "positive", "negative"] and len(triplets) == 6
    texts = pd.concat([triplets["anchor"], triplets["positive"], triplets["negative"]])
    assert texts.is_unique
    pairs = training_triplets(6, with_negatives=False)
    assert list(pairs.columns) == ["anchor", "positive"]
    assert pairs["positive"].tolist() == triplets["positive"].tolist()


def test_mining_worker_reports_time_and_memory():
    from benchmarks.workloads import mine_in_process

    row = mine_in_process(40, "least_similar")
    assert row["postings"] == 40 and row["triplets"] == 40
    assert row["peak_rss_mib"] >= row["peak_rss_mib_after_imports"] > 0
    assert "random unit vectors" in row["embeddings"]


def test_settings_reject_an_unknown_mode():
    from benchmarks.settings import settings_for

    assert settings_for("small", (1000,)).mining_sizes == (1000,)
    assert settings_for("full").encode_texts > settings_for("small").encode_texts
    with pytest.raises(ValueError, match="mode"):
        settings_for("huge")


def test_mining_runs_in_a_child_that_reports_its_own_peak_memory():
    from benchmarks.settings import settings_for
    from benchmarks.workloads import bench_mining, peak_rss_mib

    # 1.5 GiB touched here, in the parent; the child itself needs torch (~0.4 GiB)
    ballast = np.ones(1536 * 2**20 // 8)
    assert peak_rss_mib() > 1536
    settings = settings_for("small", (40,), mining_strategies=("least_similar",))
    (row,) = bench_mining(settings)
    assert "error" not in row and row["triplets"] == 40
    assert row["peak_rss_mib"] < 1024  # not the parent's peak (ru_maxrss would inherit it)
    del ballast


def test_every_bench_section_runs_at_tiny_sizes(tiny_model_dir):
    # what `make bench` runs, small enough for the test suite: no section may fail unnoticed
    from benchmarks.run import format_table, run_benchmarks, table_rows
    from benchmarks.settings import settings_for
    from jobsearch.queries import QueriesParams

    settings = settings_for(
        "small", (40,), model=str(tiny_model_dir), encode_texts=8, encode_queries=8, encode_rounds=1,
        train_triplets=16, train_max_seq_length=16, mining_strategies=("least_similar",), dvc_repeats=1,
        pipeline_sizes=(40,), sections=("encode", "train", "mining", "dvc", "serve", "pipeline"),
        serve_postings=30, serve_queries=10, serve_recall_postings=60, serve_recall_queries=10,
    )
    results = run_benchmarks(settings)
    for section in ("encode", "train", "dvc", "serve"):
        assert "error" not in results[section], results[section]
    latency, recall = results["serve"]["latency"], results["serve"]["recall"]
    assert latency["queries"] == 10 and latency["search_p50_ms"] <= latency["search_p95_ms"]
    assert recall["postings"] == 60 and 0 <= recall["recall@10"] <= 1
    assert [row.get("error") for row in results["mining"]] == [None]
    (pipeline,) = results["pipeline"]
    assert list(pipeline["seconds"]) == ["ingest", "clean", "queries", "split", "negatives", "select_base", "train", "evaluate", "index"]
    assert pipeline["postings"] == 40 and pipeline["triplets"] == 40 * QueriesParams().per_posting
    # the project trains pairs in batches of 64, the reference triplets in batches of 16: each measured
    assert results["train"]["project"]["batch_size"] == 64 and "same_settings_as" not in results["train"]["project"]
    assert results["train"]["reference"]["batch_size"] == 16
    assert "ratio project / reference" in format_table(table_rows(results))
