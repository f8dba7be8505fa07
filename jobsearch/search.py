"""Searching postings with a fine-tuned model, BM25, or both fused, over a saved index.

Ranking goes through :func:`jobsearch.retrieval.rank`, as in evaluation, so
search serves what evaluation measured. The index (:mod:`jobsearch.index`) is
the ``index`` stage's folder, or, for a corpus made outside the pipeline run
(``--corpus``), one built on first use and cached under a key that changes
whenever the corpus file or the model folder does, so a stale one is never served.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jobsearch.errors import JobsearchError
from jobsearch.index import CORPUS_COLUMNS, IndexParams, SearchIndex, build_index
from jobsearch.io import read_parquet
from jobsearch.models import load_model, resolve_model
from jobsearch.retrieval import MODES, RankerParams, matched_terms

SNIPPET_CHARS = 160
MAX_K = 100  # the most hits a search returns
_WORD = re.compile(r"(?<!\w)\w[\w+#]*")  # a word, with a trailing + or # (c++, c#)
SEARCH_MODES = ("served", *MODES)  # served: what evaluate chose on validation


@dataclass
class SearchHit:
    rank: int
    score: float
    posting_id: str
    title: str
    company: str
    location: str
    snippet: str
    matched: list[str]


class Searcher:
    """An index and the model that encodes queries for it, loaded once, searched many times."""

    def __init__(self, index: SearchIndex, model: Any = None) -> None:
        self.index = index
        self._model = model

    @property
    def model(self):
        # loaded on first use: BM25 search needs no model
        if self._model is None:
            self._model = load_model(self.index.model)
        return self._model

    def search(self, query: str, top_k: int = 5, ranker: RankerParams | None = None) -> list[SearchHit]:
        """The ``top_k`` best postings for ``query`` under ``ranker`` (default: the index's served one)."""
        from jobsearch.embed import encode
        from jobsearch.retrieval import rank

        if not query.strip():
            raise JobsearchError("the query is empty")
        if top_k < 1:
            raise JobsearchError(f"top_k must be at least 1, got {top_k}")
        ranker = ranker or self.index.served
        postings = self.index.postings
        top_k = min(top_k, len(postings))
        if top_k > ranker.hybrid.depth:  # fusion's lists must be as long as the hits asked for
            ranker = replace(ranker, hybrid=replace(ranker.hybrid, depth=top_k))
        depth = ranker.hybrid.depth
        # a typo-tolerant BM25 looks for the corrected words, and the hits show those; the model reads the query as typed
        words = self.index.bm25.correct(query) if ranker.fuzzy and ranker.mode != "dense" else query
        dense = self.index.dense.scores(encode(self.model, [query]), depth) if ranker.mode != "bm25" else None
        bm25 = self.index.bm25.score_matrix([words]) if ranker.mode != "dense" else None
        indices, scores = rank(ranker, top_k, dense, bm25)
        hits = []
        for position, (i, score) in enumerate(zip(indices[0], scores[0]), start=1):
            if i < 0:
                continue
            row = postings.iloc[int(i)]
            matched = matched_terms(words, str(row["text"]))
            hits.append(
                SearchHit(
                    rank=position,
                    score=float(score),
                    posting_id=str(row["posting_id"]),
                    title=_field(row["title"]),
                    company=_field(row["company"]),
                    location=_field(row["location"]),
                    snippet=snippet(str(row["description"]), matched),
                    matched=matched,
                )
            )
        return hits


def ranker_for(mode: str, served: RankerParams) -> RankerParams:
    """The ranker for a search mode: the served one, or that mode with the served (tuned) fusion and floor."""
    if mode not in SEARCH_MODES:
        raise JobsearchError(f"mode must be one of {', '.join(SEARCH_MODES)}, got {mode!r}")
    return served if mode == "served" else replace(served, mode=mode)


def _field(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def snippet(text: str, terms: list[str] | None = None, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text``: from its start, or around the words that hold most of ``terms``."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    start = _densest_window(flat, terms or [], width)
    if start:
        # from the start of a word, a few words before the first match
        start = flat.rfind(" ", 0, max(start - width // 6, 0)) + 1
    piece = flat[start : start + width - 1]
    if start + width - 1 < len(flat):
        piece = piece.rsplit(" ", 1)[0] + "…"
    return ("…" if start else "") + piece


def term_spans(text: str, terms: list[str]) -> Iterator[tuple[int, int, str]]:
    """Where matched terms occur in ``text``: ``(start, end, term)`` of each word starting with one, in any case.

    The longest term is tried first, so "engineering" is found whole where "engineer" is a term too.
    One pass over the words, a set lookup per distinct term length: the cost grows with the
    text's length, not with its product with the number of terms.
    """
    wanted = {t.lower() for t in terms}
    lengths = sorted({len(t) for t in wanted}, reverse=True)
    for word in _WORD.finditer(text):
        lower = word.group().lower()
        for n in lengths:
            if n <= len(lower) and lower[:n] in wanted:
                yield word.start(), word.end(), lower[:n]
                break


def _densest_window(flat: str, terms: list[str], width: int) -> int:
    """Where the window of ``width`` characters holding the most distinct terms starts (0 if none beats the start).

    A window starts at a match; one sliding pass over the matches.
    """
    if not terms:
        return 0
    found = [(start, term) for start, _, term in term_spans(flat, terms)]
    span = width - width // 6
    at_start = len({term for at, term in found if at < span})
    inside: Counter[str] = Counter()
    best, most, end = 0, 0, 0
    for at, term in found:
        while end < len(found) and found[end][0] < at + span:
            inside[found[end][1]] += 1
            end += 1
        if len(inside) > most:
            best, most = at, len(inside)
        inside[term] -= 1
        if not inside[term]:
            del inside[term]
    return best if most > at_start else 0


def corpus_index(
    corpus: str | Path,
    model_name: str,
    served: RankerParams,
    params: IndexParams | None = None,
    cache_dir: str | Path = ".cache/index",
    *,
    batch_size: int = 64,
) -> tuple[SearchIndex, Any]:
    """The index of a cleaned corpus under ``model_name``, built on first use, then loaded from the cache.

    Returns the index and the model when it had to be loaded for the build (else None).
    """
    corpus = Path(corpus)
    if not corpus.is_file():
        raise JobsearchError(f"{corpus}: file not found")
    params = params or IndexParams()
    key = _cache_key(corpus, model_name, params)
    folder = Path(cache_dir) / key
    if (folder / "index.json").is_file():
        index = SearchIndex.load(folder)
        index.served = served
        return index, None
    postings = read_parquet(corpus, CORPUS_COLUMNS)
    if postings.empty:
        raise JobsearchError(f"{corpus}: no postings to search (0 rows)")
    model = load_model(model_name)
    index = build_index(postings, model, model_name, served, params, batch_size=batch_size)
    index.save(folder)
    return index, model


def _cache_key(corpus: Path, model_name: str, params: IndexParams) -> str:
    """Changes whenever the corpus file, any file of the model folder or the index params change.

    File sizes and modification times, not contents: a search must not read
    the whole corpus and model to find its index, and any rewrite changes both.
    """
    resolved = Path(resolve_model(model_name))
    model_files = sorted(p for p in resolved.rglob("*") if p.is_file()) if resolved.is_dir() else []
    stamp = [_stat(corpus)] + [[str(p.relative_to(resolved)), *_stat(p)[1:]] for p in model_files]
    payload = json.dumps({"corpus": stamp, "model": model_name, "params": params.__dict__}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _stat(path: Path) -> list:
    stat = path.stat()
    return [str(path.resolve()), stat.st_size, stat.st_mtime_ns]


def format_hits(hits: list[SearchHit]) -> str:
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
