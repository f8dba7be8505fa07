"""A source's skill tags ("Python, AWS Lambda; SQL"), told apart from prose.

Used by the queries stage (the ``tags`` style) and by evaluate (the ``skills``
query set), so both read a posting's tags the same way.
"""

from __future__ import annotations

import re

from jobsearch.config import word_list

_TAG_SEPARATOR = re.compile(r"[,;|\n]")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
# words of sentences, not of skill names: "We need Python", "Experience with SQL" (package data)
_PROSE_WORDS = word_list("stopwords.yaml", "prose")
_MAX_TAG_WORDS = 5


def skill_tags(text: object) -> list[str]:
    """The skills of a tag list ("Python, AWS Lambda; SQL"), or [] for prose, empty or missing text.

    A list has at least two items of 1-5 words each, split on , ; | or new
    lines, and no sentence in it.
    """
    if not isinstance(text, str) or _SENTENCE_END.search(text.strip().removesuffix(".")):
        return []
    items = [item.strip(" \t\r-•*·") for item in _TAG_SEPARATOR.split(text)]
    items = [item for item in items if item]
    if len(items) < 2:
        return []
    for item in items:
        words = item.lower().split()
        if len(words) > _MAX_TAG_WORDS or words[0] in ("and", "or") or _PROSE_WORDS.intersection(words):
            return []
    return list(dict.fromkeys(items))
