"""Query generation: short, human-like job-search queries for each posting.

Backends:

* ``offline`` (default): no LLM. ``per_posting`` queries per posting, each in a
  named style (:data:`STYLES`): distinctive skills only (TF-IDF against the
  corpus), role + years + skills, abbreviations/synonyms the posting does not
  contain (vocabulary in ``jobsearch/data/synonyms.yaml``), a noisy typed query
  with a guaranteed typo, or the posting's own skill tags. Seeded per posting.
* ``openai`` / ``openai-batch``: one query per posting from an LLM through the
  ``openai`` client (see :mod:`jobsearch.llm`), style ``llm``.

:func:`generate_queries` dispatches between them and returns the metrics.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import yaml
from bm25s.stopwords import STOPWORDS_EN

from jobsearch.errors import ConfigError

DEFAULT_PROMPT = (
    "Write a concise, human-like job search query that a job seeker might type to find the "
    "job posting below. Mention at most 3 specialised skills that are distinct to this role; "
    "leave out generic skills (communication, teamwork, Microsoft Office) unless the posting "
    "highlights them. Answer with the query only.\n\n"
    "Job title: {title}\n\nJob description:\n{description}"
)

DEFAULT_PRICES = {
    # USD per 1M tokens (input, output); the Batch API halves these.
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4o": {"input": 2.50, "output": 10.00},
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40},
}


@dataclass
class QueryParams:
    backend: str = "offline"  # offline | openai | openai-batch
    seed: int = 42
    # offline generator
    max_skills: int = 3
    per_posting: int = 3  # queries per posting, in distinct styles where the posting allows
    styles: list[str] = field(default_factory=lambda: list(STYLES))
    role_probability: float = 0.5
    years_probability: float = 0.4
    typo_probability: float = 0.3
    lowercase_probability: float = 0.5
    drop_commas_probability: float = 0.3
    # LLM backends
    model: str = "gpt-4o-mini"
    temperature: float = 0.7
    max_output_tokens: int = 60
    max_query_chars: int = 200
    prompt: str = DEFAULT_PROMPT
    base_url: str | None = None
    concurrency: int = 8
    max_retries: int = 3
    poll_interval: float = 30.0
    max_poll_interval: float = 300.0
    retry_delay: float = 1.0
    request_timeout: float = 300.0
    batch_max_requests: int = 50000
    cache_dir: str = "data/query_cache"
    prices: dict[str, dict[str, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.max_skills < 1:
            raise ValueError("max_skills must be at least 1")
        if self.per_posting < 1:
            raise ValueError(f"per_posting must be at least 1, got {self.per_posting}")
        if not self.styles:
            raise ValueError(f"styles must name at least one of {', '.join(STYLES)}")
        for style in self.styles:
            if style not in STYLES:
                raise ValueError(f"unknown query style {style!r} (known: {', '.join(STYLES)})")
        if len(set(self.styles)) < len(self.styles):
            raise ValueError(f"styles lists a style twice: {self.styles}")
        if self.concurrency < 1 or self.max_retries < 0 or self.max_query_chars < 1:
            raise ValueError("concurrency and max_query_chars must be at least 1, max_retries at least 0")
        if self.poll_interval <= 0 or self.max_poll_interval < self.poll_interval:
            raise ValueError("poll_interval must be positive and at most max_poll_interval")


BACKENDS = ("offline", "openai", "openai-batch")
# Offline query styles (see the module docstring); LLM queries are labelled LLM_STYLE.
STYLES = ("skills", "role_skills", "synonyms", "noisy", "tags")
LLM_STYLE = "llm"
QUERY_COLUMNS = ["posting_id", "query", "style"]


def generate_queries(postings: pd.DataFrame, params: QueryParams) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Queries (``posting_id, query, style``) and metrics, with the backend ``params`` names."""
    if params.backend == "offline":
        queries = offline_queries(postings, params)
        per_style = queries["style"].value_counts()
        metrics = {
            "backend": "offline",
            "queries": len(queries),
            "per_style": {style: int(per_style[style]) for style in STYLES if style in per_style},
            "requests_sent": 0,
            "estimated_cost_usd": 0.0,
        }
        return queries, metrics
    from jobsearch.llm import generate_llm_queries  # imports openai; only LLM runs need it

    queries, metrics = generate_llm_queries(postings, params)
    queries = queries.assign(style=LLM_STYLE)[QUERY_COLUMNS]
    return queries, {**metrics, "queries": len(queries), "per_style": {LLM_STYLE: len(queries)}}


# --- offline generator -------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#]*(?:[.\-/][A-Za-z0-9+#]+)*")

# Words that say nothing about which job this is: a query built from them
# matches every posting.
_GENERIC_JOB_WORDS = frozenset(
    """
    a about above across after all also an and any are as at be been being best both but by can
    candidate candidates company could day days do does each either etc every for from full get
    good great has have help high highly how if in including into is it its join just key like
    looking make many may more most must new no not of on one or other our out over own part per
    plus preferred related role roles should so some such than that the their them then there
    these they this those through to under up us use using very via was we well were what when
    where which while who will with within work working would year years yrs you your
    ability able advanced applicants apply area areas based basic benefits bonus business
    career client clients collaborate collaborative communication competitive complex
    conduct continuous create critical cross customer customers deliver demonstrated
    description design develop developing development degree duties effective effectively
    employee employees employer employment ensure environment equal excellent experience
    experienced expertise familiarity familiar field functional hands health including
    independently individual industry insurance internal job knowledge lead leading level
    manage management meet minimum multiple need needs new office opportunity opportunities
    organization paid pay perform personal plan position problem problems process processes
    professional proficiency proficient program programs project projects provide quality
    range ready relevant reporting required requirements responsibilities responsible results
    salary senior skill skills solutions solving stakeholders strong success successful
    support systems team teams technical technology time tools understanding using verbal
    written qualifications qualified preferred bachelor bachelors master masters related
    equivalent etc including people best world global mission values culture offer offers
    yes question questions regarding intended construed needed existing longer term terms usa
    include includes require requires required must may might shall per via within across
    candidate's individual individuals position's day-to-day ensure ensuring drive driven
    """.split()
)
# Words that say nothing about which job this is, English stopwords included.
STOPWORDS = _GENERIC_JOB_WORDS | frozenset(STOPWORDS_EN)

_SENIORITY = re.compile(
    r"\b(senior|sr\.?|junior|jr\.?|lead|principal|staff|head of|chief|associate|intern|entry[- ]level|"
    r"mid[- ]level|i{1,3}|iv|[1-4])\b",
    re.IGNORECASE,
)
_YEARS = re.compile(r"\b(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?(?:years?|yrs?)\b", re.IGNORECASE)


def offline_queries(
    postings: pd.DataFrame, params: QueryParams, vocabulary: SynonymVocabulary | None = None
) -> pd.DataFrame:
    """``params.per_posting`` queries per posting, without an LLM: ``posting_id, query, style``.

    ``postings`` needs ``posting_id``, ``title`` and ``description`` (``company``
    and ``skills`` are used when present). Rows of a posting are adjacent, in
    input order. Each posting's randomness is seeded by ``(params.seed,
    posting_id)``, so adding postings leaves the dice of the others unchanged.
    ``vocabulary`` defaults to the packaged synonyms (:func:`load_synonyms`).
    """
    vocabulary = vocabulary or load_synonyms()
    descriptions = postings["description"].astype(str).tolist()
    docs = [_candidate_terms(text) for text in descriptions]
    doc_freq = Counter(term for terms in docs for term in set(terms))
    n_docs = len(docs)
    # On a real corpus a term found in one posting only is usually a name or a
    # typo, not a skill a seeker would type.
    min_df = 2 if n_docs >= 20 else 1
    companies = postings["company"].astype(str).tolist() if "company" in postings else [""] * n_docs
    tag_fields = postings["skills"].tolist() if "skills" in postings else [None] * n_docs

    rows = []
    for pid, title, description, terms, company, tag_field in zip(
        postings["posting_id"].astype(str), postings["title"].astype(str), descriptions, docs, companies, tag_fields
    ):
        rng = random.Random(f"{params.seed}:{pid}")
        tags = skill_tags(tag_field)
        ranked = rank_skills(
            terms, doc_freq, n_docs, excluded=_words(title) | _words(company),
            boosted={t.lower() for t in tags}, min_df=min_df,
        )
        post = _posting_facts(title, description, terms, ranked, tags, vocabulary, params)
        rows.extend((pid, query, style) for style, query in _posting_queries(post, rng, params, vocabulary))
    return pd.DataFrame(rows, columns=QUERY_COLUMNS)


@dataclass(frozen=True)
class _Posting:
    """What the styles draw on, computed once per posting and shared by its queries."""

    role: str
    skills: list[str]  # distinctive skill terms as written, best first
    years: str | None  # years of experience the posting asks for
    tags: list[str]  # the posting's own skill tags
    alternatives: dict[int, list[str]]  # vocabulary group -> its forms with a word the posting lacks
    skill_groups: list[int]  # groups of `alternatives` found as a skill, fit to stand alone in a query


# a re-roll draws skills from this many more candidates than it uses
_SKILL_POOL_EXTRA = 4
# groups found among this many top candidates count as skills
_SKILL_GROUP_RANK = 15


def _posting_facts(
    title: str,
    description: str,
    terms: list[str],
    ranked: list[str],
    tags: list[str],
    vocabulary: SynonymVocabulary,
    params: QueryParams,
) -> _Posting:
    text = f"{title}\n{description}"
    found = vocabulary.find(text)
    posting_words = set(_WORD.findall(text.lower()))
    alternatives = {}
    for group, forms_found in found.items():
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
    spellings = _spellings(terms)
    return _Posting(
        role=short_role(title),
        skills=[spellings.get(skill, skill) for skill in ranked[: params.max_skills + _SKILL_POOL_EXTRA]],
        years=years.group(1) if years else None,
        tags=tags,
        alternatives=alternatives,
        skill_groups=skill_groups,
    )


# tries at a query text this posting does not have yet
_REROLLS = 4


def _posting_queries(
    post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary
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


def _pick_skills(post: _Posting, rng: random.Random, params: QueryParams, reroll: int) -> list[str]:
    """1 to ``max_skills`` of the most distinctive skills; a re-roll also reaches lower ones."""
    n_skills = rng.choice([n for n in (1, 2, 3, 3, 2, 3) if n <= params.max_skills] or [1])
    if not reroll:
        return post.skills[:n_skills]
    pool = post.skills[: n_skills + reroll]
    return [pool[i] for i in sorted(rng.sample(range(len(pool)), min(n_skills, len(pool))))]


_YEARS_PHRASES = ("{} years", "{}+ years experience", "{} yrs exp", "{} years experience")


def _skills_query(post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    return add_noise(", ".join(_pick_skills(post, rng, params, reroll)), rng, params)


def _role_skills_query(post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    parts = [post.role]
    if post.years and rng.random() < params.years_probability:
        parts.append(rng.choice(_YEARS_PHRASES).format(post.years))
    parts += _pick_skills(post, rng, params, reroll)
    return add_noise(", ".join(p for p in parts if p), rng, params)


# a swap can double a word: "NEC code" -> "National Electrical Code code"
_REPEATED_WORD = re.compile(r"\b(\w+)\s+\1\b", re.IGNORECASE)


def _synonyms_query(post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    skills = _pick_skills(post, rng, params, reroll)
    # the text is ours (role lower-cased), so acronyms match in any case here
    role_has_term = any(g in post.alternatives for _, _, g in vocabulary.matches(post.role, exact_acronyms=False))
    parts = [post.role] if role_has_term or not skills or rng.random() < params.role_probability else []
    query = ", ".join(parts + skills)
    swapped: dict[int, str] = {}
    pieces, done = [], 0
    for start, end, group in vocabulary.matches(query, exact_acronyms=False):
        # one swap is the style; swapping every term would spell out every acronym
        if group not in post.alternatives or (swapped and group not in swapped and rng.random() < 0.5):
            continue
        pieces += [query[done:start], swapped.setdefault(group, rng.choice(post.alternatives[group]))]
        done = end
    query = _REPEATED_WORD.sub(r"\1", "".join(pieces) + query[done:])
    if not swapped:  # the picked words hold no vocabulary term: add one from the posting
        group = rng.choice(post.skill_groups or sorted(post.alternatives))
        query = ", ".join(p for p in (query, rng.choice(post.alternatives[group])) if p)
    return add_noise(query, rng, params)


def _noisy_query(post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    skills = _pick_skills(post, rng, params, reroll)
    shape = rng.choice(("role", "skills", "both"))
    parts = ([post.role] if shape != "skills" or not skills else []) + (skills if shape != "role" else [])
    if not _has_typo_target(parts):  # a typo needs a word of 5+ letters: add the first term with one
        parts.append(next(p for p in [post.role, *post.skills] if _has_typo_target([p])))
    return _noise(", ".join(parts), rng, typo=1.0, lowercase=1.0, drop_commas=params.drop_commas_probability)


def _tags_query(post: _Posting, rng: random.Random, params: QueryParams, vocabulary: SynonymVocabulary, reroll: int) -> str:
    n_tags = rng.randint(1, min(params.max_skills, len(post.tags)))
    return add_noise(", ".join(rng.sample(post.tags, n_tags)), rng, params)


_STYLE_RENDERERS: dict[str, Callable[[_Posting, random.Random, QueryParams, SynonymVocabulary, int], str]] = {
    "skills": _skills_query,
    "role_skills": _role_skills_query,
    "synonyms": _synonyms_query,
    "noisy": _noisy_query,
    "tags": _tags_query,
}
# which postings a style can be written for: a query labelled synonyms really swaps a term
_STYLE_FITS: dict[str, Callable[[_Posting], bool]] = {
    "skills": lambda post: bool(post.skills),
    "role_skills": lambda post: True,
    "synonyms": lambda post: bool(post.alternatives),
    "noisy": lambda post: _has_typo_target([post.role, *post.skills]),
    "tags": lambda post: bool(post.tags),
}


# --- skill tags ------------------------------------------------------------------

_TAG_SEPARATOR = re.compile(r"[,;|\n]")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
# words of sentences, not of skill names: "We need Python", "Experience with SQL"
# (not "a" or "i": "CDL Class A", "Level I")
_PROSE_WORDS = frozenset("we you our your is are was will be have has must should can this that the an with to for from by".split())
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


# --- synonym vocabulary ------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")  # words of lower-cased text, to tell what a posting lacks


@dataclass(frozen=True)
class SynonymVocabulary:
    """Groups of equivalent surface forms, and one regex that finds any of them."""

    groups: tuple[tuple[str, ...], ...]
    group_of: dict[str, int]  # lower-cased form -> index of its group
    acronyms: frozenset[str]  # lower-cased forms written without lower case (ML, RN, AWS)
    pattern: re.Pattern[str]  # any form, longest first, whole words, in lower-cased text

    def matches(self, text: str, *, exact_acronyms: bool = True) -> list[tuple[int, int, int]]:
        """``(start, end, group)`` of each form in ``text`` (case-insensitive).

        With ``exact_acronyms``, acronyms only count in capitals: in lower case
        they are often other words ("5 ml", "pm"). Generated text (lower-cased
        roles) is searched without.
        """
        found = []
        for match in self.pattern.finditer(_lower_same_length(text)):
            key = _form_key(match.group())
            if exact_acronyms and key in self.acronyms and not text[match.start():match.end()].isupper():
                continue
            found.append((match.start(), match.end(), self.group_of[key]))
        return found

    def find(self, text: str) -> dict[int, set[str]]:
        """The groups with a form in ``text``, and the (lower-cased) forms found."""
        found: dict[int, set[str]] = {}
        for start, end, group in self.matches(text):
            found.setdefault(group, set()).add(_form_key(text[start:end]))
        return found


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
    for index, group in enumerate(raw):
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
        acronyms=frozenset(_form_key(f) for f in forms if f == f.upper() and any(c.isalpha() for c in f)),
        pattern=_forms_regex([_form_key(f) for f in forms]),
    )


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
    resource = importlib.resources.files("jobsearch") / "data" / "synonyms.yaml" if path is None else Path(path)
    source = str(resource)
    try:
        raw = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return parse_synonyms(raw, source)


# --- skill candidates ------------------------------------------------------------

_SENTENCE_START = re.compile(r"(?:^|[.!?:;•*\n])[\s\-–•*·\d.)]*$")
_WEB = re.compile(r"^(?:www|https?)\b|\.(?:com|org|io|gov|edu|net)$|@", re.IGNORECASE)
# inner capitals, digits, symbols, short acronyms (SQL, HIPAA; not headings such as SKILLS)
_SKILL_SHAPE = re.compile(r"[a-z][A-Z]|[0-9+#]|^[A-Z]{2,5}s?$")


def _candidate_terms(text: str) -> list[str]:
    """Unigrams and bigrams that could be skills (no generic words), as written.

    Bigrams never cross punctuation: "Python, PyTorch" is two skills, not one.
    A capital that only starts a sentence or bullet is lowered, so that what
    stays capitalised is a name of something (a tool, a standard, a method).
    """
    terms = []
    prev = None
    prev_end = -1
    for match in _TOKEN.finditer(text):
        token = match.group()
        low = token.lower()
        if low in STOPWORDS or len(low) < 2 or low.isdigit() or _WEB.search(token):
            prev = None
            continue
        if token[0].isupper() and token[1:].islower() and _SENTENCE_START.search(text[max(0, match.start() - 12):match.start()]):
            token = low
        terms.append(token)
        if prev is not None and text[prev_end:match.start()].isspace():
            terms.append(f"{prev} {token}")
        prev, prev_end = token, match.end()
    return terms


def skill_shape_weight(surfaces: list[str]) -> float:
    """How much a term looks like a skill from how it is written.

    "PyTorch", "SQL", "C++", "ICD-10" (inner capitals, acronyms, digits,
    symbols) look most like skills; a capitalised name ("Tableau") next; a
    two-word term ("credit risk") next; a lone lower-case word least.
    """
    words = [w for surface in surfaces for w in surface.split()]
    if any(_SKILL_SHAPE.search(w) for w in words):
        return 2.0
    if any(w[0].isupper() for w in words):
        return 1.5
    if any(" " in surface for surface in surfaces):
        return 1.3
    return 1.0


def rank_skills(
    terms: list[str],
    doc_freq: Counter,
    n_docs: int,
    *,
    excluded: set[str] = frozenset(),
    boosted: set[str] = frozenset(),
    min_df: int = 1,
) -> list[str]:
    """Lower-cased terms of one posting, most distinctive first (TF-IDF), no overlaps."""
    tf: Counter = Counter()
    df_lower: dict[str, int] = {}
    surfaces: dict[str, list[str]] = {}  # distinct spellings of each lower-cased term
    for term in terms:
        low = term.lower()
        tf[low] += 1
        if term not in surfaces.setdefault(low, []):
            surfaces[low].append(term)
            df_lower[low] = max(df_lower.get(low, 0), doc_freq[term])
    scored = []
    for term, count in tf.items():
        df = df_lower[term]
        words = term.split()
        if df < min_df or all(w in excluded for w in words):
            continue
        if n_docs >= 20 and df / n_docs > 0.3:  # too common to be distinctive
            continue
        idf = math.log((1 + n_docs) / (1 + df))
        score = (1 + math.log(count)) * idf * skill_shape_weight(surfaces[term]) * (2.0 if term in boosted else 1.0)
        scored.append((score, len(words), term))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    chosen: list[str] = []
    used_words: set[str] = set()
    for _, _, term in scored:
        words = set(term.split())
        if words & used_words:
            continue
        chosen.append(term)
        used_words |= words
    return chosen


def _spellings(terms: list[str]) -> dict[str, str]:
    """Lower-cased term -> its most frequent original spelling (keeps 'PyTorch', 'ICD-10')."""
    best: dict[str, tuple[int, str]] = {}
    for term, count in Counter(terms).items():  # first seen wins a tie
        low = term.lower()
        if count > best.get(low, (0, ""))[0]:
            best[low] = (count, term)
    return {low: term for low, (_, term) in best.items()}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _TOKEN.findall(str(text))}


def short_role(title: str) -> str:
    """A title as a seeker types it: no seniority, no team or location suffix."""
    role = re.split(r"\s[-|–—,(/]\s?|\s\(|:", str(title))[0]
    role = _SENIORITY.sub(" ", role)
    words = role.split()[:4]  # nobody types a whole long title
    return " ".join(words).lower() or str(title).lower()


_KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def add_noise(query: str, rng: random.Random, params: QueryParams) -> str:
    """Human noise: a typo, lower case, dropped commas, each with its probability."""
    return _noise(
        query, rng, typo=params.typo_probability, lowercase=params.lowercase_probability,
        drop_commas=params.drop_commas_probability,
    )


def _noise(query: str, rng: random.Random, *, typo: float, lowercase: float, drop_commas: float) -> str:
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


def _has_typo_target(phrases: list[str]) -> bool:
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
