"""Loading job postings from any source into the project's standard frame.

Sources:

* ``sample``: synthetic postings from :mod:`jobsearch.sample` (offline default);
* ``hf:<dataset>``: a Hugging Face dataset (a Hub name, or a local folder of
  parquet/csv/jsonl files) through ``datasets.load_dataset``;
* a local ``.parquet``, ``.csv``, ``.jsonl`` or ``.json`` file.

The source's columns are mapped onto our fields by a known schema detected from
the column names (ours, the raw LinkedIn export, the shared real-postings
file, or any frame with ``title`` and ``description`` columns), optionally
overridden by ``IngestParams.columns``. Rows are then validated: missing or
non-text values, too-short descriptions, duplicates, titles outside the title
filter and other languages are dropped and counted, never repaired.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from jobsearch.errors import DataError, one_line
from jobsearch.language import UNDETERMINED, detect_language

SOURCE_SAMPLE = "sample"
HF_PREFIX = "hf:"
SUPPORTED_SUFFIXES = (".parquet", ".csv", ".jsonl", ".json")

# the standard postings frame
POSTING_COLUMNS = (
    "posting_id", "title", "company", "location", "description", "skills", "experience_level", "source",
)
TEXT_FIELDS = ("title", "company", "location", "description", "skills", "experience_level", "source")
REQUIRED_FIELDS = ("title", "description")
DROP_REASONS = (
    "missing_title", "missing_description", "non_text", "too_short",
    "duplicate_exact", "duplicate_normalised", "title_filter", "language",
)
_BATCH_ROWS = 20_000


@dataclass
class IngestParams:
    source: str = SOURCE_SAMPLE  # "sample" | "hf:<dataset name or folder>" | path to .parquet/.csv/.jsonl/.json
    sample_size: int = 300
    seed: int = 42
    title_filter: list[str] = field(default_factory=list)  # keep titles with any keyword; empty keeps all
    columns: dict[str, str] = field(default_factory=dict)  # our field -> source column, overrides detection
    min_words: int = 20  # shorter descriptions are dropped
    languages: list[str] = field(default_factory=lambda: ["en"])  # keep these; empty keeps all
    hf_split: str = "train"
    hf_revision: str | None = None
    max_rows: int | None = None  # cap after validation (quick runs)

    def __post_init__(self) -> None:
        if not str(self.source).strip():
            raise ValueError("source must name 'sample', 'hf:<dataset>' or a file")
        if self.sample_size < 1:
            raise ValueError(f"sample_size must be at least 1, got {self.sample_size}")
        if self.min_words < 0:
            raise ValueError(f"min_words must be >= 0, got {self.min_words}")
        if self.max_rows is not None and self.max_rows < 1:
            raise ValueError(f"max_rows must be at least 1 (or null for no cap), got {self.max_rows}")
        unknown = sorted(set(self.columns) - set(POSTING_COLUMNS))
        if unknown:
            raise ValueError(f"columns: unknown field '{unknown[0]}' (fields: {', '.join(POSTING_COLUMNS)})")
        bad = [k for k in self.title_filter if not str(k).strip()]
        if bad:
            raise ValueError("title_filter: keywords must not be empty")
        self.languages = [str(code).strip().lower() for code in self.languages]


@dataclass(frozen=True)
class Schema:
    """A known source layout: the columns that identify it and how they map to our fields."""

    name: str
    signature: tuple[str, ...]
    columns: dict[str, str]


SCHEMAS: tuple[Schema, ...] = (
    Schema("jobsearch", ("posting_id", "title", "description"), {f: f for f in POSTING_COLUMNS}),
    Schema(
        "linkedin",  # raw LinkedIn export, datastax/linkedin_job_listings
        ("job_id", "company_name", "title", "description"),
        {
            "posting_id": "job_id", "title": "title", "company": "company_name", "location": "location",
            "description": "description", "skills": "skills_desc",
            "experience_level": "formatted_experience_level",
        },
    ),
    Schema(
        "real_postings",  # ../shared/data/real_postings.parquet
        ("source", "job_id", "title", "company", "description"),
        {
            "posting_id": "job_id", "title": "title", "company": "company", "location": "location",
            "description": "description", "skills": "skills", "experience_level": "experience_level",
            "source": "source",
        },
    ),
)
# anything else: fields under their own names, the id under a usual name
_GENERIC_ID_COLUMNS = ("posting_id", "job_id", "id")


def detect_schema(present: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Schema name and our-field -> column mapping for a source with columns ``present``."""
    present = list(present)
    have = set(present)
    for schema in SCHEMAS:
        if set(schema.signature) <= have:
            return schema.name, {f: c for f, c in schema.columns.items() if c in have}
    mapping = {f: f for f in TEXT_FIELDS if f in have}
    for id_column in _GENERIC_ID_COLUMNS:
        if id_column in have:
            mapping["posting_id"] = id_column
            break
    return "generic", mapping


# ---------------------------------------------------------------------------
# reading sources


def load_postings(params: IngestParams, base_dir: Path = Path(".")) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read ``params.source`` and return (standard postings frame, metrics)."""
    source = str(params.source).strip()
    if source == SOURCE_SAMPLE:
        raw, label, source_name = _read_sample(params), SOURCE_SAMPLE, SOURCE_SAMPLE
        schema, mapping = _mapping(raw.columns, params.columns, label)
        raw = raw[sorted(set(mapping.values()))]
    elif source.startswith(HF_PREFIX):
        raw, schema, mapping, label = _read_hf(source, params, Path(base_dir))
        source_name = source
    else:
        raw, schema, mapping, label = _read_file(source, params, Path(base_dir))
        source_name = Path(source).name
    frame = _to_fields(raw, mapping)
    # real_postings gathers several sources whose ids repeat (job_id "0" in
    # several of them): qualify ids with the row's source there
    postings, metrics = validate_postings(
        frame, params, default_source=source_name, qualify_ids=schema.startswith("real_postings")
    )
    if postings.empty:
        reasons = ", ".join(f"{k}: {v}" for k, v in metrics["dropped"].items() if v) or "the source is empty"
        raise DataError(f"{source}: no postings left after validation ({reasons})")
    metrics = {
        "source": source,
        "schema": schema,
        "columns": mapping,
        **metrics,
    }
    return postings, metrics


def _read_sample(params: IngestParams) -> pd.DataFrame:
    from jobsearch.sample import generate_postings  # lazily: the generator is large

    return generate_postings(params.sample_size, params.seed)


def _mapping(present: Iterable[str], overrides: dict[str, str], label: str) -> tuple[str, dict[str, str]]:
    present = list(present)
    schema, mapping = detect_schema(present)
    have = set(present)
    for our_field, column in overrides.items():
        if column not in have:
            raise DataError(
                f"{label}: column '{column}' (mapped to {our_field}) not found "
                f"(columns present: {_column_list(present)})"
            )
        mapping[our_field] = column
    for our_field in REQUIRED_FIELDS:
        if our_field not in mapping:
            raise DataError(
                f"{label}: missing column '{our_field}' (columns present: {_column_list(present)}); "
                f"name it in the columns mapping, e.g. columns: {{{our_field}: <column>}}"
            )
    if overrides:
        schema = f"{schema}+columns"
    return schema, mapping


def _column_list(columns: Iterable[str], limit: int = 40) -> str:
    columns = [str(c) for c in columns]
    text = ", ".join(columns[:limit]) or "none"
    return text + (f", ... ({len(columns)} in all)" if len(columns) > limit else "")


def _resolve(path_text: str, base_dir: Path) -> Path:
    path = Path(path_text).expanduser()
    return path if path.is_absolute() else base_dir / path


def _read_file(source: str, params: IngestParams, base_dir: Path) -> tuple[pd.DataFrame, str, dict[str, str], str]:
    path = _resolve(source, base_dir)
    if path.is_dir():
        raise DataError(f"{source}: is a folder; name a file, or load the folder as a dataset with hf:{source}")
    if not path.exists():
        raise DataError(f"{source}: file not found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DataError(f"{source}: unsupported file type '{path.suffix}' (use {', '.join(SUPPORTED_SUFFIXES)})")
    if suffix == ".parquet":
        return _read_parquet(path, source, params)
    if suffix == ".csv":
        return _read_csv(path, source, params)
    raw = _read_json(path, source, lines=suffix == ".jsonl")
    schema, mapping = _mapping(raw.columns, params.columns, source)
    return raw[sorted(set(mapping.values()))], schema, mapping, source


def _read_parquet(path: Path, label: str, params: IngestParams) -> tuple[pd.DataFrame, str, dict[str, str], str]:
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{label}: not a readable parquet file ({one_line(exc)})") from None
    schema, mapping = _mapping(names, params.columns, label)
    needed = sorted(set(mapping.values()))
    frames = []
    total = parquet.metadata.num_rows
    try:
        # only the needed columns, a batch at a time: the LinkedIn export has 31
        # columns and 124k rows, most of which we never look at
        with tqdm(total=total, desc=f"read {path.name}", unit="row", disable=total < 50_000) as progress:
            for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=needed):
                frames.append(batch.to_pandas(types_mapper=None))
                progress.update(batch.num_rows)
    except Exception as exc:
        raise DataError(f"{label}: not a readable parquet file ({one_line(exc)})") from None
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=needed)
    return raw, schema, mapping, label


def _read_csv(path: Path, label: str, params: IngestParams) -> tuple[pd.DataFrame, str, dict[str, str], str]:
    try:
        header = pd.read_csv(path, nrows=0)
        schema, mapping = _mapping(header.columns, params.columns, label)
        needed = sorted(set(mapping.values()))
        # every CSV cell is text; empty cells stay missing
        raw = pd.read_csv(path, usecols=needed, dtype=str, keep_default_na=False, na_values=[""])
    except DataError:
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise DataError(f"{label}: not a readable CSV file ({one_line(exc)})") from None
    return raw, schema, mapping, label


def _read_json(path: Path, label: str, lines: bool) -> pd.DataFrame:
    kind = "JSON Lines" if lines else "JSON"
    try:
        raw = pd.read_json(path, lines=lines, dtype=False, convert_dates=False)
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        raise DataError(f"{label}: not a readable {kind} file of records ({one_line(exc)})") from None
    if not isinstance(raw, pd.DataFrame):
        raise DataError(f"{label}: not a readable {kind} file of records")
    raw.columns = [str(c) for c in raw.columns]
    return raw


def _read_hf(source: str, params: IngestParams, base_dir: Path) -> tuple[pd.DataFrame, str, dict[str, str], str]:
    name = source[len(HF_PREFIX):].strip()
    if not name:
        raise DataError(f"{source}: name a dataset after 'hf:', e.g. hf:datastax/linkedin_job_listings")
    local = _resolve(name, base_dir)
    target = str(local) if local.exists() else name
    try:
        from datasets import load_dataset

        dataset = load_dataset(target, split=params.hf_split, revision=params.hf_revision)
    except Exception as exc:  # network, missing split, bad files: datasets raises many types
        raise DataError(
            f"{source}: cannot load the dataset ({one_line(exc)}); without internet, download it "
            f"where there is one, or set the source to a local .parquet/.csv/.jsonl file or hf:<local folder>"
        ) from None
    schema, mapping = _mapping(dataset.column_names, params.columns, source)
    needed = sorted(set(mapping.values()))
    # datasets returns column objects: list() gives plain Python values
    raw = pd.DataFrame({column: list(dataset[column]) for column in needed}, dtype=object)
    return raw, schema, mapping, source


def _to_fields(raw: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    """Our fields as object columns (values untouched), None where the source has no column."""
    out = {}
    for our_field in POSTING_COLUMNS:
        column = mapping.get(our_field)
        out[our_field] = raw[column].astype(object).tolist() if column is not None else [None] * len(raw)
    return pd.DataFrame(out, dtype=object)


# ---------------------------------------------------------------------------
# validation


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _id_text(value: Any) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 921716.0 from a float column
    return str(value).strip()


def content_id(title: str, company: str, description: str) -> str:
    """Stable id of a posting without one: a short hash of its text."""
    digest = hashlib.sha1(f"{title}\x1f{company}\x1f{description}".encode("utf-8")).hexdigest()
    return f"h{digest[:12]}"


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def title_matcher(keywords: list[str]) -> re.Pattern[str] | None:
    """Case-insensitive match of any keyword at a word start ("data" matches
    "Data Scientist", not "Metadata"; a trailing plural "s" is allowed)."""
    if not keywords:
        return None
    parts = [r"(?<![^\W_])" + re.escape(k.strip()) + r"(?:s|es)?(?![^\W_])" for k in keywords]
    return re.compile("|".join(parts), re.IGNORECASE)


def validate_postings(
    frame: pd.DataFrame, params: IngestParams, default_source: str = "", qualify_ids: bool = False
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Drop and count bad rows of a frame with our fields; returns (postings, metrics).

    ``qualify_ids`` prefixes source ids with the row's source ("linkedin:123").

    Each dropped row is counted once, under the first reason that applies, in
    the order of :data:`DROP_REASONS`.
    """
    from tqdm.auto import tqdm

    dropped: Counter = Counter()
    languages: Counter = Counter()
    matcher = title_matcher(params.title_filter)
    wanted_languages = set(params.languages)
    seen_exact: set[tuple[str, str, str]] = set()
    seen_normalised: set[tuple[str, str, str]] = set()
    kept: list[dict[str, str]] = []
    records = frame.to_dict("records")
    for record in tqdm(records, desc="validate", unit="row", disable=len(records) < 50_000):
        if _is_missing(record["title"]):
            dropped["missing_title"] += 1
            continue
        if _is_missing(record["description"]):
            dropped["missing_description"] += 1
            continue
        # numbers or lists in a text column are a broken source, not text to coerce
        if any(not _is_missing(record[f]) and not isinstance(record[f], str) for f in TEXT_FIELDS):
            dropped["non_text"] += 1
            continue
        row = {f: ("" if _is_missing(record[f]) else record[f].strip()) for f in TEXT_FIELDS}
        if len(row["description"].split()) < params.min_words:
            dropped["too_short"] += 1
            continue
        exact = (row["title"], row["company"], row["description"])
        if exact in seen_exact:
            dropped["duplicate_exact"] += 1
            continue
        seen_exact.add(exact)
        normalised = tuple(_normalised(x) for x in exact)
        if normalised in seen_normalised:
            dropped["duplicate_normalised"] += 1
            continue
        seen_normalised.add(normalised)
        if matcher is not None and not matcher.search(row["title"]):
            dropped["title_filter"] += 1
            continue
        if wanted_languages:
            language = detect_language(row["description"])
            languages[language] += 1
            # "und" (too little text to tell) is kept: dropping it loses short English postings
            if language != UNDETERMINED and language not in wanted_languages:
                dropped["language"] += 1
                continue
        row["source"] = row["source"] or default_source
        source_id = _id_text(record["posting_id"])
        if source_id and qualify_ids and row["source"]:
            source_id = f"{row['source']}:{source_id}"
        row["posting_id"] = source_id or content_id(*exact)
        kept.append(row)

    id_collisions = _make_ids_unique(kept)
    rows_valid = len(kept)
    if params.max_rows is not None and len(kept) > params.max_rows:
        # a seeded sample, not the head: files are often sorted by source or date
        chosen = sorted(random.Random(params.seed).sample(range(len(kept)), params.max_rows))
        kept = [kept[i] for i in chosen]
    postings = pd.DataFrame(kept, columns=list(POSTING_COLUMNS))
    for column in POSTING_COLUMNS:
        postings[column] = postings[column].astype(str)
    metrics = {
        "rows_read": len(records),
        "rows_valid": rows_valid,
        "rows_kept": len(postings),
        "dropped": {reason: int(dropped[reason]) for reason in DROP_REASONS},
        "capped": rows_valid - len(postings),
        "id_collisions": id_collisions,
        "languages": dict(languages.most_common()),
    }
    return postings, metrics


def _make_ids_unique(rows: list[dict[str, str]]) -> int:
    """Suffix repeated source ids with a content hash; returns how many were repeated."""
    seen: set[str] = set()
    collisions = 0
    for row in rows:
        posting_id = row["posting_id"]
        if posting_id in seen:
            collisions += 1
            posting_id = f"{posting_id}-{content_id(row['title'], row['company'], row['description'])}"
            while posting_id in seen:  # identical text under one id twice cannot happen (deduplicated)
                posting_id += "x"
        seen.add(posting_id)
        row["posting_id"] = posting_id
    return collisions
