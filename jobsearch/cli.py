"""The ``jobsearch`` command."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from jobsearch.errors import JobsearchError

DEFAULT_MODEL_DIR = "models/finetuned"
DEFAULT_CORPUS = "data/clean.parquet"
DEFAULT_FUSION = "metrics/hybrid.json"  # written by the evaluate stage, tuned on validation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobsearch", description="Skill-based job search with fine-tuned embeddings.")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="rank the postings for a query")
    search.add_argument("query", help='what a job seeker types, e.g. "data scientist 6 years, LLMs, credit risk"')
    search.add_argument("--top-k", "-k", type=int, default=5, help="how many postings to show (default 5)")
    search.add_argument("--model", default=DEFAULT_MODEL_DIR, help=f"model folder, Hub name or pkg:NAME (default {DEFAULT_MODEL_DIR})")
    search.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"cleaned postings parquet (default {DEFAULT_CORPUS})")
    search.add_argument("--mode", choices=["dense", "bm25", "hybrid"], default="hybrid", help="ranking: embeddings, BM25, or both fused (default hybrid)")
    search.add_argument("--fusion", default=DEFAULT_FUSION, help=f"hybrid weights as JSON (default {DEFAULT_FUSION}, if present)")
    search.add_argument("--json", action="store_true", help="print results as JSON lines")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "search":
            return _search(args)
    except JobsearchError as exc:
        print(f"jobsearch: error: {exc}", file=sys.stderr)
        return 1
    return 2


def _search(args: argparse.Namespace) -> int:
    from jobsearch.search import SearchIndex, format_hits

    if args.top_k < 1:
        raise JobsearchError("--top-k must be at least 1")
    index = SearchIndex(args.corpus, args.model)
    if args.model == DEFAULT_MODEL_DIR and args.mode != "bm25" and not Path(DEFAULT_MODEL_DIR).is_dir():
        raise JobsearchError(f"{DEFAULT_MODEL_DIR}: no fine-tuned model yet (run `make repro` or `dvc repro`), or pass --model")
    hits = index.search(args.query, top_k=args.top_k, mode=args.mode, hybrid=_fusion(args.fusion))
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit)))
    else:
        print(format_hits(hits))
    return 0


def _fusion(path: str):
    from jobsearch.config import from_dict
    from jobsearch.io import read_json
    from jobsearch.retrieval import HybridParams

    if not Path(path).exists():
        if path != DEFAULT_FUSION:
            raise JobsearchError(f"{path}: file not found")
        return None
    return from_dict(HybridParams, read_json(path), prefix=path)


if __name__ == "__main__":
    sys.exit(main())
