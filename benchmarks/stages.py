"""Run the pipeline's stages in order without DVC, timing each: for a machine that has no DVC
(a lent GPU), or for comparing variants of params side by side.

    python -m benchmarks.stages --workdir /tmp/run [--from queries] [--to evaluate] [--copy-from DIR] KEY=VALUE ...

The project is copied to ``--workdir`` (code and params.yaml, not data); ``KEY=VALUE`` set
params there as ``dvc exp run -S`` would (the value is read as YAML); ``--copy-from`` brings an
earlier workdir's data and metrics, so a variant reruns only the stages from ``--from`` on.
Writes ``<workdir>/stage_seconds.json``. Each stage is ``python -m stages.<name>``, the command
dvc.yaml runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("jobsearch", "stages", "params.yaml")


def stage_order() -> list[str]:
    """The stages as dvc.yaml lists them (in the order data flows: a test checks it)."""
    return list(yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"])


def set_param(params: dict, assignment: str) -> None:
    key, sep, value = assignment.partition("=")
    if not sep:
        raise SystemExit(f"expected KEY=VALUE, got {assignment!r}")
    *parents, leaf = key.split(".")
    node = params
    for name in parents:
        node = node.setdefault(name, {})
    node[leaf] = yaml.safe_load(value)


def main(argv: list[str] | None = None) -> int:
    order = stage_order()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--from", dest="first", default=order[0], choices=order, help="first stage to run (default: the first)")
    parser.add_argument("--to", dest="last", default="evaluate", choices=order, help="last stage to run")
    parser.add_argument("--copy-from", type=Path, default=None, help="an earlier workdir whose data, models and metrics to start from")
    parser.add_argument("assignments", nargs="*", metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    stages = order[order.index(args.first) : order.index(args.last) + 1]
    if not stages:
        parser.error(f"--from {args.first} comes after --to {args.last} in dvc.yaml")
    work = args.workdir
    if args.copy_from is not None:
        if not args.copy_from.is_dir():
            parser.error(f"--copy-from {args.copy_from}: no such workdir")
        if args.copy_from.resolve() == work.resolve():
            parser.error(f"--copy-from {args.copy_from} is the workdir itself: its data are already there")
    work.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source, target = ROOT / name, work / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    if args.copy_from is not None:
        for name in ("data", "models", "metrics"):
            if (args.copy_from / name).exists():
                shutil.copytree(args.copy_from / name, work / name, dirs_exist_ok=True)
    params = yaml.safe_load((work / "params.yaml").read_text())
    for assignment in args.assignments:
        set_param(params, assignment)
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    seconds: dict[str, float] = {}
    for stage in stages:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", f"stages.{stage}"], cwd=work)
        seconds[stage] = round(time.perf_counter() - start, 1)
        if done.returncode != 0:
            print(f"benchmarks.stages: stage {stage} failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode
    (work / "stage_seconds.json").write_text(json.dumps({"params": args.assignments, "seconds": seconds}, indent=2))
    print(json.dumps(seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
