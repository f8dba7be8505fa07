"""Cheap language identification for job postings.

A stopword-frequency vote over the first ~1000 characters: fast enough for
100k+ postings, no model to download, and robust to text that was lower-cased
and stripped of punctuation (function words survive both). Non-Latin scripts
are recognised by their Unicode blocks before any stopword counting.
"""

from __future__ import annotations

import re

from jobsearch.config import package_yaml

UNDETERMINED = "und"

# How much of a posting to look at: the opening is enough and keeps it fast.
_PREFIX_CHARS = 1000
# Fewer stopword hits than this is not evidence of anything.
_MIN_HITS = 3
# The winner must beat the runner-up by this factor, else "und".
_MIN_MARGIN = 1.3

# Frequent function words per language (package data): the vote is decided by totals
_STOPWORDS: dict[str, str] = package_yaml("stopwords.yaml")["languages"]
_LANGUAGES = tuple(_STOPWORDS)
# word -> languages it is a stopword of, so each word is looked up once
_LANGUAGES_BY_WORD: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOPWORDS.items():
    for _word in set(_words.split()):
        _LANGUAGES_BY_WORD[_word] = _LANGUAGES_BY_WORD.get(_word, ()) + (_lang,)

# Scripts that identify a language (or a family we report by its main member).
_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("ja", re.compile(r"[\u3040-\u30ff]")),  # kana first: Japanese also uses Han
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
]
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# e-mail addresses, URLs and domains ("sisindia.com" would vote for pt's "com")
_ADDRESS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\b[\w.-]+\.(?:com|org|net|io|in|co|ai)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language, or ``"und"`` when unsure."""
    if not isinstance(text, str):
        return UNDETERMINED
    prefix = text[:_PREFIX_CHARS]
    letters = _LETTER.findall(prefix)
    if not letters:
        return UNDETERMINED
    for code, pattern in _SCRIPTS:
        # a script counts when it makes up a good share of the letters
        if len(pattern.findall(prefix)) >= 0.3 * len(letters):
            return code
    words = _WORD.findall(_ADDRESS.sub(" ", prefix).lower())
    scores = dict.fromkeys(_LANGUAGES, 0)
    for word in words:
        for lang in _LANGUAGES_BY_WORD.get(word, ()):
            scores[lang] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits < _MIN_HITS or best_hits < _MIN_MARGIN * second_hits:
        return UNDETERMINED
    return best
