"""File I/O shared by the stages: atomic writes and reads with clear errors.

Every output is written to a temporary sibling and renamed into place, so an
interrupted stage never leaves a half-written file where DVC expects an output,
and a write that fails (a full disk, an unwritable folder) is one line naming the
output, the old one left intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

import pandas as pd

from jobsearch.errors import DataError, one_line, os_error


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, is_dir: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place on success only."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise DataError(f"cannot write {os_error(exc, target)}") from None
    staged = tmp / target.name
    try:
        if is_dir:
            staged.mkdir()
        yield staged
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.replace(staged, target)
    except OSError as exc:  # a full disk, an unwritable folder: the old output stays as it was
        raise DataError(f"cannot write {os_error(exc, target)}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def write_json(data: Any, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(_json_text(data))


def write_json_folder(files: dict[str, Any], directory: str | os.PathLike) -> None:
    """Replace ``directory`` with one JSON file per entry of ``files`` (relative path -> data), atomically."""
    with atomic_path(directory, is_dir=True) as staged:
        for name, data in files.items():
            (staged / name).parent.mkdir(parents=True, exist_ok=True)
            (staged / name).write_text(_json_text(data))


def _json_text(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n"


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def _json_default(value: Any) -> Any:
    # numpy scalars and paths show up in metrics dicts
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def read_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def read_parquet(path: str | os.PathLike, columns: Iterable[str] | None = None, optional: Iterable[str] = ()) -> pd.DataFrame:
    """Read a parquet file, failing with one line naming the file and any missing column.

    ``optional`` columns are read too where the file has them (e.g. skill tags).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    try:
        import pyarrow.parquet as pq

        schema_names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise DataError(f"{path}: not a readable parquet file ({one_line(exc)})") from None
    if columns is not None:
        require_columns(schema_names, columns, path)
        return pd.read_parquet(path, columns=list(columns) + [c for c in optional if c in schema_names])
    return pd.read_parquet(path)


def require_columns(present: Iterable[str], required: Iterable[str], source: str | os.PathLike) -> None:
    present = set(present)
    missing = [c for c in required if c not in present]
    if missing:
        have = ", ".join(sorted(present)) or "none"
        raise DataError(f"{source}: missing column(s) {', '.join(missing)} (columns present: {have})")
