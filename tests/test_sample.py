"""Tests for the synthetic sample postings (jobsearch.sample)."""

from __future__ import annotations

import html
import importlib.resources
import re

import pandas as pd
import pytest
import yaml

from jobsearch.errors import ConfigError
from jobsearch.sample import COLUMNS, ROLE_FAMILIES, generate_postings, load_catalogue

HTML_TAG = re.compile(r"<(?:p|ul|li|b|br|h3|div|strong)\b[^>]*>")
YEARS_REQUIRED = re.compile(r"(\d+)(?:\+|-\d+)? years'? (?:of|experience)")


@pytest.fixture(scope="module")
def postings() -> pd.DataFrame:
    return generate_postings(300, seed=1)


def _plain_text(description: str) -> str:
    return html.unescape(HTML_TAG.sub(" ", re.sub(r"</\w+>", " ", description)))


def test_same_seed_gives_same_frame_and_other_seed_differs():
    first = generate_postings(40, seed=3)
    pd.testing.assert_frame_equal(first, generate_postings(40, seed=3))
    other = generate_postings(40, seed=4)
    assert (first["description"] != other["description"]).sum() > 35


def test_more_postings_leave_earlier_ones_unchanged():
    short = generate_postings(25, seed=5)
    longer = generate_postings(60, seed=5)
    pd.testing.assert_frame_equal(short, longer.head(25))


def test_columns_present_and_non_empty(postings):
    assert list(postings.columns) == list(COLUMNS)
    assert len(postings) == 300
    for column in COLUMNS:
        values = postings[column]
        assert values.map(lambda v: isinstance(v, str) and v.strip() != "").all(), column


def test_job_ids_distinct_and_numbered(postings):
    assert postings["job_id"].is_unique
    assert postings["job_id"].iloc[0] == "sample-000001"
    assert postings["job_id"].iloc[-1] == "sample-000300"


def test_at_least_30_role_families_at_n200_seed1():
    families = generate_postings(200, seed=1)["role_family"]
    assert families.nunique() >= 30
    data_roles = {"data_scientist", "ml_engineer", "data_engineer", "nlp_llm_engineer"}
    other_roles = {"registered_nurse_icu", "electrician", "truck_driver", "accountant"}
    assert data_roles & set(families) and other_roles & set(families)


def test_listed_skills_appear_in_description_and_belong_to_family(postings):
    pools = {fam.key: set(fam.skills) | set(fam.certs) for fam in ROLE_FAMILIES}
    for row in postings.itertuples():
        skills = row.skills.split(", ")
        assert 4 <= len(skills) <= 7, row.job_id
        assert len(set(skills)) == len(skills), row.job_id
        text = html.unescape(row.description)
        for skill in skills:
            assert skill in text, (row.job_id, skill)
            assert skill in pools[row.role_family], (row.job_id, skill)


def test_mix_of_html_plain_and_run_together(postings):
    is_html = postings["description"].str.contains(HTML_TAG)
    run_on = ~is_html & ~postings["description"].str.contains("\n")
    assert 0.1 <= is_html.mean() <= 0.35
    assert run_on.sum() >= 3  # markup stripped without separators
    assert (~is_html & ~run_on).sum() >= 150  # ordinary plain-text postings
    assert postings["description"][is_html].str.contains("&amp;|&#39;|&nbsp;").any()


def test_description_length_and_eeo_note(postings):
    for row in postings.itertuples():
        text = _plain_text(row.description)
        assert 150 <= len(text.split()) <= 600, row.job_id
        assert f"{row.company} is an equal opportunity employer" in text.replace(
            "Equal Opportunity Employer", "equal opportunity employer"), row.job_id


def test_years_of_experience_match_seniority(postings):
    checked = {"Entry level": 0, "Director": 0}
    for row in postings.itertuples():
        match = YEARS_REQUIRED.search(html.unescape(row.description))
        if row.experience_level == "Entry level":
            if match:  # entry postings may also say "no prior experience required"
                assert int(match.group(1)) <= 2, row.job_id
            checked["Entry level"] += 1
        elif row.experience_level == "Director":
            assert match and int(match.group(1)) >= 10, row.job_id
            checked["Director"] += 1
    assert checked["Entry level"] > 20 and checked["Director"] > 5
    assert set(postings["experience_level"]) <= {"Entry level", "Associate", "Mid-Senior level", "Director"}


def test_role_family_catalogue_is_well_formed():
    assert len(ROLE_FAMILIES) >= 30
    assert len({fam.key for fam in ROLE_FAMILIES}) == len(ROLE_FAMILIES)
    for fam in ROLE_FAMILIES:
        pool = fam.skills + fam.certs
        assert 2 <= len(fam.titles) <= 4, fam.key
        assert 12 <= len(pool) <= 20, fam.key
        assert len(set(pool)) == len(pool), fam.key
        # the skills column is comma-separated, so a skill may not contain a comma
        assert not [s for s in pool if "," in s], fam.key


@pytest.mark.parametrize("n", [0, -3])
def test_n_below_one_raises(n):
    with pytest.raises(ValueError, match="at least 1"):
        generate_postings(n)


def test_non_integer_n_raises():
    with pytest.raises(ValueError, match="integers"):
        generate_postings(2.5)  # type: ignore[arg-type]


def test_malformed_catalogue_is_one_line_naming_file_and_key(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("role_families:\n  - key: cook\n    titles: [Cook]\n")
    with pytest.raises(ConfigError) as caught:
        load_catalogue(path)
    assert str(caught.value) == f"{path}: role_families[0]: missing key 'head_titles'"


def _break_title_prefixes(data: dict) -> None:
    del data["title_prefixes"]["trade"]["lead"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda data: data["role_families"][2].pop("skills"), "role_families[2]: missing key 'skills'"),
        (lambda data: data.update(cites=[]), "top level: unknown key 'cites'"),
        (lambda data: data["levels"][0].update(weight="high"), "levels[0].weight: expected a number, got 'high'"),
        (lambda data: data.update(benefits=["Pet insurance"]), "benefits: expected at least 10 items, got 1"),
        (lambda data: data["culture"].append("Founded in {yr}."), "culture[5]: unknown placeholder {yr}"),
        (lambda data: data["role_families"][0]["industries"].append("space"),
         "role_families[0].industries: 'space' is not a key of industries"),
        (_break_title_prefixes, "title_prefixes.trade: missing level 'lead'"),
    ],
)
def test_each_problem_in_the_catalogue_is_named(tmp_path, edit, expected):
    packaged = importlib.resources.files("jobsearch") / "data" / "sample_roles.yaml"
    data = yaml.safe_load(packaged.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=re.escape(expected)) as caught:
        load_catalogue(path)
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)


def test_unreadable_catalogue_is_one_line(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("role_families: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as caught:
        load_catalogue(path)
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="file not found"):
        load_catalogue(tmp_path / "missing.yaml")
