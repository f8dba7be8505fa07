"""Contrastive fine-tuning with MultipleNegativesRankingLoss.

The recipe of the reference walkthrough (1 epoch, MNRL, warmup 0.1, no-duplicates
batches; its batch 16 and lr 2e-5 are now 64 and 1e-4, measured on real
postings) with what the hardware needs to be used well: bf16 where the GPU or
CPU has bf16 units, and CachedMultipleNegativesRankingLoss for large batches
in little memory.

With ``devices`` > 1 the train stage runs as one process per device (see
jobsearch.distributed); ``fine_tune`` is then called in every process and
saves the model in rank 0 only.
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from jobsearch.models import ModelParams, PassageParams
from jobsearch.precision import PRECISIONS, resolve_precision

LOSSES = ("mnrl", "cached_mnrl", "gist", "cached_gist")
# GISTEmbedLoss: MNRL whose in-batch negatives the base model (the guide) scores above the positive are
# dropped as likely false negatives (reposts, the same role elsewhere); at MNRL's temperature (scale 20)
GIST_TEMPERATURE = 0.05
# what each anchor's positive is scored against (sentence-transformers' MultipleNegativesRankingLoss)
DIRECTIONS = ("query_to_doc", "query_to_query", "doc_to_query", "doc_to_doc")
# the validation query sets a checkpoint can be chosen by: not the generated queries, whose style training fits
SELECT_ON = ("golden", "title", "skills")
# what a query is trained against: its posting's start, or the passage (model.passages) that holds most of its words
POSITIVES = ("first_tokens", "matched_passage")


@dataclass
class TrainParams:
    epochs: float = 1.0
    batch_size: int | str = 64  # each query's in-batch negatives; auto: 64 where training runs in bf16/fp16 on a GPU, else 16 (the reference)
    learning_rate: float = 1e-4
    warmup_ratio: float = 0.1
    max_seq_length: int = 256  # tokens per posting in training (lower: faster, smaller gains); the saved model reads model.max_seq_length
    seed: int = 42
    loss: str = "mnrl"  # mnrl | cached_mnrl | gist | cached_gist (gist: the base model filters false negatives)
    mini_batch_size: int = 32  # cached_mnrl and cached_gist only: the batch size that fits in memory
    precision: str = "auto"  # auto: bf16 where the GPU or CPU has bf16 units, else fp32 (jobsearch/precision.py)
    devices: int = 1  # processes (GPUs) to train on; batch_size is per device
    mined_negatives: bool = False  # true: also score each anchor against its mined negative(s); false: in-batch negatives only
    directions: list[str] = field(default_factory=lambda: list(DIRECTIONS))  # the loss's terms: all four is GTE's contrastive loss
    evaluations: int = 4  # validation rankings over the run (and one at its end); the best checkpoint is kept; 0: the last
    select_on: list[str] = field(default_factory=lambda: list(SELECT_ON))  # the validation query sets that choose it (mean mrr@10)
    positives: str = "first_tokens"  # or matched_passage: a query is trained against the passage of its posting it asks about
    logging_steps: int = 1

    def __post_init__(self) -> None:
        if self.positives not in POSITIVES:
            raise ValueError(f"positives must be one of {', '.join(POSITIVES)}, got {self.positives!r}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {self.loss!r}")
        if "query_to_doc" not in self.directions or not set(self.directions) <= set(DIRECTIONS):
            raise ValueError(f"directions must include query_to_doc, among {', '.join(DIRECTIONS)}, got {self.directions}")
        if self.loss.endswith("gist") and "doc_to_query" in self.directions:
            raise ValueError(f"directions: loss {self.loss} has no doc_to_query term; use a subset of query_to_doc, query_to_query, doc_to_doc")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        if self.batch_size != "auto" and (not isinstance(self.batch_size, int) or self.batch_size < 2):
            raise ValueError(f"batch_size must be 'auto' or an integer of at least 2 (in-batch negatives need company), got {self.batch_size!r}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")
        for name in ("epochs", "learning_rate"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("max_seq_length", "mini_batch_size", "logging_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.devices < 1:
            raise ValueError(f"devices must be at least 1, got {self.devices}")
        if self.evaluations < 0:
            raise ValueError(f"evaluations must be 0 (keep the last model) or more, got {self.evaluations}")
        if not self.select_on or not set(self.select_on) <= set(SELECT_ON):
            raise ValueError(f"select_on must name some of {', '.join(SELECT_ON)}, got {self.select_on}")


def resolve_batch_size(batch_size: int | str, precision: str) -> int:
    # On an H100 a distilroberta-size model went from 111 (batch 16, fp32) to
    # 298 triplets/s (batch 64, bf16); on a CPU a bigger batch buys nothing.
    if batch_size != "auto":
        return int(batch_size)
    return 64 if precision in ("bf16", "fp16") else 16


def train_base(
    train: pd.DataFrame,
    base: str,
    params: TrainParams,
    model: ModelParams,
    output_dir: str | Path,
    live_dir: str | Path,
    module: str = "stages.train",
    evaluator: Callable[[], object] | None = None,
    titles: pd.DataFrame | None = None,
) -> dict | None:
    """The train stage in this process: fine-tune ``base`` on ``train`` into ``output_dir``.

    ``titles`` (``posting_id, title``): what heads a posting's later passages,
    for ``positives: matched_passage``.

    With ``devices`` > 1, outside a launch, starts ``module`` once per device
    through torchrun and returns None; inside, every rank trains and rank 0
    saves. Returns the training metrics in the process that saved the model.
    ``evaluator`` builds (in the processes that train, after the devices are
    checked) the evaluator that chooses the checkpoint kept (:mod:`jobsearch.ranking_evaluator`).
    """
    from jobsearch import distributed
    from jobsearch.io import atomic_path

    if params.devices > 1 and not distributed.in_launch():
        distributed.check_devices(params.devices)  # inputs and devices are checked once, before starting N processes
        distributed.launch(params.devices, module)
        return None
    if params.positives == "matched_passage":
        train = with_matched_positives(train, titles, model.passages)
    encoder = model.load(base, device=distributed.process_device())
    evaluator = evaluator() if evaluator is not None else None
    describe_for_card(encoder, base)
    metrics = None
    if distributed.is_main_process():
        with atomic_path(output_dir, is_dir=True) as out:
            metrics = {"base_model": base, **fine_tune(encoder, train, params, out, callbacks=[dvclive_callback(live_dir)], evaluator=evaluator)}
    else:
        fine_tune(encoder, train, params, None, evaluator=evaluator)  # the other ranks train alongside rank 0 and write nothing
    distributed.finish()
    return metrics


def describe_for_card(encoder, base: str) -> None:
    """What sentence-transformers' model card says of the model (the publish stage adds the evaluation)."""
    card = encoder.model_card_data
    card.language = ["en"]
    card.model_name = f"{base} fine-tuned for skill-based job search"
    card.tags = [*card.tags, "job-search"]


def fine_tune(
    model,
    train: pd.DataFrame,
    params: TrainParams,
    output_dir: str | Path | None,
    callbacks: list | None = None,
    evaluator=None,
) -> dict:
    """Fine-tune ``model`` on ``anchor, positive, negative`` triplets, save it to ``output_dir``.

    Inside a distributed launch every process must call this (training is
    collective); pass ``output_dir=None`` and no callbacks in all but rank 0.
    With an ``evaluator`` and ``params.evaluations``, the model is evaluated
    that many times over the run and at its end, and the best checkpoint by
    the evaluator's primary metric is the one kept.
    Returns training metrics (steps, final loss, devices, the checkpoint kept) with
    ``timings`` (seconds, rows trained per second), which the train stage keeps out of its metrics.
    """
    import torch
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.sentence_transformer.losses import (
        CachedGISTEmbedLoss,
        CachedMultipleNegativesRankingLoss,
        GISTEmbedLoss,
        MultipleNegativesRankingLoss,
    )
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers

    from jobsearch.distributed import world_size

    # Training reads postings cut to max_seq_length (lower is faster: 128 tokens
    # cost a third of a 256-token CPU step, and every gain was smaller); the
    # saved model keeps the base model's own limit for search and evaluation.
    own_max_seq_length = model.max_seq_length
    train_max_seq_length = min(params.max_seq_length, own_max_seq_length)
    model.max_seq_length = train_max_seq_length
    # with several devices, each device's batch also serves as negatives for the others
    gather = world_size() > 1
    # told to use the CPU, accelerate sets up a gloo process group for CPU processes, and
    # transformers allows bf16 there (AMX, AVX-512 BF16)
    on_cpu = not torch.cuda.is_available()
    # the collator tokenises every text at every step, on one host thread: whole postings made
    # that the bottleneck of a GPU step
    columns = {name: [cut_for_tokens(t, train_max_seq_length) for t in texts] for name, texts in training_columns(train, params.mined_negatives).items()}
    dataset = Dataset.from_dict(columns)
    if params.loss.endswith("gist"):
        if len(columns) > 3:
            raise ValueError(f"train.loss {params.loss} takes one mined negative per anchor, got {len(columns) - 2}: set negatives.hard.per_query to 1")
        gist = dict(
            guide=frozen_copy(model), temperature=GIST_TEMPERATURE, gather_across_devices=gather,
            contrast_anchors="query_to_query" in params.directions, contrast_positives="doc_to_doc" in params.directions,
        )
        loss = (CachedGISTEmbedLoss(model, mini_batch_size=params.mini_batch_size, **gist) if params.loss == "cached_gist"
                else GISTEmbedLoss(model, **gist))
    elif params.loss == "cached_mnrl":
        loss = CachedMultipleNegativesRankingLoss(
            model, mini_batch_size=params.mini_batch_size, gather_across_devices=gather, directions=tuple(params.directions)
        )
    else:
        loss = MultipleNegativesRankingLoss(model, gather_across_devices=gather, directions=tuple(params.directions))
    precision = resolve_precision(params.precision)
    batch_size = resolve_batch_size(params.batch_size, precision)
    scratch = tempfile.mkdtemp(prefix="jobsearch-train-")
    selecting = evaluator is not None and params.evaluations > 0
    args = SentenceTransformerTrainingArguments(
        output_dir=scratch,  # checkpoints to choose from, if any; the model goes to output_dir
        num_train_epochs=params.epochs,
        per_device_train_batch_size=batch_size,
        learning_rate=params.learning_rate,
        warmup_steps=params.warmup_ratio,  # a float < 1 is a ratio of all steps (transformers 5)
        seed=params.seed,
        data_seed=params.seed,
        bf16=precision == "bf16",
        fp16=precision == "fp16",
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        logging_steps=params.logging_steps,
        **(_selection_args(params.evaluations, evaluator) if selecting else {"save_strategy": "no"}),
        use_cpu=on_cpu,
        dataloader_pin_memory=torch.cuda.is_available(),
        dataloader_drop_last=gather,  # what sentence-transformers sets under DDP anyway, minus its warning
        report_to="none",
        disable_tqdm=False,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=dataset, loss=loss, evaluator=evaluator if selecting else None,
        callbacks=[*(callbacks or []), *([_evaluate_at_end_callback()] if selecting else [])],
    )
    start = time.perf_counter()
    try:
        result = trainer.train()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        model.max_seq_length = own_max_seq_length
    seconds = time.perf_counter() - start
    # the model card would state the wall-clock training time: the same inputs must give the same bytes
    model.model_card_data._training_start_time = None
    if output_dir is not None:
        model.save(str(output_dir))
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    rows = len(columns["anchor"])  # what was trained: pairs, triplets or n-tuples (one per anchor)
    return {
        "triplets": len(train),  # rows of the triplets file
        "rows": rows,
        "negatives_per_anchor": len(columns) - 2,
        "steps": int(result.global_step),
        "epochs": params.epochs,
        "precision": precision,
        "devices": int(args.world_size),
        "batch_size": batch_size,
        "max_seq_length": train_max_seq_length,
        "global_batch_size": batch_size * int(args.world_size),
        "backend": _process_group_backend(),
        "train_loss": float(result.training_loss),
        "final_loss": float(losses[-1]) if losses else math.nan,
        **({"checkpoint": _chosen_checkpoint(trainer.state, args.metric_for_best_model)} if selecting else {}),
        "timings": {
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows * params.epochs / seconds, 2) if seconds > 0 else None,
        },
    }


def frozen_copy(model):
    """The model as it is now, for guiding its own training: a copy that is never trained."""
    import copy

    guide = copy.deepcopy(model)
    guide.requires_grad_(False)
    return guide.eval()


def _selection_args(evaluations: int, evaluator) -> dict:
    """Trainer arguments that evaluate ``evaluations`` times over the run and keep the best checkpoint."""
    every = 1 / (evaluations + 1)  # a ratio of the run's steps; the end is added
    return {
        "eval_strategy": "steps",
        "eval_steps": every,
        "save_strategy": "steps",
        "save_steps": every,
        "save_only_model": True,  # checkpoints to choose from, not to resume
        "save_total_limit": 1,  # with load_best_model_at_end the best is kept besides
        "load_best_model_at_end": True,
        "metric_for_best_model": f"eval_{evaluator.primary_metric}",
        "greater_is_better": True,
    }


def _evaluate_at_end_callback():
    """Evaluate and save at the last step too, so the finished model competes."""
    from transformers import TrainerCallback

    class _EvaluateAtEnd(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step >= state.max_steps:
                control.should_evaluate = control.should_save = True
            return control

    return _EvaluateAtEnd()


def _chosen_checkpoint(state, metric: str) -> dict:
    """The step kept and its score, beside every evaluation's score, overall and per query set
    (the sets can disagree: more steps can raise titles while the golden queries fall)."""
    evaluations = [entry for entry in state.log_history if metric in entry]
    scores = {int(entry["step"]): round(float(entry[metric]), 4) for entry in evaluations}
    prefix, cutoff = metric.rsplit("_", 1)  # eval_validation, mrr@10: a set's is eval_validation_<set>_mrr@10
    by_query_set: dict[str, dict[int, float]] = {}
    for entry in evaluations:
        for key, value in entry.items():
            if key != metric and key.startswith(f"{prefix}_") and key.endswith(f"_{cutoff}"):
                by_query_set.setdefault(key[len(prefix) + 1 : -len(cutoff) - 1], {})[int(entry["step"])] = round(float(value), 4)
    step = state.best_global_step or max(scores, default=0)
    return {"step": step, metric.removeprefix("eval_"): scores.get(step), "evaluated": scores, "by_query_set": by_query_set}


def with_matched_positives(train: pd.DataFrame, titles: pd.DataFrame | None, passages: "PassageParams") -> pd.DataFrame:
    """``train`` with each positive the passage of its posting (``passages``) that holds most of its query's words."""
    from jobsearch.errors import DataError
    from jobsearch.retrieval.passages import matched_passages

    title_of = titles.drop_duplicates("posting_id").set_index("posting_id")["title"] if titles is not None else pd.Series(dtype=str)
    heads = train["posting_id"].map(title_of)
    if heads.isna().any():
        raise DataError(f"train posting {train.loc[heads.isna(), 'posting_id'].iloc[0]!r} has no title among the cleaned postings")
    positives = matched_passages(train["anchor"].astype(str), train["positive"].astype(str), heads.astype(str), passages.words, passages.stride)
    return train.assign(positive=positives)


def training_columns(train: pd.DataFrame, mined_negatives: bool = True) -> dict[str, list[str]]:
    """Columns ``anchor, positive, negative`` or, with several negatives per anchor, ``negative_1..n``;
    without ``mined_negatives``, ``anchor, positive`` (the batch's other postings are the negatives).

    Rows of one anchor (its query and ``posting_id``; without that column, its
    query and positive texts) become one n-tuple when ``negatives.hard.per_query`` > 1,
    so each step scores an anchor against all its hard negatives at once
    rather than revisiting the anchor once per negative: as many steps as
    anchors, whatever per_query is. An anchor with fewer negatives repeats its
    last one (that negative then counts twice among the candidates).
    """
    # an anchor is a query of a posting: a posting has several queries, and two
    # postings may share a text and a query
    key = ["posting_id", "anchor"] if "posting_id" in train.columns else ["anchor", "positive"]
    if not mined_negatives:
        # an anchor once, however many negatives were mined for it
        pairs = train.drop_duplicates(key)[["anchor", "positive"]].astype(str)
        return {c: list(pairs[c]) for c in ("anchor", "positive")}
    texts = train[["anchor", "positive", "negative"]].astype(str)
    grouped = texts.groupby([train[k].to_numpy() for k in key], sort=False).agg(list)
    # a query written twice for its posting (a repeated style) has the same negative twice: that
    # is one negative, not an n-tuple that would widen every anchor's row
    negatives = grouped["negative"].map(lambda negs: list(dict.fromkeys(negs)))
    width = int(negatives.map(len).max()) if len(grouped) else 1
    if width == 1:
        return {c: list(texts[c]) for c in ("anchor", "positive", "negative")}
    columns = {"anchor": [rows[0] for rows in grouped["anchor"]], "positive": [rows[0] for rows in grouped["positive"]]}
    for k in range(width):
        columns[f"negative_{k + 1}"] = [negs[min(k, len(negs) - 1)] for negs in negatives]
    return columns


def cut_for_tokens(text: str, max_tokens: int) -> str:
    """``text`` up to the end of its ``2 * max_tokens``-th word: the same first ``max_tokens`` tokens.

    Tokenizers give a word at least one token; the factor 2 covers words that
    give none (zero-width or control characters alone). The text before the
    cut is kept as written.
    """
    words = max(1, 2 * max_tokens)
    kept = list(itertools.islice(_WORD.finditer(text), words))
    return text[: kept[-1].end()] if len(kept) == words else text


_WORD = re.compile(r"\S+")


def _process_group_backend() -> str | None:
    """nccl or gloo when the Trainer trained in a process group, else None."""
    import torch.distributed as dist

    return str(dist.get_backend()) if dist.is_available() and dist.is_initialized() else None


def dvclive_callback(live_dir: str | Path) -> "object":
    """A TrainerCallback that logs loss and learning rate per step to dvclive."""
    from dvclive import Live
    from transformers import TrainerCallback

    class _DVCLiveCallback(TrainerCallback):
        def __init__(self) -> None:
            # dvc.yaml declares the plots itself, and the stage runs inside
            # dvc repro / exp run, so dvclive must not write either.
            self.live = _open_live(Live, str(live_dir))

        def on_log(self, args, state, control, logs=None, **kwargs):
            values = {k: float(v) for k, v in (logs or {}).items() if k in ("loss", "learning_rate", "grad_norm")}
            if values:
                self.live.step = state.global_step
                for key, value in values.items():
                    self.live.log_metric(f"train/{key}", value)
                self.live.next_step()

        def on_train_end(self, args, state, control, **kwargs):
            self.live.end()

    return _DVCLiveCallback()


def _open_live(live_cls, live_dir: str):
    from scmrepo.exceptions import SCMError

    try:
        return live_cls(live_dir, save_dvc_exp=False, dvcyaml=False)
    except SCMError:
        # dvclive asks Git for HEAD before checking that a commit exists, so it
        # fails in a fresh `git init`; without the DVC repo it logs all the same.
        import dvclive.live

        real = dvclive.live.get_dvc_repo
        dvclive.live.get_dvc_repo = lambda: None
        try:
            return live_cls(live_dir, save_dvc_exp=False, dvcyaml=False)
        finally:
            dvclive.live.get_dvc_repo = real
