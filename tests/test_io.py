import json
import subprocess
import sys

import pandas as pd
import pytest

from jobsearch.errors import DataError
from jobsearch.io import atomic_path, read_json, read_parquet, write_json, write_parquet
from tests.conftest import PROJECT_ROOT


def test_read_parquet_names_the_file_and_missing_column(tmp_path):
    path = tmp_path / "clean.parquet"
    write_parquet(pd.DataFrame({"posting_id": ["a"], "title": ["t"]}), path)
    with pytest.raises(DataError, match=r"clean\.parquet: missing column\(s\) text \(columns present: posting_id, title\)"):
        read_parquet(path, ["posting_id", "text"])
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(DataError, match="bad.parquet: not a readable parquet file"):
        read_parquet(tmp_path / "bad.parquet")
    with pytest.raises(DataError, match="nothing.parquet: file not found"):
        read_parquet(tmp_path / "nothing.parquet")


def test_a_failed_write_keeps_the_old_output_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "out.json"
    write_json({"v": 1}, path)
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text('{"v": ')
            raise RuntimeError("killed half way")
    assert json.loads(path.read_text()) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_atomic_directory_replaces_the_old_one(tmp_path):
    target = tmp_path / "model"
    for version in ("1", "2"):
        with atomic_path(target, is_dir=True) as tmp:
            (tmp / "weights").write_text(version)
    assert (target / "weights").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_read_json_errors(tmp_path):
    (tmp_path / "m.json").write_text("{")
    with pytest.raises(DataError, match="m.json: not valid JSON"):
        read_json(tmp_path / "m.json")


def test_a_stage_reports_bad_input_in_one_line(tmp_path):
    (tmp_path / "params.yaml").write_text("queries:\n  seed: 1\n")
    (tmp_path / "data").mkdir()
    write_parquet(pd.DataFrame({"posting_id": ["a"], "description": ["x"]}), tmp_path / "data/clean.parquet")
    proc = subprocess.run(
        [sys.executable, "-m", "stages.queries"], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "stage queries: error: data/clean.parquet: missing column(s) title, company "
        "(columns present: description, posting_id)"
    )
    assert not (tmp_path / "data/queries.parquet").exists()
