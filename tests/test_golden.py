"""Reading a user's golden queries: formats, merging, bad rows and file-level errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobsearch.errors import DataError
from jobsearch.golden import DROP_REASONS, MAX_ROW_WARNINGS, GoldenQueries, read_golden


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read(path: Path, known_ids=None) -> tuple[GoldenQueries, list[str]]:
    warnings: list[str] = []
    return read_golden(path, known_ids=known_ids, warn=warnings.append), warnings


def no_drops(**counts: int) -> dict[str, int]:
    return {reason: counts.get(reason, 0) for reason in DROP_REASONS}


def test_csv_merges_queries_keeps_first_spelling_and_reads_ids_as_text(tmp_path):
    path = write(
        tmp_path / "golden.csv",
        "\ufeffquery,posting_id,clicks\n"  # a BOM, and an extra column that is ignored
        "python data engineer,p1,3\n"
        '"nurse, ICU nights",123,1\n'  # a quoted comma; a numeric id
        "  Python   Data  ENGINEER ,p2,7\n"  # the first query again, respelt
        '"line cook\nbreakfast",p3,0\n',  # a quoted newline
    )
    golden, warnings = read(path)
    assert golden.queries == ["python data engineer", "nurse, ICU nights", "line cook breakfast"]
    assert golden.relevant == [{"p1", "p2"}, {"123"}, {"p3"}]
    assert golden.rows_read == 4 and golden.dropped == no_drops() and warnings == []


def test_tsv(tmp_path):
    content = "posting_id\tquery\n007\tsql analyst, remote\n8\tsql analyst, remote\n9\tcdl driver\n"
    path = write(tmp_path / "golden.tsv", content)
    golden, _ = read(path)
    assert golden.queries == ["sql analyst, remote", "cdl driver"]
    assert golden.relevant == [{"007", "8"}, {"9"}]  # leading zeros survive: cells are text


def test_jsonl_numbers_become_text_and_blank_lines_are_skipped(tmp_path):
    lines = [
        json.dumps({"query": "ICU nurse", "posting_id": 123, "source": "log"}),
        "",
        json.dumps({"query": "icu NURSE", "posting_id": "p9"}),
        "   ",
        json.dumps({"query": "welder", "posting_id": 42.0}),  # an integer written as a float
    ]
    golden, warnings = read(write(tmp_path / "golden.jsonl", "\ufeff" + "\n".join(lines) + "\n"))
    assert golden.queries == ["ICU nurse", "welder"]
    assert golden.relevant == [{"123", "p9"}, {"42"}]
    assert golden.rows_read == 3 and warnings == []


@pytest.mark.parametrize(
    "name,content,reason,where",
    [
        ("g.csv", "query,posting_id\nnurse,p1\n   ,p2\ncook,p3\n", "empty_query", "row 2 (line 3)"),
        ("g.csv", "query,posting_id\nnurse,p1\ndriver,\ncook,p3\n", "empty_posting_id", "row 2 (line 3)"),
        ("g.csv", "query,posting_id\nnurse,p1\ndriver\ncook,p3\n", "bad_row", "row 2 (line 3)"),  # short line
        ("g.tsv", "query\tposting_id\nnurse\tp1\ndriver\tp2\textra\ncook\tp3\n", "bad_row", "row 2 (line 3)"),  # long line
        ("g.csv", 'query,posting_id\nnurse,p1\n"driver"x,p2\ncook,p3\n', "bad_row", "row 2 (line 3)"),  # text after a quote
        ("g.csv", "query,posting_id\nnurse,p1\nNURSE,p1\ncook,p3\n", "duplicate", "row 2 (line 3)"),
        ("g.jsonl", '{"query": "nurse", "posting_id": "p1"}\n{"query": "driver", "posting_id": \n'
         '{"query": "cook", "posting_id": "p3"}\n', "bad_row", "line 2"),  # not JSON
        ("g.jsonl", '{"query": "nurse", "posting_id": "p1"}\n["driver", "p2"]\n'
         '{"query": "cook", "posting_id": "p3"}\n', "bad_row", "line 2"),  # not an object
        ("g.jsonl", '{"query": "nurse", "posting_id": "p1"}\n\n{"query": "driver", "posting_id": ["p2"]}\n'
         '{"query": "cook", "posting_id": "p3"}\n', "bad_row", "line 3"),  # a list; the blank line still counts
        ("g.jsonl", '{"query": "nurse", "posting_id": "p1"}\n{"posting_id": "p2"}\n'
         '{"query": "cook", "posting_id": "p3"}\n', "empty_query", "line 2"),  # a missing key
    ],
)
def test_each_bad_row_is_dropped_counted_and_reported(tmp_path, name, content, reason, where):
    path = write(tmp_path / name, content)
    golden, warnings = read(path)
    assert golden.queries == ["nurse", "cook"] and golden.relevant == [{"p1"}, {"p3"}]
    assert golden.rows_read == 3 and golden.dropped == no_drops(**{reason: 1})
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{path}: {where}: {reason}")


def test_unknown_posting_id_only_with_known_ids(tmp_path):
    path = write(tmp_path / "g.csv", "query,posting_id\nnurse,p1\nnurse,gone\ncook,p3\n")
    golden, warnings = read(path)
    assert golden.relevant == [{"p1", "gone"}, {"p3"}] and warnings == []
    golden, warnings = read(path, known_ids=["p1", "p2", "p3"])
    assert golden.relevant == [{"p1"}, {"p3"}]
    assert golden.dropped == no_drops(unknown_posting_id=1)
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}: row 2 (line 3): unknown_posting_id")
    assert "'gone'" in warnings[0]


def test_warnings_are_capped_but_counts_stay_exact(tmp_path):
    bad = "".join(f"query {i},\n" for i in range(30))
    path = write(tmp_path / "g.csv", "query,posting_id\nnurse,p1\n" + bad + "cook,p3\n")
    golden, warnings = read(path)
    assert golden.dropped["empty_posting_id"] == 30 and golden.rows_read == 32
    assert len(warnings) == MAX_ROW_WARNINGS + 1 == 21
    assert warnings[-2].startswith(f"{path}: row 21 ")
    assert warnings[-1] == f"{path}: 10 more dropped row(s) not shown"


def error_message(path: Path, **kwargs) -> str:
    with pytest.raises(DataError) as error:
        read_golden(path, warn=lambda _: None, **kwargs)
    message = str(error.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message


def test_missing_file(tmp_path):
    assert error_message(tmp_path / "none.csv").endswith("file not found")


def test_unsupported_suffix_names_the_supported_ones(tmp_path):
    message = error_message(write(tmp_path / "golden.xlsx", "query,posting_id\nnurse,p1\n"))
    assert "'.xlsx'" in message and ".csv, .tsv, .jsonl" in message


@pytest.mark.parametrize(
    "name,content",
    [("g.csv", "query,job_id\nnurse,p1\n"), ("g.jsonl", '{"query": "nurse", "job_id": "p1"}\n')],
)
def test_missing_posting_id_column_names_it_and_the_columns_present(tmp_path, name, content):
    message = error_message(write(tmp_path / name, content))
    assert "missing column(s) posting_id" in message and "columns present: job_id, query" in message


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("g.csv", "query,posting_id\n,p1\nnurse,\nnurse\n",
         "no valid rows (3 read; dropped: empty_query 1, empty_posting_id 1, bad_row 1)"),
        ("g.jsonl", "{oops\n[1, 2]\n", "no valid rows (2 read; dropped: bad_row 2)"),
        ("g.csv", "", "empty file"),
        ("g.csv", "query,posting_id\n", "empty file"),
        ("g.jsonl", "\n\n", "empty file"),
    ],
)
def test_nothing_usable_is_one_line(tmp_path, name, content, expected):
    assert expected in error_message(write(tmp_path / name, content))


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(b"query,posting_id\n\xff\xfe\x00garbage\n")
    assert "not readable as UTF-8" in error_message(path)
