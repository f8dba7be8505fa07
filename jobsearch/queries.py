"""Query generation: one short, human-like job-search query per posting.

Backends:

* ``offline`` (default): no LLM. Picks at most ``max_skills`` specialised skills
  that are distinctive for the posting (TF-IDF against the corpus), optionally a
  role and years of experience, then adds seeded human noise.
* ``openai`` / ``openai-batch``: an LLM through the ``openai`` client
  (see :mod:`jobsearch.llm`).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from bm25s.stopwords import STOPWORDS_EN

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
        if self.concurrency < 1 or self.max_retries < 0 or self.max_query_chars < 1:
            raise ValueError("concurrency and max_query_chars must be at least 1, max_retries at least 0")
        if self.poll_interval <= 0 or self.max_poll_interval < self.poll_interval:
            raise ValueError("poll_interval must be positive and at most max_poll_interval")


BACKENDS = ("offline", "openai", "openai-batch")


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


def offline_queries(postings: pd.DataFrame, params: QueryParams) -> pd.DataFrame:
    """One query per posting, without an LLM.

    ``postings`` needs ``posting_id``, ``title`` and ``description`` (``company``
    and ``skills`` are used when present). Each posting's randomness is seeded
    by ``(params.seed, posting_id)``, so adding postings leaves the dice of the
    others unchanged.
    """
    docs = [_candidate_terms(text) for text in postings["description"].astype(str)]
    doc_freq = Counter(term for terms in docs for term in set(terms))
    n_docs = len(docs)
    # On a real corpus a term found in one posting only is usually a name or a
    # typo, not a skill a seeker would type.
    min_df = 2 if n_docs >= 20 else 1
    companies = postings["company"].astype(str) if "company" in postings else [""] * n_docs
    listed_skills = postings["skills"].astype(str) if "skills" in postings else [""] * n_docs

    queries = []
    for (pid, title, description), terms, company, skills in zip(
        postings[["posting_id", "title", "description"]].itertuples(index=False, name=None),
        docs,
        companies,
        listed_skills,
    ):
        rng = random.Random(f"{params.seed}:{pid}")
        excluded = _words(title) | _words(company)
        boosted = {t.lower() for t in re.split(r"[,;|]", skills) if t.strip()}
        ranked = rank_skills(terms, doc_freq, n_docs, excluded=excluded, boosted=boosted, min_df=min_df)
        n_skills = rng.choice([n for n in (1, 2, 3, 3, 2, 3) if n <= params.max_skills] or [1])
        parts = [_surface(terms, skill) for skill in ranked[:n_skills]]
        if rng.random() < params.role_probability or not parts:
            parts.insert(0, short_role(title))
        years = _YEARS.search(str(description))
        if years and rng.random() < params.years_probability:
            parts.insert(1 if len(parts) > 1 else len(parts), rng.choice(["{} years", "{}+ years experience", "{} yrs exp", "{} years experience"]).format(years.group(1)))
        queries.append(add_noise(", ".join(p for p in parts if p), rng, params))
    return pd.DataFrame({"posting_id": postings["posting_id"].astype(str).tolist(), "query": queries})


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
    surfaces: dict[str, list[str]] = {}
    for term in terms:
        tf[term.lower()] += 1
        surfaces.setdefault(term.lower(), []).append(term)
    df_lower: dict[str, int] = {}
    for term in set(terms):
        df_lower[term.lower()] = max(df_lower.get(term.lower(), 0), doc_freq[term])
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


def _surface(terms: list[str], lower_term: str) -> str:
    """The most frequent original spelling of a term (keeps 'PyTorch', 'ICD-10')."""
    forms = Counter(t for t in terms if t.lower() == lower_term)
    return forms.most_common(1)[0][0] if forms else lower_term


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
    if rng.random() < params.typo_probability:
        words = query.split(" ")
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            words[i] = _typo(words[i], rng)
            query = " ".join(words)
    if rng.random() < params.lowercase_probability:
        query = query.lower()
    if rng.random() < params.drop_commas_probability:
        query = query.replace(",", "")
    return query


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "swap", "double", "replace"])
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice(_KEYBOARD) + word[i + 1:]
