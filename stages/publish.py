"""publish: the fine-tuned model with a model card holding evaluate's metrics -> paths.published (the DVC artifact)."""

from pathlib import Path

from jobsearch.config import load_params_file, section
from jobsearch.io import read_json
from jobsearch.paths import Paths
from jobsearch.publish import CARD, MAKING_SECTIONS, PublishParams, model_card, publish_model, push_to_hub
from jobsearch.stage import run_stage


def main() -> None:
    params, paths = section(PublishParams, "publish"), section(Paths, "paths")
    stage_metrics = {name: read_json(paths.metrics_file(name)) for name in ("ingest", "split", "train")}
    making = {name: load_params_file().get(name) for name in MAKING_SECTIONS}
    trained_card = Path(paths.finetuned, CARD).read_text() if Path(paths.finetuned, CARD).is_file() else ""
    card = model_card(trained_card, read_json(paths.metrics_file("eval")), stage_metrics, making)
    publish_model(paths.finetuned, paths.published, card)
    if params.push_to_hub:
        print(f"publish: pushed to {push_to_hub(paths.published, params)}")


if __name__ == "__main__":
    run_stage("publish", main)
