"""Headings: finding them (own line, "Heading: text", or a known phrase opening a sentence) and classifying them.

The wordings are vocabulary (``jobsearch/data/clean_vocabulary.yaml``); this
module turns them into patterns once, on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from jobsearch.clean.vocabulary import DROP_CATEGORIES, load_vocabulary

_HEADING_MARKUP = re.compile(r"^[\s#*_=|:\-]+|[\s#*_=|:\-]+$")
# after a single heading word that is also a job title ("Benefits Analyst"):
# a dash, or an obvious sentence start
_AFTER_DROP_WORD = (
    r"(?:[ \t]+[\-–—][ \t]*|[ \t]+(?=(?:We|Our|You|Your|The|This|All|Competitive|Medical|Health|Full|Paid|"
    r"Flexible|Comprehensive|Generous|Base|Starting|Pay|Annual|Hourly|\$)\b|\$))"
)
_SENTENCE_START = re.compile(r"^[ \t]*(?=[A-Z])|[.!?][ \t]+(?=[A-Z])", re.MULTILINE)
_LEADING_HEADING = re.compile(r"^([^:\n]{2,60}):[ \t]*(?=\S)")


@dataclass(frozen=True)
class _HeadingPatterns:
    drop: dict[str, re.Pattern[str]]  # category -> its headings (a whole heading key)
    keep: re.Pattern[str]
    about_something: re.Pattern[str]  # "about <subject>", the subject not the role, team, ...
    inline: re.Pattern[str]  # a heading phrase running on into the text, tried where a sentence starts


@functools.cache
def _heading_patterns() -> _HeadingPatterns:
    vocabulary = load_vocabulary()
    not_about_company = r"(?:the |this |our |your |a )?(?:" + "|".join(vocabulary.about_not_company) + r")\b"
    phrases = sorted(vocabulary.inline_headings, key=len, reverse=True)  # the longest phrase wins
    inline = (
        r"(" + "|".join(_phrase_pattern(p) for p in phrases) + r")(?:[ \t]*[:\-–—][ \t]*|[ \t]+)(?=[A-Z0-9$\"“(])"
        r"|(" + "|".join(re.escape(word) for word in vocabulary.inline_drop_words) + r")" + _AFTER_DROP_WORD
    )
    return _HeadingPatterns(
        drop={
            category: re.compile(r"(?:" + "|".join(vocabulary.drop_headings[category]) + r")")
            for category in DROP_CATEGORIES
        },
        keep=re.compile(r"\b(?:" + "|".join(vocabulary.keep_headings) + r")"),
        about_something=re.compile(r"about (?!" + not_about_company + r")(.{2,40})"),
        inline=re.compile(inline, re.IGNORECASE),
    )


def _phrase_pattern(phrase: str) -> str:
    words = []
    for word in phrase.split():
        if word == "and":
            words.append(r"(?:and|&)")
        else:
            words.append(re.escape(word).replace("'", "['’]?"))
    return r"\s+".join(words)


def heading_key(line: str) -> str:
    """Lower-case, apostrophe-free, punctuation-free form of a heading line."""
    key = line.lower().replace("’", "").replace("'", "").replace("&", " and ")
    key = re.sub(r"[^a-z0-9]+", " ", key)
    return key.strip()


def _looks_like_heading(line: str) -> tuple[bool, bool]:
    """(could be a heading at all, has a strong heading shape: colon, caps or bold)."""
    if len(line) > 100 or line.startswith("- "):
        return False, False
    colon = line.find(":")
    if colon != -1 and line[colon + 1:].strip(" *_#"):
        return False, False  # "Salary: $20/h" is a field; see drop_field
    bare = _HEADING_MARKUP.sub("", line)
    if not bare or len(bare) > 80:
        return False, False
    words = bare.split()
    if len(words) > 8 or bare[-1] in ".,;!":
        return False, False
    letters = [c for c in bare if c.isalpha()]
    strong = (
        line.rstrip().endswith(":")
        or (len(letters) >= 3 and all(c.isupper() for c in letters))
        or (line.strip().startswith(("**", "__", "#")) and len(words) <= 8)
    )
    return True, strong


def classify_heading(line: str, company_key: str) -> tuple[str, str] | None:
    """("drop", category), ("keep", "") or ("unknown", "") for a heading line, None for content."""
    possible, strong = _looks_like_heading(line)
    if not possible:
        return None
    key = heading_key(line)
    if not key:
        return None
    patterns = _heading_patterns()
    for category in DROP_CATEGORIES:
        if patterns.drop[category].fullmatch(key):
            return "drop", category
    about = patterns.about_something.fullmatch(key)
    if about:
        subject = about.group(1)
        # "About Acme Corp" names the company: trust it when it matches the company
        # column, is written as a name (capitalised), or is marked as a heading
        bare = _HEADING_MARKUP.sub("", line)
        capitalised = all(w[:1].isupper() or not w[:1].isalpha() for w in bare.split()[1:])
        if (company_key and subject.startswith(company_key)) or capitalised or strong:
            if len(subject.split()) <= 5:
                return "drop", "company"
    if company_key and key in (f"why {company_key}", f"life at {company_key}"):
        return "drop", "company"
    if len(key.split()) <= 6 and patterns.keep.search(key):
        return "keep", ""
    if strong and len(key.split()) <= 6:
        return "unknown", ""
    return None


def split_inline_headings(text: str, company: str, company_key: str) -> str:
    """``text`` with heading phrases that run on into a sentence, and known "Heading: text" headings, on lines of their own."""
    inline = _heading_patterns().inline
    pieces: list[str] = []
    done = 0
    for start in _SENTENCE_START.finditer(text):
        at = start.end()
        if at < done:
            continue
        match = inline.match(text, at)  # anchored where a line or sentence starts: cheap
        if match is None:
            continue
        heading = match.group(1) or match.group(2)
        if not heading[0].isupper():
            continue
        pieces.append(text[done:at])
        pieces.append("\n" + heading + "\n")
        done = match.end()
    if pieces:
        text = "".join(pieces) + text[done:]
    if company_key:
        text = _split_about_company(text, company)
    # "Qualifications: Bachelor's degree ..." -> heading line + text, for known headings
    lines = []
    for line in text.split("\n"):
        lead = _LEADING_HEADING.match(line)
        # a short value ("Job Type: Full-time") is a field, not a section
        if lead and len(lead.group(1).split()) <= 6 and len(line[lead.end():].split()) >= 4 and not line.startswith("- "):
            kind = classify_heading(lead.group(1) + ":", company_key)
            # "Salary range: $130K" or "About Us: ..." with the text on the same
            # line is a field, not a section: the main loop drops just that line
            if kind is not None and kind[0] == "keep":
                lines.append(lead.group(1) + ":")
                lines.append(line[lead.end():])
                continue
        lines.append(line)
    return "\n".join(lines)


def _split_about_company(text: str, company: str) -> str:
    """"About Acme Corp Acme Corp is ..." -> an "About Acme Corp" heading line."""
    name = r"[ \t]+".join(re.escape(word) for word in company.split())
    pattern = re.compile(r"^([ \t]*About[ \t]+" + name + r")[ \t]*[:\-–—]?[ \t]*(?=\S)", re.IGNORECASE | re.MULTILINE)
    return pattern.sub(lambda m: m.group(1).strip() + "\n", text)


def drop_field(line: str, company_key: str) -> str | None:
    """The drop category of a "Heading: text" line ("Benefits: medical, dental"), else None."""
    lead = _LEADING_HEADING.match(line)
    if lead is None or line.startswith("- ") or len(lead.group(1).split()) > 6:
        return None
    kind = classify_heading(lead.group(1) + ":", company_key)
    return kind[1] if kind is not None and kind[0] == "drop" else None
