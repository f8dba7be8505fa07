"""Human noise in typed queries: a slip of the keyboard, lower case, dropped commas."""

from __future__ import annotations

import random

from jobsearch.queries.params import QueriesParams

_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def add_noise(query: str, rng: random.Random, params: QueriesParams) -> str:
    """Human noise: a typo, lower case, dropped commas, each with its probability."""
    return apply_noise(
        query, rng, typo=params.typo_probability, lowercase=params.lowercase_probability,
        drop_commas=params.drop_commas_probability,
    )


def apply_noise(query: str, rng: random.Random, *, typo: float, lowercase: float, drop_commas: float) -> str:
    """A typo, lower case and dropped commas, each with the probability given (a style may force one)."""
    if rng.random() < typo:
        words = query.split(" ")
        positions = _typo_positions(words)
        if positions:
            i = rng.choice(positions)
            word = words[i].rstrip(",")
            words[i] = _typo(word, rng) + words[i][len(word):]
            query = " ".join(words)
    if rng.random() < lowercase:
        query = query.lower()
    if rng.random() < drop_commas:
        query = query.replace(",", "")
    return query


def has_typo_target(phrases: list[str]) -> bool:
    """Whether a typo fits in one of ``phrases``."""
    return any(_typo_positions(phrase.split(" ")) for phrase in phrases)


def _typo_positions(words: list[str]) -> list[int]:
    """Indexes of the words long enough for a typo nobody would miss (5+ letters)."""
    return [i for i, w in enumerate(words) for core in [w.rstrip(",")] if len(core) >= 5 and core.isalpha()]


def _typo(word: str, rng: random.Random) -> str:
    """The word with one slip of the keyboard; never the word itself."""
    for _ in range(3):
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(["drop", "swap", "double", "replace"])
        if kind == "drop":
            typo = word[:i] + word[i + 1:]
        elif kind == "swap":
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "double":
            typo = word[:i] + word[i] + word[i:]
        else:
            typo = word[:i] + rng.choice(_KEYBOARD) + word[i + 1:]
        if typo != word:  # swapping "ff" or replacing a letter by itself changes nothing
            return typo
    return word[:i] + word[i] + word[i:]
