"""Vocabularies of skill terms, and a fast way to find them in text: the synonym vocabulary
(groups of equivalent surface forms, "Kubernetes", "k8s", packaged in
``jobsearch/data/synonyms.yaml``) and the tag vocabulary (the skill tags a corpus's source
gives some of its postings)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from jobsearch.config import package_data, read_yaml
from jobsearch.errors import ConfigError


@dataclass(frozen=True)
class SynonymVocabulary:
    """Groups of equivalent surface forms, and one regex that finds any of them."""

    groups: tuple[tuple[str, ...], ...]
    group_of: dict[str, int]  # lower-cased form -> index of its group
    # per group, words of which a posting must name one for the group's sense ("airflow" in an
    # HVAC posting is air, not Apache Airflow); None: the forms are unambiguous
    senses: tuple[frozenset[str] | None, ...]
    acronyms: frozenset[str]  # lower-cased forms written without lower case (ML, RN, AWS)
    pattern: re.Pattern[str]  # any form, longest first, whole words, in lower-cased text

    def matches(self, text: str, *, exact_acronyms: bool = True) -> list[tuple[int, int, int]]:
        """``(start, end, group)`` of each form in ``text`` (case-insensitive).

        With ``exact_acronyms``, acronyms only count in capitals: in lower case
        they are often other words ("5 ml", "pm"). Generated text (lower-cased
        roles) is searched without.
        """
        return [
            (start, end, self.group_of[key])
            for start, end, key in _forms_in(self.pattern, text)
            if not (exact_acronyms and key in self.acronyms and not text[start:end].isupper())
        ]

    def find(self, text: str) -> dict[int, set[str]]:
        """The groups with a form in ``text``, and the (lower-cased) forms found."""
        found: dict[int, set[str]] = {}
        for start, end, group in self.matches(text):
            found.setdefault(group, set()).add(_form_key(text[start:end]))
        return found

    def in_sense(self, group: int, words: set[str]) -> bool:
        """Whether a text of lower-cased ``words`` uses ``group``'s forms in the group's sense."""
        sense = self.senses[group]
        return sense is None or not sense.isdisjoint(words)


# a tag this short ("R", "C", "Go") is a word of its own in lower case: it counts in capitals only
_SHORT_TAG = 2


@dataclass(frozen=True)
class TagVocabulary:
    """The skill tags a source gives some postings of a corpus, to find in the text of the others."""

    given: dict[str, int]  # each tag, as the source spells it most often -> postings it is given to
    spelling: dict[str, str]  # lower-cased tag -> its key in ``given``
    pattern: re.Pattern[str] | None  # None: the corpus has no tags

    def find(self, text: str) -> Counter[str]:
        """How often ``text`` names each tag, by the tag's spelling in the vocabulary."""
        if self.pattern is None:
            return Counter()
        return Counter(
            self.spelling[key]
            for start, end, key in _forms_in(self.pattern, text)
            if len(key) > _SHORT_TAG or text[start:end].isupper()
        )


def tag_vocabulary(tag_lists: Iterable[list[str]]) -> TagVocabulary:
    """The vocabulary of every tag in ``tag_lists`` (one list per posting, :func:`~jobsearch.skill_tags.skill_tags`)."""
    spelled = Counter(" ".join(tag.split()) for tags in tag_lists for tag in dict.fromkeys(tags))
    given: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for tag, count in sorted(spelled.items(), key=lambda item: (-item[1], item[0])):  # the commonest spelling names a tag
        key = spelling.setdefault(_form_key(tag), tag)
        given[key] += count
    return TagVocabulary(dict(given), spelling, _forms_regex(sorted(spelling)) if spelling else None)


def _forms_in(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, form key)`` of each match of a :func:`_forms_regex` pattern in ``text``, any case."""
    for match in pattern.finditer(_lower_same_length(text)):
        yield match.start(), match.end(), _form_key(match.group())


def _form_key(form: str) -> str:
    return " ".join(form.lower().split())


def _lower_same_length(text: str) -> str:
    """Lower case with every offset kept (a few characters, e.g. "İ", grow when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def parse_synonyms(raw: object, source: str) -> SynonymVocabulary:
    """Validate a list of groups of equivalent forms and compile it; ``source`` names it in errors."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}: expected a non-empty list of groups of equivalent forms")
    group_of: dict[str, int] = {}
    groups = []
    senses = []
    for index, entry in enumerate(raw):
        group, sense = _group_and_sense(entry, index, source)
        senses.append(sense)
        keys = [_form_key(f) for f in group if isinstance(f, str)] if isinstance(group, list) else []
        if len(keys) != len(group) or "" in keys or len(set(keys)) < 2 or len(set(keys)) < len(keys):
            raise ConfigError(f"{source}: group {index + 1} {group!r} must be a list of at least 2 distinct non-empty strings")
        for form, key in zip(group, keys):
            if key in group_of:
                other = raw[group_of[key]]
                raise ConfigError(f"{source}: form {form!r} of group {index + 1} {group!r} is already in group {group_of[key] + 1} {other!r}")
            group_of[key] = index
        groups.append(tuple(" ".join(f.split()) for f in group))
    forms = [f for group in groups for f in group]
    return SynonymVocabulary(
        groups=tuple(groups),
        group_of=group_of,
        senses=tuple(senses),
        acronyms=frozenset(_form_key(f) for f in forms if f == f.upper() and any(c.isalpha() for c in f)),
        pattern=_forms_regex([_form_key(f) for f in forms]),
    )


def _group_and_sense(entry: object, index: int, source: str) -> tuple[object, frozenset[str] | None]:
    """A group written as a list of forms, or as ``{forms: [...], sense: [words]}``."""
    if not isinstance(entry, dict):
        return entry, None
    sense = entry.get("sense")
    if set(entry) != {"forms", "sense"} or not isinstance(sense, list) or not sense or not all(isinstance(w, str) and w.strip() for w in sense):
        raise ConfigError(f"{source}: group {index + 1} {entry!r} must be a list of forms, or forms: [...] with sense: [words]")
    return entry["forms"], frozenset(w.strip().lower() for w in sense)


def _forms_regex(forms: list[str]) -> re.Pattern[str]:
    """One regex for lower-cased forms: whole words, any spacing, the longest form first.

    The forms are merged into a trie ("machine learning" and "machine vision"
    share "machine "), so each position of a posting tries a handful of
    branches instead of every form: fast enough for 50k postings. A number just
    before ("5 pm") is not a term either.
    """
    trie: dict[str, dict] = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}  # a form ends here

    def render(node: dict[str, dict]) -> str:
        branches = [(r"\s+" if char == " " else re.escape(char)) + render(child) for char, child in sorted(node.items()) if char]
        if "" in node:  # optional: the longer forms first, this one when they fail
            return f"(?:{'|'.join(branches)})?" if branches else ""
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return re.compile(rf"(?<!\w)(?<!\d )(?:{render(trie)})(?!\w)")


def load_synonyms(path: str | Path | None = None) -> SynonymVocabulary:
    """The synonym vocabulary at ``path`` (default: the packaged ``jobsearch/data/synonyms.yaml``), cached."""
    return _load_synonyms(str(path) if path is not None else None)


@functools.lru_cache(maxsize=4)
def _load_synonyms(path: str | None) -> SynonymVocabulary:
    resource = package_data("synonyms.yaml") if path is None else Path(path)
    return parse_synonyms(read_yaml(resource), str(resource))
