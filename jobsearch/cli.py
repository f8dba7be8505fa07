"""The ``jobsearch`` command."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from jobsearch.errors import JobsearchError, os_error
from jobsearch.paths import Paths


def _add_index_options(command: argparse.ArgumentParser) -> None:
    # defaults come from params.yaml's paths section (read when the command runs), as the stages' do
    command.add_argument("--index", help=f"the index stage's folder (default: paths.index, {Paths.index})")
    command.add_argument(
        "--corpus", help=f"search a cleaned postings parquet instead (e.g. {Paths.clean}); its index is built on first use and cached"
    )
    command.add_argument("--model", help=f"with --corpus: model folder, Hub name or pkg:NAME (default: paths.finetuned, {Paths.finetuned})")
    command.add_argument(
        "--served", help=f"the ranker as evaluate records it (default: the index's; with --corpus, paths.served ({Paths.served}) if present)",
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
    """The searcher the options name: the index stage's folder, or the cached index of ``--corpus``.

    Paths, the ``index`` and the ``model`` sections come from params.yaml where the command
    runs (the defaults where it has none), so ``--corpus`` builds its index as the index stage does.
    """
    from jobsearch.config import PARAMS_FILE, load_params_file, section
    from jobsearch.index import IndexParams, SearchIndex, corpus_index, read_served
    from jobsearch.models import ModelParams
    from jobsearch.retrieval.rankers import RankerParams
    from jobsearch.search import Searcher

    settings = load_params_file() if Path(PARAMS_FILE).is_file() else {}
    paths, model = section(Paths, "paths", settings), section(ModelParams, "model", settings)
    if args.corpus is None and args.model is None:
        folder = args.index or paths.index
        if not Path(folder, "index.json").is_file():
            raise JobsearchError(f"{folder}: no search index yet (run `make repro` or `dvc repro`), or pass --corpus")
        index = SearchIndex.load(folder)
        if args.served:
            index.served = read_served(args.served)
        return Searcher(index, model=model)
    model_path = args.model or paths.finetuned
    if args.model is None and not Path(model_path).is_dir():
        raise JobsearchError(f"{model_path}: no fine-tuned model yet (run `make repro` or `dvc repro`), or pass --model")
    served_path = args.served or (paths.served if Path(paths.served).is_file() else None)
    served = read_served(served_path) if served_path else RankerParams()
    corpus = args.corpus or paths.clean
    if args.corpus is None and not Path(corpus).is_file():
        raise JobsearchError(f"{corpus}: no postings to search yet (run `make repro` or `dvc repro`), or pass --corpus")
    index = corpus_index(corpus, model_path, served, section(IndexParams, "index", settings), model, paths.corpus_indexes)
    return Searcher(index, model=model)


def _search(args: argparse.Namespace) -> int:
    from jobsearch.search import MAX_K

    if not 1 <= args.top_k <= MAX_K:
        raise JobsearchError(f"--top-k must be between 1 and {MAX_K}, got {args.top_k}")
    searcher = open_searcher(args)
    hits = searcher.search(args.query, top_k=args.top_k, ranker=searcher.index.served.for_mode(args.mode))
    if args.json:
        for hit in hits:
            print(json.dumps(asdict(hit)))
    else:
        print(format_hits(hits))
    return 0


def format_hits(hits) -> str:
    """Hits as the terminal shows them: rank, score, title, where; the matched terms; the snippet."""
    if not hits:
        return "No posting matches."
    lines = []
    for hit in hits:
        where = ", ".join(p for p in (hit.company, hit.location) if p)
        lines.append(f"{hit.rank:>2}. [{hit.score:.3f}] {hit.title}" + (f" — {where}" if where else ""))
        if hit.matched:
            lines.append(f"    matched: {', '.join(hit.matched)}")
        lines.append(f"    {hit.snippet}")
    return "\n".join(lines)


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
