"""Query generation: short, human-like job-search queries for each posting.

Backends (``queries.backend``), chosen in :func:`generate_queries` and nowhere else:

* ``offline`` (default): no LLM. ``per_posting`` queries per posting, each in a
  named style (:data:`STYLES`, :mod:`.offline`), built from the posting's
  distinctive skills (:mod:`.skills`), abbreviations and synonyms it does not
  contain (:mod:`.vocabulary`) and typing noise (:mod:`.noise`). Seeded per posting.
* ``openai``: one query per posting from synchronous chat completions (:mod:`.llm`).
* ``openai-batch``: one query per posting from the OpenAI Batch API (:mod:`.batch`).

LLM queries have the style ``llm``. Their answers are cached under ``queries.cache_dir``
(:mod:`.cache`); the client, retries and cost estimates are in :mod:`.api`, the
parameters in :mod:`.params`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jobsearch.queries import batch, llm
from jobsearch.queries.noise import add_noise
from jobsearch.queries.offline import QUERY_COLUMNS, offline_queries
from jobsearch.queries.params import BACKENDS, STYLES, QueriesParams
from jobsearch.queries.skills import candidate_terms, rank_skills, short_role, skill_shape_weight
from jobsearch.skill_tags import skill_tags
from jobsearch.queries.vocabulary import SynonymVocabulary, load_synonyms

__all__ = [
    "BACKENDS",
    "LLM_STYLE",
    "QUERY_COLUMNS",
    "STYLES",
    "QueriesParams",
    "SynonymVocabulary",
    "add_noise",
    "candidate_terms",
    "generate_queries",
    "load_synonyms",
    "offline_queries",
    "rank_skills",
    "short_role",
    "skill_shape_weight",
    "skill_tags",
]

LLM_STYLE = "llm"


def generate_queries(postings: pd.DataFrame, params: QueriesParams) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Queries (``posting_id, query, style``) and metrics, with the backend ``params`` names.

    ``postings`` needs ``posting_id``, ``title`` and ``description``; the offline
    generator also uses ``company`` and ``skills`` when present.
    """
    if params.backend == "offline":
        queries = offline_queries(postings, params)
        per_style = queries["style"].value_counts()
        metrics = {
            "backend": "offline",
            "queries": len(queries),
            "per_style": {style: int(per_style[style]) for style in STYLES if style in per_style},
            "requests_sent": 0,
            "estimated_cost_usd": 0.0,
        }
        return queries, metrics
    if params.backend == "openai":
        queries, metrics = llm.chat_queries(postings, params)
    else:  # openai-batch: QueriesParams admits no other backend
        queries, metrics = batch.batch_queries(postings, params)
    queries = queries.assign(style=LLM_STYLE)[QUERY_COLUMNS]
    return queries, {**metrics, "queries": len(queries), "per_style": {LLM_STYLE: len(queries)}}
