import random
import re
from collections import Counter

import pandas as pd
import pytest

from jobsearch.config import ConfigError, from_dict
from jobsearch.queries import (
    STYLES,
    QueriesParams,
    add_noise,
    batch,
    candidate_terms,
    generate_queries,
    llm,
    load_synonyms,
    offline_queries,
    rank_skills,
    short_role,
    skill_tags,
)
from jobsearch.queries.skills import rank_found_tags
from jobsearch.queries.vocabulary import tag_vocabulary

# one skills-only query per posting, without noise
NO_NOISE = QueriesParams(
    typo_probability=0, lowercase_probability=0, drop_commas_probability=0, role_probability=0, years_probability=0,
    styles=["skills"], per_posting=1,
)


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


def test_bigrams_do_not_cross_punctuation():
    terms = candidate_terms("Python, PyTorch and credit risk")
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
    params = QueriesParams(typo_probability=1, lowercase_probability=1, drop_commas_probability=1)
    noisy = add_noise("Kubernetes, Terraform, Python", random.Random(1), params)
    assert noisy == add_noise("Kubernetes, Terraform, Python", random.Random(1), params)
    assert noisy != "kubernetes terraform python" and "," not in noisy and noisy == noisy.lower()


def test_unknown_backend_is_a_config_error():
    with pytest.raises(ConfigError, match="backend"):
        from_dict(QueriesParams, {"backend": "gpt"}, "queries")


def test_skill_shaped_terms_outrank_plain_words():
    from jobsearch.queries import skill_shape_weight

    assert skill_shape_weight(["PyTorch"]) > skill_shape_weight(["Tableau"]) > skill_shape_weight(["credit risk"]) > skill_shape_weight(["regarding"])
    assert skill_shape_weight(["SQL"]) == 2.0 and skill_shape_weight(["COMPETENCIES"]) < 2.0


def test_sentence_initial_capitals_and_web_addresses_are_not_skills():
    terms = candidate_terms("Install conduit. Visit www.example.com for Tableau dashboards.")
    assert "install" in terms and "Install" not in terms
    assert "Tableau" in terms
    assert not any("example" in t for t in terms)


# --- query styles ---------------------------------------------------------------

CORPUS = pd.DataFrame(
    [
        ("c1", "Machine Learning Engineer", "Train deep learning models in PyTorch and deploy them on Kubernetes. 4+ years experience.", "PyTorch, Kubernetes, MLOps"),
        ("c2", "Registered Nurse - ICU", "Care for patients in the ICU. BLS and ACLS certification. Epic charting.", "Critical Care, Patient Care; BLS"),
        ("c3", "Senior Software Engineer", "Build microservices on AWS with Java and Spring Boot. CI/CD with Jenkins, Docker and Terraform.", None),
        ("c4", "Staff Accountant", "Month-end close, general ledger reconciliations and GAAP reporting in NetSuite.", "Accounting, General Ledger, NetSuite"),
        ("c5", "Electrician", "Install and repair wiring. Conduit bending, NEC code and blueprint reading. Forklift a plus. 3 years.", "We need people who love electrical work and safety."),
        ("c6", "HR Generalist", "Own onboarding, employee relations and the HRIS (Workday). SHRM-CP preferred.", "Workday | Onboarding | Employee Relations"),
        ("c7", "Data Analyst", "SQL, Tableau and Excel dashboards on GCP; A/B testing for the marketing team.", float("nan")),
        ("c8", "CDL Truck Driver", "Class A CDL, OTR routes, DOT compliance, forklift a plus.", "CDL Class A, Forklift"),
        ("c9", "Digital Marketing Manager", "Run SEO and PPC campaigns, HubSpot CRM, Google Analytics reporting.", "SEO, PPC, HubSpot"),
        ("c10", "Paralegal", "Draft NDAs, support litigation and eDiscovery with Relativity.", ""),
        ("c11", "Special Education Teacher", "Write IEPs for K-12 students; ESL experience is a plus.", "Special Education, IEP Development"),
        ("c12", "DevOps Engineer", "Terraform infrastructure as code on Google Cloud Platform, Docker, Prometheus.", "Terraform, GCP, Docker, Prometheus"),
    ],
    columns=["posting_id", "title", "description", "skills"],
)
CLEAN = QueriesParams(typo_probability=0, lowercase_probability=0, drop_commas_probability=0)
_WORD = re.compile(r"[a-z0-9]+")


def _words_of(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _posting_text(posting_id: str) -> str:
    row = CORPUS.set_index("posting_id").loc[posting_id]
    return f"{row.title} {row.description}"


def test_exactly_per_posting_queries_per_posting_in_input_order(three_postings):
    for per_posting in (1, 3, 6):
        queries = offline_queries(three_postings, QueriesParams(per_posting=per_posting))
        assert queries.columns.tolist() == ["posting_id", "query", "style"]
        assert queries["posting_id"].tolist() == [p for p in ("p1", "p2", "p3") for _ in range(per_posting)]
        assert queries["query"].str.len().gt(0).all()
        assert set(queries["style"]) <= set(STYLES)


def test_every_style_appears_and_styles_are_distinct_per_posting():
    queries = offline_queries(CORPUS, QueriesParams(per_posting=3, styles=list(STYLES)))
    assert set(queries["style"]) == set(STYLES)
    # skills, role_skills and noisy fit every posting here, so 3 distinct styles always exist
    assert queries.groupby("posting_id")["style"].nunique().eq(3).all()
    assert queries.groupby("posting_id")["query"].nunique().eq(3).all()


def test_styles_repeat_when_fewer_fit_than_per_posting():
    queries = offline_queries(CORPUS, QueriesParams(styles=["tags", "skills"], per_posting=4))
    assert queries.groupby("posting_id").size().eq(4).all()
    untagged = queries[queries["posting_id"].isin(["c3", "c5", "c7", "c10"])]
    assert set(untagged["style"]) == {"skills"}
    assert set(queries["style"]) == {"tags", "skills"}


def test_seeded_per_posting():
    first = offline_queries(CORPUS, QueriesParams())
    assert first.equals(offline_queries(CORPUS, QueriesParams()))
    other_seed = offline_queries(CORPUS, QueriesParams(seed=7))
    assert (first["query"] != other_seed["query"]).sum() > len(first) // 2
    # a posting's dice depend on its id, not on the other postings (a tagged one: which tags an
    # untagged posting names depends on the tags the others are given)
    alone = offline_queries(CORPUS.iloc[[0]], QueriesParams())
    assert alone["style"].tolist() == first.loc[first["posting_id"] == "c1", "style"].tolist()


def test_title_queries_are_the_title_whole_or_shortened():
    queries = offline_queries(CORPUS, QueriesParams(**{**CLEAN.__dict__, "styles": ["title"], "per_posting": 2}))
    titles = CORPUS.set_index("posting_id")["title"]
    for posting_id, rows in queries.groupby("posting_id"):
        title = titles[posting_id]
        # without noise: one query is the whole title, the other the role a seeker types
        assert sorted(rows["query"]) == sorted([title, short_role(title)]) or title.lower() == short_role(title)
    noisy = offline_queries(CORPUS, QueriesParams(styles=["title"], per_posting=1, typo_probability=1))
    assert (noisy["query"].str.lower() != noisy["posting_id"].map(titles).str.lower()).sum() >= len(noisy) // 2


def test_synonym_queries_write_words_the_posting_does_not_contain():
    queries = offline_queries(CORPUS, QueriesParams(**{**CLEAN.__dict__, "styles": ["synonyms", "skills"]}))
    synonyms = queries[queries["style"] == "synonyms"]
    assert synonyms["posting_id"].nunique() >= 10
    for row in synonyms.itertuples():
        assert _words_of(row.query) - _words_of(_posting_text(row.posting_id)), row


def test_synonym_queries_swap_abbreviations_both_ways():
    postings = pd.DataFrame(
        {
            "posting_id": ["k", "a"],
            "title": ["Platform Builder", "Platform Builder"],
            "description": ["Run Kubernetes clusters and write Helm charts.", "Run AWS accounts and write Helm charts."],
        }
    )
    queries = offline_queries(postings, QueriesParams(**{**CLEAN.__dict__, "styles": ["synonyms"], "per_posting": 1}))
    assert "k8s" in queries["query"][0]
    assert "Amazon Web Services" in queries["query"][1]


def _postings(**title_and_description: tuple[str, str]) -> pd.DataFrame:
    """Postings from ``posting_id=(title, description)``."""
    return pd.DataFrame(
        [(pid, title, description) for pid, (title, description) in title_and_description.items()],
        columns=["posting_id", "title", "description"],
    )


def test_postings_without_a_term_to_swap_get_no_synonym_query():
    postings = _postings(
        none=("Welder", "Weld brackets and grind seams on trailers."),
        # "AWS" is in the vocabulary, but every word of "Amazon Web Services" is already here
        spelled=("Courier", "Deliver Amazon parcels; track them with our web services on AWS."),
    )
    queries = offline_queries(postings, QueriesParams(styles=["synonyms", "skills"], per_posting=2))
    assert queries["style"].tolist() == ["skills"] * 4


def test_skill_tags_parse_lists_and_reject_prose():
    assert skill_tags("Artificial Intelligence, Amazon Web Services, Aws Lambda, Python") == [
        "Artificial Intelligence", "Amazon Web Services", "Aws Lambda", "Python",
    ]
    assert skill_tags("SQL; Tableau | Excel\nPower BI") == ["SQL", "Tableau", "Excel", "Power BI"]
    assert skill_tags("Node.js, React") == ["Node.js", "React"]
    for not_a_list in (
        "We need people who love electrical work and safety.",
        "Experience with Python, Java, and SQL",
        "You will use Python, SQL",
        "Strong communication skills. Attention to detail.",
        "Python",
        "Python, a very long skill name that is really a sentence",
        "",
        None,
        float("nan"),
    ):
        assert skill_tags(not_a_list) == [], not_a_list


def test_tag_queries_only_use_the_postings_tags():
    queries = offline_queries(CORPUS, QueriesParams(**{**CLEAN.__dict__, "styles": ["tags"], "per_posting": 2}))
    tagged = queries[queries["style"] == "tags"]
    assert tagged["posting_id"].nunique() == 8
    for row in tagged.itertuples():
        tags = skill_tags(CORPUS.set_index("posting_id").loc[row.posting_id, "skills"])
        assert set(row.query.split(", ")) <= set(tags), row


def test_found_tag_queries_name_the_corpus_tags_an_untagged_posting_writes():
    queries = offline_queries(CORPUS, QueriesParams(**{**CLEAN.__dict__, "styles": ["found_tags"], "per_posting": 2}))
    found = queries[queries["style"] == "found_tags"]
    # c3 writes Docker and Terraform, c7 GCP, c5 Forklift: tags other postings are given
    assert set(found["posting_id"]) == {"c3", "c5", "c7"}
    assert set(queries.loc[queries["style"] != "found_tags", "style"]) == {"role_skills"}  # the fallback
    corpus_tags = {tag for field in CORPUS["skills"] for tag in skill_tags(field)}
    for row in found.itertuples():
        tags = row.query.split(", ")
        assert set(tags) <= corpus_tags, row  # spelled as the source spells them
        assert all(_words_of(tag) <= _words_of(_posting_text(row.posting_id)) for tag in tags), row
    assert set(", ".join(found.loc[found["posting_id"] == "c3", "query"]).split(", ")) <= {"Docker", "Terraform"}


def test_tag_vocabulary_finds_tags_in_text_short_ones_in_capitals_only():
    vocabulary = tag_vocabulary([["Python", "Machine Learning", "R"], ["python", "machine learning"], ["Python"]])
    assert vocabulary.given == {"Python": 3, "Machine Learning": 2, "R": 1}  # the commonest spelling names a tag
    found = vocabulary.find("Machine\nlearning in PYTHON and R; r is a letter, pythonic is not python")
    assert found == {"Machine Learning": 1, "Python": 2, "R": 1}
    assert not tag_vocabulary([[], []]).find("Python")


def test_found_tags_rank_distinctive_tags_the_source_gives_often_first():
    doc_freq = Counter({"Python": 50, "Writing": 50, "Gurobi": 2})
    found = Counter({"Python": 1, "Writing": 1, "Gurobi": 1})
    given = {"Python": 100, "Writing": 2, "Gurobi": 100}
    assert rank_found_tags(found, doc_freq, 100, given) == ["Gurobi", "Python", "Writing"]
    # named more often in the posting counts too
    assert rank_found_tags(Counter({"Python": 1, "Writing": 20}), doc_freq, 100, {"Python": 3, "Writing": 2})[0] == "Writing"


def test_noisy_queries_always_have_a_typo_and_are_lower_case():
    # noise probabilities at 0: the noisy style must add its own
    queries = offline_queries(CORPUS, QueriesParams(**{**CLEAN.__dict__, "styles": ["noisy"], "per_posting": 2}))
    assert len(queries) == 2 * len(CORPUS)
    for row in queries.itertuples():
        assert row.query == row.query.lower()
        typos = {w for w in _words_of(row.query) - _words_of(_posting_text(row.posting_id)) if len(w) >= 4}
        assert typos, row


def test_synonym_vocabulary_loads_and_forms_are_unique():
    vocabulary = load_synonyms()
    assert len(vocabulary.groups) >= 150
    forms = [form.lower() for group in vocabulary.groups for form in group]
    assert len(forms) == len(set(forms))
    assert all(len(group) >= 2 for group in vocabulary.groups)
    found = vocabulary.find("Machine  learning on AWS, ML ops; RN (ICU)")
    assert set().union(*found.values()) == {"machine learning", "aws", "ml ops", "rn", "icu"}  # longest form wins
    assert vocabulary.find("ML models")  # "ML" in capitals is the acronym ...
    # ... "ml", "pm" in lower case, or after a number, are something else
    assert not vocabulary.find("give 5 ml of saline, 10 ML at 5 PM, it is html")


def test_bad_vocabulary_is_a_clear_error(tmp_path):
    duplicate = tmp_path / "dup.yaml"
    duplicate.write_text("- [machine learning, ML]\n- [Markup Language, ml]\n")
    with pytest.raises(ConfigError, match=r"form 'ml' of group 2 .* already in group 1"):
        load_synonyms(duplicate)
    lonely = tmp_path / "lonely.yaml"
    lonely.write_text("- [machine learning, ML]\n- [Kubernetes]\n")
    with pytest.raises(ConfigError, match=r"group 2 \['Kubernetes'\] must be a list of at least 2"):
        load_synonyms(lonely)


def test_unknown_style_or_bad_per_posting_is_rejected():
    with pytest.raises(ValueError, match="'typos'"):
        QueriesParams(styles=["skills", "typos"])
    with pytest.raises(ConfigError, match="typos"):
        from_dict(QueriesParams, {"styles": ["typos"]}, "queries")
    with pytest.raises(ValueError, match="styles"):
        QueriesParams(styles=[])
    with pytest.raises(ValueError, match="per_posting"):
        QueriesParams(per_posting=0)


def test_generate_queries_reports_styles_with_or_without_skill_tags():
    for postings in (CORPUS, CORPUS.drop(columns="skills")):
        queries, metrics = generate_queries(postings, QueriesParams())
        assert metrics["queries"] == len(queries) == QueriesParams().per_posting * len(CORPUS)
        assert sum(metrics["per_style"].values()) == len(queries)
        assert metrics["per_style"] == queries["style"].value_counts().to_dict()


@pytest.mark.parametrize("backend, module, name", [("openai", llm, "chat_queries"), ("openai-batch", batch, "batch_queries")])
def test_generate_queries_sends_llm_backends_to_their_module_and_labels_the_queries(monkeypatch, backend, module, name):
    def fake_llm(postings, params):
        return pd.DataFrame({"posting_id": postings["posting_id"], "query": "llm query"}), {"backend": params.backend}

    monkeypatch.setattr(module, name, fake_llm)
    queries, metrics = generate_queries(CORPUS, QueriesParams(backend=backend))
    assert queries.columns.tolist() == ["posting_id", "query", "style"]
    assert set(queries["style"]) == {"llm"} and metrics["per_style"] == {"llm": len(CORPUS)}
    assert metrics["backend"] == backend


def test_seeker_queries_compose_seniority_role_years_and_the_postings_terms(three_postings):
    from jobsearch.queries.vocabulary import parse_synonyms

    params = QueriesParams(styles=["seeker"], per_posting=3)
    no_synonyms = parse_synonyms([["k8s", "Kubernetes"]], "test")
    queries = offline_queries(three_postings, params, no_synonyms)
    assert queries.equals(offline_queries(three_postings, params, no_synonyms))  # seeded per posting
    assert set(queries["style"]) == {"seeker"}
    texts = three_postings.set_index("posting_id")
    for row in queries.itertuples():
        posting = f"{texts.loc[row.posting_id, 'title']} {texts.loc[row.posting_id, 'description']}".lower()
        # shorthand and one typo aside (and no synonyms to write), the words come from the posting
        words = [w for w in re.findall(r"[a-z0-9+]+", row.query.lower()) if w not in {"w", "yrs", "exp", "sr", "jr", "years", "experience"}]
        assert sum(w in posting for w in words) >= len(words) - 1, row
    senior = queries[queries["posting_id"] == "p1"]["query"].str.lower()
    assert senior.str.contains("scientist|scientst|scientis|sceintist", regex=True).any()


def test_seeker_queries_are_longer_than_the_other_styles():
    queries = offline_queries(CORPUS, QueriesParams(styles=["seeker", "skills"], per_posting=2))
    words = queries["query"].str.split().str.len().groupby(queries["style"]).mean()
    assert words["seeker"] > words["skills"] + 2


def test_a_synonym_is_written_only_in_its_sense():
    from jobsearch.queries.vocabulary import parse_synonyms

    postings = _postings(
        hvac=("HVAC Technician", "Airflow balancing and duct sealing for commercial air handlers. Airflow measurement with hoods."),
        data=("Data Engineer", "Build Airflow DAGs and ETL pipelines in Python; Airflow operators and SQL."),
    )
    # the packaged vocabulary knows Airflow's sense
    for style in ("synonyms", "seeker"):
        queries = offline_queries(postings, QueriesParams(styles=[style], per_posting=6, role_probability=1)).set_index("posting_id")
        assert not queries.loc[["hvac"], "query"].str.contains("apache", case=False).any(), style
    # with Airflow the only term to swap: the data posting gets it, the HVAC one the fallback style
    airflow = parse_synonyms([{"forms": ["Apache Airflow", "Airflow"], "sense": ["etl", "dags"]}, ["k8s", "Kubernetes"]], "test")
    queries = offline_queries(postings, QueriesParams(**{**CLEAN.__dict__, "styles": ["synonyms"], "per_posting": 1}), airflow)
    assert queries["style"].tolist() == ["role_skills", "synonyms"]
    assert "Apache Airflow" in queries["query"][1]


def test_a_sense_must_be_a_list_of_words():
    from jobsearch.errors import ConfigError
    from jobsearch.queries.vocabulary import parse_synonyms

    vocabulary = parse_synonyms([{"forms": ["Apache Airflow", "Airflow"], "sense": ["etl"]}, ["ML", "machine learning"]], "v.yaml")
    assert vocabulary.in_sense(0, {"etl", "dags"}) and not vocabulary.in_sense(0, {"duct"}) and vocabulary.in_sense(1, set())
    with pytest.raises(ConfigError, match="v.yaml: group 1"):
        parse_synonyms([{"forms": ["Apache Airflow", "Airflow"], "sense": []}], "v.yaml")
