"""Synthetic postings built from the catalogue (:mod:`jobsearch.sample.catalogue`)."""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Sequence

import pandas as pd

from jobsearch.sample.catalogue import Catalogue, Level, RoleFamily, load_catalogue
from jobsearch.sample.draws import pick, pick_distinct, randint
from jobsearch.sample.render import Block, render_html, render_plain, render_run_on

COLUMNS = (
    "job_id",
    "title",
    "company",
    "location",
    "description",
    "skills",
    "experience_level",
    "role_family",
)
_MIN_WORDS = 165  # pad short postings with optional sections up to about this many words


def _join_items(r: Callable[[], float], items: list[str], conj: str = "and") -> str:
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    style = r()
    if style < 0.5:
        return ", ".join(items[:-1]) + f", {conj} " + items[-1]
    if style < 0.8:
        return ", ".join(items[:-1]) + f" {conj} " + items[-1]
    return ", ".join(items)


def _company_name(rng: random.Random, catalogue: Catalogue, fam: RoleFamily, industry: str) -> str:
    r = rng.random
    words = catalogue.industries[industry].name_words
    if industry == "legal":
        a, b = pick_distinct(r, catalogue.surnames, 2)
        return f"{a} & {b} {pick(r, words)}"
    if fam.kind == "trade" and r() < 0.4:
        return f"{pick(r, catalogue.surnames)} {pick(r, words)}"
    name = pick(r, catalogue.name_heads) + pick(r, catalogue.name_tails)
    return f"{name} {pick(r, words)}{pick(r, ('', '', '', ', Inc.', ' LLC'))}"


def _article(title: str) -> str:
    """'a' or 'an' by how the title is spoken: an Electrician, an ML Engineer, a UX Designer."""
    word = title.split()[0].rstrip(".")
    if word[:2].isupper() and word != "MIG":  # acronyms are spelled out: an ML, an MLOps
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    if word[:2] in ("UX", "UI") or word.startswith(("Uni", "Use", "User")):
        return "a"
    return "an" if word[0].lower() in "aeiou" else "a"


def _money(value: float, hourly: bool) -> str:
    return f"${value:,.2f}" if hourly else f"${round(value, -3):,.0f}"


def _years_line(r: Callable[[], float], years: int, span: int, domain: str) -> str:
    if years == 0:
        return pick(r, (
            f"0-2 years of experience in {domain}; new graduates are encouraged to apply.",
            f"No prior experience required; internships or coursework in {domain} are a plus.",
        ))
    return pick(r, (
        f"{years}+ years of experience in {domain}.",
        f"At least {years} years of {domain} experience.",
        f"Minimum of {years} years' experience in {domain}.",
        f"{years}-{years + span} years of experience in {domain}.",
        f"{years}+ years of professional experience in {domain}.",
    ))


def _pick_level(r: Callable[[], float], levels: Sequence[Level]) -> Level:
    u = r()
    for level in levels:
        u -= level.weight
        if u < 0:
            return level
    return levels[-1]


def _word_count(blocks: list[Block]) -> int:
    return sum(item.count(" ") + 1 for block in blocks for item in block.items)


def _posting(catalogue: Catalogue, seed: int, index: int) -> tuple[str, ...]:
    """Build one posting's column values from its own (seed, index) RNG."""
    rng = random.Random(f"{seed}-{index}")
    r = rng.random
    fam = pick(r, catalogue.role_families)
    level = _pick_level(r, catalogue.levels)
    years = randint(r, *level.years)
    verbose = r() < 0.25  # long-winded postings: more of every section

    if level.key == "director":
        title = pick(r, fam.head_titles)
    else:
        title = pick(r, catalogue.title_prefixes[fam.kind][level.key]) + pick(r, fam.titles)
    display_title = title
    if r() < 0.08:
        display_title += pick(r, catalogue.title_suffixes[fam.kind])

    industry = pick(r, fam.industries)
    company = _company_name(rng, catalogue, fam, industry)
    location = pick(r, catalogue.cities)
    remote = fam.kind == "tech" and r() < 0.06
    if remote:
        location = pick(r, ("United States", "Remote (US)"))

    # skills: 4-7 from the family pool; certificates are phrased differently from tools
    pool = fam.skills + fam.certs
    picked = pick_distinct(r, pool, randint(r, 4, min(7, len(pool))))
    tools = [s for s in picked if s not in fam.certs]
    certs = [s for s in picked if s in fam.certs]

    # -- about the company
    employer = catalogue.industries[industry]
    hq = location if not remote else pick(r, catalogue.cities)
    size = pick(r, catalogue.company_sizes)
    about = [f"{company} is {'an' if size[0] in 'aeiou' else 'a'} {size} {pick(r, employer.descriptions)} "
             f"{pick(r, ('based in', 'headquartered in', 'with roots in'))} {hq}."]
    about.append(pick(r, employer.missions))
    for culture in pick_distinct(r, catalogue.culture, 2 if verbose else int(r() < 0.7)):
        about.append(culture.format(
            year=randint(r, 1925, 2019), staff=pick(r, (150, 400, 1200, 2500, 8000, 20000)),
            offices=randint(r, 2, 60), awards=randint(r, 2, 9)))
    about_heading = pick(r, catalogue.about_headings)
    about_block = Block(about_heading.format(company=company) if about_heading else None,
                        [" ".join(about)], False)

    # -- role summary
    a_title = f"{_article(title)} {title}"
    where = pick(r, ("", "", f" in {location}", " on a full-time basis"))
    if remote:
        where = pick(r, ("", " (remote)"))
    summary = [pick(r, catalogue.summary_openers).format(
        a_title=a_title, title=title, team=fam.team, where=where, company=company,
        manager=pick(r, catalogue.managers))]
    if r() < 0.8:
        summary.append(pick(r, catalogue.summary_follow_ups).format(a_title=a_title, summary=fam.summary))
    if r() < 0.5:
        summary.append(pick(r, catalogue.work_settings[fam.kind]).format(city=location))
    summary_block = Block(pick(r, catalogue.summary_headings), [" ".join(summary)], False)

    # -- responsibilities
    n_duties = len(fam.duties) if verbose else randint(r, 3, min(5, len(fam.duties)))
    duties = pick_distinct(r, fam.duties, n_duties)
    if level.key in ("lead", "director") or (level.key == "senior" and r() < 0.5):
        duties.append(pick(r, catalogue.lead_duties).format(reports=randint(r, 3, 12)))
    if len(tools) >= 2 and r() < 0.5:
        a, b = pick_distinct(r, tools, 2)
        duties.insert(randint(r, 0, len(duties)), pick(r, catalogue.skill_duties).format(a=a, b=b))
    if verbose or r() < 0.6:
        duties.append(pick(r, catalogue.generic_duties[fam.kind]))
    resp_block = Block(pick(r, catalogue.responsibility_headings), duties, r() < 0.9)

    # -- qualifications: every picked skill is named here, in sentences or comma lists
    years_line = _years_line(r, years, randint(r, 2, 4), fam.domain)
    quals: list[str] = []
    if level.key == "director":
        quals.append(f"{randint(r, 3, 6)}+ years of people management experience.")
    tools = pick_distinct(r, tools, len(tools))
    prefs: list[str] = []
    if len(tools) >= 3 and r() < 0.5:
        n_pref = randint(r, 1, 2)
        prefs.append(pick(r, catalogue.skill_preferences).format(items=_join_items(r, tools[-n_pref:], "or")))
        tools = tools[:-n_pref]
    while tools:
        take = randint(r, 1, 4)
        chunk, tools = tools[:take], tools[take:]
        if len(chunk) == 1:
            quals.append(pick(r, catalogue.skill_qualifications_one).format(items=chunk[0]))
        elif r() < 0.2:
            quals.append(pick(r, catalogue.skill_qualifications_list).format(items=", ".join(chunk)))
        else:
            quals.append(pick(r, catalogue.skill_qualifications_many).format(items=_join_items(r, chunk)))
    for cert in certs:
        quals.append(pick(r, catalogue.cert_qualifications).format(cert=cert))
    if verbose or r() < 0.75:
        quals.append(pick(r, fam.education))
    soft = catalogue.soft_qualifications[fam.kind]
    quals.extend(pick_distinct(r, soft, len(soft) if verbose else randint(r, 1, min(3, len(soft)))))
    quals = pick_distinct(r, quals, len(quals))
    qual_block = Block(pick(r, catalogue.qualification_headings), [years_line] + quals, True)
    pref_block = None
    if prefs:  # either its own "Nice to have" section or the last qualification
        if r() < 0.5:
            pref_block = Block(pick(r, catalogue.preferred_headings), prefs, True)
        else:
            qual_block.items.append(prefs[0])

    # -- benefits, pay, application, EEO
    benefits_block = None
    if r() < 0.85:
        n_benefits = randint(r, 6, 10) if verbose else randint(r, 3, 7)
        benefits = pick_distinct(r, catalogue.benefits, n_benefits)
        as_list = r() < 0.85
        if not as_list:
            benefits = [pick(r, ("Benefits include: ", "We offer: ")) + ", ".join(benefits) + "."]
        benefits_block = Block(pick(r, catalogue.benefit_headings), benefits, as_list)
    pay_block = None
    if r() < 0.5:
        hourly = fam.pay[1] < 1000
        lo = fam.pay[0] * level.pay_factor * (0.9 + 0.2 * r())
        hi = max(fam.pay[1] * level.pay_factor * (0.9 + 0.2 * r()), lo * 1.15)
        texts = catalogue.hourly_pay_texts if hourly else catalogue.pay_texts
        pay_block = Block(pick(r, catalogue.pay_headings),
                          [pick(r, texts).format(lo=_money(lo, hourly), hi=_money(hi, hourly))], False)
    apply_block = None
    if r() < 0.35:
        domain = "".join(ch for ch in company.split(",")[0].lower() if ch.isalnum())
        apply_block = Block(pick(r, catalogue.apply_headings),
                            [pick(r, catalogue.apply_texts).format(domain=domain)], False)
    eeo_block = Block(pick(r, catalogue.eeo_headings),
                      [pick(r, catalogue.eeo_texts).format(company=company)], False)

    # -- assemble in a varied order
    middle = [resp_block, qual_block] if r() < 0.75 else [qual_block, resp_block]
    if pref_block is not None:
        middle.insert(middle.index(qual_block) + 1, pref_block)
    tail = [b for b in (benefits_block, pay_block) if b is not None]
    if r() < 0.4:
        tail.reverse()
    about_pos = r()
    blocks: list[Block] = []
    if about_pos < 0.7:
        blocks += [about_block, summary_block]
    elif about_pos < 0.8:
        blocks += [summary_block, about_block]
    else:
        blocks.append(summary_block)
    blocks += middle

    # optional sections, always some for verbose postings and as padding for short ones
    extras = _extra_blocks(rng, catalogue, fam, verbose)
    words = _word_count(blocks) + _word_count(tail)
    while extras and (verbose or words < _MIN_WORDS or r() < 0.15):
        blocks.append(extras.pop())
        words += _word_count(blocks[-1:])
    blocks += tail
    if about_pos >= 0.8:
        blocks.append(about_block)
    if apply_block is not None:
        blocks.append(apply_block)
    if r() < 0.2:
        blocks.insert(len(blocks) - randint(r, 0, 1), eeo_block)
    else:
        blocks.append(eeo_block)

    fmt = r()
    if fmt < 0.2:
        description = render_html(rng, blocks)
    elif fmt < 0.26:
        description = render_run_on(rng, blocks, catalogue.run_on_prefixes)
    else:
        description = render_plain(rng, blocks)

    return (f"sample-{index + 1:06d}", display_title, company, location, description,
            ", ".join(picked), level.label, fam.key)


def _extra_blocks(rng: random.Random, catalogue: Catalogue, fam: RoleFamily, verbose: bool) -> list[Block]:
    """Optional sections in random order; the caller pops as many as it needs."""
    r = rng.random
    k = randint(r, 4, 25)
    extras = [
        Block(pick(r, ("About the Team", "Meet the team", "Our Team", None)),
              [pick(r, catalogue.team_texts).format(k=k, k0=max(2, k // 3), team=fam.team)], False),
        Block(pick(r, ("Additional Information", "Please note", None)),
              pick_distinct(r, catalogue.closing_texts, 2 if verbose else 1), False),
    ]
    if fam.kind in ("tech", "office"):
        extras.append(Block(pick(r, ("What success looks like", "Your first 90 days")),
                            list(catalogue.success_items[:randint(r, 3, 4)]), True))
    if fam.kind in catalogue.schedule_items:
        items = catalogue.schedule_items[fam.kind]
        extras.append(Block(pick(r, ("Schedule", "Shift", "Hours")),
                            pick_distinct(r, items, randint(r, 2, len(items))), True))
    if fam.kind in catalogue.physical_texts:
        extras.append(Block(pick(r, ("Physical Demands", "Working Conditions", "Physical Requirements")),
                            [catalogue.physical_texts[fam.kind]], False))
    return pick_distinct(r, extras, len(extras))


def generate_postings(n: int, seed: int = 42) -> pd.DataFrame:
    """Generate ``n`` synthetic job postings, deterministic in ``(n, seed)``.

    Posting ``i`` depends only on ``(seed, i)``: generating more postings with the same
    seed leaves the first ones unchanged. Columns: see :data:`COLUMNS`.
    """
    try:
        n = operator.index(n)
        seed = operator.index(seed)
    except TypeError as err:
        raise ValueError(f"n and seed must be integers, got n={n!r}, seed={seed!r}") from err
    if n < 1:
        raise ValueError(f"number of sample postings must be at least 1, got n={n}")
    catalogue = load_catalogue()
    rows = [_posting(catalogue, seed, i) for i in range(n)]
    return pd.DataFrame({name: list(values) for name, values in zip(COLUMNS, zip(*rows))})
