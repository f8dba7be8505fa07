"""The examples report: the postings where cleaning removed the most, before and after, in markdown."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from jobsearch.clean.markup import strip_markup


def examples_report(frame: pd.DataFrame, raw_descriptions: list[str], metrics: dict[str, Any], examples: int) -> str:
    """Markdown with the postings where cleaning removed the most, before and after."""
    lines = [
        "# Cleaning examples",
        "",
        f"{metrics['postings']} postings; mean tokens {metrics['tokens_before_mean']} before cleaning, "
        f"{metrics['tokens_after_cleaning_mean']} after cleaning; "
        f"{metrics['longer_than_model_window']} longer than the model's {metrics['model_window']}-token window "
        f"(kept whole for search); {metrics['fallbacks']} fell back to the uncleaned text.",
        "",
    ]
    if metrics["rules_postings"]:
        lines += ["| rule | postings |", "| --- | ---: |"]
        lines += [f"| {rule} | {count} |" for rule, count in metrics["rules_postings"].items()]
        lines.append("")
    order = frame.assign(raw_description=raw_descriptions)
    order = order[~order["fallback"]].sort_values(["tokens_removed", "posting_id"], ascending=[False, True])
    for number, row in enumerate(order.head(examples).itertuples(index=False), start=1):
        lines += [
            f"## {number}. {row.title or '(no title)'} ({row.posting_id})",
            "",
            f"Tokens {row.tokens_before} -> {row.tokens_after} ({row.tokens_removed} removed by cleaning).",
            "",
            "Before:",
            "",
            "```text",
            _trim(row.raw_description).replace("```", "'''"),
            "```",
            "",
            "After:",
            "",
            "```text",
            _trim(row.description).replace("```", "'''"),
            "```",
            "",
        ]
        removed = _removed_passages(strip_markup(row.raw_description), row.description)
        if removed:
            lines += ["Removed (longest passages):", ""]
            lines += [f"- {_trim(' '.join(passage.split()), 300)}" for passage in removed]
            lines.append("")
    return "\n".join(lines)


def _trim(text: str, limit: int = 1200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _removed_passages(before: str, after: str, limit: int = 6) -> list[str]:
    """The longest runs of words in ``before`` that cleaning removed."""
    before_words, after_words = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, before_words, after_words, autojunk=False)
    runs = [
        " ".join(before_words[i1:i2])
        for tag, i1, i2, _, _ in matcher.get_opcodes()
        if tag in ("delete", "replace") and i2 - i1 >= 4
    ]
    return sorted(runs, key=len, reverse=True)[:limit]
