"""Typo correction for BM25: a mistyped query word read as the indexed term it most likely stands for."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from jobsearch.retrieval.text import RAW_TOKEN, tokenize

TYPO_MIN_LENGTH = 5  # shorter query terms are never corrected as typos
TYPO_TWO_EDITS_LENGTH = 9  # from this length a term may be two edits from its correction
TYPO_RARITY = 20  # a term some postings contain is still a typo of a word in this many times as many postings


class Typos:
    """Corrections against an index's terms, given how many postings contain each."""

    def __init__(self, postings_with: Mapping[str, int]) -> None:
        self._indexed = postings_with
        # the terms a typo can be corrected to, commonest first
        counts = {t: n for t, n in postings_with.items() if len(t) >= TYPO_MIN_LENGTH - 1 and t.isalpha()}
        self._terms = sorted(counts, key=lambda t: (-counts[t], t))
        self._frequency = np.array([counts[t] for t in self._terms], dtype=np.int64)
        self._postings_with = counts

    def corrections(self, terms: Sequence[str]) -> dict[str, str]:
        """Each of ``terms`` that looks mistyped, mapped to the indexed term it most likely stands for.

        Only terms of at least ``TYPO_MIN_LENGTH`` letters are looked at (short
        ones are acronyms and skills: "sql" is not a typo of "sas"). The
        candidates are indexed terms within one edit (two from
        ``TYPO_TWO_EDITS_LENGTH`` letters), an edit being an inserted, deleted,
        replaced or swapped letter, that are in at least ``TYPO_RARITY`` times
        as many postings as the term: postings have typos too ("scientis" is in
        one of the real postings, "scientist" in 1,322), so a term no posting
        contains takes any candidate and a common word is never corrected.
        Among the candidates, the closest, then the one most postings contain.
        """
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        fixed: dict[str, str] = {}
        for term in {t for t in terms if len(t) >= TYPO_MIN_LENGTH and t.isalpha()}:
            # the terms are sorted by frequency: the candidates are a prefix of them
            enough = np.searchsorted(-self._frequency, -max(1, TYPO_RARITY * self._postings_with.get(term, 0)), side="right")
            max_edits = 2 if len(term) >= TYPO_TWO_EDITS_LENGTH else 1
            found = process.extract(term, self._terms[:enough], scorer=OSA.distance, score_cutoff=max_edits, limit=None)
            if found:
                best = min(found, key=lambda match: (match[1], -self._frequency[match[2]], match[0]))
                fixed[term] = best[0]
        return fixed

    def correct(self, query: str) -> str:
        """``query`` as a typo-tolerant search reads it: a mistyped word is replaced by its correction,
        or followed by it where some postings contain the word as typed."""
        fixed = self.corrections(tokenize(query))
        if not fixed:
            return query

        def read(word: re.Match) -> str:
            typed = word.group()
            fix = fixed.get(typed.lower())
            if fix is None:
                return typed
            return f"{typed} {fix}" if typed.lower() in self._indexed else fix

        return RAW_TOKEN.sub(read, query)
