"""benchmarks.seeds: one full run, the other seeds from train on its data, and the bars read from eval.json."""

import json
import shlex
from pathlib import Path

from benchmarks.seeds import bars, main, stage_runs
from tests.conftest import PROJECT_ROOT


def _evaluation(finetuned: float, served: float) -> dict:
    row = lambda base, ft, bm25, srv: {r: {"mrr@10": v} for r, v in zip(("base", "finetuned", "bm25", "served"), (base, ft, bm25, srv))}  # noqa: E731
    return {
        "validation": {"title": row(0.5, 0.6, 0.70, 0.72), "golden": row(0.5, 0.7, 0.80, 0.80)},
        "test": {"title": row(0.5, 0.6, 0.70, 0.705), "golden": row(0.5, finetuned, 0.80, served)},
    }


def test_the_first_seed_runs_every_stage_and_the_others_rerun_from_train_on_its_data(tmp_path):
    runs = stage_runs(tmp_path, [42, 7], ["ingest.sample_size=30"])
    assert runs[0] == ["--workdir", str(tmp_path / "seed42"), "ingest.sample_size=30", "train.seed=42"]
    assert runs[1] == ["--workdir", str(tmp_path / "seed7"), "--copy-from", str(tmp_path / "seed42"), "--from", "train", "ingest.sample_size=30", "train.seed=7"]


def test_the_bars_are_the_golden_reporting_half_and_every_other_set_of_both_splits():
    reached = {what: (round(margin, 3), needed) for what, margin, needed in bars(_evaluation(0.66, 0.84), 0.15, 0.03, 0.01)}
    assert reached == {
        "test/golden: finetuned - base": (0.16, 0.15),
        "test/golden: served - bm25": (0.04, 0.03),
        "validation/title: served - bm25": (0.02, 0.01),
        "validation/golden: served - bm25": (0.0, 0.01),  # the tuning half is held to the bar of the other sets
        "test/title: served - bm25": (0.005, 0.01),
    }
    assert [what for what, *_ in bars({"test": {"title": _evaluation(0, 0)["test"]["title"]}}, 0.15, 0.03, 0.01)] == ["test/title: served - bm25"]  # no golden set: no golden bars


def _write_runs(workdir: Path) -> None:
    for seed, (ft, served) in {42: (0.66, 0.84), 43: (0.6, 0.82)}.items():
        (workdir / f"seed{seed}" / "metrics").mkdir(parents=True)
        (workdir / f"seed{seed}" / "metrics" / "eval.json").write_text(json.dumps(_evaluation(ft, served)))


def test_the_report_tabulates_each_seed_and_says_which_bars_are_met(tmp_path, capsys):
    _write_runs(tmp_path)
    assert main(["--workdir", str(tmp_path), "--seeds", "42,43", "--report-only"]) == 0
    report = (tmp_path / "seeds.md").read_text()
    assert report == capsys.readouterr().out
    assert "| test / golden | 0.500 | 0.500 | 0.660 | 0.600 | 0.800 | 0.800 | 0.840 | 0.820 |" in report
    assert "| test/golden: finetuned - base | +0.15 | +0.160 met | +0.100 NOT met |" in report
    assert "| test/title: served - bm25 | +0.01 | +0.005 NOT met | +0.005 NOT met |" in report


def test_a_missing_run_is_one_line_naming_its_file(tmp_path, capsys):
    assert main(["--workdir", str(tmp_path), "--seeds", "42", "--report-only"]) == 1
    err = capsys.readouterr().err
    assert str(Path(tmp_path) / "seed42" / "metrics" / "eval.json") in err and err.count("\n") == 1


def test_the_readme_command_reads_its_params_as_params_not_seeds(tmp_path, capsys):
    line = next(line for line in (PROJECT_ROOT / "README.md").read_text().splitlines() if line.startswith("python -m benchmarks.seeds "))
    argv = shlex.split(line)[3:]
    argv[argv.index("--workdir") + 1] = str(tmp_path)
    _write_runs(tmp_path)
    assert main([*argv, "--report-only"]) == 0
    assert "seed 42" in capsys.readouterr().out
