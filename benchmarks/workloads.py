"""The benchmark workloads: encoding, training, negative mining and a no-op dvc repro.

Each builds its inputs with the functions the pipeline's stages call (the sample
source, clean, queries, split, negatives), so a benchmark measures the code the
stages run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any, Callable

import numpy as np

from benchmarks.settings import EMBEDDING_DIM, MINING_RSS_LIMIT_MIB, BenchSettings

def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def random_unit_encoder(dim: int = EMBEDDING_DIM, seed: int = 0) -> Callable[[list[str]], np.ndarray]:
    """An encoder stand-in: seeded random float32 unit vectors, one per text (texts are ignored)."""
    rng = np.random.default_rng(seed)

    def encode(texts: list[str]) -> np.ndarray:
        vectors = rng.standard_normal((len(texts), dim), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors

    return encode


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB.

    Linux: VmHWM from /proc/self/status. ``ru_maxrss`` is not used there: it
    survives exec, so a child started by a big parent reports the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)



def bench_encode(settings: BenchSettings, device: str | None) -> dict[str, Any]:
    """Postings/s of the project's encode and of plain SentenceTransformer.encode, same texts.

    Also the same for the postings' queries (short texts), where batching by
    token length matters more than for postings cut at the model's limit.
    """
    from jobsearch.embed import supports_fast_path
    from jobsearch.models import load_model

    model = load_model(settings.model, device=device, max_seq_length=settings.encode_max_seq_length)
    pairs = training_triplets(max(settings.encode_texts, settings.encode_queries), with_negatives=False)
    result = _compare_encoders(model, pairs["positive"].tolist()[: settings.encode_texts], settings)
    result = {"model": settings.model, "device": str(model.device), "fast_path": supports_fast_path(model), **result}
    result["project_postings_per_s"] = result.pop("project_per_s")
    result["plain_postings_per_s"] = result.pop("plain_per_s")
    queries = [q.rsplit(" #", 1)[0] for q in pairs["anchor"]][: settings.encode_queries]
    result["queries"] = _compare_encoders(model, queries, settings)
    return result


def _compare_encoders(model, texts: list[str], settings: BenchSettings) -> dict[str, Any]:
    from jobsearch.embed import encode

    tokenizer = model[0].tokenizer
    lengths = [len(ids) for ids in tokenizer(texts[:1024], truncation=True, max_length=model.max_seq_length)["input_ids"]]
    batch = settings.encode_batch_size
    runs: dict[str, Callable[[], np.ndarray]] = {
        "project": lambda: encode(model, texts, batch_size=batch),
        "plain": lambda: np.asarray(
            model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
        ),
    }
    # warm-up (threads, kernels, allocator), then alternate so load from others hits both alike
    encode(model, texts[:batch], batch_size=batch)
    model.encode(texts[:batch], batch_size=batch)
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    outputs: dict[str, np.ndarray] = {}
    for _ in range(settings.encode_rounds):
        for name, run in runs.items():
            _sync_cuda()
            start, cpu_start = time.perf_counter(), time.process_time()
            outputs[name] = run()
            _sync_cuda()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - cpu_start)
    project_rate = len(texts) / min(wall["project"])
    plain_rate = len(texts) / min(wall["plain"])
    return {
        "texts": len(texts),
        "batch_size": batch,
        "max_seq_length": model.max_seq_length,
        "mean_tokens": round(float(np.mean(lengths)), 1),
        "project_seconds": [round(t, 3) for t in wall["project"]],
        "plain_seconds": [round(t, 3) for t in wall["plain"]],
        # CPU seconds of this process (all threads): steadier than wall time on a shared machine
        "project_cpu_seconds": [round(t, 3) for t in cpu["project"]],
        "plain_cpu_seconds": [round(t, 3) for t in cpu["plain"]],
        "project_per_s": round(project_rate, 2),
        "plain_per_s": round(plain_rate, 2),
        "ratio": ratio(project_rate, plain_rate),
        # cosine of each text's two embeddings: 1.0 on CPU, ~0.999 under bf16
        "min_cosine_project_vs_plain": round(float((outputs["project"] * outputs["plain"]).sum(axis=1).min()), 6),
    }


def training_triplets(n: int, seed: int = 42, with_negatives: bool = True):
    """``n`` (query, posting, other posting) triplets from 2n sample postings, no text repeated.

    Postings come from the sample source and clean, one offline query each from
    the queries stage's generator. Without negatives: ``n`` (query, posting) pairs.
    """
    import pandas as pd

    from jobsearch.clean import CleanParams, clean_postings
    from jobsearch.models import ModelParams
    from jobsearch.queries import QueriesParams, generate_queries
    from jobsearch.sample import generate_postings

    raw = generate_postings(2 * n if with_negatives else n, seed=seed).rename(columns={"job_id": "posting_id"})
    raw["posting_id"] = [f"p{i}" for i in range(len(raw))]
    postings, _, _ = clean_postings(raw, CleanParams(examples=0), ModelParams())
    queries, _ = generate_queries(postings.iloc[:n], QueriesParams(seed=seed, per_posting=1))
    texts = postings["text"].tolist()
    anchors = [f"{q} #{i}" for i, q in enumerate(queries["query"])]  # unique, so batches stay full
    frame = pd.DataFrame({"anchor": anchors, "positive": texts[:n]})
    if with_negatives:
        frame["negative"] = texts[n:]
    return frame


def project_train_params():
    """The train section of params.yaml when there is one, else TrainParams' defaults."""
    from jobsearch.config import section
    from jobsearch.errors import ConfigError
    from jobsearch.train import TrainParams

    try:
        return section(TrainParams, "train"), "params.yaml"
    except ConfigError:
        return TrainParams(), "TrainParams defaults"


def bench_train(settings: BenchSettings, device: str | None) -> dict[str, Any]:
    """Training rows/s of fine_tune with the project's settings and with the reference ones.

    Where the project's settings resolve to the reference ones on this machine
    (same batch, precision, loss and rows), one run stands for both.
    """
    from jobsearch.models import load_model
    from jobsearch.train import fine_tune, resolve_batch_size, resolve_precision

    project, source = project_train_params()
    # "auto" batch sizes and precisions resolved as fine_tune resolves them on this machine
    precision = resolve_precision(project.precision)
    project = dataclasses.replace(project, precision=precision, batch_size=resolve_batch_size(project.batch_size, precision))
    # the reference recipe: batch 16 in fp32, plain MNRL on (query, posting, negative) triplets
    reference = dataclasses.replace(
        project, batch_size=16, precision="fp32", loss="mnrl", mined_negatives=True, directions=["query_to_doc"]
    )
    configs = {"reference": reference, "project": project}
    largest_batch = max(p.batch_size for p in configs.values())
    # whole batches only, and at least three steps of the largest batch
    n = max(settings.train_triplets // largest_batch, 3) * largest_batch
    triplets = training_triplets(n)
    results: dict[str, Any] = {"triplets": n, "max_seq_length": settings.train_max_seq_length, "project_source": source}
    measured: dict[tuple, str] = {}
    for name, params in configs.items():
        params = dataclasses.replace(params, epochs=1.0, max_seq_length=settings.train_max_seq_length, logging_steps=10**6)
        key = _train_key(params, resolve_precision(params.precision))
        if key in measured:
            results[name] = {**results[measured[key]], "same_settings_as": measured[key]}
            continue
        measured[key] = name
        model = load_model(settings.model, device=device)
        timer = _StepTimer()
        with tempfile.TemporaryDirectory(prefix="jobsearch-bench-train-") as out_dir:
            cpu_start = time.process_time()
            metrics = fine_tune(model, triplets, params, out_dir, callbacks=[timer.callback()])
            cpu_seconds = time.process_time() - cpu_start
        steady = timer.steady_rate(params.batch_size, n)
        results[name] = {
            "batch_size": params.batch_size,
            "precision": key[1],
            "loss": params.loss,
            "rows": "triplets" if params.mined_negatives else "pairs",  # a pair encodes one posting, a triplet two
            "steps": metrics["steps"],
            "seconds": metrics["timings"]["seconds"],
            "cpu_seconds": round(cpu_seconds, 2),
            "seconds_per_step": round(float(np.median(np.diff(timer.times))), 3) if len(timer.times) > 1 else None,
            "triplets_per_s": round(steady, 2) if steady else metrics["timings"]["rows_per_second"],
            "triplets_per_s_with_first_step": metrics["timings"]["rows_per_second"],
        }
        del model
    results["ratio"] = ratio(results["project"]["triplets_per_s"], results["reference"]["triplets_per_s"])
    return results


def _train_key(params, precision: str) -> tuple:
    mini_batch = params.mini_batch_size if params.loss == "cached_mnrl" else None
    return (params.batch_size, precision, params.loss, mini_batch, params.mined_negatives, tuple(params.directions))


class _StepTimer:
    """Times step ends, so the first step (data loading, warm-up) can be left out."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def callback(self):
        from transformers import TrainerCallback

        timer = self

        class _Callback(TrainerCallback):
            def on_step_end(self, args, state, control, **kwargs):
                _sync_cuda()
                timer.times.append(time.perf_counter())

        return _Callback()

    def steady_rate(self, batch_size: int, total: int) -> float | None:
        """Triplets/s after the first step: all triplets but the first batch, over the time since it ended."""
        if len(self.times) < 2:
            return None
        return (total - batch_size) / (self.times[-1] - self.times[0])


def _sync_cuda() -> None:
    """Wait for queued GPU work, so timings cover it."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def mine_in_process(size: int, strategy: str, seed: int = 42) -> dict[str, Any]:
    """Generate ``size`` postings, split them and mine their negatives here; run in a fresh process.

    The split and negatives stages' own functions run, on each posting's title
    as its query; embeddings are random unit vectors of the model's shape.
    """
    import pandas as pd

    from jobsearch.clean import model_text
    from jobsearch.negatives import NegativesParams, make_triplets
    from jobsearch.sample import generate_postings
    from jobsearch.split import SplitParams, split_postings

    rss_after_imports = peak_rss_mib()
    start = time.perf_counter()
    raw = generate_postings(size, seed=seed)
    postings = pd.DataFrame(
        {"posting_id": raw["job_id"].astype(str), "text": [model_text(t, d) for t, d in zip(raw["title"], raw["description"])]}
    )
    queries = pd.DataFrame({"posting_id": postings["posting_id"], "query": raw["title"]})
    del raw
    generate_seconds = time.perf_counter() - start
    start = time.perf_counter()
    splits, _ = split_postings(postings, queries, SplitParams(seed=seed))
    split_seconds = time.perf_counter() - start
    del postings, queries
    rss_before_mining = peak_rss_mib()
    params = NegativesParams(strategy=strategy, seed=seed)
    start = time.perf_counter()
    triplets, metrics = make_triplets(splits, params, encoder=lambda: random_unit_encoder(EMBEDDING_DIM, seed))
    mining_seconds = time.perf_counter() - start
    return {
        "postings": size,
        "strategy": strategy,
        "embeddings": f"random unit vectors, {EMBEDDING_DIM}-dim, seed {seed}",
        "chunk_size": params.chunk_size,
        "triplets": metrics["triplets"],
        "largest_split": max(len(rows) for rows in splits.values()),
        "generate_seconds": round(generate_seconds, 2),
        "split_seconds": round(split_seconds, 2),
        "mining_seconds": round(mining_seconds, 2),
        "peak_rss_mib_after_imports": rss_after_imports,
        "peak_rss_mib_before_mining": rss_before_mining,
        "peak_rss_mib": peak_rss_mib(),
    }


def bench_mining(settings: BenchSettings) -> list[dict[str, Any]]:
    """Mining time and peak RSS per (size, strategy), each in a fresh subprocess."""
    results = []
    for size in settings.mining_sizes:
        for strategy in settings.mining_strategies:
            cmd = [sys.executable, "-m", "benchmarks.run", "--mining-worker", str(size), "--strategy", strategy]
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=_project_root())
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                results.append({"postings": size, "strategy": strategy, "error": tail})
                continue
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["process_seconds"] = round(wall, 2)
            row["under_rss_limit"] = row["peak_rss_mib"] < MINING_RSS_LIMIT_MIB
            results.append(row)
    return results


def _project_root() -> Path:
    return Path(__file__).resolve().parents[1]


_DVC_YAML = """\
stages:
  first:
    cmd: {python} -c "open('a.txt', 'w').write('a')"
    outs:
      - a.txt
  second:
    cmd: {python} -c "open('b.txt', 'w').write(open('a.txt').read() + 'b')"
    deps:
      - a.txt
    outs:
      - b.txt
"""


def bench_dvc(settings: BenchSettings) -> dict[str, Any]:
    """Wall time of ``dvc repro`` when nothing changed, in a throwaway two-stage project."""
    dvc = Path(sys.executable).parent / "dvc"
    if not dvc.exists():
        found = shutil.which("dvc")
        if not found:
            return {"error": "dvc not found next to the Python interpreter nor on PATH"}
        dvc = Path(found)
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "GIT_AUTHOR_NAME": "bench", "GIT_COMMITTER_NAME": "bench"}
    with tempfile.TemporaryDirectory(prefix="jobsearch-bench-dvc-") as tmp:
        root = Path(tmp)

        def run(*args: str) -> float:
            start = time.perf_counter()
            subprocess.run(args, cwd=root, env=env, check=True, capture_output=True, text=True)
            return time.perf_counter() - start

        run("git", "init", "-q")
        run(str(dvc), "init", "-q")
        (root / "dvc.yaml").write_text(_DVC_YAML.format(python=sys.executable))
        first = run(str(dvc), "repro")
        noop = [run(str(dvc), "repro") for _ in range(settings.dvc_repeats)]
    return {
        "stages": 2,
        "first_repro_seconds": round(first, 2),
        "noop_repro_seconds": [round(t, 2) for t in noop],
        "noop_repro_median_seconds": round(median(noop), 2),
    }

