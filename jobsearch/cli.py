"""The ``jobsearch`` command."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from jobsearch.errors import JobsearchError, os_error
from jobsearch.paths import Paths

DEFAULT_INDEX = Paths.index  # written by the index stage
DEFAULT_MODEL_DIR = Paths.finetuned
DEFAULT_CORPUS = Paths.clean
DEFAULT_SERVED = Paths.served  # written by the evaluate stage: the ranker chosen on validation


def _add_index_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--index", default=DEFAULT_INDEX, help=f"the index stage's folder (default {DEFAULT_INDEX})")
    command.add_argument(
        "--corpus", help=f"search a cleaned postings parquet instead (e.g. {DEFAULT_CORPUS}); its index is built on first use and cached"
    )
    command.add_argument("--model", help=f"with --corpus: model folder, Hub name or pkg:NAME (default {DEFAULT_MODEL_DIR})")
    command.add_argument(
        "--served", help=f"the ranker and tuned fusion as evaluate writes them (default: the index's; with --corpus, {DEFAULT_SERVED} if present)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobsearch", description="Skill-based job search with fine-tuned embeddings.")
    commands = parser.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="rank the postings for a query")
    search.add_argument("query", help='what a job seeker types, e.g. "data scientist 6 years, LLMs, credit risk"')
    search.add_argument("--top-k", "-k", type=int, default=5, help="how many postings to show, 1-100 (default 5)")
    search.add_argument(
        "--mode", default="served",
        help="ranking: what evaluation chose on validation (served, the default), dense, bm25, or hybrid (both fused)",
    )
    search.add_argument("--json", action="store_true", help="print results as JSON lines")
    _add_index_options(search)
    serve = commands.add_parser("serve", help="serve search over HTTP: a JSON API and a web page")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    _add_index_options(serve)
    report = commands.add_parser("report", help="a Markdown review report of an experiment against a base revision (for a pull request)")
    report.add_argument("rev", nargs="?", help="an experiment name or Git revision (default: the workspace)")
    report.add_argument("--base", default="HEAD", help="the revision to compare against (default HEAD)")
    report.add_argument("--out", default="report.md", help="the Markdown file; its images go to <stem>_images/ beside it (default report.md)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "search":
            return _search(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "report":
            return _report(args)
    except JobsearchError as exc:
        print(f"jobsearch: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # an unreadable or unwritable file, a full disk: one line naming the file
        print(f"jobsearch: error: {os_error(exc)}", file=sys.stderr)
        return 1
    return 2


def open_searcher(args: argparse.Namespace):
    """The searcher the options name: the index stage's folder, or a cached index of ``--corpus``."""
    from jobsearch.index import SearchIndex, read_served
    from jobsearch.retrieval import RankerParams
    from jobsearch.search import Searcher, corpus_index

    if args.corpus is None and args.model is None:
        if not Path(args.index, "index.json").is_file():
            raise JobsearchError(f"{args.index}: no search index yet (run `make repro` or `dvc repro`), or pass --corpus")
        index = SearchIndex.load(args.index)
        if args.served:
            index.served = read_served(args.served)
        return Searcher(index)
    model = args.model or DEFAULT_MODEL_DIR
    if args.model is None and not Path(DEFAULT_MODEL_DIR).is_dir():
        raise JobsearchError(f"{DEFAULT_MODEL_DIR}: no fine-tuned model yet (run `make repro` or `dvc repro`), or pass --model")
    served_path = args.served or (DEFAULT_SERVED if Path(DEFAULT_SERVED).is_file() else None)
    served = read_served(served_path) if served_path else RankerParams()
    if args.corpus is None and not Path(DEFAULT_CORPUS).is_file():
        raise JobsearchError(f"{DEFAULT_CORPUS}: no postings to search yet (run `make repro` or `dvc repro`), or pass --corpus")
    index, loaded = corpus_index(args.corpus or DEFAULT_CORPUS, model, served)
    return Searcher(index, loaded)


def _search(args: argparse.Namespace) -> int:
    from jobsearch.search import MAX_K, format_hits, ranker_for

    if not 1 <= args.top_k <= MAX_K:
        raise JobsearchError(f"--top-k must be between 1 and {MAX_K}, got {args.top_k}")
    searcher = open_searcher(args)
    hits = searcher.search(args.query, top_k=args.top_k, ranker=ranker_for(args.mode, searcher.index.served))
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit)))
    else:
        print(format_hits(hits))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jobsearch.serve import create_app

    searcher = open_searcher(args)
    uvicorn.run(create_app(searcher), host=args.host, port=args.port, log_level="info")
    return 0


def _report(args: argparse.Namespace) -> int:
    from jobsearch.report import write_report

    print(f"wrote {write_report(args.out, args.rev, args.base)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
