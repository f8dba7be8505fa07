"""Loading postings from each known schema and file type, and validating rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jobsearch.config import from_dict
from jobsearch.errors import ConfigError, DataError
from jobsearch.ingest import DROP_REASONS, POSTING_COLUMNS, IngestParams, load_postings
from jobsearch.language import detect_language

# descriptions need min_words (20) words and must read as English
DESCRIPTIONS = [
    "You will build and maintain batch data pipelines in Python and SQL for the analytics team, "
    "review pull requests and improve our data quality checks every week.",
    "You will care for patients on a busy surgical ward, give medication, record vital signs and "
    "work closely with the doctors and the rest of the nursing team on every shift.",
    "You will cook breakfast and lunch for the hotel restaurant, keep the kitchen clean and safe, "
    "order fresh produce from our suppliers and train the new kitchen assistants.",
    "You will answer customer questions by phone and email, process returns in our order system "
    "and write clear notes so that the rest of the support team can follow up.",
]
GERMAN = (
    "Wir suchen eine engagierte Pflegekraft für unsere Station. Sie arbeiten im Team mit den Ärzten "
    "und sind für die Betreuung der Patienten und die Dokumentation der Pflege zuständig."
)


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_json(path, orient="records")
    return path


def own_schema() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "posting_id": ["p1", "p2", "p3"],
            "title": ["Data Engineer", "Staff Nurse", "Line Cook"],
            "company": ["Acme", "Mercy", "Grand Hotel"],
            "location": ["Austin, TX", "Boston, MA", "Reno, NV"],
            "description": DESCRIPTIONS[:3],
            "skills": ["Python, SQL", "", "knife skills"],
            "experience_level": ["Mid-Senior level", "Entry level", ""],
            "source": ["mine", "mine", "mine"],
        }
    )


def linkedin_raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "job_id": [921716, 1829192, 10998357],
            "company_name": ["Acme", None, "Grand Hotel"],
            "title": ["Data Engineer", "Staff Nurse", "Line Cook"],
            "description": DESCRIPTIONS[:3],
            "max_salary": [120000.0, None, 20.0],
            "location": ["Austin, TX", "Boston, MA", "Reno, NV"],
            "formatted_experience_level": ["Mid-Senior level", None, "Entry level"],
            "skills_desc": ["Python and SQL", None, None],
            "work_type": ["FULL_TIME", "FULL_TIME", "PART_TIME"],
        }
    )


def real_postings_like() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["board_a", "board_b", "board_b", "board_a"],
            "job_id": ["0", "0", "7", "1"],  # ids repeat across sources
            "title": ["Data Engineer", "Staff Nurse", "Line Cook", "Support Agent"],
            "company": ["Acme", None, "Grand Hotel", "Shopwise"],
            "location": [None, "Boston, MA", "Reno, NV", "Remote"],
            "description": DESCRIPTIONS,
            "skills": [None, None, "knife skills", None],
            "experience_level": [None, "Entry level", None, None],
            "date": ["2024-01-01", None, None, None],
            "source_repo": ["x/y"] * 4,
        }
    )


def test_own_schema_from_parquet(tmp_path):
    path = write(own_schema(), tmp_path / "postings.parquet")
    postings, metrics = load_postings(IngestParams(source=str(path)))
    assert list(postings.columns) == list(POSTING_COLUMNS)
    assert postings["posting_id"].tolist() == ["p1", "p2", "p3"]
    assert postings.loc[0, "skills"] == "Python, SQL"
    assert postings.loc[2, "experience_level"] == ""
    assert metrics["schema"] == "jobsearch"
    assert metrics["rows_read"] == metrics["rows_kept"] == 3
    assert all(postings[c].map(type).eq(str).all() for c in POSTING_COLUMNS)


def test_linkedin_raw_schema_from_csv(tmp_path):
    path = write(linkedin_raw(), tmp_path / "linkedin.csv")
    postings, metrics = load_postings(IngestParams(source=str(path)))
    assert metrics["schema"] == "linkedin"
    assert metrics["columns"]["company"] == "company_name"
    assert postings["posting_id"].tolist() == ["921716", "1829192", "10998357"]
    assert postings["company"].tolist() == ["Acme", "", "Grand Hotel"]
    assert postings.loc[0, "skills"] == "Python and SQL"
    assert postings.loc[2, "experience_level"] == "Entry level"
    assert postings["source"].unique().tolist() == ["linkedin.csv"]


def test_real_postings_schema_from_jsonl(tmp_path):
    path = write(real_postings_like(), tmp_path / "real.jsonl")
    postings, metrics = load_postings(IngestParams(source=str(path)))
    assert metrics["schema"] == "real_postings"
    # the data's own source column qualifies ids that repeat across sources
    assert postings["posting_id"].tolist() == ["board_a:0", "board_b:0", "board_b:7", "board_a:1"]
    assert postings["source"].tolist() == ["board_a", "board_b", "board_b", "board_a"]
    assert postings.loc[0, "location"] == ""


def test_columns_mapping_for_other_names(tmp_path):
    frame = pd.DataFrame({"job_title": ["Data Engineer", "Staff Nurse"], "body": DESCRIPTIONS[:2], "employer": ["Acme", "Mercy"]})
    path = write(frame, tmp_path / "custom.json")
    params = IngestParams(source=str(path), columns={"title": "job_title", "description": "body", "company": "employer"})
    postings, metrics = load_postings(params)
    assert postings["title"].tolist() == ["Data Engineer", "Staff Nurse"]
    assert postings["company"].tolist() == ["Acme", "Mercy"]
    assert metrics["schema"] == "generic+columns"
    # no id column: ids are content hashes
    assert all(pid.startswith("h") and len(pid) == 13 for pid in postings["posting_id"])


def test_columns_mapping_to_an_absent_column_names_it(tmp_path):
    path = write(own_schema(), tmp_path / "postings.parquet")
    with pytest.raises(DataError, match=r"column 'body' \(mapped to description\) not found"):
        load_postings(IngestParams(source=str(path), columns={"description": "body"}))


def test_unknown_field_in_columns_mapping_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown field 'salary'"):
        from_dict(IngestParams, {"columns": {"salary": "max_salary"}}, prefix="ingest")


def test_hf_source_from_local_folder(tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf_cache")
    folder = tmp_path / "my_dataset"
    folder.mkdir()
    write(linkedin_raw(), folder / "train.parquet")
    # a relative folder is resolved against base_dir
    postings, metrics = load_postings(IngestParams(source="hf:my_dataset"), base_dir=tmp_path)
    assert metrics["schema"] == "linkedin"
    assert postings["posting_id"].tolist() == ["921716", "1829192", "10998357"]
    assert postings["source"].unique().tolist() == ["hf:my_dataset"]


def test_hf_failure_is_one_clear_line(monkeypatch):
    datasets = pytest.importorskip("datasets")

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'someone/jobs' on the Hub (LocalEntryNotFoundError)\nmore detail")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError) as error:
        load_postings(IngestParams(source="hf:someone/jobs"))
    message = str(error.value)
    assert message.startswith("hf:someone/jobs: cannot load the dataset")
    assert "local .parquet/.csv/.jsonl file" in message and "\n" not in message


def test_each_bad_row_reason_is_counted(tmp_path):
    good = DESCRIPTIONS[0]
    rows = [
        {"title": "Data Engineer", "description": good},  # kept
        {"title": None, "description": DESCRIPTIONS[1]},  # missing_title
        {"title": "   ", "description": DESCRIPTIONS[1]},  # missing_title (blank)
        {"title": "Staff Nurse", "description": ""},  # missing_description
        {"title": 12345, "description": DESCRIPTIONS[1]},  # non_text (a number)
        {"title": "Line Cook", "description": DESCRIPTIONS[2], "skills": ["knives", "grill"]},  # non_text (a list)
        {"title": "Line Cook", "description": "Cook eggs."},  # too_short
        {"title": "Data Engineer", "description": good},  # duplicate_exact
        {"title": "data engineer", "description": "  " + good.upper().replace(" ", "  ")},  # duplicate_normalised
        {"title": "Support Agent", "description": DESCRIPTIONS[3]},  # title_filter
        {"title": "Staff Nurse", "description": GERMAN},  # language
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    params = IngestParams(source=str(path), title_filter=["engineer", "nurse", "cook"])
    postings, metrics = load_postings(params)
    assert postings["title"].tolist() == ["Data Engineer"]
    assert metrics["rows_read"] == len(rows) and metrics["rows_kept"] == 1
    assert metrics["dropped"] == {
        "missing_title": 2, "missing_description": 1, "non_text": 2, "too_short": 1,
        "duplicate_exact": 1, "duplicate_normalised": 1, "title_filter": 1, "language": 1,
    }
    assert set(metrics["dropped"]) == set(DROP_REASONS)
    # with no language filter the German posting is kept
    postings, metrics = load_postings(IngestParams(source=str(path), languages=[]))
    assert "Staff Nurse" in postings["title"].tolist() and metrics["dropped"]["language"] == 0


def test_title_filter_matches_words_not_substrings(tmp_path):
    titles = ["Senior Data Engineer", "Metadata Specialist", "Data Scientists Lead", "ML Engineer", "HTML Developer"]
    frame = pd.DataFrame({"title": titles, "description": [DESCRIPTIONS[i % 4] + f" Team {i}." for i in range(5)]})
    path = write(frame, tmp_path / "titles.parquet")
    postings, metrics = load_postings(IngestParams(source=str(path), title_filter=["data", "ml"]))
    assert postings["title"].tolist() == ["Senior Data Engineer", "Data Scientists Lead", "ML Engineer"]
    assert metrics["dropped"]["title_filter"] == 2


def test_min_words_and_max_rows(tmp_path):
    path = write(real_postings_like(), tmp_path / "real.parquet")
    postings, metrics = load_postings(IngestParams(source=str(path), max_rows=2))
    assert len(postings) == 2 and metrics["rows_valid"] == 4 and metrics["capped"] == 2
    # nothing left is one line naming the source and why, before anything is written
    with pytest.raises(DataError, match=r"real\.parquet: no postings left after validation \(too_short: 4\)"):
        load_postings(IngestParams(source=str(path), min_words=1000))


def test_garbage_parquet_names_the_file(tmp_path):
    (tmp_path / "broken.parquet").write_bytes(b"\x00\x01 this is not parquet \xff" * 20)
    with pytest.raises(DataError, match=r"^broken\.parquet: not a readable parquet file"):
        load_postings(IngestParams(source="broken.parquet"), base_dir=tmp_path)


def test_missing_column_names_it_and_the_columns_present(tmp_path):
    path = write(own_schema().drop(columns=["description"]), tmp_path / "postings.parquet")
    with pytest.raises(DataError) as error:
        load_postings(IngestParams(source=str(path)))
    message = str(error.value)
    assert "missing column 'description'" in message and "columns present: posting_id, title" in message
    assert str(path) in message and "\n" not in message


@pytest.mark.parametrize("name", ["postings.xlsx", "postings.txt"])
def test_unsupported_extension(tmp_path, name):
    (tmp_path / name).write_text("title,description\n")
    with pytest.raises(DataError, match=r"unsupported file type"):
        load_postings(IngestParams(source=name), base_dir=tmp_path)


def test_missing_file_and_folder_sources(tmp_path):
    with pytest.raises(DataError, match=r"^data/none\.parquet: file not found$"):
        load_postings(IngestParams(source="data/none.parquet"), base_dir=tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataError, match=r"is a folder.*hf:folder"):
        load_postings(IngestParams(source="folder"), base_dir=tmp_path)


def test_unreadable_csv_and_json(tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00garbage\x00\x00")
    with pytest.raises(DataError, match=r"^bad\.csv: "):
        load_postings(IngestParams(source="bad.csv"), base_dir=tmp_path)
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(DataError, match=r"^bad\.jsonl: not a readable JSON Lines file"):
        load_postings(IngestParams(source="bad.jsonl"), base_dir=tmp_path)


def test_posting_ids_are_stable_and_unique(tmp_path):
    frame = pd.DataFrame(
        {
            "job_id": ["42", "42", None],  # a repeated id and a missing one
            "title": ["Data Engineer", "Staff Nurse", "Line Cook"],
            "description": DESCRIPTIONS[:3],
        }
    )
    path = write(frame, tmp_path / "ids.parquet")
    first, metrics = load_postings(IngestParams(source=str(path)))
    second, _ = load_postings(IngestParams(source=str(path)))
    assert first["posting_id"].tolist() == second["posting_id"].tolist()
    assert first["posting_id"].is_unique
    assert first["posting_id"].iloc[0] == "42" and first["posting_id"].iloc[1].startswith("42-h")
    assert first["posting_id"].iloc[2].startswith("h")
    assert metrics["id_collisions"] == 1


def test_sample_source():
    pytest.importorskip("jobsearch.sample")
    postings, metrics = load_postings(IngestParams(source="sample", sample_size=12, seed=3))
    again, _ = load_postings(IngestParams(source="sample", sample_size=12, seed=3))
    assert metrics["rows_read"] == 12 and 0 < len(postings) <= 12
    assert postings["posting_id"].is_unique
    assert postings["posting_id"].tolist() == again["posting_id"].tolist()
    assert (postings["source"] == "sample").all()


@pytest.mark.parametrize(
    "values,match",
    [({"sample_size": 0}, "sample_size"), ({"min_words": -1}, "min_words"), ({"max_rows": 0}, "max_rows")],
)
def test_ingest_params_are_validated(values, match):
    with pytest.raises(ValueError, match=match):
        IngestParams(**values)


@pytest.mark.parametrize(
    "text,code",
    [
        (DESCRIPTIONS[0], "en"),
        # lower-cased and stripped of punctuation, like one of the shared sources
        ("we are searching for someone who works well in a fastpaced setting in this position you will "
         "provide analytical support to all supply chain domains", "en"),
        (GERMAN, "de"),
        ("Nous recherchons un ingénieur de données pour rejoindre notre équipe. Vous serez responsable "
         "de la conception des pipelines avec Python.", "fr"),
        ("Buscamos un ingeniero de datos para unirse a nuestro equipo. Serás responsable del diseño de "
         "los procesos con Python y SQL en la empresa.", "es"),
        ("我们正在寻找一名数据工程师加入我们的团队，负责构建数据管道。", "zh"),
        ("Python SQL AWS Docker Kubernetes", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text, code):
    assert detect_language(text) == code
