"""Sections: walking the lines, dropping the company, benefits, EEO and apply sections and fields.

Every other section is kept. A company or benefits section also ends at a
requirement line or, in a company paragraph, at a sentence about the role:
under-removing is safer. "Salary: ..." style fields drop only their own line
and its list items.
"""

from __future__ import annotations

import re
from collections import Counter

from jobsearch.clean.boilerplate import SENTENCE_SPLIT, drop_boilerplate
from jobsearch.clean.headings import classify_heading, drop_field

_JUNK_LINE = re.compile(r"^[^A-Za-z\u00c0-\u024f\u0370-\uffff]*$")  # no letters at all
_SPACE_RUN = re.compile(r"[ \t]{2,}")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|^#{1,6}\s*")

# A requirement line inside a company or benefits section means the section
# ended without a heading we know: stop dropping there.
_REQUIREMENT_LINE = re.compile(
    r"^(?:- )?(?:(?:strong|excellent|proven|solid|good|deep|demonstrated|hands-on|working|basic|advanced)\s+)?"
    r"(?:experience (?:in|with|as|of)|ability to|proficien|knowledge of|understanding of|familiarity with|"
    r"bachelor|master'?s|degree in|\d+\+? years|candidates? (?:must|should)|must (?:have|be|possess)|"
    r"you (?:must|should))",
    re.IGNORECASE,
)
_RESUMABLE = ("company", "benefits")

# a sentence about the job itself, inside an about-the-company paragraph
_ROLE_SENTENCE = re.compile(
    r"\b(?:we are|we're|we’re|is|are) (?:currently )?(?:seeking|looking for|hiring)\b|\bthis (?:role|position)\b|"
    r"\bthe (?:role|position|successful candidate|ideal candidate)\b|\byou will\b|\byou(?:'ll|’ll)\b|responsibilit",
    re.IGNORECASE,
)


def select_lines(lines: list[str], company_key: str, fired: Counter) -> list[str]:
    """Walk the lines, dropping boilerplate sections, fields and sentences."""
    out: list[str] = []
    dropping: str | None = None  # category of the section being dropped
    in_field = False  # after "Benefits: 401k, PTO": its list items go with it
    for raw_line in lines:
        line = raw_line.strip()
        if "  " in line or "\t" in line:
            line = _SPACE_RUN.sub(" ", line)
        if not line:
            in_field = False
            if dropping is None:
                out.append("")
            continue
        if _JUNK_LINE.match(line):
            fired["junk_lines"] += 1
            continue
        heading = classify_heading(line, company_key)
        if "*" in line or "_" in line or line.startswith("#"):
            line = _MARKDOWN_EMPHASIS.sub("", line).strip()
        if in_field and (heading is None or heading[0] == "drop") and _is_list_item(line):
            continue
        in_field = False
        if heading is None and dropping is None:
            field = drop_field(line, company_key)
            if field is not None:
                fired[f"section_{field}"] += 1
                in_field = True
                continue
        if heading is not None:
            kind, category = heading
            if kind == "drop":
                if dropping != category:
                    fired[f"section_{category}"] += 1
                dropping = category
                continue
            if kind == "unknown" and dropping is not None:
                continue  # "In the US, we offer:" inside a benefits section
            dropping = None
        elif dropping is not None:
            if dropping in _RESUMABLE and _REQUIREMENT_LINE.search(line):
                pass
            elif dropping == "company" and (role_part := _from_role_sentence(line)):
                line = role_part  # "Acme makes widgets. We are seeking a ..."
            else:
                continue
            fired["section_resumed"] += 1
            dropping = None
        line = drop_boilerplate(line, fired)
        if line and not _JUNK_LINE.match(line):
            out.append(line)
    return out


def _from_role_sentence(line: str) -> str:
    """The part of ``line`` from its first sentence about the role on, or ""."""
    if not _ROLE_SENTENCE.search(line):
        return ""
    sentences = SENTENCE_SPLIT.split(line)
    for i, sentence in enumerate(sentences):
        if _ROLE_SENTENCE.search(sentence):
            return " ".join(sentences[i:])
    return ""


def _is_list_item(line: str) -> bool:
    return line.startswith("- ") or (len(line.split()) <= 6 and not line.endswith("."))


def drop_trailing_headings(text: str) -> str:
    """``text`` without the "Heading:" lines at its end: a heading with nothing under it says nothing."""
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].rstrip().endswith(":")):
        lines.pop()
    return "\n".join(lines)
