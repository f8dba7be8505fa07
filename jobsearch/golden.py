"""A user's own labelled queries ("golden" queries, e.g. from search logs).

A golden file has one row per (query, relevant posting) pair, as ``.csv``,
``.tsv`` or ``.jsonl`` with the columns/keys ``query`` and ``posting_id``
(other columns are ignored). Rows with the same query (whitespace-collapsed,
compared case-insensitively) are merged into one query with several relevant
postings.

File-level problems (missing file, unknown format, missing column, nothing
usable) raise :class:`DataError`. Row-level problems never raise: such logs are
messy, so each bad row is dropped, counted under a reason in
:data:`DROP_REASONS` and reported by one warning line.
"""

from __future__ import annotations

import _csv
import csv
import io
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping, NamedTuple

from jobsearch.errors import DataError
from jobsearch.io import require_columns

REQUIRED_COLUMNS = ("query", "posting_id")
DELIMITERS = {".csv": ",", ".tsv": "\t"}
SUPPORTED_SUFFIXES = (*DELIMITERS, ".jsonl")
DROP_REASONS = ("empty_query", "empty_posting_id", "unknown_posting_id", "bad_row", "duplicate")
# beyond this many row warnings only a count is printed, so a badly broken file stays readable
MAX_ROW_WARNINGS = 20


@dataclass
class GoldenQueries:
    queries: list[str]  # distinct queries, in first-seen order
    relevant: list[set[str]]  # per query, the posting_ids labelled relevant
    rows_read: int
    dropped: dict[str, int]  # reason -> rows dropped, every reason in DROP_REASONS present


class _Row(NamedTuple):
    where: str  # position for warnings: "row 3 (line 4)" or "line 7"
    values: Mapping[str, object] | None  # None when the row could not be parsed
    problem: str = ""  # why values is None


class _Table(NamedTuple):
    columns: list[str] | None  # None when no row could be parsed (nothing to check)
    rows: list[_Row]


def held_out_postings(path: str | Path | None, known_ids: Collection[str]) -> set[str]:
    """The postings the golden file at ``path`` labels relevant (none without a file)."""
    if path is None:
        return set()
    golden = read_golden(path, known_ids=known_ids)
    return set().union(*golden.relevant)


def warn_stderr(message: str) -> None:
    print(message, file=sys.stderr)


def read_golden(
    path: str | Path,
    known_ids: Collection[str] | None = None,
    warn: Callable[[str], None] = warn_stderr,
) -> GoldenQueries:
    """Read golden queries; with ``known_ids``, ids outside the corpus are dropped."""
    path = Path(path)
    table = _read_table(path)
    if table.columns is not None:
        require_columns(table.columns, REQUIRED_COLUMNS, path)
    if not table.rows:
        raise DataError(f"{path}: empty file (no data rows)")
    known = None if known_ids is None else {str(i) for i in known_ids}  # a set: O(1) lookups

    queries: list[str] = []
    relevant: list[set[str]] = []
    index: dict[str, int] = {}  # case-folded query -> position in queries
    dropped = Counter({reason: 0 for reason in DROP_REASONS})
    warned = 0
    for row in table.rows:
        query, posting_id, reason, detail = _validate(row)
        if reason is None and known is not None and posting_id not in known:
            reason, detail = "unknown_posting_id", f"posting_id {posting_id!r} is not in the corpus"
        key = query.casefold()
        if reason is None and key in index and posting_id in relevant[index[key]]:
            reason, detail = "duplicate", f"query {query!r} with posting_id {posting_id!r} seen before"
        if reason is not None:
            dropped[reason] += 1
            if warned < MAX_ROW_WARNINGS:
                warn(f"{path}: {row.where}: {reason}: {detail}; row dropped")
                warned += 1
            continue
        if key not in index:
            index[key] = len(queries)
            queries.append(query)  # the first spelling is kept
            relevant.append(set())
        relevant[index[key]].add(posting_id)

    total_dropped = sum(dropped.values())
    if total_dropped > warned:
        warn(f"{path}: {total_dropped - warned} more dropped row(s) not shown")
    if not queries:
        reasons = ", ".join(f"{reason} {n}" for reason, n in dropped.items() if n)
        raise DataError(f"{path}: no valid rows ({len(table.rows)} read; dropped: {reasons})")
    return GoldenQueries(queries, relevant, len(table.rows), dict(dropped))


def _validate(row: _Row) -> tuple[str, str, str | None, str]:
    """(query, posting_id, drop reason or None, detail) for one row, ids and queries normalised."""
    if row.values is None:
        return "", "", "bad_row", row.problem
    texts: dict[str, str] = {}
    for column in REQUIRED_COLUMNS:
        value = row.values.get(column)
        text = _as_text(value)
        if text is None:
            return "", "", "bad_row", f"{column} is not text ({type(value).__name__})"
        texts[column] = text
    query = " ".join(texts["query"].split())
    posting_id = texts["posting_id"].strip()
    if not query:
        return query, posting_id, "empty_query", "query is empty"
    if not posting_id:
        return query, posting_id, "empty_posting_id", "posting_id is empty"
    return query, posting_id, None, ""


def _as_text(value: object) -> str | None:
    """A cell as text: numbers become their digits, missing becomes ""; None for lists, dicts, bools."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # a bool is an int in Python, but never an id or a query
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        # JSON writers often turn integer ids into 123.0
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _read_table(path: Path) -> _Table:
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(f"{path}: unsupported file type '{path.suffix}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a leading BOM is dropped, not glued to the first column
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not readable as UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if suffix == ".jsonl":
        return _parse_jsonl(text)
    return _parse_delimited(text, DELIMITERS[suffix], path)


def _parse_delimited(text: str, delimiter: str, path: Path) -> _Table:
    # the csv module (not pandas) so that a short or long line is reported, not padded with NaN
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"{path}: unreadable header line ({exc})") from None
    if not header or not any(cell.strip() for cell in header):
        raise DataError(f"{path}: empty file (no header line)")
    columns = [cell.strip() for cell in header]
    rows: list[_Row] = []
    for number, (line, cells) in enumerate(_records(reader), start=1):
        where = f"row {number} (line {line})"
        if isinstance(cells, csv.Error):
            rows.append(_Row(where, None, f"malformed line ({cells})"))
        elif len(cells) != len(columns):
            rows.append(_Row(where, None, f"expected {len(columns)} fields, found {len(cells)}"))
        else:
            # reversed: where a column name repeats, the first such column wins
            rows.append(_Row(where, dict(reversed(list(zip(columns, cells))))))
    return _Table(columns, rows)


def _records(reader: _csv.Reader) -> Iterator[tuple[int, list[str] | csv.Error]]:
    """(first line number, cells or the parse error) per record; blank lines are skipped."""
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader resets on the next record, so reading goes on
            yield line, exc
            continue
        if cells:
            yield line, cells


def _parse_jsonl(text: str) -> _Table:
    columns: dict[str, None] = {}  # keys seen in any object, in first-seen order
    parsed_any = False
    rows: list[_Row] = []
    # split on "\n" only: splitlines() would also break at U+2028, which JSON strings may hold raw
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(_Row(where, None, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(value, dict):
            rows.append(_Row(where, None, f"not a JSON object ({type(value).__name__})"))
            continue
        parsed_any = True
        columns.update(dict.fromkeys(value))
        rows.append(_Row(where, value))
    return _Table(list(columns) if parsed_any else None, rows)
