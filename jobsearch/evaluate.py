"""Evaluating rankers the way job seekers meet them, on query sets the generator cannot bias.

Each split's queries are ranked against the split's postings (``corpus: all``:
against every posting), in several query sets:

* ``generated``: the queries stage's queries (what training learns from), but
  for its title-style ones, which the ``title`` set measures;
* ``title``: each distinct posting title, matched against the postings with
  their titles removed (so the title itself cannot be looked up);
* ``skills``: a posting's own skill tags, where the source has them;
* ``golden``: a user's labelled queries (``evaluate.golden``), against every posting;
  the split stage put their postings in validation (the half that tunes) and test
  (the half that reports), never in training.

A query's relevant postings are its own and that posting's near-duplicates
(same ``group_id``); for a title, every posting with that title.

Rankers: the base and fine-tuned models (dense), BM25, ``hybrid`` (the best
fusion of the fine-tuned model and BM25) and ``served`` (what ``jobsearch
search`` serves). Both are chosen on validation: the candidate with the largest
worst-case mrr@10 margin over BM25 across the query sets, then the best mean.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from jobsearch.errors import DataError
from jobsearch.floor import choose_floor
from jobsearch.query_styles import TITLE_STYLES
from jobsearch.retrieval.rankers import HybridParams, RankerParams
from jobsearch.skill_tags import skill_tags as source_skill_tags

if TYPE_CHECKING:
    from jobsearch.golden import GoldenQueries
    from jobsearch.models import PassageParams
    from jobsearch.retrieval.bm25 import BM25Index
    from jobsearch.retrieval.dense import DenseIndex

CUTOFF = 10  # the metrics look at the top 10
QUERY_SETS = ("generated", "title", "skills")
VIEWS = ("text", "description")  # what a query set is matched against: the whole posting, or it without its title


def triplet_accuracy(anchor_emb: np.ndarray, positive_emb: np.ndarray, negative_emb: np.ndarray) -> float:
    """Share of triplets whose anchor is more similar (cosine) to the positive."""
    if len(anchor_emb) == 0:
        return float("nan")
    pos = np.einsum("ij,ij->i", anchor_emb, positive_emb)
    neg = np.einsum("ij,ij->i", anchor_emb, negative_emb)
    return float(np.mean(pos > neg))


@dataclass
class EvaluateParams:
    corpus: str = "split"  # rank each query against its split's postings, or "all" postings
    chunk_size: int = 1024  # queries scored at a time: memory is chunk_size x postings floats per ranker
    max_tags: int = 3  # a skill-tag query is a posting's first max_tags tags
    golden: str | None = None  # CSV/TSV/JSONL of query, posting_id: a user's labelled queries
    tune: bool = True  # choose the served ranker on validation; false serves `served` as given
    served: RankerParams = field(default_factory=RankerParams)  # also sets every fusion's depth
    convex_weights: list[float] = field(default_factory=lambda: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    rrf_weights: list[float] = field(default_factory=lambda: [0.25, 0.5, 1.0, 2.0])  # dense weight; BM25's is 1
    rrf_ks: list[int] = field(default_factory=lambda: [1, 10, 60])
    fuzzy: list[bool] = field(default_factory=lambda: [False, True])  # BM25 typo tolerance: each choice tried with bm25 and every fusion

    def __post_init__(self) -> None:
        if self.corpus not in ("split", "all"):
            raise ValueError(f"corpus must be 'split' or 'all', got {self.corpus!r}")
        if self.chunk_size < 1 or self.max_tags < 1:
            raise ValueError("chunk_size and max_tags must be at least 1")
        if any(not 0 <= w <= 1 for w in self.convex_weights):
            raise ValueError(f"convex_weights must lie in [0, 1], got {self.convex_weights}")
        if any(w < 0 for w in self.rrf_weights) or any(k < 0 for k in self.rrf_ks):
            raise ValueError("rrf_weights and rrf_ks must be >= 0")
        if not self.fuzzy:
            raise ValueError("fuzzy must list at least one of false, true")


def candidate_rankers(params: EvaluateParams) -> dict[str, RankerParams]:
    """Every ranker validation chooses from: dense, BM25 and the fusion grid."""
    depth = params.served.hybrid.depth
    candidates = {"dense": RankerParams("dense"), "bm25": RankerParams("bm25")}  # plain BM25 is also the baseline
    for fuzzy in dict.fromkeys(params.fuzzy):
        suffix = " fuzzy" if fuzzy else ""
        if fuzzy:
            candidates[f"bm25{suffix}"] = RankerParams("bm25", fuzzy=True)
        for w in params.convex_weights:
            if 0 < w < 1:  # the ends are dense and bm25 themselves
                fusion = HybridParams("convex", w, round(1 - w, 6), depth=depth)
                candidates[f"convex {w:g}{suffix}"] = RankerParams("hybrid", fusion, fuzzy)
        for k in params.rrf_ks:
            for w in params.rrf_weights:
                if w > 0:
                    candidates[f"rrf {w:g} k{k}{suffix}"] = RankerParams("hybrid", HybridParams("rrf", w, 1.0, k, depth), fuzzy)
    return candidates


# ---------------------------------------------------------------------------
# Query sets


@dataclass
class QuerySet:
    name: str
    queries: list[str]
    relevant: list[set[int]]  # per query, indices of its relevant postings in the corpus
    view: str = "text"  # which text of the postings the queries are matched against (VIEWS)


@dataclass
class SplitTask:
    """One split's corpus (one row per posting, with its texts and group) and query sets."""

    postings: pd.DataFrame  # posting_id, text, description, group_id
    query_sets: list[QuerySet]  # the generated set first
    # the generated set's triplets as indices: query, its own posting, negative posting
    triplet_query: np.ndarray
    triplet_positive: np.ndarray
    triplet_negative: np.ndarray


def _normalised_title(title: str) -> str:
    return " ".join(str(title).split()).casefold()


def split_task(
    triplets: pd.DataFrame, clean: pd.DataFrame, params: EvaluateParams, skill_tags: Callable[[object], list[str]] | None = None
) -> SplitTask:
    """A split's ranking task from its triplets and the cleaned postings.

    ``triplets`` has ``anchor, posting_id, negative_id`` (``group_id`` when
    near-duplicates were grouped); ``clean`` has ``posting_id, title,
    description, text`` (``skills`` when the source has tags).
    """
    split_ids = pd.unique(triplets["posting_id"])
    known = set(clean["posting_id"])
    missing = (set(split_ids) | set(triplets["negative_id"])) - known
    if missing:
        raise DataError(f"{len(missing)} evaluation postings are not among the cleaned postings (e.g. {sorted(missing)[0]})")
    in_corpus = clean["posting_id"].isin(set(split_ids) | set(triplets["negative_id"])) if params.corpus == "split" else slice(None)
    postings = with_groups(clean.loc[in_corpus].reset_index(drop=True), triplets)
    position = pd.Series(np.arange(len(postings)), index=postings["posting_id"])
    relevant_to = relevance(postings)
    triplets = whole_posting_triplets(triplets)
    pairs = triplets.drop_duplicates(["posting_id", "anchor"]).reset_index(drop=True)
    sets = [generated_query_set(triplets, postings)]

    own = postings[postings["posting_id"].isin(set(split_ids))]
    titles = postings["title"].map(_normalised_title)
    with_title = {t: set(idx.tolist()) for t, idx in postings.groupby(titles).indices.items()}
    firsts = own.assign(key=titles[own.index]).drop_duplicates("key")
    firsts = firsts[firsts["key"] != ""]
    sets.append(QuerySet("title", firsts["title"].astype(str).tolist(), [with_title[k] for k in firsts["key"]], view="description"))

    if "skills" in own:
        tags = own["skills"].map(skill_tags or source_skill_tags)
        tagged = own[tags.map(bool)]
        queries = [", ".join(t[: params.max_tags]) for t in tags[tags.map(bool)]]
        sets.append(QuerySet("skills", queries, relevant_to(tagged["posting_id"])))

    query_of = pd.Series(np.arange(len(pairs)), index=pd.MultiIndex.from_frame(pairs[["posting_id", "anchor"]]))
    return SplitTask(
        postings=postings,
        query_sets=[s for s in sets if s.queries],
        triplet_query=query_of.loc[pd.MultiIndex.from_frame(triplets[["posting_id", "anchor"]])].to_numpy(),
        triplet_positive=position.loc[triplets["posting_id"]].to_numpy(),
        triplet_negative=position.loc[triplets["negative_id"]].to_numpy(),
    )


def whole_posting_triplets(triplets: pd.DataFrame) -> pd.DataFrame:
    """The triplets whose query is matched against the whole posting.

    Title-style queries were matched against the posting without its title:
    the title set measures that task, and their positive is not the posting's text.
    """
    return triplets[~triplets["style"].isin(TITLE_STYLES)] if "style" in triplets else triplets


def with_groups(postings: pd.DataFrame, triplets: pd.DataFrame) -> pd.DataFrame:
    """``postings`` with the ``group_id`` the triplets give them (a posting without one is its own group)."""
    group_of = (
        triplets.drop_duplicates("posting_id").set_index("posting_id")["group_id"] if "group_id" in triplets else pd.Series(dtype=str)
    )
    return postings.assign(group_id=postings["posting_id"].map(group_of).fillna(postings["posting_id"]))


def relevance(postings: pd.DataFrame) -> Callable[[Sequence[str]], list[set[int]]]:
    """posting ids -> per id, the corpus indices of it and its near-duplicates."""
    position = pd.Series(np.arange(len(postings)), index=postings["posting_id"])
    members = {g: set(idx.tolist()) for g, idx in postings.groupby("group_id").indices.items()}
    groups = postings["group_id"].to_numpy()
    return lambda posting_ids: [members[groups[i]] for i in position.loc[list(posting_ids)]]


def generated_query_set(triplets: pd.DataFrame, postings: pd.DataFrame) -> QuerySet:
    """The triplets' distinct (posting, query) pairs as queries, against ``postings`` (with ``group_id``)."""
    pairs = triplets.drop_duplicates(["posting_id", "anchor"])
    return QuerySet("generated", pairs["anchor"].astype(str).tolist(), relevance(postings)(pairs["posting_id"]))


def golden_query_set(golden: "GoldenQueries", postings: pd.DataFrame, split_ids: set[str]) -> QuerySet:
    """The golden queries of one split's postings, against ``postings`` (every posting, with ``group_id``).

    A query belongs to the split of its first labelled posting, so the split
    stage's halves (validation tunes, test reports) hold; it is relevant to its
    labelled postings and their near-duplicates.
    """
    relevant_to = relevance(postings)
    ranked = set(postings["posting_id"])
    queries, relevant = [], []
    for query, ids in zip(golden.queries, golden.relevant):
        if min(ids) in split_ids:
            queries.append(query)
            relevant.append(set().union(*relevant_to(sorted(ids & ranked))))
    return QuerySet("golden", queries, relevant)


# ---------------------------------------------------------------------------
# Ranking


class Embeddings:
    """Each model's embeddings of each text list, computed once and reused across splits, query sets and rankers.

    A list is known by its content, so the same corpus (``corpus: all``, the
    golden set's postings) is encoded once per model however often it is ranked.
    Postings are read as ``passages`` says (:mod:`jobsearch.retrieval.passages`),
    and each model's index of a corpus is built once too.
    """

    def __init__(self, models: dict[str, object], batch_size: int, precision: str = "auto", passages: "PassageParams | None" = None) -> None:
        from jobsearch.models import PassageParams

        self.models = models
        self.batch_size = batch_size
        self.precision = precision
        self.passages = passages or PassageParams(words=0)
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self._indexes: dict[tuple[str, str], "DenseIndex"] = {}

    def get(self, model_name: str, texts: list[str]) -> np.ndarray:
        from jobsearch.embed import encode

        key = (model_name, _content_key(texts))
        if key not in self._cache:
            self._cache[key] = encode(self.models[model_name], texts, batch_size=self.batch_size, progress=len(texts) > 1000, precision=self.precision)
        return self._cache[key]

    def postings(self, model_name: str, postings: pd.DataFrame, view: str = "text") -> "DenseIndex":
        """``postings`` as the model searches them: the ``view`` column's texts, each with its later passages.

        A later passage is headed by the posting's title where the view holds it (``text``).
        """
        from jobsearch.retrieval.dense import DenseIndex

        texts = postings[view].astype(str).tolist()
        heads = postings["title"].astype(str).tolist() if view == "text" and "title" in postings else None
        key = (model_name, _content_key(texts + (heads or [])) + f":{heads is not None}")
        if key not in self._indexes:
            embed = lambda batch: self.get(model_name, batch)  # noqa: E731
            self._indexes[key] = DenseIndex.encoded(embed, texts, self.passages.words, self.passages.stride, heads)
        return self._indexes[key]


def _content_key(texts: list[str]) -> str:
    return f"{len(texts)}:" + hashlib.sha256("\x00".join(texts).encode()).hexdigest()


def ranked_lists(
    query_set: QuerySet,
    embeddings: dict[str, tuple[np.ndarray, "DenseIndex"]],
    bm25: "BM25Index | None",
    rankers: dict[str, tuple[str | None, RankerParams]],
    chunk_size: int,
) -> dict[str, np.ndarray]:
    """Each ranker's top ``CUTOFF`` postings for every query of the set.

    ``embeddings`` maps a model name to its query embeddings and postings' index; a ranker is
    (the model its dense scores come from, its params). Scores are computed a
    chunk of queries at a time, each score matrix once for all rankers.
    """
    from jobsearch.retrieval.rankers import QueryScores, rank

    lists: dict[str, list[np.ndarray]] = {name: [] for name in rankers}
    for start in range(0, len(query_set.queries), chunk_size):
        rows = slice(start, start + chunk_size)
        shared = QueryScores(query_set.queries[rows], bm25)  # BM25's scores, computed once for every ranker
        by_model = {name: shared.with_dense(lambda depth, q=q, d=d: d.scores(q[rows], depth)) for name, (q, d) in embeddings.items()}
        for name, (model_name, ranker) in rankers.items():
            indices, _ = rank(ranker, by_model.get(model_name, shared), CUTOFF)
            lists[name].append(indices)
    return {name: np.concatenate(parts) for name, parts in lists.items()}


def evaluate_query_set(
    query_set: QuerySet,
    postings: pd.DataFrame,
    embeddings: Embeddings,
    bm25: dict[str, "BM25Index"],
    rankers: dict[str, tuple[str | None, RankerParams]],
    chunk_size: int,
) -> dict[str, dict[str, float]]:
    """Ranking metrics of each ranker on one query set."""
    from jobsearch.retrieval.metrics import retrieval_metrics

    used = {m for m, _ in rankers.values() if m is not None}
    emb = {m: (embeddings.get(m, query_set.queries), embeddings.postings(m, postings, query_set.view)) for m in used}
    lists = ranked_lists(query_set, emb, bm25.get(query_set.view), rankers, chunk_size)
    return {name: retrieval_metrics(ranked, query_set.relevant) for name, ranked in lists.items()}


def choose(metrics: dict[str, dict[str, dict[str, float]]], names: list[str]) -> str:
    """The ranker with the largest worst-case mrr@10 margin over BM25 across query sets, then the best mean.

    ``metrics[query_set][ranker]``; ties go to the earlier name.
    """

    def objective(name: str) -> tuple[float, float]:
        margins = [m[name]["mrr@10"] - m["bm25"]["mrr@10"] for m in metrics.values()]
        return min(margins), float(np.mean([m[name]["mrr@10"] for m in metrics.values()]))

    return max(names, key=lambda n: (objective(n), -names.index(n)))


def _bm25_per_view(postings: pd.DataFrame, views) -> dict[str, "BM25Index"]:
    from jobsearch.retrieval.bm25 import BM25Index

    return {view: BM25Index(postings[view].astype(str).tolist()) for view in views}


def _fixed_rankers(served: RankerParams, hybrid: RankerParams) -> dict[str, tuple[str | None, RankerParams]]:
    return {
        "base": ("base", RankerParams("dense")),
        "finetuned": ("finetuned", RankerParams("dense")),
        "bm25": (None, RankerParams("bm25")),
        "hybrid": ("finetuned", hybrid),
        "served": (None if served.mode == "bm25" else "finetuned", served),
    }


def evaluate(
    splits: dict[str, pd.DataFrame],
    clean: pd.DataFrame,
    models: dict[str, object],
    params: EvaluateParams,
    *,
    batch_size: int = 64,
    precision: str = "auto",
    passages: "PassageParams | None" = None,
    golden: "GoldenQueries | None" = None,
    skill_tags: Callable[[object], list[str]] | None = None,
    log: Callable[[str], None] = print,
) -> tuple[dict, dict]:
    """Metrics per split, query set and ranker, and the served ranker chosen on validation.

    ``splits`` maps ``validation`` and ``test`` to their triplets; ``models``
    holds ``base`` and ``finetuned``. Returns ``(report, served)``; ``served``
    is the record of what ``jobsearch search`` serves (``paths.served``): the
    ranker, with the best fusion as its ``hybrid`` whatever its mode, so
    ``--mode hybrid`` fuses as tuned.
    """
    candidates = candidate_rankers(params)
    served = params.served
    hybrid = RankerParams("hybrid", served.hybrid, served.fuzzy)
    report: dict = {}
    tuning_record: dict = {}
    embeddings = Embeddings(models, batch_size, precision, passages)
    every_posting_bm25: dict[str, "BM25Index"] = {}
    for split in ("validation", "test"):
        task = split_task(splits[split], clean, params, skill_tags)
        bm25 = _bm25_per_view(task.postings, {s.view for s in task.query_sets})
        sets = [(s, task.postings, bm25) for s in task.query_sets]
        if golden is not None:
            # golden queries are ranked against every posting, whatever evaluate.corpus says
            every_posting = with_groups(clean, splits[split])
            golden_set = golden_query_set(golden, every_posting, set(splits[split]["posting_id"]))
            every_posting_bm25 = every_posting_bm25 or _bm25_per_view(every_posting, ["text"])
            sets += [(golden_set, every_posting, every_posting_bm25)] if golden_set.queries else []
            log(f"{split} golden: {len(golden_set.queries)} of {len(golden.queries)} queries")
        tuning = split == "validation" and params.tune
        rankers = (
            {"base": ("base", RankerParams("dense"))} | {n: ("finetuned", r) for n, r in candidates.items()}
            if tuning
            else _fixed_rankers(served, hybrid)
        )
        metrics = {s.name: evaluate_query_set(s, corpus, embeddings, index, rankers, params.chunk_size) for s, corpus, index in sets}
        if tuning:
            hybrid_names = [n for n, r in candidates.items() if r.mode == "hybrid"] or ["dense"]
            served_name, hybrid_name = choose(metrics, list(candidates)), choose(metrics, hybrid_names)
            best_fusion = candidates[hybrid_name]
            served, hybrid = candidates[served_name], RankerParams("hybrid", best_fusion.hybrid, best_fusion.fuzzy)
            tuning_record = {"validation_mrr@10": {n: {s: round(m[n]["mrr@10"], 4) for s, m in metrics.items()} for n in candidates}}
            names = {"base": "base", "finetuned": "dense", "bm25": "bm25", "hybrid": hybrid_name, "served": served_name}
            metrics = {s: {label: m[name] for label, name in names.items()} for s, m in metrics.items()}
        if split == "validation":
            served, floor_record = choose_floor(served, task, embeddings)
        _add_triplet_accuracy(metrics["generated"], task, embeddings)
        report[split] = metrics
        for set_name, by_ranker in metrics.items():
            log(f"{split} {set_name}: " + ", ".join(f"{r} {m['mrr@10']:.3f}" for r, m in by_ranker.items()))
    served = replace(served, hybrid=hybrid.hybrid)
    served_record = {"ranker": served.to_record(), "label": served.label, "floor": floor_record, **tuning_record}
    return report, served_record


def _add_triplet_accuracy(metrics: dict, task: SplitTask, embeddings: Embeddings) -> None:
    """Triplet accuracy of the dense models on the generated set: the reference recipe's metric (it saturates),
    as its ``TripletEvaluator`` reads postings (their first ``max_seq_length`` tokens)."""
    generated = task.query_sets[0]
    docs = task.postings["text"].astype(str).tolist()
    for name in embeddings.models:
        q = embeddings.get(name, generated.queries)
        d = embeddings.get(name, docs)
        metrics[name]["triplet_accuracy"] = triplet_accuracy(q[task.triplet_query], d[task.triplet_positive], d[task.triplet_negative])


HEADLINE = "headline"  # the folder under paths.metrics that dvc.yaml declares as metrics
HEADLINE_RANKERS = ("base", "finetuned", "bm25", "served")
HEADLINE_METRICS = ("mrr@10", "recall@10", "triplet_accuracy")
MARGINS = {"finetuned-base": ("finetuned", "base"), "served-bm25": ("served", "bm25")}


def headline(report: dict) -> dict[str, dict[str, float]]:
    """What `dvc metrics` shows of ``report``: files (relative path -> numbers), rounded to 4 decimals.

    ``<split>/<query set>/<ranker>.json`` (the golden queries' halves are the
    ``golden`` set of each split) holds the
    ranker's mrr@10 and recall@10 (and triplet accuracy, on the generated set):
    every file has the same keys, so `dvc metrics show` is a few columns wide
    whatever the number of query sets. ``margins.json`` holds, per split, the
    smallest mrr@10 margin across the query sets of the fine-tuned model over
    its base and of the served ranker over BM25: keys no other file has, which
    `dvc exp show` names without a path (the others are named ``path:key``).
    """
    files: dict[str, dict[str, float]] = {}
    margins: dict[str, dict[str, float]] = {}
    for split, sets in report.items():
        for set_name, by_ranker in sets.items():
            for ranker in HEADLINE_RANKERS:
                files[f"{split}/{set_name}/{ranker}.json"] = {k: round(float(v), 4) for k, v in by_ranker[ranker].items() if k in HEADLINE_METRICS}
        margins[split] = {
            name: round(min(m[better]["mrr@10"] - m[than]["mrr@10"] for m in sets.values()), 4)
            for name, (better, than) in MARGINS.items()
        }
    files["margins.json"] = margins
    return files


def plot_rows(report: dict) -> dict[str, list[dict]]:
    """Per split, one row per (query set, ranker): what `dvc plots show` draws as bars."""
    return {
        split: [
            {"ranker": f"{set_name}/{ranker}", **metrics}
            for set_name, by_ranker in report[split].items()
            for ranker, metrics in by_ranker.items()
        ]
        for split in ("validation", "test")
    }
