"""A posting read whole: the model reads a text's first ``max_seq_length`` tokens, so a long
posting's later passages (its duties, requirements, skills) are read as windows of their own.

A posting's first passage is its text (read as far as the model reads); its later passages are
windows of ``words`` words starting every ``stride`` words from the ``stride``-th, each headed by
the posting's title, which its later text no longer carries. A posting scores as its best
passage (MaxP): :class:`jobsearch.retrieval.dense.DenseIndex` keeps the passages' owners.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def later_passages(texts: Sequence[str], words: int, stride: int, heads: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
    """Each text's windows past its start, text by text, and the index of the text each belongs to.

    ``words`` 0: none. ``heads``: per text, what heads each of its windows (its title).
    """
    passages: list[str] = []
    owner: list[int] = []
    if words:
        for i, text in enumerate(texts):
            tokens = text.split()
            head = heads[i].strip() if heads is not None else ""
            # the last window ends at the text's end, or past it when the text ends mid-stride
            for start in range(stride, len(tokens) - words + stride, stride):
                window = " ".join(tokens[start : start + words])
                passages.append(f"{head}\n\n{window}" if head else window)
                owner.append(i)
    return passages, np.asarray(owner, dtype=np.int64)


def matched_passages(queries: Sequence[str], texts: Sequence[str], heads: Sequence[str], words: int, stride: int) -> list[str]:
    """Per (query, text): the passage holding most of the query's search terms.

    The text itself (the model reads its start) unless a later window holds
    more of them than its first ``words`` words do; a query matching no word
    keeps the text, as does every text when ``words`` is 0.
    """
    from jobsearch.retrieval.text import tokenize

    # a posting has several queries: its passages are cut and tokenised once
    readings: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    chosen = []
    for query, text, head in zip(queries, texts, heads):
        if (text, head) not in readings:
            later, _ = later_passages([text], words, stride, [head])
            start = (text, set(tokenize(" ".join(text.split()[:words]))))
            readings[text, head] = [start, *((passage, set(tokenize(passage))) for passage in later)]
        terms = set(tokenize(query))
        # max keeps the first of equals: a tie keeps the text
        chosen.append(max(readings[text, head], key=lambda reading: len(terms & reading[1]))[0])
    return chosen
