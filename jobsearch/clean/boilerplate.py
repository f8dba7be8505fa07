"""Boilerplate sentences: EEO statements, benefit offers, salary and how-to-apply lines, headed or not."""

from __future__ import annotations

import re
from collections import Counter

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
# where one sentence ends and the next starts (on the original case)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


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


def drop_boilerplate(line: str, fired: Counter) -> str:
    """``line`` without its EEO, benefit-offer, salary and how-to-apply sentences; an EEO paragraph goes whole."""
    # the checks only search, so a line without any hit has no sentence with one
    if not _BOILERPLATE_HINT.search(line.lower()) or _sentence_kind(line) is None:
        return line
    sentences = SENTENCE_SPLIT.split(line)
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
