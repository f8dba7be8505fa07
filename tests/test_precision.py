"""precision auto: bf16 where the processor has bf16 units, fp32 where it does not, for training and encoding."""

import numpy as np
import pandas as pd
import pytest
import torch

from jobsearch.embed import autocast_dtype, encode
from jobsearch.precision import cpu_has_bf16, resolve_precision

WITHOUT_BF16 = {"architecture": "x86_64", "avx2": True, "avx512_f": False, "avx512_bf16": False, "amx_bf16": False}
WITH_AMX = {**WITHOUT_BF16, "avx512_f": True, "amx_bf16": True}


@pytest.fixture
def cpu_capabilities(monkeypatch):
    def fake(capabilities):
        monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: capabilities)
        monkeypatch.setattr(torch.cuda, "is_available", lambda: False)

    return fake


def test_auto_is_fp32_on_a_cpu_without_bf16_units(cpu_capabilities):
    cpu_capabilities(WITHOUT_BF16)
    assert not cpu_has_bf16()
    assert resolve_precision("auto") == "fp32"
    assert autocast_dtype(torch.device("cpu"), "auto") is None


def test_auto_is_bf16_on_a_cpu_with_amx_or_avx512_bf16(cpu_capabilities):
    for units in ({"amx_bf16": True}, {"avx512_bf16": True}, {"architecture": "arm64", "bf16": True}):
        cpu_capabilities({**WITHOUT_BF16, **units})
        assert resolve_precision("auto") == "bf16", units
        assert autocast_dtype(torch.device("cpu"), "auto") is torch.bfloat16


def test_explicit_precisions_are_kept_whatever_the_cpu(cpu_capabilities):
    cpu_capabilities(WITH_AMX)
    assert resolve_precision("fp32") == "fp32" and autocast_dtype(torch.device("cpu"), "fp32") is None
    cpu_capabilities(WITHOUT_BF16)
    assert resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="precision must be one of"):
        resolve_precision("int4")


def test_bf16_encoding_agrees_with_fp32(tiny_model):
    texts = ["senior data scientist python sql", "icu nurse epic", "electrician conduit bending nec code", "cdl truck driver"] * 3
    fp32 = encode(tiny_model, texts, batch_size=4, precision="fp32")
    bf16 = encode(tiny_model, texts, batch_size=4, precision="bf16")
    assert bf16.dtype == np.float32
    assert (fp32 * bf16).sum(axis=1).min() >= 0.99  # a random 2-layer model; the real one below


@pytest.mark.skipif(not cpu_has_bf16(), reason="this CPU has no bf16 units (AMX or AVX-512 BF16): auto stays fp32 here")
def test_auto_encoding_of_the_real_model_agrees_with_fp32_where_the_cpu_has_bf16():
    from jobsearch.models import ModelParams

    model = ModelParams().load()
    texts = [f"Senior data engineer {i}: Spark, Airflow and SQL pipelines for credit risk models." for i in range(16)]
    auto, fp32 = encode(model, texts, precision="auto"), encode(model, texts, precision="fp32")
    assert (auto * fp32).sum(axis=1).min() >= 0.999


@pytest.mark.parametrize("capabilities, expected", [(WITHOUT_BF16, "fp32"), (WITH_AMX, "bf16")])
def test_training_at_auto_follows_the_cpu(tiny_model, tmp_path, cpu_capabilities, capabilities, expected):
    from jobsearch.train import TrainParams, fine_tune

    cpu_capabilities(capabilities)
    train = pd.DataFrame({"anchor": ["python sql", "icu nurse", "cdl driver", "conduit nec"], "positive": ["data engineer python sql", "registered nurse icu", "truck driver cdl", "electrician conduit"]})
    train["negative"] = train["positive"][::-1].to_numpy()
    metrics = fine_tune(tiny_model, train, TrainParams(batch_size=2, max_seq_length=16), tmp_path / "out")
    assert metrics["precision"] == expected and metrics["steps"] == 2
