"""Throughput and memory of the pipeline's slow parts, as a table and benchmarks/results.json.

    python -m benchmarks.run [--small | --full] [--sizes 1000,10000,50000] [--out benchmarks/results.json]

Measures, on postings from the sample source:

* encoding: postings/s of ``jobsearch.embed.encode`` and of plain
  ``SentenceTransformer.encode`` on the same texts, model and batch size;
* training: rows/s of ``fine_tune`` with the project's settings
  (params.yaml ``train``: pairs by default) and with the reference walkthrough's
  (triplets, batch 16, fp32, MultipleNegativesRankingLoss), timed from the end of the first step;
* negative mining: seconds and peak RSS at each size, each size in its own
  process, on random unit vectors of the model's shape (mining cost depends on
  the shape, not the values; encoding 50k postings on a CPU takes most of an hour);
* a no-op ``dvc repro`` of a two-stage pipeline;
* ``jobsearch serve``: p50/p95 latency of ``/search`` against one bare query
  encode, and the approximate index's recall@10 at 50,000 postings (:mod:`benchmarks.serve`);
* load: 1,000 ``/search`` requests, 16 at once, against the real ``jobsearch serve``
  on 127.0.0.1: throughput, p50/p95/p99, errors, the server's RSS before and after
  (:mod:`benchmarks.load`).

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
import sys
import time
from pathlib import Path
from typing import Any, Callable

from benchmarks.settings import DEFAULT_SIZES, BenchSettings, parse_sizes, settings_for
from benchmarks.load import bench_load
from benchmarks.pipeline import bench_pipeline
from benchmarks.serve import bench_serve
from benchmarks.workloads import bench_dvc, bench_encode, bench_mining, bench_train, mine_in_process

DEFAULT_OUT = Path("benchmarks/results.json")
SECTIONS = ("encode", "train", "mining", "dvc", "serve", "load", "pipeline")


def format_table(rows: list[tuple[str, str, str]]) -> str:
    """Rows of (part, measure, value) as an aligned text table."""
    header = ("part", "measure", "value")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)), line]
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)



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
            label = f"{name} (batch {cfg['batch_size']}, {cfg['precision']}, {cfg['loss']}, {cfg['rows']}), rows/s"
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
    serve = results.get("serve")
    if serve and "error" not in serve:
        lat, rec = serve["latency"], serve["recall"]
        rows += [
            ("serve", f"/search p50 / p95 ({lat['postings']:,} postings, {lat['queries']} queries, {lat['served']})",
             f"{lat['search_p50_ms']:.1f} / {lat['search_p95_ms']:.1f} ms"),
            ("serve", "one bare query encode, p50", f"{lat['encode_p50_ms']:.1f} ms"),
            ("serve", "ratio /search p50 / encode p50", _fmt(lat["p50_over_encode"], "x")),
            ("serve", f"HNSW recall@10 vs exact ({rec['postings']:,} postings, {rec['queries']} queries)", f"{rec['recall@10']:.4f}"),
        ]
    elif serve:
        rows.append(("serve", "error", serve["error"]))
    load = results.get("load")
    if load and "error" not in load:
        rows += [
            ("load", f"{load['requests']:,} x GET /search, {load['concurrency']} at once, jobsearch serve on 127.0.0.1 ({load['index']})",
             f"{load['requests_per_s']:.1f} requests/s, {load['errors']} errors"),
            ("load", "latency p50 / p95 / p99", f"{load['p50_ms']:.0f} / {load['p95_ms']:.0f} / {load['p99_ms']:.0f} ms"),
            ("load", "server RSS before / after (growth; target < 5%)",
             f"{load['rss_before_mib']:.0f} / {load['rss_after_mib']:.0f} MiB ({load['rss_growth']:+.1%})"),
        ]
    elif load:
        rows.append(("load", "error", load["error"]))
    pipeline = results.get("pipeline")
    if isinstance(pipeline, dict):  # the section failed as a whole
        rows.append(("pipeline", "error", pipeline["error"]))
    for row in pipeline if isinstance(pipeline, list) else []:
        stages = ", ".join(f"{stage} {s:.1f}" for stage, s in row["seconds"].items())
        rows.append(("pipeline", f"{row['postings']:,} postings, seconds per stage", f"{row['total_seconds']:.1f} s ({stages})"))
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
        "serve": lambda: bench_serve(settings, device),
        "load": lambda: bench_load(settings),
        "pipeline": lambda: bench_pipeline(settings, device),
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
    parser.add_argument("--only", default=None, help="comma-separated parts: encode,train,mining,dvc,serve,load (and pipeline)")
    parser.add_argument("--pipeline", default=None, help="also run every stage's function on these many sample postings, e.g. 1000,10k")
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
        pipeline_sizes = parse_sizes(args.pipeline) if args.pipeline else ()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mode = "full" if args.full else "small" if args.small else ("full" if torch.cuda.is_available() else "small")
    sections = tuple(s.strip() for s in args.only.split(",")) if args.only else BenchSettings.sections
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        print(f"error: --only: unknown part {sorted(unknown)[0]!r} ({', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    if pipeline_sizes and "pipeline" not in sections:
        sections += ("pipeline",)
    if "pipeline" in sections and not pipeline_sizes:
        print("error: --only pipeline: give the sizes with --pipeline N", file=sys.stderr)
        return 2
    settings = settings_for(
        mode, sizes, model=args.model, encode_texts=args.encode_texts, train_triplets=args.train_triplets, sections=sections,
        pipeline_sizes=pipeline_sizes or None,
    )
    results = run_benchmarks(settings)
    write_json(results, args.out)
    print(format_table(table_rows(results)))
    print(f"\nwritten {args.out}")
    failed = [name for name in settings.sections if isinstance(results.get(name), dict) and "error" in results[name]]
    failed += [f"mining {r['postings']}" for r in results.get("mining", []) if "error" in r]
    failed += ["load"] if isinstance(results.get("load"), dict) and results["load"].get("passed") is False else []
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
