"""Layout: run-together sentences split into lines, bullets normalised to "- ", whitespace collapsed."""

from __future__ import annotations

import re
from collections import Counter

from jobsearch.clean.vocabulary import CleanVocabulary, load_vocabulary


def normalise_whitespace(text: str) -> str:
    """Single spaces within lines, at most one blank line in a row, no blank ends."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# ---------------------------------------------------------------------------
# run-together sentences

# the last word of a glued heading ("Job SummaryAllcock", "ResponsibilitiesClient")
_HEADING_TAIL = re.compile(
    r"(?:summary|overview|description|qualifications?|requirements?|responsibilities|benefits|"
    r"perks|skills|duties|functions|position|education|experience|competencies|offer|us|role|opportunity|"
    # ends of list items: "... is a plusPassion for ..."
    r"plus|preferred|required|desired|needed|necessary|mandatory|advantage)",
    re.IGNORECASE,
)
_LAST_CAMEL_SEGMENT = re.compile(r"[A-Za-z][a-z]*$")
# The patterns below start with a rare character (a capital, a colon, a
# bullet glyph) and check what precedes it afterwards: Python's regex engine
# scans for a leading literal set fast, but tries a leading lookbehind at
# every position of the text.
_CAMEL_JOIN = re.compile(r"([A-Z])(?<=[a-z][a-z][A-Z])([a-z]*)")
_CAPS_HEADING_WORDS = re.compile(
    r"(?:QUALIFICATIONS?|FUNCTIONS|DESCRIPTION|RESPONSIBILITIES|REQUIREMENTS?|SUMMARY|"
    r"OVERVIEW|BENEFITS|SKILLS|DUTIES|EXPERIENCE|EDUCATION|POSITION|ROLE|PERKS|COMPENSATION)$"
)
_CAPS_RUN = re.compile(r"[A-Z]{4,}(?=[a-z])")
_SENTENCE_JOIN = re.compile(r"[.!?;](?=[A-Z][a-z])")
_SENTENCE_END_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789)]\"'’”")
_COLON_JOIN = re.compile(r":(?=[A-Z])")
_ABOUT_US_JOIN = re.compile(r"\b(?:About|ABOUT) (?:Us|US)(?=[A-Z][a-z])")
_PAREN_JOIN = re.compile(r"\)([A-Z][a-z]*)(?![A-Za-z])")
_ADDRESS_HINT = re.compile(r"://|www\.|@|\.(?:com|org|net|co|io|edu|gov|html?)\b")


def split_run_together(text: str, fired: Counter) -> str:
    """``text`` with glued sentences, headings and list items ("skillsAbility") on lines of their own."""
    vocabulary = load_vocabulary()
    if "About" in text or "ABOUT" in text:
        text, n = _ABOUT_US_JOIN.subn(lambda m: m.group() + "\n", text)
        if n:
            fired["run_together"] += n
    text = _CAPS_RUN.sub(lambda m: _split_caps_heading(m, fired), text)
    text = _SENTENCE_JOIN.sub(lambda m: _split_sentence(m, text, fired), text)
    text = _COLON_JOIN.sub(lambda m: _split_colon(m, text, fired), text)
    if ")" in text:
        text = _PAREN_JOIN.sub(lambda m: _split_after_paren(m, vocabulary, fired), text)
    return _CAMEL_JOIN.sub(lambda m: _split_camel(m, text, vocabulary, fired), text)


def _split_camel(match: re.Match[str], text: str, vocabulary: CleanVocabulary, fired: Counter) -> str:
    right = match.group(1) + match.group(2)
    start = match.start(1)
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = match.end(2)
    while end < len(text) and text[end].isalpha():
        end += 1
    token = text[start:end]
    left_part = text[start:match.start(1)]
    if token.lower() in vocabulary.camel_case_names or text[match.end(2):end][:1].isupper():
        return match.group()
    if _inside_address(text, start, end):
        return match.group()
    segment = _LAST_CAMEL_SEGMENT.search(left_part)
    if right in vocabulary.sentence_starters or (segment is not None and _HEADING_TAIL.fullmatch(segment.group())):
        fired["run_together"] += 1
        return "\n" + right
    return match.group()


def _inside_address(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of a URL or e-mail address ("...NondiscrimAffirmAct")."""
    chunk_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    chunk_end = len(text)
    for separator in (" ", "\n"):
        found = text.find(separator, end)
        if found != -1:
            chunk_end = min(chunk_end, found)
    return _ADDRESS_HINT.search(text, chunk_start, chunk_end) is not None


def _split_caps_heading(match: re.Match[str], fired: Counter) -> str:
    # "ESSENTIAL JOB FUNCTIONSOversees": the last capital starts the next sentence
    run = match.group()
    if _CAPS_HEADING_WORDS.search(run[:-1]):
        fired["run_together"] += 1
        return run[:-1] + "\n" + run[-1]
    return run


def _split_sentence(match: re.Match[str], text: str, fired: Counter) -> str:
    if match.start() > 0 and text[match.start() - 1] in _SENTENCE_END_BEFORE:
        fired["run_together"] += 1
        return match.group() + "\n"
    return match.group()


def _split_colon(match: re.Match[str], text: str, fired: Counter) -> str:
    # "Qualifications:Bachelor's" is a glued heading; "... as follows:Python" is not
    before = text[match.start() - 1] if match.start() > 0 else ""
    if not (before.isalpha() or before == ")"):
        return match.group()
    line_start = text.rfind("\n", 0, match.start()) + 1
    fired["run_together"] += 1
    if len(text[line_start:match.start()].split()) <= 6:
        return ":\n"
    return ": "


def _split_after_paren(match: re.Match[str], vocabulary: CleanVocabulary, fired: Counter) -> str:
    # "(ConvertKit preferred)Excellent organizational skills"
    if match.group(1) in vocabulary.sentence_starters:
        fired["run_together"] += 1
        return ")\n" + match.group(1)
    return match.group()


# ---------------------------------------------------------------------------
# bullets

_BULLET_GLYPHS = "•●▪■◦►▶➢➤✓✔✗❖◆◇⦁∙·"
_LINE_START_GLYPH = re.compile(r"^[ \t]*[" + _BULLET_GLYPHS + r"][ \t]*", re.MULTILINE)
_INLINE_BULLET = re.compile(r"[" + _BULLET_GLYPHS + r"]")
# "...concerns.- Perform" and "...concerns- Perform": list items glued together
_GLUED_DASH = re.compile(r"[-–—][ \t]+(?=[A-Z])")
_LINE_BULLET = re.compile(r"^[ \t]*(?:[-–—*+o>][ \t]+|\(?\d{1,2}[.)][ \t]+|\(?[a-z][.)][ \t]+)")
_BULLET_STARTS = frozenset(" \t-–—*+o>(0123456789")


def normalise_bullets(text: str, fired: Counter) -> str:
    """``text`` with every bullet (glyph, dash, number, letter) as a "- " line."""
    text, n_start = _LINE_START_GLYPH.subn("- ", text)
    text, n_glyph = _INLINE_BULLET.subn("\n- ", text)
    n_glyph += n_start
    dashed = _GLUED_DASH.sub(lambda m: _split_glued_dash(m, text), text)
    n_dash = int(dashed != text)
    text = dashed
    lines = text.split("\n")
    n_line = 0
    for i, line in enumerate(lines):
        if line and not line.startswith("- ") and (line[0] in _BULLET_STARTS or line[1:2] in (".", ")")):
            new, n = _LINE_BULLET.subn("- ", line, count=1)
            if n:
                lines[i] = new
                n_line += 1
    if n_glyph + n_dash + n_line:
        fired["bullets"] += 1
    return "\n".join(lines)


def _split_glued_dash(match: re.Match[str], text: str) -> str:
    i = match.start()
    j = i
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    before = text[j - 1] if j > 0 else ""
    if before in ".:;!?":
        return "\n- "
    glued = j == i and match.group()[0] != "—" and (before.islower() or before == ")")
    if glued and text[match.end() + 1:match.end() + 2].islower():
        return "\n- "
    return match.group()
