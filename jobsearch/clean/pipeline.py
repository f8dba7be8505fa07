"""The whole recipe for one description, and its application to a postings frame."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from jobsearch.clean.headings import heading_key, split_inline_headings
from jobsearch.clean.layout import normalise_bullets, normalise_whitespace, split_run_together
from jobsearch.clean.markup import remove_markup, strip_markup
from jobsearch.clean.report import examples_report
from jobsearch.clean.sections import drop_trailing_headings, select_lines
from jobsearch.clean.tokens import count_tokens, model_window
from jobsearch.io import require_columns
from jobsearch.models import ModelParams, load_tokenizer
from jobsearch.parallel import map_indices


def clean_description(text: str, company: str = "") -> tuple[str, dict[str, int]]:
    """Clean one description; returns the cleaned text and how often each rule fired.

    ``company`` (optional) lets "About <Company>" headings be recognised.
    Pure: the same input always gives the same output. The result may be
    short or empty when the posting is all boilerplate; :func:`clean_postings`
    falls back to :func:`strip_markup` then.
    """
    fired: Counter = Counter()
    if not isinstance(text, str) or not text.strip():
        return "", {}
    company = company.strip() if isinstance(company, str) else ""
    company_key = heading_key(company)
    text = remove_markup(text, fired)
    text = split_run_together(text, fired)
    text = normalise_bullets(text, fired)
    text = split_inline_headings(text, company, company_key)
    out = select_lines(text.split("\n"), company_key, fired)
    cleaned = normalise_whitespace("\n".join(out))
    return drop_trailing_headings(cleaned), dict(fired)


@dataclass
class CleanParams:
    min_kept_words: int = 15  # shorter cleaned descriptions fall back to the uncleaned text
    examples: int = 5  # before/after examples in the report
    batch_size: int = 512  # texts per tokenizer call

    def __post_init__(self) -> None:
        if self.min_kept_words < 0:
            raise ValueError(f"min_kept_words must be >= 0, got {self.min_kept_words}")
        if self.examples < 0:
            raise ValueError(f"examples must be >= 0, got {self.examples}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


CLEAN_COLUMNS = [
    "posting_id", "title", "company", "location", "skills", "description", "text",
    "tokens_before", "tokens_after", "tokens_removed", "fallback",
]


def model_text(title: str, description: str) -> str:
    """What the embedding model reads for a posting."""
    title = title.strip() if isinstance(title, str) else ""
    return f"{title}\n\n{description}" if title else description


def clean_postings(
    postings: pd.DataFrame, params: CleanParams, model: ModelParams, tokenizer: Any = None, processes: int | None = None
) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """Clean every posting; returns (cleaned frame, metrics, markdown examples report).

    Postings are kept whole; tokens are counted with ``model``'s tokenizer
    (or ``tokenizer``) to report how many exceed the window it reads.
    ``processes``: see :func:`jobsearch.parallel.map_indices` (the output does not depend on it).
    """
    require_columns(postings.columns, ["posting_id", "title", "description"], "postings")
    if tokenizer is None:
        tokenizer = load_tokenizer(model.name)

    def column(name: str) -> list[str]:
        if name not in postings.columns:
            return [""] * len(postings)
        return [v if isinstance(v, str) else "" for v in postings[name].tolist()]

    ids = [str(v) for v in postings["posting_id"].tolist()]
    titles = [t.strip() for t in column("title")]
    companies = column("company")
    raw_descriptions = column("description")

    def clean_one(i: int) -> tuple[str, bool, dict[str, int]]:
        text, fired = clean_description(raw_descriptions[i], companies[i])
        if len(text.split()) < params.min_kept_words:
            return strip_markup(raw_descriptions[i]), True, fired
        return text, False, fired

    results = map_indices(clean_one, len(ids), processes)  # pure-Python rules: every core
    cleaned = [text for text, _, _ in results]
    fallbacks = [fallback for _, fallback, _ in results]
    rule_postings: Counter = Counter()
    rule_totals: Counter = Counter()
    for _, _, fired in results:
        rule_postings.update(fired.keys())
        rule_totals.update(fired)

    raw_texts = [model_text(t, d) for t, d in zip(titles, raw_descriptions)]
    clean_texts = [model_text(t, d) for t, d in zip(titles, cleaned)]
    tokens_before = count_tokens(tokenizer, raw_texts, params.batch_size, "tokens before")
    tokens_after = count_tokens(tokenizer, clean_texts, params.batch_size, "tokens after")
    window = model_window(model, tokenizer)

    frame = pd.DataFrame(
        {
            "posting_id": ids,
            "title": titles,
            "company": companies,
            "location": column("location"),
            "skills": column("skills"),
            "description": cleaned,
            "text": clean_texts,
            "tokens_before": tokens_before,
            "tokens_after": tokens_after,
            "tokens_removed": [b - a for b, a in zip(tokens_before, tokens_after)],
            "fallback": fallbacks,
        },
        columns=CLEAN_COLUMNS,
    )
    n = len(frame)

    def mean(values: list[int]) -> float:
        return round(sum(values) / n, 1) if n else 0.0

    metrics: dict[str, Any] = {
        "postings": n,
        "tokenizer": model.name,
        "model_window": window,
        "tokens_before_total": int(sum(tokens_before)),
        "tokens_before_mean": mean(tokens_before),
        "tokens_after_cleaning_total": int(sum(tokens_after)),
        "tokens_after_cleaning_mean": mean(tokens_after),
        # postings longer than the model's window: the model reads their start, BM25 all of them
        "longer_than_model_window": int(sum(1 for a in tokens_after if a > window)),
        "longer_than_model_window_before_cleaning": int(sum(1 for b in tokens_before if b > window)),
        "fallbacks": int(sum(fallbacks)),
        "rules_postings": dict(sorted(rule_postings.items())),
        "rules_total": dict(sorted(rule_totals.items())),
    }
    report = examples_report(frame, raw_descriptions, metrics, params.examples)
    return frame, metrics, report
