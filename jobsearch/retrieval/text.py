"""Search terms of a text, the query terms a posting matched, and where they are in it.

BM25 indexes :func:`tokenize`'s terms; search shows :func:`matched_terms` with each hit, and a
:func:`snippet` around them, and the web page highlights their :func:`term_spans`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from jobsearch.config import word_list

# A raw token starts with a letter or digit (or a dot directly before one, for
# ".net"), may continue through single inner separators (icd-10, node.js,
# scikit-learn, ci/cd) and may end in + or # (c++, c#, f#).  A dot between a
# lowercase letter and a capital ("inclusion.Who") ends a sentence, not a name.
RAW_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])\.?[A-Za-z0-9]"
    r"(?:[A-Za-z0-9]|[-/_](?=[A-Za-z0-9])|\.(?=[a-z0-9])|(?<![a-z])\.(?=[A-Z]))*[+#]*"
)
_INNER_SEPARATOR = re.compile(r"(?<=[a-z0-9])[-./_](?=[a-z0-9])")
_WORD = re.compile(r"(?<!\w)\w[\w+#]*")  # a word as highlighted, with a trailing + or # (c++, c#)

STOPWORDS: frozenset[str] = word_list("stopwords.yaml", "english", "first_person")
SNIPPET_CHARS = 160


def _is_compound(raw: str) -> bool:
    return "-" in raw or "/" in raw or "_" in raw or "." in raw[1:]


def _compound_group(raw: str) -> list[str]:
    """"icd-10" -> ["icd10", "icd", "10"]: the joined form, then the non-stopword parts."""
    parts = _INNER_SEPARATOR.split(raw)
    joined = "".join(parts)
    return [joined] + [p for p in dict.fromkeys(parts) if p not in STOPWORDS and p != joined]


def _keeps_stopword(surface: str) -> bool:
    # "IT", "OR" in capitals are acronyms (information technology, operations research)
    return len(surface) > 1 and surface.isupper()


def tokenize(text: str) -> list[str]:
    """Lowercased search terms of ``text``, stopwords removed.

    "ICD-10" gives "icd10", "icd", "10", so a query for "ICD10" matches a
    posting that writes "ICD-10"; "C++", "C#" and ".NET" stay whole.  Stopwords
    are dropped unless written in capitals ("IT", "OR").
    """
    # Hot loop (millions of tokens for a corpus): keep it flat.
    tokens: list[str] = []
    stopwords = STOPWORDS
    for surface in RAW_TOKEN.findall(text):
        raw = surface.lower()
        if _is_compound(raw):
            tokens += _compound_group(raw)
        elif raw not in stopwords or _keeps_stopword(surface):
            tokens.append(raw)
    return tokens


def token_groups(text: str) -> list[list[str]]:
    """``tokenize`` grouped by raw token: [["gurobi"], ["icd10", "icd", "10"], ...]."""
    groups: list[list[str]] = []
    for surface in RAW_TOKEN.findall(text):
        raw = surface.lower()
        if _is_compound(raw):
            groups.append(_compound_group(raw))
        elif raw not in STOPWORDS or _keeps_stopword(surface):
            groups.append([raw])
    return groups


def matched_terms(query: str, text: str, prefix_min_len: int = 5) -> list[str]:
    """The query's terms found in ``text``, in query order, for "why it matched".

    A term matches a token of the text exactly; terms of at least
    ``prefix_min_len`` characters also match a text token that starts with them
    or that they start with (when that token is as long as ``prefix_min_len``),
    so "engineering" matches "engineer".  ``prefix_min_len=0`` turns that off.
    A compound query term ("icd-10") is reported once, by its joined form when
    it matches, else by whichever of its parts match.
    """
    # one pass over the text's tokens: each token and, for prefix matches, each of its prefixes of
    # at least prefix_min_len characters go into sets, so a query term costs its own length to look up
    text_tokens = set(tokenize(text))
    prefixes = {t[:n] for t in text_tokens if prefix_min_len for n in range(prefix_min_len, len(t))}

    def found(term: str) -> bool:
        if term in text_tokens:
            return True
        if not prefix_min_len or len(term) < prefix_min_len:
            return False
        # a text token starting with the term, or a text token the term starts with
        return term in prefixes or any(term[:n] in text_tokens for n in range(prefix_min_len, len(term)))

    matched: dict[str, None] = {}  # in query order, each term once
    for group in token_groups(query):
        hits = [group[0]] if found(group[0]) else [t for t in group[1:] if found(t)]
        matched.update(dict.fromkeys(hits))
    return list(matched)


def term_spans(text: str, terms: list[str]) -> Iterator[tuple[int, int, str]]:
    """Where matched terms occur in ``text``: ``(start, end, term)`` of each word starting with one, in any case.

    The longest term is tried first, so "engineering" is found whole where "engineer" is a term too.
    One pass over the words, a set lookup per distinct term length: the cost grows with the
    text's length, not with its product with the number of terms.
    """
    wanted = {t.lower() for t in terms}
    lengths = sorted({len(t) for t in wanted}, reverse=True)
    for word in _WORD.finditer(text):
        lower = word.group().lower()
        for n in lengths:
            if n <= len(lower) and lower[:n] in wanted:
                yield word.start(), word.end(), lower[:n]
                break


def snippet(text: str, terms: list[str] | None = None, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text``: from its start, or around the words that hold most of ``terms``."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    start = _densest_window(flat, terms or [], width)
    if start:
        # from the start of a word, a few words before the first match
        start = flat.rfind(" ", 0, max(start - width // 6, 0)) + 1
    piece = flat[start : start + width - 1]
    if start + width - 1 < len(flat):
        piece = piece.rsplit(" ", 1)[0] + "…"
    return ("…" if start else "") + piece


def _densest_window(flat: str, terms: list[str], width: int) -> int:
    """Where the window of ``width`` characters holding the most distinct terms starts (0 if none beats the start).

    A window starts at a match; one sliding pass over the matches.
    """
    if not terms:
        return 0
    found = [(start, term) for start, _, term in term_spans(flat, terms)]
    span = width - width // 6
    at_start = len({term for at, term in found if at < span})
    inside: Counter[str] = Counter()
    best, most, end = 0, 0, 0
    for at, term in found:
        while end < len(found) and found[end][0] < at + span:
            inside[found[end][1]] += 1
            end += 1
        if len(inside) > most:
            best, most = at, len(inside)
        inside[term] -= 1
        if not inside[term]:
            del inside[term]
    return best if most > at_start else 0
