"""Multi-device training: the device check, and a 2-process CPU (gloo) run of the train stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from jobsearch import distributed
from jobsearch.errors import ConfigError
from tests.conftest import PROJECT_ROOT

TRIPLETS = pd.DataFrame(
    {
        "anchor": ["python sql spark", "icu nurse epic", "conduit bending nec", "cdl truck driver"],
        "positive": [
            "data engineer python sql spark airflow",
            "registered nurse icu epic ehr",
            "electrician conduit bending nec code",
            "truck driver cdl route delivery",
        ],
        "negative": ["registered nurse icu", "electrician wiring", "accountant cpa gaap", "teacher"],
    }
)


def test_more_devices_than_gpus_is_one_clear_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert distributed.check_devices(2) == "cuda"
    with pytest.raises(ConfigError, match=r"^train.devices is 3 but this machine has 2 GPU\(s\); use at most 2"):
        distributed.check_devices(3)


def test_cpu_machines_allow_any_number_of_processes(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert distributed.check_devices(4) == "cpu"
    with pytest.raises(ConfigError, match="at least 1"):
        distributed.check_devices(0)


def test_the_stage_refuses_to_launch_on_too_few_gpus(tmp_path, monkeypatch, tiny_model_dir):
    """The check runs in the parent, before any process is started."""
    import torch

    from stages import train as train_stage

    _write_project(tmp_path, tiny_model_dir, devices=4)
    monkeypatch.chdir(tmp_path)
    for name in distributed.LAUNCH_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    launched = []
    monkeypatch.setattr(distributed, "launch", lambda *a: launched.append(a))
    with pytest.raises(ConfigError, match="train.devices is 4 but this machine has 1 GPU"):
        train_stage.main()
    assert launched == [] and not (tmp_path / "models").exists()


def test_launch_env_decides_who_writes(monkeypatch):
    for name in ("LOCAL_RANK", "WORLD_SIZE", "RANK"):
        monkeypatch.delenv(name, raising=False)
    assert not distributed.in_launch() and distributed.is_main_process() and distributed.world_size() == 1
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert distributed.in_launch() and not distributed.is_main_process() and distributed.world_size() == 2
    assert distributed.launcher_args(2, "stages.train") == ["--standalone", "--nproc_per_node=2", "-m", "stages.train"]


def test_devices_must_be_positive():
    from jobsearch.config import from_dict
    from jobsearch.train import TrainParams

    with pytest.raises(ConfigError, match="devices"):
        from_dict(TrainParams, {"devices": 0}, "train")


def test_two_process_cpu_training_through_the_stage(tmp_path, tiny_model_dir):
    """`python -m stages.train` with train.devices: 2 launches 2 gloo processes; rank 0 writes."""
    project = tmp_path / "project"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    _write_project(project, tiny_model_dir, devices=2)
    env = {k: v for k, v in os.environ.items() if k not in (*distributed.LAUNCH_ENV, "RANK", "MASTER_PORT")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), TMPDIR=str(scratch), CUDA_VISIBLE_DEVICES="", HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-m", "stages.train"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]

    from jobsearch.models import load_model

    model = load_model(str(project / "models" / "finetuned"))
    assert model.encode(["python sql"]).shape == (1, 32)
    metrics = json.loads((project / "metrics" / "train.json").read_text())
    assert metrics["devices"] == 2 and metrics["global_batch_size"] == 4
    assert metrics["base_model"] == str(tiny_model_dir)
    # 8 triplets, 4 per step across both processes, 1 epoch
    assert metrics["steps"] == 2
    assert (project / "metrics" / "train" / "plots" / "metrics" / "train" / "loss.tsv").is_file()
    assert metrics["backend"] == "gloo"  # transformers' choice on CPU
    # no temporary siblings from atomic_path, no scratch or torchrun folders in TMPDIR
    for folder in (project, project / "models", project / "metrics"):
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
    assert [p.name for p in scratch.iterdir() if p.name.startswith(("jobsearch-", "torchelastic"))] == []


def test_a_failed_process_becomes_one_line(monkeypatch, tmp_path):
    import time

    import torch.distributed.run as torchrun
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError, ProcessFailure

    from jobsearch.errors import JobsearchError

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    seen = {}

    def failing_run(args):
        seen["args"] = args
        failure = ProcessFailure(local_rank=1, pid=123, exitcode=1, error_file="<N/A>")
        failure.timestamp = int(time.time())
        raise ChildFailedError("stages.train", {1: failure})

    monkeypatch.setattr(torchrun, "run", failing_run)
    with pytest.raises(JobsearchError, match=r"^1 of 2 training processes failed \(first: rank 1, exit code 1\)"):
        distributed.launch(2, "stages.train")
    assert seen["args"].nproc_per_node == "2" and seen["args"].module and seen["args"].training_script == "stages.train"
    assert list(tmp_path.iterdir()) == []  # the torchrun log folder is removed


def _write_project(root, model_dir, devices: int) -> None:
    (root / "data" / "triplets").mkdir(parents=True)
    (root / "metrics").mkdir()
    rows = pd.concat([TRIPLETS] * 2, ignore_index=True)
    rows.assign(posting_id=[f"p{i}" for i in range(len(rows))]).to_parquet(root / "data" / "triplets" / "train.parquet", index=False)
    (root / "metrics" / "base_models.json").write_text(json.dumps({"selected": str(model_dir)}))
    # no validation ranking here (evaluations 0): this project has only a training split
    train = {"epochs": 1, "batch_size": 2, "learning_rate": 1e-3, "max_seq_length": 32, "devices": devices, "evaluations": 0}
    (root / "params.yaml").write_text(yaml.safe_dump({"train": train}))
