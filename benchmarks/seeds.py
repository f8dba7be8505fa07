"""The pipeline over several training seeds, each split's mrr@10 side by side, and the bars met or not.

    python -m benchmarks.seeds --workdir /tmp/real --seeds 42,43 ingest.source=../shared/data/real_postings.parquet evaluate.golden=../shared/data/golden_real.tsv

The first seed runs every stage (:mod:`benchmarks.stages`, in ``<workdir>/seed<N>``); each other
seed starts from its data and reruns train and evaluate only, so the seeds differ in training
alone. Prints a markdown table (each query set of each split: base, fine-tuned, BM25 and served,
per seed) and the bars (issue 23): on the golden reporting half (test) the fine-tuned model
>= base + ``--finetuned-margin`` and served >= BM25 + ``--golden-margin``; on every other set of
both splits served >= BM25 + ``--served-margin``. Writes ``<workdir>/seeds.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

RANKERS = ("base", "finetuned", "bm25", "served")
REPORTING = ("test", "golden")  # the golden half that reports; validation's half tunes


def stage_runs(workdir: Path, seeds: list[int], assignments: list[str]) -> list[list[str]]:
    """benchmarks.stages' arguments for each seed: the first from the start, the others from train on its data."""
    first = workdir / f"seed{seeds[0]}"
    runs = [["--workdir", str(first), *assignments, f"train.seed={seeds[0]}"]]
    for seed in seeds[1:]:
        runs.append(["--workdir", str(workdir / f"seed{seed}"), "--copy-from", str(first), "--from", "train", *assignments, f"train.seed={seed}"])
    return runs


def mrr(evaluation: dict, split: str, query_set: str, ranker: str) -> float:
    return evaluation[split][query_set][ranker]["mrr@10"]


def bars(evaluation: dict, finetuned_margin: float, golden_margin: float, served_margin: float) -> list[tuple[str, float, float]]:
    """Each bar as (what, margin reached, margin needed), from one run's ``metrics/eval.json``."""
    out = []
    if REPORTING[1] in evaluation.get(REPORTING[0], {}):
        split, golden = REPORTING
        out.append((f"{split}/{golden}: finetuned - base", mrr(evaluation, split, golden, "finetuned") - mrr(evaluation, split, golden, "base"), finetuned_margin))
        out.append((f"{split}/{golden}: served - bm25", mrr(evaluation, split, golden, "served") - mrr(evaluation, split, golden, "bm25"), golden_margin))
    for split, sets in evaluation.items():
        for query_set in sets:
            if (split, query_set) != REPORTING:
                out.append((f"{split}/{query_set}: served - bm25", mrr(evaluation, split, query_set, "served") - mrr(evaluation, split, query_set, "bm25"), served_margin))
    return out


def table(evaluations: dict[int, dict], margins: tuple[float, float, float]) -> str:
    """The markdown report: mrr@10 of each ranker per seed, then each bar per seed."""
    seeds = list(evaluations)
    head = "| split / query set | " + " | ".join(f"{r} (seed {s})" for r in RANKERS for s in seeds) + " |"
    lines = [head, "|" + "---|" * (1 + len(RANKERS) * len(seeds))]
    first = evaluations[seeds[0]]
    for split, sets in first.items():
        for query_set in sets:
            cells = [f"{mrr(evaluations[s], split, query_set, r):.3f}" for r in RANKERS for s in seeds]
            lines.append(f"| {split} / {query_set} | " + " | ".join(cells) + " |")
    lines += ["", "| bar | needed | " + " | ".join(f"seed {s}" for s in seeds) + " |", "|---|---|" + "---|" * len(seeds)]
    per_seed = {s: bars(evaluations[s], *margins) for s in seeds}
    for i, (what, _, needed) in enumerate(per_seed[seeds[0]]):
        cells = [f"{per_seed[s][i][1]:+.3f} {'met' if per_seed[s][i][1] >= needed else 'NOT met'}" for s in seeds]
        lines.append(f"| {what} | {needed:+.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def seed_list(text: str) -> list[int]:
    """``42,43`` -> [42, 43]: one argument, so the params that follow are not read as seeds."""
    return [int(seed) for seed in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    from benchmarks import stages

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--seeds", type=seed_list, default=[42, 43], help="comma-separated, e.g. 42,43")
    parser.add_argument("--finetuned-margin", type=float, default=0.15)
    parser.add_argument("--golden-margin", type=float, default=0.03)
    parser.add_argument("--served-margin", type=float, default=0.01)
    parser.add_argument("--report-only", action="store_true", help="tabulate runs already in --workdir")
    parser.add_argument("assignments", nargs="*", metavar="KEY=VALUE")
    args = parser.parse_args(argv)

    if not args.report_only:
        for run in stage_runs(args.workdir, args.seeds, args.assignments):
            if (code := stages.main(run)) != 0:
                return code
    evaluations = {}
    for seed in args.seeds:
        path = args.workdir / f"seed{seed}" / "metrics" / "eval.json"
        try:
            evaluations[seed] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"benchmarks.seeds: {path}: {exc}", file=sys.stderr)
            return 1
    report = table(evaluations, (args.finetuned_margin, args.golden_margin, args.served_margin))
    (args.workdir / "seeds.md").write_text(report)
    print(report, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
