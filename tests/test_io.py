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


def _ingest(cwd, preexec_fn=None) -> subprocess.CompletedProcess:
    """The ingest stage as DVC runs it, in ``cwd`` (its params.yaml)."""
    return subprocess.run(
        [sys.executable, "-m", "stages.ingest"], cwd=cwd, capture_output=True, text=True, preexec_fn=preexec_fn,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}, timeout=300,
    )


@pytest.fixture
def full_disk(tmp_path):
    """A folder on a 64 KiB tmpfs (a real full disk: ENOSPC), or, where mounting is not allowed,
    (None, a limit on the stage's file sizes: the kernel fails its write with EFBIG)."""
    import resource
    import signal

    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True).returncode == 0

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, the process lives
        resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))

    try:
        yield folder, (None if mounted else small_files)
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_one_line_naming_the_output_and_the_old_output_stays(tmp_path, full_disk):
    folder, limit = full_disk
    (folder / "postings.parquet").write_bytes(b"the old output")
    (tmp_path / "params.yaml").write_text(f"paths:\n  postings: {folder}/postings.parquet\n  metrics: {folder}/metrics\n")
    proc = _ingest(tmp_path, limit)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    reason = "No space left on device" if limit is None else "File too large"
    assert proc.stderr.startswith(f"stage ingest: error: cannot write {folder}/postings.parquet: ") and reason in proc.stderr
    assert (folder / "postings.parquet").read_bytes() == b"the old output"
    assert sorted(p.name for p in folder.iterdir()) == ["postings.parquet"]  # no temporary file left behind


def test_an_unwritable_output_is_one_line_naming_it_and_the_old_output_stays(tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "ingest.json").write_text('{"old": true}')
    (tmp_path / "params.yaml").write_text("ingest:\n  sample_size: 20\n")
    # root writes through permission bits: an immutable folder (as `chattr +i metrics`) is unwritable even to root
    if subprocess.run(["chattr", "+i", str(metrics)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        proc = _ingest(tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(metrics)], check=True)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.strip() == "stage ingest: error: cannot write metrics/ingest.json: Operation not permitted"
    assert (metrics / "ingest.json").read_text() == '{"old": true}'


def test_the_cli_reports_an_unwritable_cache_in_one_line(tmp_path, tiny_model_dir, three_postings, capsys, monkeypatch):
    from jobsearch.cli import main

    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "clean.parquet"
    write_parquet(three_postings.assign(location="", text=three_postings["description"]), corpus)
    (tmp_path / ".cache").write_text("a file where the index cache's folder should be")
    assert main(["search", "python", "--corpus", str(corpus), "--model", str(tiny_model_dir)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]  # after the model's loading bar
    assert err.startswith("jobsearch: error: cannot write .cache/index/") and err.endswith(": Not a directory")
