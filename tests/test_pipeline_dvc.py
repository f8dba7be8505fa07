"""End to end: the real dvc.yaml, run by real DVC in a temporary git repo, on tiny params."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


WIDE = "1000"  # COLUMNS: a terminal wide enough for any table, which then shows its natural width


def _run(cmd: list[str], cwd: Path, **env_vars: str) -> str:
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HF_HUB_OFFLINE": "1", **env_vars}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc.stdout + proc.stderr


def _stages_run(output: str) -> list[str]:
    return re.findall(r"Running stage '([\w-]+)'", output)


@pytest.fixture(scope="module")
def pipeline_repo(tmp_path_factory, tiny_model_dir) -> Path:
    repo = tmp_path_factory.mktemp("pipeline")
    for name in ("dvc.yaml", "params.yaml", ".gitignore"):
        shutil.copy(PROJECT_ROOT / name, repo / name)
    for package in ("stages", "jobsearch"):
        shutil.copytree(PROJECT_ROOT / package, repo / package, ignore=shutil.ignore_patterns("__pycache__"))
    params = yaml.safe_load((repo / "params.yaml").read_text())
    tiny = str(tiny_model_dir)
    params["ingest"].update(sample_size=40)
    params["model"].update(name=tiny, max_seq_length=64, passages={"words": 40, "stride": 30})  # windows as long as 64 tokens read
    params["select_base"].update(candidates=["no-such-org/no-such-model"])
    params["train"].update(batch_size=4, max_seq_length=64)
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    _run(["git", "init", "-q"], repo)
    _run(["git", "config", "user.email", "test@example.com"], repo)
    _run(["git", "config", "user.name", "test"], repo)
    _run(["dvc", "init", "-q"], repo)
    return repo


def test_repro_builds_every_output(pipeline_repo):
    params = yaml.safe_load((pipeline_repo / "params.yaml").read_text())
    out = _run(["dvc", "repro"], pipeline_repo)
    assert _stages_run(out) == ["ingest", "clean", "queries", "split", "negatives", "select_base", "train", "evaluate", "publish", "index"]
    assert (pipeline_repo / "models/finetuned/modules.json").is_file()
    # the published model's card carries evaluate's numbers and the params that made it
    card = (pipeline_repo / "models/published/README.md").read_text()
    assert "## Job search evaluation" in card and "| test | title |" in card and yaml.safe_dump({"learning_rate": params["train"]["learning_rate"]}) in card
    # the index stage's folder is what `jobsearch search` serves by default
    assert json.loads((pipeline_repo / "metrics/index.json").read_text())["postings"] == 40
    # hybrid: the model here is random, so the floor evaluate chose (above every nonsense probe) leaves it
    # little to find alone; postings holding the query's terms are found whatever the floor
    hits = _run([str(BIN / "jobsearch"), "search", "registered nurse", "--json", "-k", "1", "--mode", "hybrid"], pipeline_repo)
    assert [json.loads(line)["matched"] for line in hits.splitlines() if line.startswith("{")] == [["registered", "nurse"]]
    served = json.loads((pipeline_repo / "metrics/served.json").read_text())
    assert served["ranker"]["floor"] == served["floor"]["floor"] and served["floor"]["probes"] > 0
    nothing = _run([str(BIN / "jobsearch"), "search", "?!?! 🙂", "--json", "--mode", "dense"], pipeline_repo)
    assert not [line for line in nothing.splitlines() if line.startswith("{")]
    for split in ("train", "validation", "test"):
        assert (pipeline_repo / f"data/splits/{split}.parquet").is_file()
    base = json.loads((pipeline_repo / "metrics/base_models.json").read_text())
    assert "skipped" in base["candidates"]["no-such-org/no-such-model"]
    report = json.loads((pipeline_repo / "metrics/eval.json").read_text())
    for split in ("validation", "test"):
        # the sample has skill tags, so all three query sets are reported
        assert set(report[split]) == {"generated", "title", "skills"}
        for ranker in ("base", "finetuned"):
            assert 0 <= report[split]["generated"][ranker]["triplet_accuracy"] <= 1
        for by_ranker in report[split].values():
            assert set(by_ranker) == {"base", "finetuned", "bm25", "hybrid", "served"}
    served = json.loads((pipeline_repo / "metrics/served.json").read_text())
    assert served["ranker"]["mode"] in ("dense", "bm25", "hybrid")
    queries = pd.read_parquet(pipeline_repo / "data/queries.parquet")
    assert (queries.groupby("posting_id").size() == params["queries"]["per_posting"]).all()
    splits = {s: pd.read_parquet(pipeline_repo / f"data/splits/{s}.parquet") for s in ("train", "validation", "test")}
    groups = [set(f["group_id"]) for f in splits.values()]
    assert not (groups[0] & groups[1] or groups[0] & groups[2] or groups[1] & groups[2])
    for split, rows in splits.items():
        # negatives come from the anchor's own split
        triplets = pd.read_parquet(pipeline_repo / f"data/triplets/{split}.parquet")
        assert set(triplets["negative_id"]) <= set(rows["posting_id"])
    assert (pipeline_repo / "metrics/train/plots/metrics/train/loss.tsv").is_file()
    # nothing half-written is left behind
    leftovers = [p for d in ("data", "models", "metrics") for p in (pipeline_repo / d).glob(".*") if p.name != ".gitignore"]
    assert leftovers == []


def test_second_repro_is_a_no_op(pipeline_repo):
    out = _run(["dvc", "repro"], pipeline_repo)
    assert _stages_run(out) == []
    assert "up to date" in out


def test_exp_run_with_a_train_param_reruns_only_downstream(pipeline_repo):
    _run(["git", "add", "-A"], pipeline_repo)
    _run(["git", "commit", "-q", "-m", "baseline"], pipeline_repo)
    out = _run(["dvc", "exp", "run", "-S", "train.learning_rate=3e-5"], pipeline_repo)
    assert _stages_run(out) == ["train", "evaluate", "publish", "index"]
    diff = _run(["dvc", "params", "diff"], pipeline_repo)
    assert "train.learning_rate" in diff
    metrics = _run(["dvc", "metrics", "show"], pipeline_repo)
    assert "triplet_accuracy" in metrics


def _readme_exp_show() -> list[str]:
    """The README's `dvc exp show` command for a table that fits a screen."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if line.startswith("dvc exp show") and "--drop" in line)
    return shlex.split(line.split("  #")[0])


def test_experiments_fit_a_screen_and_timings_stay_out(pipeline_repo, tmp_path):
    # runs after the exp run above: the workspace holds the experiment with train.learning_rate=3e-5
    table = _run(_readme_exp_show(), pipeline_repo, COLUMNS=WIDE)
    lines = [line for line in table.splitlines() if line.strip()]
    assert max(map(len, lines)) <= 120 and "…" not in table, table
    assert "train.learning_rate" in table and "3e-05" in table
    markdown = _run([*_readme_exp_show(), "--md"], pipeline_repo, COLUMNS=WIDE)
    assert max(map(len, markdown.splitlines())) <= 120, markdown
    shown = _run(["dvc", "metrics", "show"], pipeline_repo)
    assert max(map(len, shown.splitlines())) < 200, shown
    assert "triplet_accuracy" in shown and "recall@10" in shown and "headline/test/title/served.json" in shown
    # the whole experiments table: the changed param, the headline metrics it moved (and DVC's
    # columns of the changed data deps' hashes), no timing
    columns = _run(["dvc", "exp", "show", "--no-pager", "--only-changed", "--csv"], pipeline_repo).splitlines()[0].split(",")
    sections = yaml.safe_load((pipeline_repo / "params.yaml").read_text())
    assert [c for c in columns if c.split(".")[0] in sections] == ["train.learning_rate"]
    assert all(c.startswith("metrics/headline/") for c in columns if ":" in c)
    moved = [c for c in columns if c.startswith("metrics/headline/") or c.split(".")[0] in ("test", "validation")]
    assert moved, columns  # the headline metrics the change moved...
    # ... of which the README's table shows the margins (the per-ranker ones are named by a path)
    assert all(c in table for c in moved if c.split(".")[0] == "test")
    assert not [c for c in columns if "second" in c or "timings" in c]
    diff = _run(["dvc", "metrics", "diff"], pipeline_repo)
    assert "finetuned.json" in diff and "mrr@10" in diff and "seconds" not in diff and "base.json" not in diff
    assert "triplet_accuracy" in _run(["dvc", "metrics", "diff", "--all"], pipeline_repo)
    # timings are neither in Git nor in dvc.lock
    assert json.loads((pipeline_repo / "logs/timings/train.json").read_text())["seconds"] > 0
    assert "encode_seconds" in json.loads((pipeline_repo / "logs/timings/index.json").read_text())
    assert "logs" not in _run(["git", "status", "--porcelain"], pipeline_repo) and "logs/" not in (pipeline_repo / "dvc.lock").read_text()
    # the review report: the experiment against HEAD
    name = _run(["dvc", "exp", "list", "--name-only"], pipeline_repo).split()[0]
    _run([str(BIN / "jobsearch"), "report", name, "--out", str(tmp_path / "report.md")], pipeline_repo)
    report = (tmp_path / "report.md").read_text()
    assert f"# Experiment `{name}` against `HEAD`" in report
    assert "| Path " in report and "finetuned.json" in report and "| params.yaml | train.learning_rate |" in report.replace("  ", "")
    images = re.findall(r"!\[[^]]*\]\(([^)]+)\)", report)
    assert images and all((tmp_path / image).read_bytes().startswith(b"\x89PNG") for image in images)


def test_a_bad_param_fails_with_one_line_and_keeps_outputs(pipeline_repo):
    before = (pipeline_repo / "data/splits/train.parquet").read_bytes()
    triplets = (pipeline_repo / "data/triplets/train.parquet").read_bytes()
    env_cmd = ["dvc", "exp", "run", "-S", "negatives.strategy=hardest"]
    with pytest.raises(AssertionError) as info:
        _run(env_cmd, pipeline_repo)
    assert "stage negatives: error: negatives: strategy must be one of" in str(info.value)
    assert "Traceback" not in str(info.value)
    # upstream outputs are untouched; DVC set the failed stage's own outputs aside, and they come back from its cache
    assert (pipeline_repo / "data/splits/train.parquet").read_bytes() == before
    _run(["git", "checkout", "--", "params.yaml"], pipeline_repo)
    _run(["dvc", "checkout"], pipeline_repo)
    assert (pipeline_repo / "data/triplets/train.parquet").read_bytes() == triplets


def test_push_to_a_remote_and_pull_into_a_fresh_clone(pipeline_repo, tmp_path):
    remote = tmp_path / "remote"
    _run(["dvc", "remote", "add", "-d", "--force", "local", str(remote)], pipeline_repo)
    _run(["git", "add", "-A"], pipeline_repo)
    _run(["git", "commit", "-q", "--allow-empty", "-m", "with a remote"], pipeline_repo)
    _run(["dvc", "push"], pipeline_repo)
    clone = tmp_path / "clone"
    _run(["git", "clone", "-q", str(pipeline_repo), str(clone)], tmp_path)
    assert not (clone / "models/finetuned").exists()
    _run(["dvc", "pull"], clone)
    for folder in ("models/finetuned", "models/published", "models/index", "data/clean.parquet"):
        assert _contents(clone / folder) == _contents(pipeline_repo / folder), folder
    # the model is a DVC artifact: register a version (a GTO tag), then anyone fetches it by name
    _run(["git", "tag", "-a", "job-search-model@v0.1.0", "-m", "job-search-model v0.1.0"], pipeline_repo)
    _run(["dvc", "artifacts", "get", str(pipeline_repo), "job-search-model", "-o", str(tmp_path / "fetched")], tmp_path)
    assert _contents(tmp_path / "fetched") == _contents(pipeline_repo / "models/published")


def _contents(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
