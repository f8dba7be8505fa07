"""What a posting is about: its skill tags, the terms that could be skills and how distinctive
they are, and the role in its title."""

from __future__ import annotations

import math
import re
from collections import Counter

from jobsearch.config import word_list

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#]*(?:[.\-/][A-Za-z0-9+#]+)*")

# Words that say nothing about which job this is (a query built from them matches every
# posting): the words every posting uses, and English function words.
STOPWORDS = word_list("stopwords.yaml", "job_words", "english")

_SENIORITY = re.compile(
    r"\b(senior|sr\.?|junior|jr\.?|lead|principal|staff|head of|chief|associate|intern|entry[- ]level|"
    r"mid[- ]level|i{1,3}|iv|[1-4])\b",
    re.IGNORECASE,
)

# --- skill candidates ------------------------------------------------------------

_SENTENCE_START = re.compile(r"(?:^|[.!?:;•*\n])[\s\-–•*·\d.)]*$")
_WEB = re.compile(r"^(?:www|https?)\b|\.(?:com|org|io|gov|edu|net)$|@", re.IGNORECASE)
# inner capitals, digits, symbols, short acronyms (SQL, HIPAA; not headings such as SKILLS)
_SKILL_SHAPE = re.compile(r"[a-z][A-Z]|[0-9+#]|^[A-Z]{2,5}s?$")


def candidate_terms(text: str) -> list[str]:
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


def tf_idf(count: int, doc_freq: int, n_docs: int) -> float:
    """A term named ``count`` times in a posting and in ``doc_freq`` of ``n_docs`` postings: sublinear tf times smoothed idf."""
    return (1 + math.log(count)) * math.log((1 + n_docs) / (1 + doc_freq))


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
        score = tf_idf(count, df, n_docs) * skill_shape_weight(surfaces[term]) * (2.0 if term in boosted else 1.0)
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


def rank_found_tags(found: Counter, doc_freq: Counter, n_docs: int, given: dict[str, int]) -> list[str]:
    """Tags a posting's text names (``found``: tag -> times), most distinctive first.

    TF-IDF against the postings searched (``doc_freq``, ``n_docs``), times how
    often the source gives the tag (``given``): "Python", given to many postings,
    ahead of "Writing", which many postings also say but few are tagged with.
    """

    def score(tag: str) -> float:
        return tf_idf(found[tag], doc_freq[tag], n_docs) * math.log(1 + given[tag])

    return sorted(found, key=lambda tag: (-score(tag), tag))


def spellings(terms: list[str]) -> dict[str, str]:
    """Lower-cased term -> its most frequent original spelling (keeps 'PyTorch', 'ICD-10')."""
    best: dict[str, tuple[int, str]] = {}
    for term, count in Counter(terms).items():  # first seen wins a tie
        low = term.lower()
        if count > best.get(low, (0, ""))[0]:
            best[low] = (count, term)
    return {low: term for low, (_, term) in best.items()}


def lowercase_words(text: str) -> set[str]:
    """The words of ``text`` as :func:`candidate_terms` splits them, lower-cased."""
    return {w.lower() for w in _TOKEN.findall(str(text))}


def seniority(title: str) -> str | None:
    """The seniority word of a title, lower case ("senior", "lead", "entry level"); None without one."""
    found = _SENIORITY_WORD.search(str(title))
    return found.group(1).lower().rstrip(".").replace("-", " ") if found else None


# what a seeker types of a title's seniority (not the roman and arabic grades _SENIORITY also drops)
_SENIORITY_WORD = re.compile(
    r"\b(senior|sr\.?|junior|jr\.?|lead|principal|staff|head of|intern|entry[- ]level|mid[- ]level)\b", re.IGNORECASE
)


def short_role(title: str) -> str:
    """A title as a seeker types it: no seniority, no team or location suffix."""
    role = re.split(r"\s[-|–—,(/]\s?|\s\(|:", str(title))[0]
    role = _SENIORITY.sub(" ", role)
    words = role.split()[:4]  # nobody types a whole long title
    return " ".join(words).lower() or str(title).lower()
