"""Markup: HTML tags and entities, mojibake, invisible characters and odd spaces."""

from __future__ import annotations

import html
import re
from collections import Counter

from jobsearch.clean.layout import normalise_whitespace

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


def remove_markup(text: str, fired: Counter) -> str:
    """``text`` without tags, entities, mojibake and invisible characters, counting the rules that fired.

    Block tags become line breaks and ``<li>`` a "- " line; spacing is left
    for the later steps, which read the lines.
    """
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


def strip_markup(text: str) -> str:
    """``text`` with HTML, entities, mojibake and messy whitespace removed, nothing else.

    This is the fallback when cleaning leaves too little of a posting.
    """
    if not isinstance(text, str):
        return ""
    return normalise_whitespace(remove_markup(text, Counter()))
