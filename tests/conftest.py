"""Shared fixtures: a tiny sentence-transformers model built in the test session."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

_WORDS = """
data scientist engineer machine learning python sql spark pytorch tensorflow llms llm credit risk
modeling model models nurse registered icu epic ehr acls bls electrician conduit bending nec code
plumber welder driver cdl accountant cpa gaap analyst financial teacher sales marketing seo
years year experience with and the of in to for a we are is on as be you our your team work
senior junior lead manager developer backend frontend react java kubernetes docker aws azure gcp
sagemaker airflow dbt tableau excel statistics forecasting optimization gurobi icd cpt coding
patient care hospital safety install repair wiring blueprint reading truck route delivery
about us benefits equal opportunity employer responsibilities qualifications requirements
build deploy pipelines dashboards reports customers clinical medical billing construction
job description company role looking join help great strong skills ability knowledge
""".split()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide BERT sentence-transformers model with a small vocab (no download)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-model")
    hf_dir = root / "hf"
    hf_dir.mkdir()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    vocab = specials + sorted(set(_WORDS)) + chars + [f"##{c}" for c in string.ascii_lowercase + string.digits]
    (hf_dir / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n")
    tokenizer = BertTokenizerFast(vocab=str(hf_dir / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(hf_dir)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=256,
    )
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=128)
    pooling = Pooling(transformer.get_embedding_dimension(), "mean")
    model_dir = root / "st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(model_dir))
    return model_dir


@pytest.fixture
def tiny_model(tiny_model_dir):
    from jobsearch.models import load_model

    return load_model(str(tiny_model_dir), device="cpu")


@pytest.fixture
def three_postings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "posting_id": ["p1", "p2", "p3"],
            "title": ["Senior Data Scientist", "Registered Nurse - ICU", "Electrician"],
            "company": ["Acme Analytics", "Mercy Health", "Volt Works"],
            "description": [
                "Build credit risk models with Python, PyTorch and SQL. 6+ years experience with LLMs.",
                "Provide patient care in the ICU. Epic EHR, ACLS and BLS required. 2 years experience.",
                "Install and repair wiring. Conduit bending, NEC code and blueprint reading. 3 years.",
            ],
        }
    )
