"""The words cleaning looks for, as data: ``jobsearch/data/clean_vocabulary.yaml``.

The file is read and checked once; a bad edit is one error line naming the
file and the key.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from jobsearch.config import package_data, read_yaml
from jobsearch.errors import ConfigError

# the categories of the sections that cleaning drops, in the order a heading is tested
DROP_CATEGORIES = ("company", "benefits", "eeo", "apply")


@dataclass(frozen=True)
class CleanVocabulary:
    sentence_starters: frozenset[str]  # "skillsAbility" splits before a starter
    camel_case_names: frozenset[str]  # lower case: "LinkedIn" is never split
    inline_headings: tuple[str, ...]  # phrases that open a section inside a line
    inline_drop_words: tuple[str, ...]  # single words that do so only before a dash or sentence start
    drop_headings: dict[str, tuple[str, ...]]  # category -> patterns of its headings
    keep_headings: tuple[str, ...]  # patterns of words that make a heading a job section
    about_not_company: tuple[str, ...]  # patterns of what "About ..." names when not the company


_PATTERN_LISTS = ("keep_headings", "about_not_company")  # drop_headings holds patterns too


@functools.cache
def load_vocabulary(path: str | Path | None = None) -> CleanVocabulary:
    """The vocabulary at ``path`` (default: the packaged file), read and checked once."""
    resource = package_data("clean_vocabulary.yaml") if path is None else Path(path)
    return _parse(read_yaml(resource), str(resource))


def _parse(raw: object, source: str) -> CleanVocabulary:
    """The vocabulary in ``raw``, the document read from ``source``, once its keys and lists are checked."""
    keys = [field.name for field in dataclasses.fields(CleanVocabulary)]
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping with the keys {', '.join(keys)}")
    unknown = sorted(set(raw) - set(keys), key=str)
    missing = [key for key in keys if key not in raw]
    if unknown or missing:
        problem = f"unknown key {unknown[0]!r}" if unknown else f"missing key {missing[0]!r}"
        raise ConfigError(f"{source}: {problem} (expected: {', '.join(keys)})")

    def strings(key: str) -> tuple[str, ...]:
        return _strings(raw[key], source, key, patterns=key in _PATTERN_LISTS)

    return CleanVocabulary(
        sentence_starters=frozenset(strings("sentence_starters")),
        camel_case_names=frozenset(strings("camel_case_names")),
        inline_headings=strings("inline_headings"),
        inline_drop_words=strings("inline_drop_words"),
        drop_headings=_categories(raw["drop_headings"], source, "drop_headings"),
        keep_headings=strings("keep_headings"),
        about_not_company=strings("about_not_company"),
    )


def _categories(raw: object, source: str, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or sorted(raw, key=str) != sorted(DROP_CATEGORIES):
        raise ConfigError(f"{source}: {key} must map each of {', '.join(DROP_CATEGORIES)} to a list of patterns")
    return {category: _strings(raw[category], source, f"{key}.{category}", patterns=True) for category in DROP_CATEGORIES}


def _strings(raw: object, source: str, key: str, *, patterns: bool) -> tuple[str, ...]:
    """``raw`` as distinct non-empty strings; with ``patterns``, each a valid regex."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}: {key} must be a non-empty list of strings")
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, str) or not entry.strip():
            raise ConfigError(
                f"{source}: {key}: entry {number} ({entry!r}) must be a non-empty string "
                "(quote words YAML reads as something else, such as No or On)"
            )
        if entry in seen:
            raise ConfigError(f"{source}: {key}: {entry!r} is listed twice")
        seen.add(entry)
        if patterns:
            try:
                re.compile(entry)
            except re.error as exc:
                raise ConfigError(f"{source}: {key}: entry {number} ({entry!r}) is not a valid pattern ({exc})") from None
    return tuple(raw)
