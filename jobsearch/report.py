"""A review report of one experiment (or the workspace) against a base revision, in Markdown.

What DVC says of the two revisions: the headline metrics that changed (`dvc
metrics diff --md`), the params that changed (`dvc params diff --md`), and a
bar chart per split of every ranker's mrr@10 on every query set at both
revisions (PNG, drawn with matplotlib from `dvc metrics diff --json --all`).
Ready to post on a pull request (`cml comment create report.md`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from jobsearch.errors import JobsearchError
from jobsearch.evaluate import HEADLINE, HEADLINE_RANKERS
from jobsearch.io import atomic_path, write_text

PLOTTED = "mrr@10"


def write_report(out: str | Path, rev: str | None = None, base: str = "HEAD", repo: str | Path = ".") -> Path:
    """Write the report of ``rev`` (None: the workspace) against ``base`` to ``out``, its images beside it.

    The images go to ``<out stem>_images/``, named in the Markdown by a relative path.
    """
    out = Path(out)
    revs = [base] if rev is None else [base, rev]
    name = rev or "workspace"
    metrics = _dvc(repo, "metrics", "diff", "--md", *revs).strip()
    params = _dvc(repo, "params", "diff", "--md", *revs).strip()
    values = _mrr_by_split(json.loads(_dvc(repo, "metrics", "diff", "--json", "--all", *revs) or "{}"))
    images = out.parent / f"{out.stem}_images"
    with atomic_path(images, is_dir=True) as staged:
        for split, rows in values.items():
            _bar_chart(rows, base, name, f"{PLOTTED} by ranker, {split}", staged / f"{split}.png")
    lines = [
        f"# Experiment `{name}` against `{base}`",
        "",
        "## Headline metrics that changed",
        "",
        metrics or "No headline metric changed.",
        "",
        "## Params that changed",
        "",
        params or "No param changed.",
        "",
        f"## {PLOTTED} by ranker",
        "",
    ]
    for split in values:
        lines += [f"![{PLOTTED} by ranker, {split}]({images.name}/{split}.png)", ""]
    write_text("\n".join(lines), out)
    return out


def _dvc(repo: str | Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=repo, capture_output=True, text=True)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        raise JobsearchError(f"dvc {' '.join(args)}: {last}")
    return proc.stdout


def _mrr_by_split(diff: dict) -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """``{split: {"<query set>/<ranker>": (old, new)}}`` from the headline files' paths."""
    values: dict[str, dict[str, tuple[float | None, float | None]]] = defaultdict(dict)
    for path, metrics in sorted(diff.items()):
        parts = Path(path).with_suffix("").parts
        if HEADLINE not in parts or PLOTTED not in metrics or parts[-1] not in HEADLINE_RANKERS:
            continue
        split, *query_set = parts[parts.index(HEADLINE) + 1 : -1]
        label = "/".join([*query_set, parts[-1]])
        values[split][label] = (metrics[PLOTTED].get("old"), metrics[PLOTTED].get("new"))
    return dict(values)


def _bar_chart(rows: dict[str, tuple[float | None, float | None]], base: str, name: str, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    labels = list(rows)
    positions = range(len(labels))
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(labels) + 1.2))
    for offset, (column, legend) in enumerate(((0, base), (1, name))):
        ax.barh([p + 0.4 * offset for p in positions], [rows[label][column] or 0 for label in labels], height=0.4, label=legend)
    ax.set_yticks([p + 0.2 for p in positions], labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(PLOTTED)
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
