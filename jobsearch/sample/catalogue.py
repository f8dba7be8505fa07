"""What the sample postings are made of, read from ``jobsearch/data/sample_roles.yaml``.

The file is read once per path and checked against the dataclasses below: the types in
their annotations, no missing or unknown keys, lists with at least one item (or the
``min_items`` a field names), templates with only the placeholders the generator fills
in, and an entry for every industry, family kind and level that a table is looked up
by. A malformed file therefore fails with one line that names the file and the key,
not with an error deep inside generation.
"""

from __future__ import annotations

import dataclasses
import functools
import string
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobsearch.config import package_data, read_yaml
from jobsearch.errors import ConfigError

_LEVEL_FROM_HEAD_TITLES = "director"  # its postings take head_titles, so title_prefixes need no entry for it


def _min_items(n: int) -> Any:
    """Lists (or each list of a table) of at least ``n`` items, where the default is 1."""
    return field(metadata={"min_items": n})


def _template(*placeholders: str, min_items: int = 1) -> Any:
    """Format strings (or lists or tables of them) that may use only these ``{placeholders}``."""
    return field(metadata={"placeholders": frozenset(placeholders), "min_items": min_items})


@dataclass(frozen=True)
class RoleFamily:
    """One occupation: titles, specialised skills, and text to build its postings from."""

    key: str  # value of the ``role_family`` column
    titles: tuple[str, ...]  # base title variants (seniority is prefixed per posting)
    head_titles: tuple[str, ...]  # director-level titles
    skills: tuple[str, ...] = _min_items(4)  # a posting lists 4 to 7 of skills + certs
    certs: tuple[str, ...] = _min_items(0)  # licences and certifications (also listed as skills)
    duties: tuple[str, ...] = _min_items(3)  # a posting has 3 to 5 of them
    domain: str  # "... years of experience in <domain>"
    summary: str  # "As a <title>, you will <summary>."
    team: str
    education: tuple[str, ...]
    industries: tuple[str, ...]  # keys of Catalogue.industries
    kind: str  # key into the tables by family kind: tech | office | clinical | trade | ...
    pay: tuple[float, float]  # mid-level range: annual USD, or hourly when < 1000


@dataclass(frozen=True)
class Industry:
    name_words: tuple[str, ...]  # last word of company names
    descriptions: tuple[str, ...]
    missions: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """A seniority level and how often postings have it."""

    key: str
    label: str  # value of the ``experience_level`` column
    weight: float
    years: tuple[int, int]  # range of years of experience required
    pay_factor: float  # on the family's mid-level pay


@dataclass(frozen=True)
class Catalogue:
    """The data file, key for key in its order; tables "by kind" are keyed by RoleFamily.kind."""

    role_families: tuple[RoleFamily, ...]
    name_heads: tuple[str, ...]
    name_tails: tuple[str, ...]
    surnames: tuple[str, ...] = _min_items(2)  # law firms are "<surname> & <surname>"
    industries: dict[str, Industry]
    cities: tuple[str, ...]
    levels: tuple[Level, ...]
    title_prefixes: dict[str, dict[str, tuple[str, ...]]]  # kind -> level key -> prefixes
    title_suffixes: dict[str, tuple[str, ...]]
    about_headings: tuple[str | None, ...] = _template("company")
    summary_headings: tuple[str | None, ...]
    responsibility_headings: tuple[str | None, ...]
    qualification_headings: tuple[str | None, ...]
    preferred_headings: tuple[str | None, ...]
    benefit_headings: tuple[str | None, ...]
    pay_headings: tuple[str | None, ...]
    apply_headings: tuple[str | None, ...]
    eeo_headings: tuple[str | None, ...]
    company_sizes: tuple[str, ...]
    culture: tuple[str, ...] = _template("year", "staff", "offices", "awards", min_items=2)
    summary_openers: tuple[str, ...] = _template("a_title", "title", "team", "where", "company", "manager")
    summary_follow_ups: tuple[str, ...] = _template("a_title", "summary")
    managers: tuple[str, ...]
    work_settings: dict[str, tuple[str, ...]] = _template("city")
    generic_duties: dict[str, tuple[str, ...]]
    lead_duties: tuple[str, ...] = _template("reports")
    skill_duties: tuple[str, ...] = _template("a", "b")
    skill_qualifications_many: tuple[str, ...] = _template("items")
    skill_qualifications_list: tuple[str, ...] = _template("items")
    skill_qualifications_one: tuple[str, ...] = _template("items")
    skill_preferences: tuple[str, ...] = _template("items")
    cert_qualifications: tuple[str, ...] = _template("cert")
    soft_qualifications: dict[str, tuple[str, ...]]
    benefits: tuple[str, ...] = _min_items(10)  # verbose postings list up to 10
    eeo_texts: tuple[str, ...] = _template("company")
    pay_texts: tuple[str, ...] = _template("lo", "hi")
    hourly_pay_texts: tuple[str, ...] = _template("lo", "hi")
    apply_texts: tuple[str, ...] = _template("domain")
    run_on_prefixes: tuple[str, ...]
    team_texts: tuple[str, ...] = _template("k", "k0", "team")
    success_items: tuple[str, ...]
    schedule_items: dict[str, tuple[str, ...]] = _min_items(2)  # a posting lists 2 or more
    physical_texts: dict[str, str]
    closing_texts: tuple[str, ...] = _min_items(2)  # verbose postings have 2


# the tables every family kind needs an entry in (schedule_items and physical_texts are optional sections)
_TABLES_BY_KIND = ("title_prefixes", "title_suffixes", "work_settings", "generic_duties", "soft_qualifications")


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the packaged ``jobsearch/data/sample_roles.yaml``), cached."""
    return _load_catalogue(str(path) if path is not None else None)


@functools.cache
def _load_catalogue(path: str | None) -> Catalogue:
    resource = package_data("sample_roles.yaml") if path is None else Path(path)
    raw = read_yaml(resource)
    try:
        catalogue = _read(raw, Catalogue, "", {})
        _check_references(catalogue)
    except _Malformed as exc:
        raise ConfigError(f"{resource}: {exc}") from None
    return catalogue


class _Malformed(Exception):
    def __init__(self, where: str, problem: str):
        super().__init__(f"{where or 'top level'}: {problem}")


def _read(value: Any, kind: Any, where: str, metadata: Mapping[str, Any]) -> Any:
    """``value`` checked to be of type ``kind``, with lists made tuples (the catalogue is shared)."""
    if dataclasses.is_dataclass(kind):
        return _read_record(value, kind, where)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is types.UnionType:  # X | None
        return None if value is None else _read(value, args[0], where, metadata)
    if origin is dict:
        if not isinstance(value, dict):
            raise _Malformed(where, "expected a mapping")
        for key in value:
            if not isinstance(key, str):
                raise _Malformed(where, f"key {key!r} is not text")
        return {key: _read(item, args[1], f"{where}.{key}", metadata) for key, item in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise _Malformed(where, "expected a list")
        if args[-1] is Ellipsis:
            min_items = metadata.get("min_items", 1)
            if len(value) < min_items:
                raise _Malformed(where, f"expected at least {min_items} items, got {len(value)}")
            args = (args[0],) * len(value)
        elif len(value) != len(args):
            raise _Malformed(where, f"expected a list of {len(args)}, got {len(value)} items")
        return tuple(_read(item, arg, f"{where}[{i}]", metadata) for i, (item, arg) in enumerate(zip(value, args)))
    if kind is str:
        if not isinstance(value, str):
            raise _Malformed(where, f"expected text, got {value!r}")
        if "placeholders" in metadata:
            _check_placeholders(value, metadata["placeholders"], where)
        return value
    # numbers: an int is a valid float, a bool is neither
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise _Malformed(where, f"expected {'a number' if kind is float else 'a whole number'}, got {value!r}")
    return value


def _read_record(value: Any, cls: type, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Malformed(where, "expected a mapping")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            raise _Malformed(where, f"unknown key {key!r}")
    hints = typing.get_type_hints(cls)
    prefix = f"{where}." if where else ""
    values = {}
    for name, spec in fields.items():
        if name not in value:
            raise _Malformed(where, f"missing key {name!r}")
        values[name] = _read(value[name], hints[name], prefix + name, spec.metadata)
    return cls(**values)


def _check_placeholders(text: str, allowed: frozenset[str], where: str) -> None:
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise _Malformed(where, f"not a valid template ({exc}): {text!r}") from None
    unknown = sorted(used - allowed)
    if unknown:
        raise _Malformed(where, f"unknown placeholder {{{unknown[0]}}} (allowed here: {', '.join(sorted(allowed))})")


def _check_references(catalogue: Catalogue) -> None:
    """Every key a role family or level is looked up by is in the table it is looked up in."""
    for i, family in enumerate(catalogue.role_families):
        for industry in family.industries:
            if industry not in catalogue.industries:
                raise _Malformed(f"role_families[{i}].industries", f"{industry!r} is not a key of industries")
        for table in _TABLES_BY_KIND:
            if family.kind not in getattr(catalogue, table):
                raise _Malformed(f"role_families[{i}].kind", f"{family.kind!r} is not a key of {table}")
    prefixed = [level.key for level in catalogue.levels if level.key != _LEVEL_FROM_HEAD_TITLES]
    for kind, prefixes in catalogue.title_prefixes.items():
        for level in prefixed:
            if level not in prefixes:
                raise _Malformed(f"title_prefixes.{kind}", f"missing level {level!r}")
