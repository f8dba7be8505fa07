"""Publishing the fine-tuned model: a copy with a model card that says what it is and how well it searches.

The card is the one sentence-transformers writes at training (base model, loss,
hyperparameters, dataset size) with two sections added once ``evaluate`` has
run: mrr@10 of every ranker on every query set of validation and test, and the
data and params the model was made from (local paths by file name, URLs
without credentials: the card goes to the Hub with the model). The published folder is the DVC
artifact that ``dvc artifacts get`` fetches; ``push_to_hub`` also uploads it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jobsearch.errors import ConfigError, JobsearchError, one_line
from jobsearch.io import atomic_path
from jobsearch.redact import public_value

CARD = "README.md"
RANKERS = ("base", "finetuned", "bm25", "served")


@dataclass
class PublishParams:
    push_to_hub: bool = False  # upload the published model to the Hugging Face Hub (needs a network and a token)
    hub_model_id: str | None = None  # e.g. your-name/minilm-job-search; required by push_to_hub
    private: bool = True  # a pushed repository starts private

    def __post_init__(self) -> None:
        if self.push_to_hub and not self.hub_model_id:
            raise ValueError("push_to_hub needs hub_model_id (e.g. your-name/minilm-job-search)")


# the params.yaml sections that make the model, listed in its card
MAKING_SECTIONS = ("ingest", "queries", "split", "negatives", "model", "train")


def model_card(trained_card: str, evaluation: dict[str, Any], stage_metrics: dict[str, dict], params: dict[str, Any]) -> str:
    """``trained_card`` with the evaluation table and the model's making appended.

    ``evaluation`` is evaluate's report (split -> query set -> ranker -> metrics);
    ``stage_metrics`` holds the ingest, split and train stages' metrics (the
    data's source and size); ``params`` the params.yaml sections that made the model.
    """
    ingest, split, train = (stage_metrics.get(name, {}) for name in ("ingest", "split", "train"))
    facts = {
        "base model": train.get("base_model"),
        "postings": f"{public_value(ingest.get('source'))}, per split {split.get('postings')}",
        "training queries": split.get("queries", {}).get("train"),
        "training triplets": train.get("triplets"),
        "training steps": train.get("steps"),
    }
    lines = [
        trained_card.rstrip(),
        "",
        "## Job search evaluation",
        "",
        "mrr@10 of each ranker on each query set (the `evaluate` stage). `generated`: queries from the",
        "generator that made the training queries; `title`: each posting title against the postings with",
        "their titles removed; `skills`: a posting's own skill tags; `golden`: labelled queries, where given.",
        "`served` is the ranker `jobsearch search` serves, chosen on validation.",
        "",
        "| split | query set | " + " | ".join(RANKERS) + " |",
        "|---|---|" + "---:|" * len(RANKERS),
    ]
    for split, sets in evaluation.items():
        for name, rankers in sets.items():
            if not isinstance(rankers, dict) or "finetuned" not in rankers:
                continue
            cells = [_metric(rankers.get(r, {})) for r in RANKERS]
            lines.append(f"| {split} | {name} | " + " | ".join(cells) + " |")
    lines += ["", "## How it was made", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    # published with the model: local paths by file name, URLs without credentials
    made_with = yaml.safe_dump(public_value(params), sort_keys=False).rstrip()
    lines += ["", "The params (params.yaml sections) it was made with:", "", "```yaml", made_with, "```", ""]
    return "\n".join(lines)


def _metric(metrics: Any) -> str:
    value = metrics.get("mrr@10") if isinstance(metrics, dict) else None
    return f"{value:.3f}" if isinstance(value, (int, float)) else ""


def publish_model(finetuned: str | Path, published: str | Path, card: str) -> None:
    """Copy the model folder to ``published`` with ``card`` as its README.md, atomically."""
    finetuned = Path(finetuned)
    if not (finetuned / "modules.json").is_file():
        raise JobsearchError(f"{finetuned}: not a sentence-transformers model folder (run the train stage)")
    with atomic_path(published, is_dir=True) as staged:
        staged.rmdir()
        shutil.copytree(finetuned, staged)
        (staged / CARD).write_text(card)


def push_to_hub(published: str | Path, params: PublishParams, loader: Any = None) -> str:
    """Upload the published model; a network or auth failure is one line naming the param."""
    if not params.push_to_hub:
        raise ConfigError("publish.push_to_hub is false")
    from jobsearch.models import load_model

    model = (loader or load_model)(str(published))
    try:
        return model.push_to_hub(params.hub_model_id, private=params.private, exist_ok=True)
    except Exception as exc:  # the Hub client raises many kinds: every one is the same user problem
        raise JobsearchError(f"publish.push_to_hub: could not push to {params.hub_model_id} ({type(exc).__name__}: {one_line(exc)})") from None
