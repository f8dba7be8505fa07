"""The offline generator: ``per_posting`` queries per posting without an LLM, each in a named
style (:data:`~jobsearch.query_styles.STYLES`):

* ``skills``: distinctive skills only (TF-IDF against the corpus);
* ``role_skills``: role, sometimes years of experience, and skills;
* ``synonyms``: an abbreviation or synonym the posting does not contain (:mod:`.vocabulary`);
* ``noisy``: a typed query with a guaranteed typo, in lower case;
* ``tags``: the posting's own skill tags;
* ``title``: the job title as a seeker types it (whole or shortened, with typing noise),
  matched against the posting without its title (:data:`~jobsearch.query_styles.TITLE_STYLES`);
* ``seeker``: what job seekers type (8-15 words): seniority or work type, the role (sometimes
  abbreviated), years, and three to five skills and domain phrases from deeper in the posting
  than the top terms, with shorthand ("yrs", "w/") and a typo one time in four;
* ``found_tags``: for a posting without tags, the tags the source gives other postings that
  its text names ("Python, Machine Learning"), so that untagged postings train tag lists too.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from jobsearch.parallel import map_indices
from jobsearch.queries.noise import add_noise, apply_noise, has_typo_target
from jobsearch.queries.params import QueriesParams
from jobsearch.queries.skills import candidate_terms, lowercase_words, rank_found_tags, rank_skills, seniority, short_role, spellings
from jobsearch.skill_tags import skill_tags
from jobsearch.queries.vocabulary import SynonymVocabulary, load_synonyms, tag_vocabulary

QUERY_COLUMNS = ["posting_id", "query", "style"]

_YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?(?:years?|yrs?)\b", re.IGNORECASE)
# how a posting says what kind of engagement it is, as a seeker would type it
_WORK_TYPE = re.compile(r"\b(part[- ]time|contract|freelance|remote|internship|temporary|per diem)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")  # words of lower-cased text, to tell what a posting lacks


def offline_queries(
    postings: pd.DataFrame, params: QueriesParams, vocabulary: SynonymVocabulary | None = None, processes: int | None = None
) -> pd.DataFrame:
    """``params.per_posting`` queries per posting, without an LLM: ``posting_id, query, style``.

    ``postings`` needs ``posting_id``, ``title`` and ``description`` (``company``
    and ``skills`` are used when present). Rows of a posting are adjacent, in
    input order. Each posting's randomness is seeded by ``(params.seed,
    posting_id)``, so adding postings leaves the dice of the others unchanged.
    ``vocabulary`` defaults to the packaged synonyms (:func:`load_synonyms`).
    The work runs on every core (``processes``: :func:`jobsearch.parallel.map_indices`);
    the output does not depend on it.
    """
    vocabulary = vocabulary or load_synonyms()
    descriptions = postings["description"].astype(str).tolist()
    docs = map_indices(lambda i: candidate_terms(descriptions[i]), len(descriptions), processes)
    doc_freq = Counter(term for terms in docs for term in set(terms))
    n_docs = len(docs)
    # On a real corpus a term found in one posting only is usually a name or a
    # typo, not a skill a seeker would type.
    min_df = 2 if n_docs >= 20 else 1
    companies = postings["company"].astype(str).tolist() if "company" in postings else [""] * n_docs
    tag_fields = postings["skills"].tolist() if "skills" in postings else [None] * n_docs
    tags = [skill_tags(field) for field in tag_fields]
    found_tags: list[list[str]] = [[] for _ in range(n_docs)]
    if "found_tags" in params.styles:  # opt-in: only then a tag vocabulary and a pass over the corpus
        found_tags = _found_tags(tags, descriptions, processes)

    ids, titles = postings["posting_id"].astype(str).tolist(), postings["title"].astype(str).tolist()

    def queries_of(i: int) -> list[tuple[str, str, str]]:
        rng = random.Random(f"{params.seed}:{ids[i]}")
        ranked = rank_skills(
            docs[i], doc_freq, n_docs, excluded=lowercase_words(titles[i]) | lowercase_words(companies[i]),
            boosted={t.lower() for t in tags[i]}, min_df=min_df,
        )
        post = _posting_facts(titles[i], descriptions[i], docs[i], ranked, tags[i], found_tags[i], vocabulary, params)
        return [(ids[i], query, style) for style, query in _posting_queries(post, rng, params, vocabulary)]

    rows = [row for rows_of_posting in map_indices(queries_of, n_docs, processes) for row in rows_of_posting]
    return pd.DataFrame(rows, columns=QUERY_COLUMNS)


def _found_tags(tags: list[list[str]], descriptions: list[str], processes: int | None) -> list[list[str]]:
    """For each posting without tags, the tags other postings are given that its text names, best first."""
    vocabulary = tag_vocabulary(tags)
    found = map_indices(lambda i: Counter() if tags[i] else vocabulary.find(descriptions[i]), len(tags), processes)
    tag_freq = Counter(tag for found_in_posting in found for tag in found_in_posting)
    n_untagged = sum(not t for t in tags)
    return [rank_found_tags(found_in_posting, tag_freq, n_untagged, vocabulary.given) for found_in_posting in found]


@dataclass(frozen=True)
class _Posting:
    """What the styles draw on, computed once per posting and shared by its queries."""

    title: str
    role: str
    skills: list[str]  # distinctive skill terms as written, best first
    years: str | None  # years of experience the posting asks for
    tags: list[str]  # the posting's own skill tags
    found_tags: list[str]  # without tags of its own: other postings' tags its text names, best first
    alternatives: dict[int, list[str]]  # vocabulary group -> its forms with a word the posting lacks
    skill_groups: list[int]  # groups of `alternatives` found as a skill, fit to stand alone in a query
    seeker_terms: list[str]  # skills and domain phrases a seeker draws on: deeper than `skills`
    seniority: str | None  # the title's seniority word, lower case
    work_type: str | None  # part time, contract, remote...: the first the posting names


# a re-roll draws skills from this many more candidates than it uses
_SKILL_POOL_EXTRA = 4
# groups found among this many top candidates count as skills
_SKILL_GROUP_RANK = 15
# a seeker's skills and domain phrases come from this many of a posting's terms
_SEEKER_POOL = 12


def _posting_facts(
    title: str,
    description: str,
    terms: list[str],
    ranked: list[str],
    tags: list[str],
    found_tags: list[str],
    vocabulary: SynonymVocabulary,
    params: QueriesParams,
) -> _Posting:
    text = f"{title}\n{description}"
    found = vocabulary.find(text)
    posting_words = set(_WORD.findall(text.lower()))
    alternatives = {}
    for group, forms_found in found.items():
        if not vocabulary.in_sense(group, posting_words):
            continue
        # only forms that put a word into the query the posting lacks: the point of the style
        absent = [
            form for form in vocabulary.groups[group]
            if form.lower() not in forms_found and not set(_WORD.findall(form.lower())) <= posting_words
        ]
        if absent:
            alternatives[group] = absent
    top = set(ranked[:_SKILL_GROUP_RANK])
    skill_groups = [g for g in alternatives if any(f in top or " " in f for f in found[g])]
    years = _YEARS.search(description)
    spelled = spellings(terms)
    return _Posting(
        title=" ".join(title.split()),
        role=short_role(title),
        skills=[spelled.get(skill, skill) for skill in ranked[: params.max_skills + _SKILL_POOL_EXTRA]],
        years=years.group(1) if years else None,
        tags=tags,
        found_tags=found_tags[: params.max_skills + _SKILL_POOL_EXTRA],
        alternatives=alternatives,
        skill_groups=skill_groups,
        seeker_terms=_seeker_terms([spelled.get(term, term) for term in ranked[:_SEEKER_POOL]]),
        seniority=seniority(title),
        work_type=work_type.group(1).lower().replace("-", " ") if (work_type := _WORK_TYPE.search(text)) else None,
    )


# tries at a query text this posting does not have yet
_REROLLS = 4


def _posting_queries(
    post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary
) -> list[tuple[str, str]]:
    """``(style, query)`` pairs, exactly ``params.per_posting`` of them."""
    # role_skills needs only a title: the fallback when no configured style fits
    available = [s for s in params.styles if _STYLE_FITS[s](post)] or ["role_skills"]
    styles = rng.sample(available, min(params.per_posting, len(available)))
    # fewer styles than queries: repeat styles, their dice differ
    styles += [rng.choice(available) for _ in range(params.per_posting - len(styles))]
    queries: list[tuple[str, str]] = []
    for style in styles:
        for reroll in range(_REROLLS):
            query = _STYLE_RENDERERS[style](post, rng, params, vocabulary, reroll)
            if all(query != q for _, q in queries):
                break
        queries.append((style, query))
    return queries


def _pick(ranked: list[str], rng: random.Random, params: QueriesParams, reroll: int) -> list[str]:
    """1 to ``max_skills`` of the first of ``ranked``; a re-roll also reaches lower ones."""
    n_skills = rng.choice([n for n in (1, 2, 3, 3, 2, 3) if n <= params.max_skills] or [1])
    if not reroll:
        return ranked[:n_skills]
    pool = ranked[: n_skills + reroll]
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), min(n_skills, len(pool))))]


_YEARS_PHRASES = ("{} years", "{}+ years experience", "{} yrs exp", "{} years experience")


def _skills_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    return add_noise(", ".join(_pick(post.skills, rng, params, reroll)), rng, params)


def _role_skills_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    parts = [post.role]
    if post.years and rng.random() < params.years_probability:
        parts.append(rng.choice(_YEARS_PHRASES).format(post.years))
    parts += _pick(post.skills, rng, params, reroll)
    return add_noise(", ".join(p for p in parts if p), rng, params)


# a swap can double a word: "NEC code" -> "National Electrical Code code"
_REPEATED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


def _synonyms_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    skills = _pick(post.skills, rng, params, reroll)
    # the text is ours (role lower-cased), so acronyms match in any case here
    role_has_term = any(g in post.alternatives for _, _, g in vocabulary.matches(post.role, exact_acronyms=False))
    parts = [post.role] if role_has_term or not skills or rng.random() < params.role_probability else []
    query, swapped = _swap_terms(", ".join(parts + skills), post, rng, vocabulary)
    if not swapped:  # the picked words hold no vocabulary term: add one from the posting
        group = rng.choice(post.skill_groups or sorted(post.alternatives))
        query = ", ".join(p for p in (query, rng.choice(post.alternatives[group])) if p)
    return add_noise(query, rng, params)


def _swap_terms(
    query: str, post: _Posting, rng: random.Random, vocabulary: SynonymVocabulary, shorter: bool = False
) -> tuple[str, bool]:
    """``query`` with its vocabulary terms written in another form of their group, in the posting's sense.

    One group is swapped for sure, each further one with even odds: swapping every
    term would spell out every acronym. With ``shorter``, only into a shorter form
    (an abbreviation: seekers shorten, they do not spell out). Returns the query and
    whether a term was swapped.
    """
    swapped: dict[int, str] = {}
    pieces, done = [], 0
    for start, end, group in vocabulary.matches(query, exact_acronyms=False):
        forms = [f for f in post.alternatives.get(group, []) if not shorter or len(f) < end - start]
        if not forms or (swapped and group not in swapped and rng.random() < 0.5):
            continue
        pieces += [query[done:start], swapped.setdefault(group, rng.choice(forms))]
        done = end
    return _REPEATED_WORD.sub(r"\1", "".join(pieces) + query[done:]), bool(swapped)


def _seeker_terms(ranked: list[str]) -> list[str]:
    """What a seeker may name of a posting's ranked terms: the first few, and deeper down only
    phrases and names (two words, capitals, digits): a lone lower-case word that far down is
    seldom a skill ("serious", "now")."""
    return [term for i, term in enumerate(ranked) if i < _SEEKER_TOP or " " in term or term != term.lower() or not term.isalpha()]


# the first terms of a posting a seeker names whatever their shape
_SEEKER_TOP = 4
_SEEKER_YEARS = ("{}+ yrs", "{} years", "{} yrs exp", "{}+ years experience", "{} yrs")
# how seekers shorten what they type: (word, its shorthand)
_SHORTHAND = (("senior", "sr"), ("junior", "jr"), ("experience", "exp"), ("years", "yrs"))
_SEEKER_SKILL_COUNTS = (3, 3, 4, 4, 5)
_SEEKER_JOINERS = (", ", " ", " w/ ", ", ")


def _seeker_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    head = [post.seniority] if post.seniority and rng.random() < 0.5 else []
    head += [post.work_type] if post.work_type and rng.random() < 0.4 else []
    head += [post.role] if rng.random() < 0.8 or not post.seeker_terms else []
    head += [rng.choice(_SEEKER_YEARS).format(post.years)] if post.years and int(post.years) <= 20 and rng.random() < 0.6 else []
    # domain phrases (two words) count double: seekers name what the work is about, not tools alone
    pool = post.seeker_terms
    weights = [2.0 if " " in term else 1.0 for term in pool]
    picked: list[str] = []
    for _ in range(min(rng.choice(_SEEKER_SKILL_COUNTS), len(pool))):
        i = rng.choices(range(len(pool)), weights)[0]
        weights[i] = 0.0
        picked.append(pool[i])
        if not any(weights):
            break
    terms = ", ".join(term for term in pool if term in picked)  # in the posting's order of importance
    query = " ".join(head) + (rng.choice(_SEEKER_JOINERS) if head and terms else "") + terms
    if rng.random() < 0.4:  # an abbreviation, in the posting's sense
        query, _ = _swap_terms(query, post, rng, vocabulary, shorter=True)
    for word, short in _SHORTHAND:
        if rng.random() < 0.5:
            query = re.sub(rf"\b{word}\b", short, query, flags=re.IGNORECASE)
    return apply_noise(query, rng, typo=0.25, lowercase=0.8, drop_commas=params.drop_commas_probability)


def _noisy_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    skills = _pick(post.skills, rng, params, reroll)
    shape = rng.choice(("role", "skills", "both"))
    parts = ([post.role] if shape != "skills" or not skills else []) + (skills if shape != "role" else [])
    if not has_typo_target(parts):  # a typo needs a word of 5+ letters: add the first term with one
        parts.append(next(p for p in [post.role, *post.skills] if has_typo_target([p])))
    return apply_noise(", ".join(parts), rng, typo=1.0, lowercase=1.0, drop_commas=params.drop_commas_probability)


def _tags_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    n_tags = rng.randint(1, min(params.max_skills, len(post.tags)))
    return add_noise(", ".join(rng.sample(post.tags, n_tags)), rng, params)


def _found_tags_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    return add_noise(", ".join(_pick(post.found_tags, rng, params, reroll)), rng, params)


def _title_query(post: _Posting, rng: random.Random, params: QueriesParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    # a re-roll takes the other form of the title
    forms = [post.title, post.role] if rng.random() < 0.5 else [post.role, post.title]
    return add_noise(forms[reroll % 2], rng, params)


_STYLE_RENDERERS: dict[str, Callable[[_Posting, random.Random, QueriesParams, SynonymVocabulary, int], str]] = {
    "skills": _skills_query,
    "role_skills": _role_skills_query,
    "synonyms": _synonyms_query,
    "noisy": _noisy_query,
    "tags": _tags_query,
    "title": _title_query,
    "found_tags": _found_tags_query,
    "seeker": _seeker_query,
}
# which postings a style can be written for: a query labelled synonyms really swaps a term
_STYLE_FITS: dict[str, Callable[[_Posting], bool]] = {
    "skills": lambda post: bool(post.skills),
    "role_skills": lambda post: True,
    "synonyms": lambda post: bool(post.alternatives),
    "noisy": lambda post: has_typo_target([post.role, *post.skills]),
    "tags": lambda post: bool(post.tags),
    "title": lambda post: bool(post.title),
    "found_tags": lambda post: bool(post.found_tags),
    "seeker": lambda post: bool(post.seeker_terms),
}
