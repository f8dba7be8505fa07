"""The headline metrics evaluate declares to DVC, and the review report's workflow.

The report itself runs against real DVC experiments in tests/test_pipeline_dvc.py.
"""

from __future__ import annotations

import yaml

from jobsearch.evaluate import headline
from tests.conftest import PROJECT_ROOT


def _rankers(mrr: float) -> dict:
    return {r: {"mrr@10": mrr + i / 10, "ndcg@10": 0.5, "recall@1": 0.4, "recall@10": 0.123456} for i, r in enumerate(("base", "finetuned", "bm25", "hybrid", "served"))}


def test_headline_is_numbers_with_the_same_keys_in_every_file():
    report = {split: {"generated": _rankers(0.1), "title": _rankers(0.3)} for split in ("validation", "test")}
    for split in report:
        report[split]["generated"]["finetuned"]["triplet_accuracy"] = 0.987654
    report["test"]["golden"] = _rankers(0.2)  # the golden queries' reporting half
    files = headline(report)
    assert set(files) == {"margins.json"} | {
        f"{folder}/{r}.json" for folder in ("validation/generated", "validation/title", "test/generated", "test/title", "test/golden") for r in ("base", "finetuned", "bm25", "served")
    }
    assert files["test/generated/finetuned.json"] == {"mrr@10": 0.2, "recall@10": 0.1235, "triplet_accuracy": 0.9877}
    assert files["test/golden/served.json"] == {"mrr@10": 0.6, "recall@10": 0.1235}
    # per split, the smallest margin across the query sets (base 0.1, finetuned 0.2, bm25 0.3, served 0.5)
    assert files["margins.json"] == {split: {"finetuned-base": 0.1, "served-bm25": 0.2} for split in ("validation", "test")}
    assert all(isinstance(v, float) for f in files.values() for d in f.values() for v in (d.values() if isinstance(d, dict) else [d]))


def test_the_workflow_posts_the_report_with_cml():
    workflow = yaml.safe_load((PROJECT_ROOT / ".github/workflows/report.yml").read_text())
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("jobsearch report" in run for run in steps)
    assert any("npm install -g @dvcorg/cml" in run for run in steps) and any(run.startswith("cml comment create") for run in steps)
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
