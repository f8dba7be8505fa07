"""benchmarks.stages: the stages in dvc.yaml's order without DVC, with params set per run."""

import json

import pandas as pd
import pytest
import yaml


def test_stages_run_in_order_with_params_set_and_a_variant_reruns_from_a_stage(tmp_path, capsys):
    from benchmarks.stages import main

    first = tmp_path / "first"
    assert main(["--workdir", str(first), "--to", "split", "ingest.sample_size=30", "split.near_duplicates.threshold=0.8"]) == 0
    params = yaml.safe_load((first / "params.yaml").read_text())
    assert params["ingest"]["sample_size"] == 30 and params["split"]["near_duplicates"]["threshold"] == 0.8
    assert params["split"]["near_duplicates"]["num_perm"] == 128  # a nested key set, its siblings kept
    assert list(json.loads((first / "stage_seconds.json").read_text())["seconds"]) == ["ingest", "clean", "queries", "split"]
    assert json.loads((first / "metrics" / "ingest.json").read_text())["rows_kept"] == 30

    variant = tmp_path / "variant"
    assert main(["--workdir", str(variant), "--copy-from", str(first), "--from", "split", "--to", "split", "ingest.sample_size=30", "split.seed=7"]) == 0
    assert list(json.loads((variant / "stage_seconds.json").read_text())["seconds"]) == ["split"]
    postings = lambda run: sorted(pd.read_parquet(run / "data" / "splits" / "test.parquet")["posting_id"].unique())
    assert postings(variant) != postings(first)  # another seed, another split of the same postings
    capsys.readouterr()


def test_a_failing_stage_stops_the_run_with_its_name(tmp_path, capfd):
    from benchmarks.stages import main

    assert main(["--workdir", str(tmp_path), "--to", "clean", "ingest.sample_size=-1"]) == 1
    err = capfd.readouterr().err
    assert "stage ingest: error:" in err and "stage ingest failed" in err
    assert not (tmp_path / "stage_seconds.json").exists()
    with pytest.raises(SystemExit, match="expected KEY=VALUE"):
        main(["--workdir", str(tmp_path), "ingest.sample_size"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "trian"], "argument --from: invalid choice: 'trian'"),
        (["--from", "evaluate", "--to", "train"], "--from evaluate comes after --to train in dvc.yaml"),
        (["--copy-from", "{missing}"], "no such workdir"),
        (["--copy-from", "{workdir}"], "is the workdir itself"),
    ],
)
def test_bad_arguments_are_one_line_before_anything_is_copied(tmp_path, capsys, args, message):
    from benchmarks.stages import main

    workdir = tmp_path / "run"
    workdir.mkdir()
    args = [a.format(workdir=workdir, missing=tmp_path / "missing") for a in args]
    with pytest.raises(SystemExit) as exit_:
        main(["--workdir", str(workdir), *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(workdir.iterdir()) == []  # nothing copied into the workdir
