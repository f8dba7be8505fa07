import random

import pytest

from jobsearch.config import ConfigError, from_dict
from jobsearch.queries import QueryParams, add_noise, offline_queries, rank_skills, short_role, _candidate_terms

NO_NOISE = QueryParams(typo_probability=0, lowercase_probability=0, drop_commas_probability=0, role_probability=0, years_probability=0)


def test_one_query_per_posting_in_order(three_postings):
    queries = offline_queries(three_postings, QueryParams())
    assert queries["posting_id"].tolist() == ["p1", "p2", "p3"]
    assert queries["query"].str.len().gt(0).all()


def test_queries_name_distinctive_skills_not_generic_words(three_postings):
    queries = offline_queries(three_postings, NO_NOISE)["query"].tolist()
    assert any(skill in queries[1] for skill in ("Epic EHR", "ACLS", "BLS"))
    assert any(skill in queries[2] for skill in ("Conduit bending", "NEC code", "blueprint reading"))
    for query in queries:
        assert "experience" not in query.lower()
        assert len(query.split(", ")) <= 3


def test_title_words_are_not_copied_as_skills(three_postings):
    query = offline_queries(three_postings, NO_NOISE)["query"][0].lower()
    assert "scientist" not in query and "senior" not in query


def test_deterministic_and_stable_when_postings_are_added(three_postings):
    first = offline_queries(three_postings.iloc[:2], QueryParams())
    again = offline_queries(three_postings.iloc[:2], QueryParams())
    assert first.equals(again)
    other_seed = offline_queries(three_postings, QueryParams(seed=7))
    assert len(other_seed) == 3


def test_bigrams_do_not_cross_punctuation():
    terms = _candidate_terms("Python, PyTorch and credit risk")
    assert "Python PyTorch" not in terms
    assert "credit risk" in terms


def test_rank_skills_prefers_rare_terms_and_skips_overlaps():
    docs = [["Python", "SQL", "Gurobi"], ["Python", "SQL"], ["Python", "Excel"]]
    from collections import Counter

    df = Counter(t for d in docs for t in set(d))
    ranked = rank_skills(docs[0], df, len(docs))
    assert ranked[0] == "gurobi"
    assert ranked.index("sql") < ranked.index("python")


def test_short_role_strips_seniority_and_suffixes():
    assert short_role("Senior Data Scientist - Credit Risk") == "data scientist"
    assert short_role("Registered Nurse (ICU)") == "registered nurse"
    assert short_role("Software Engineer II") == "software engineer"


def test_noise_is_seeded_and_changes_the_text():
    params = QueryParams(typo_probability=1, lowercase_probability=1, drop_commas_probability=1)
    noisy = add_noise("Kubernetes, Terraform, Python", random.Random(1), params)
    assert noisy == add_noise("Kubernetes, Terraform, Python", random.Random(1), params)
    assert noisy != "kubernetes terraform python" and "," not in noisy and noisy == noisy.lower()


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="backend"):
        from_dict(QueryParams, {"backend": "gpt"}, "queries")


def test_skill_shaped_terms_outrank_plain_words():
    from jobsearch.queries import skill_shape_weight

    assert skill_shape_weight(["PyTorch"]) > skill_shape_weight(["Tableau"]) > skill_shape_weight(["credit risk"]) > skill_shape_weight(["regarding"])
    assert skill_shape_weight(["SQL"]) == 2.0 and skill_shape_weight(["COMPETENCIES"]) < 2.0


def test_sentence_initial_capitals_and_web_addresses_are_not_skills():
    terms = _candidate_terms("Install conduit. Visit www.example.com for Tableau dashboards.")
    assert "install" in terms and "Install" not in terms
    assert "Tableau" in terms
    assert not any("example" in t for t in terms)
