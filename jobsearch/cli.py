"""The ``jobsearch`` command."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from jobsearch.errors import JobsearchError
from jobsearch.paths import Paths

DEFAULT_MODEL_DIR = Paths.finetuned
DEFAULT_CORPUS = Paths.clean
DEFAULT_SERVED = Paths.served  # written by the evaluate stage: the ranker chosen on validation
MODES = ("served", "dense", "bm25", "hybrid")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobsearch", description="Skill-based job search with fine-tuned embeddings.")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="rank the postings for a query")
    search.add_argument("query", help='what a job seeker types, e.g. "data scientist 6 years, LLMs, credit risk"')
    search.add_argument("--top-k", "-k", type=int, default=5, help="how many postings to show (default 5)")
    search.add_argument("--model", default=DEFAULT_MODEL_DIR, help=f"model folder, Hub name or pkg:NAME (default {DEFAULT_MODEL_DIR})")
    search.add_argument("--corpus", default=DEFAULT_CORPUS, help=f"cleaned postings parquet (default {DEFAULT_CORPUS})")
    search.add_argument(
        "--mode", choices=MODES, default="served",
        help="ranking: what evaluation chose on validation (served, the default), embeddings, BM25, or both fused",
    )
    search.add_argument(
        "--served", default=DEFAULT_SERVED,
        help=f"the served ranker and tuned fusion as JSON (default {DEFAULT_SERVED}, if present; else hybrid with default weights)",
    )
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
    ranker = _ranker(args.mode, args.served)
    if args.model == DEFAULT_MODEL_DIR and ranker.mode != "bm25" and not Path(DEFAULT_MODEL_DIR).is_dir():
        raise JobsearchError(f"{DEFAULT_MODEL_DIR}: no fine-tuned model yet (run `make repro` or `dvc repro`), or pass --model")
    hits = index.search(args.query, top_k=args.top_k, ranker=ranker)
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit)))
    else:
        print(format_hits(hits))
    return 0


def _ranker(mode: str, path: str):
    """The ranker for ``--mode``: as evaluation chose it (``served``), or that mode with the tuned fusion."""
    from jobsearch.config import from_dict
    from jobsearch.io import read_json
    from jobsearch.retrieval import HybridParams, RankerParams

    if not Path(path).exists():
        if path != DEFAULT_SERVED:
            raise JobsearchError(f"{path}: file not found")
        return RankerParams() if mode == "served" else RankerParams(mode)
    record = read_json(path)
    if not isinstance(record, dict) or not isinstance(record.get("served"), dict) or not isinstance(record.get("hybrid"), dict):
        raise JobsearchError(f"{path}: expected the evaluate stage's record with 'served' and 'hybrid' (rerun `dvc repro`)")
    if mode == "served":
        return from_dict(RankerParams, record["served"], prefix=f"{path}: served")
    return RankerParams(mode, from_dict(HybridParams, record["hybrid"], prefix=f"{path}: hybrid"))


if __name__ == "__main__":
    sys.exit(main())
